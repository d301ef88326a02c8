// Checkpoints in the background: a worker thread (checkpoint-worker.ts) copies the WAL into the database file every
// few milliseconds on its own connection. The serving connection's automatic checkpoint stays as a safety net at a
// much larger WAL, reached only if the worker falls behind or is gone. See docs/architecture.md "Data model".
import type { Database } from "bun:sqlite";
import { workerEntry } from "../../lib/worker-entry.ts";

export type CheckpointRequest = { path: string; intervalMs: number } | { close: true };
export type CheckpointReply = { ready: true } | { closed: true } | { error: string };

/** How often the worker checkpoints. */
const INTERVAL_MS = 100;
/**
 * The serving connection checkpoints itself once the WAL holds this many pages (40 MB at 4 KiB): under a sustained
 * burst the worker rarely catches the very last frame, and only a checkpoint that does lets the WAL start over.
 * By then the worker has copied nearly everything, so this one is short.
 */
const FALLBACK_PAGES = 10_000;
/** After a checkpoint lets the WAL start over, its file is cut back to this size. */
const WAL_SIZE_LIMIT = 64 * 1024 * 1024;
/** How long closing waits for the worker to finish its round. */
const CLOSE_MS = 2000;

export interface Checkpointer {
  /** Stops the worker (waits for a round in progress); the caller then checkpoints and closes its connection. */
  stop(): Promise<void>;
}

/** Starts background checkpoints for the database `db` has open at `path`. */
export async function startCheckpointer(
  db: Database,
  path: string,
  onError: (message: string) => void,
): Promise<Checkpointer> {
  db.run(`PRAGMA wal_autocheckpoint = ${FALLBACK_PAGES}`);
  db.run(`PRAGMA journal_size_limit = ${WAL_SIZE_LIMIT}`);
  const worker = new Worker(workerEntry("store/sqlite/checkpoint-worker.ts"));
  // The worker alone must not keep the process alive.
  (worker as Worker & { unref(): void }).unref();
  let closed: (() => void) | null = null;
  const ready = new Promise<void>((resolve, reject) => {
    worker.onmessage = (event: MessageEvent<CheckpointReply>) => {
      const reply = event.data;
      if ("ready" in reply) resolve();
      else if ("closed" in reply) closed?.();
      else onError(reply.error);
    };
    worker.onerror = (event) => {
      event.preventDefault();
      onError(event.message);
      db.run("PRAGMA wal_autocheckpoint = 1000");
      reject(new Error(event.message));
    };
  });
  worker.postMessage({ path, intervalMs: INTERVAL_MS } satisfies CheckpointRequest);
  try {
    await ready;
  } catch {
    // Without the worker the serving connection checkpoints as SQLite normally does (set by onerror).
    worker.terminate();
    return { stop: async () => {} };
  }
  return {
    async stop() {
      const done = new Promise<void>((resolve) => {
        closed = resolve;
      });
      worker.postMessage({ close: true } satisfies CheckpointRequest);
      await Promise.race([done, Bun.sleep(CLOSE_MS)]);
      worker.terminate();
    },
  };
}
