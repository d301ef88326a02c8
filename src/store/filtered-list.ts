// Paged, filtered list queries: the WHERE clause is built from the filters that are set, and one prepared
// statement is kept per combination (so a filter value never becomes SQL text).
import type { Database, Statement } from "bun:sqlite";

/** A filter: its clause (with one `$name` parameter) and the value, or undefined when not set. */
export type Clause = [sql: string, name: string, value: unknown];

export function filteredList<Row>(db: Database, select: string, order: string) {
  const statements = new Map<string, Statement<Row, any[]>>();
  return (clauses: readonly Clause[], limit: number): Row[] => {
    const where: string[] = [];
    const params: Record<string, unknown> = { limit };
    for (const [sql, name, value] of clauses) {
      if (value === undefined) continue;
      where.push(sql);
      params[name] = value;
    }
    const sql = `${select} ${where.length ? `WHERE ${where.join(" AND ")}` : ""} ${order} LIMIT $limit`;
    let stmt = statements.get(sql);
    if (!stmt) statements.set(sql, (stmt = db.query<Row, any[]>(sql)));
    return stmt.all(params as never);
  };
}
