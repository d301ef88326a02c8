// One gateway per database: an exclusive SQLite lock on a small file beside it. The operating system
// releases the lock when the process dies (even by kill -9), so a crash never leaves a stale lock.
import { Database } from "bun:sqlite";
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";

export class InstanceLockedError extends Error {
  constructor(path: string) {
    super(
      `another hookgate is already running on ${path} (lock ${path}-lock is held); stop it first or use another storage.path`,
    );
    this.name = "InstanceLockedError";
  }
}

export interface InstanceLock {
  release(): void;
}

/** Takes the lock for `databasePath` or throws InstanceLockedError. In-memory databases need none. */
export function acquireInstanceLock(databasePath: string): InstanceLock {
  if (databasePath === ":memory:") return { release() {} };
  const lockPath = `${databasePath}-lock`;
  mkdirSync(dirname(databasePath), { recursive: true });
  const db = new Database(lockPath, { create: true });
  try {
    db.run("PRAGMA busy_timeout = 0");
    db.run("PRAGMA locking_mode = EXCLUSIVE");
    // The first write takes the exclusive lock; in EXCLUSIVE locking mode it is kept until close.
    db.run("CREATE TABLE IF NOT EXISTS holder (pid INTEGER, started_at INTEGER)");
    db.run("DELETE FROM holder");
    db.run("INSERT INTO holder VALUES (?, ?)", [process.pid, Date.now()]);
  } catch (e) {
    db.close();
    if (/locked|busy/i.test((e as Error).message)) throw new InstanceLockedError(databasePath);
    throw e;
  }
  return {
    release() {
      db.close();
    },
  };
}
