// Paged, filtered list queries: the WHERE clause is built from the filters that are set, and one prepared
// statement is kept per combination (so a filter value never becomes SQL text).
import type { Database, SQLQueryBindings, Statement } from "bun:sqlite";

/**
 * A filter: its clause with one `$name` parameter and the value (undefined: not set), or a clause with several
 * parameters and their values (undefined: not set).
 */
export type Clause =
  | [sql: string, name: string, value: unknown]
  | [sql: string, params: Record<string, unknown> | undefined];

export function filteredList<Row>(db: Database, select: string, order: string) {
  const statements = new Map<string, Statement<Row, SQLQueryBindings[]>>();
  return (clauses: readonly Clause[], limit: number): Row[] => {
    const where: string[] = [];
    const params: Record<string, unknown> = { limit };
    for (const clause of clauses) {
      if (clause.length === 3) {
        if (clause[2] === undefined) continue;
        params[clause[1]] = clause[2];
      } else {
        if (clause[1] === undefined) continue;
        Object.assign(params, clause[1]);
      }
      where.push(clause[0]);
    }
    const sql = `${select} ${where.length ? `WHERE ${where.join(" AND ")}` : ""} ${order} LIMIT $limit`;
    let stmt = statements.get(sql);
    if (!stmt) {
      stmt = db.query<Row, SQLQueryBindings[]>(sql);
      statements.set(sql, stmt);
    }
    return stmt.all(params as never);
  };
}
