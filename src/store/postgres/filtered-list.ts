// Lists with optional filters: only the filters that are set become clauses, numbered $1, $2, … in order.

/** A clause with `?` for each of its values (undefined: the filter is not set, and the clause is left out). */
export type Clause = [sql: string, ...values: unknown[]];

/** `select` + WHERE (the set clauses) + `order` + LIMIT, with its parameters. */
export function filteredQuery(
  select: string,
  order: string,
  clauses: readonly Clause[],
  limit: number,
): [string, unknown[]] {
  const where: string[] = [];
  const params: unknown[] = [];
  for (const [text, ...values] of clauses) {
    if (values.some((v) => v === undefined)) continue;
    let i = 0;
    where.push(
      text.replace(/\?/g, () => {
        params.push(values[i++]);
        return `$${params.length}`;
      }),
    );
  }
  params.push(limit);
  return [`${select} ${where.length ? `WHERE ${where.join(" AND ")}` : ""} ${order} LIMIT $${params.length}`, params];
}
