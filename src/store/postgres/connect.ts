// Connecting to PostgreSQL with Bun's built-in client, and the schema brought up to date under an advisory lock so
// that replicas starting at the same moment migrate once (the others wait, then find nothing to do).
import { SQL } from "bun";
import { PG_LATEST_VERSION, PG_MIGRATIONS } from "./migrations.ts";

/** Advisory lock keys: one namespace for hookgate (the first int), one number per purpose. */
export const LOCK_NAMESPACE = 0x686f6f6b; // "hook"
export const LOCKS = { migrate: 1, reconcile: 2, retention: 3 } as const;

/** What a gateway's connections are named (application_name); other tools name theirs, so a serving one is told apart. */
export const GATEWAY_APPLICATION = "hookgate";

export class PostgresUnavailableError extends Error {
  constructor(target: string, cause: unknown) {
    super(`cannot use PostgreSQL at ${target}: ${(cause as Error)?.message ?? String(cause)}`);
    this.name = "PostgresUnavailableError";
  }
}

export class PgSchemaTooNewError extends Error {
  constructor(found: number) {
    super(
      `the PostgreSQL schema is version ${found}, newer than this hookgate knows (${PG_LATEST_VERSION}); run a newer hookgate on every replica`,
    );
    this.name = "PgSchemaTooNewError";
  }
}

/** True for a `postgres://` or `postgresql://` URL. */
export function isPostgresUrl(url: string): boolean {
  return /^postgres(ql)?:\/\//i.test(url);
}

/** The URL without its password (for messages and logs): `postgres://user@host:5432/db`. */
export function describePostgresUrl(url: string): string {
  try {
    const u = new URL(url);
    const user = u.username ? `${decodeURIComponent(u.username)}@` : "";
    return `${u.protocol}//${user}${u.host}${u.pathname}`;
  } catch {
    return "(an unparsable postgres URL)";
  }
}

/**
 * A connection pool (not yet connected: Bun connects on the first query). Sequential scans are priced out
 * (enable_seqscan off): every statement hookgate sends has an index designed for it, and a prepared plan cached
 * while a table was nearly empty (a fresh database) would otherwise keep scanning it sequentially as it grows,
 * until autovacuum's next ANALYZE. Plans stay cached, so the hot path is not replanned on every batch.
 */
export function createPool(url: string, max: number, applicationName = GATEWAY_APPLICATION): SQL {
  return new SQL(url, {
    max,
    connectionTimeout: 10,
    idleTimeout: 60,
    connection: { application_name: applicationName, enable_seqscan: "off" },
  });
}

/** The schema version recorded in the database (0 for an empty one). */
async function pgSchemaVersion(sql: SQL): Promise<number> {
  const [exists] = await sql`SELECT to_regclass('schema_migrations') IS NOT NULL AS ok`;
  if (!exists.ok) return 0;
  const [row] = await sql`SELECT coalesce(max(version), 0) AS v FROM schema_migrations`;
  return Number(row.v);
}

/**
 * Applies pending migrations in one transaction while holding the migration lock (a session advisory lock on a
 * reserved connection, so it is released even if this process dies). Returns the versions applied.
 */
export async function migratePostgres(sql: SQL, now: () => number = Date.now): Promise<number[]> {
  const conn = await sql.reserve();
  try {
    await conn`SELECT pg_advisory_lock(${LOCK_NAMESPACE}, ${LOCKS.migrate})`;
    try {
      await conn`CREATE TABLE IF NOT EXISTS schema_migrations (version integer PRIMARY KEY, name text NOT NULL, applied_at bigint NOT NULL)`;
      const current = await pgSchemaVersion(conn);
      if (current > PG_LATEST_VERSION) throw new PgSchemaTooNewError(current);
      const pending = PG_MIGRATIONS.filter((m) => m.version > current);
      if (pending.length === 0) return [];
      await conn.begin(async (tx) => {
        for (const m of pending) {
          await tx.unsafe(m.sql).simple();
          await tx`INSERT INTO schema_migrations (version, name, applied_at) VALUES (${m.version}, ${m.name}, ${now()})`;
        }
      });
      return pending.map((m) => m.version);
    } finally {
      await conn`SELECT pg_advisory_unlock(${LOCK_NAMESPACE}, ${LOCKS.migrate})`;
    }
  } finally {
    conn.release();
  }
}
