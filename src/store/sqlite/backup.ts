// An online backup of the SQLite store: `VACUUM INTO` on a connection of its own reads one consistent snapshot
// (WAL lets the serving gateway go on writing meanwhile) and writes it compacted to a new file.
import { Database } from "bun:sqlite";
import { existsSync, mkdirSync, renameSync, rmSync, statSync } from "node:fs";
import { dirname } from "node:path";

export class BackupError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "BackupError";
  }
}

export interface BackupResult {
  bytes: number;
  ms: number;
  /** Schema version of the copy (restore needs a hookgate that knows it). */
  schemaVersion: number;
}

/**
 * Copies the database at `source` to `target` (which must not exist yet), consistently, while the gateway serves.
 * The copy is written beside the target and renamed into place only when complete, so an interrupted backup never
 * leaves a half-written file under the target's name.
 */
export function backupSqlite(source: string, target: string): BackupResult {
  if (!existsSync(source)) throw new BackupError(`there is no database at ${source} (storage.path)`);
  if (existsSync(target)) throw new BackupError(`${target} exists; choose a new file for the backup`);
  mkdirSync(dirname(target), { recursive: true });
  const partial = `${target}.partial`;
  rmSync(partial, { force: true });
  const started = performance.now();
  const db = new Database(source, { readonly: true });
  try {
    // A busy writer only delays the snapshot's start; the copy itself never blocks the gateway's writes.
    db.run("PRAGMA busy_timeout = 5000");
    db.query("VACUUM INTO ?").run(partial);
  } catch (e) {
    rmSync(partial, { force: true });
    throw new BackupError(`the backup failed: ${(e as Error).message}`);
  } finally {
    db.close();
  }
  const copy = new Database(partial, { readonly: true });
  let version: number;
  try {
    const check = copy.query<{ quick_check: string }, []>("PRAGMA quick_check").get();
    if (check?.quick_check !== "ok")
      throw new BackupError(`the copy failed its integrity check: ${check?.quick_check}`);
    version = copy.query<{ v: number | null }, []>("SELECT max(version) AS v FROM schema_migrations").get()?.v ?? 0;
  } finally {
    copy.close();
  }
  renameSync(partial, target);
  return { bytes: statSync(target).size, ms: Math.round(performance.now() - started), schemaVersion: version };
}
