// Opens the SQLite file with the pragmas hookgate relies on and brings its schema up to date.
import { Database } from "bun:sqlite";
import { existsSync, mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { LATEST_VERSION, MIGRATIONS } from "./migrations.ts";

export class SchemaTooNewError extends Error {
  constructor(found: number) {
    super(
      `the database schema is version ${found}, newer than this hookgate knows (${LATEST_VERSION}); run a newer hookgate or restore a backup`,
    );
    this.name = "SchemaTooNewError";
  }
}

export interface OpenOptions {
  path: string;
  synchronous: "normal" | "full";
}

/** Opens (creating if needed) the database in WAL mode and applies pending migrations in one transaction. */
export function openDatabase({ path, synchronous }: OpenOptions): Database {
  if (path !== ":memory:") mkdirSync(dirname(path), { recursive: true });
  const db = new Database(path, { create: true, strict: true });
  try {
    // Short: the store is written on the event loop, so waiting for another process's lock stalls everything;
    // a write that cannot get the lock in time fails (publish → 503, results are retried).
    db.run("PRAGMA busy_timeout = 1000");
    db.run("PRAGMA journal_mode = WAL");
    db.run(`PRAGMA synchronous = ${synchronous === "full" ? "FULL" : "NORMAL"}`);
    db.run("PRAGMA foreign_keys = ON");
    db.run("PRAGMA temp_store = MEMORY");
    db.run("PRAGMA cache_size = -16000");
    db.run("PRAGMA wal_autocheckpoint = 2000");
    migrate(db);
    return db;
  } catch (e) {
    db.close();
    throw e;
  }
}

/** The schema version recorded in the database (0 for a new file). */
export function schemaVersion(db: Database): number {
  db.run(
    "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL) STRICT",
  );
  const row = db.query<{ v: number | null }, []>("SELECT max(version) AS v FROM schema_migrations").get();
  return row?.v ?? 0;
}

function migrate(db: Database): void {
  const current = schemaVersion(db);
  if (current > LATEST_VERSION) throw new SchemaTooNewError(current);
  const pending = MIGRATIONS.filter((m) => m.version > current);
  if (pending.length === 0) return;
  db.transaction(() => {
    for (const m of pending) {
      db.run(m.sql);
      db.query("INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)").run(
        m.version,
        m.name,
        Date.now(),
      );
    }
  }).immediate();
}

/** Brings the SQLite file at `path` up to date (the `migrate` command): the versions applied and the current one. */
export function migrateSqliteFile(
  path: string,
  synchronous: OpenOptions["synchronous"],
): { applied: number[]; version: number } {
  const before = existsSync(path) ? readSchemaVersion(path) : 0;
  const db = openDatabase({ path, synchronous });
  const version = schemaVersion(db);
  db.close();
  return {
    applied: MIGRATIONS.filter((m) => m.version > before && m.version <= version).map((m) => m.version),
    version,
  };
}

/** The version of an existing SQLite file, read without changing it (0 when it has no schema yet). */
function readSchemaVersion(path: string): number {
  const db = new Database(path, { readonly: true });
  try {
    return db.query<{ v: number | null }, []>("SELECT max(version) AS v FROM schema_migrations").get()?.v ?? 0;
  } catch {
    return 0;
  } finally {
    db.close();
  }
}
