// A worker thread that moves the SQLite WAL into the database file (checkpoints) on its own connection, so the
// copy and its fsync run on another core instead of inside the commits of the event loop's thread
// (src/store/sqlite/checkpointer.ts starts it).
import { Database } from "bun:sqlite";
import type { CheckpointReply, CheckpointRequest } from "./checkpointer.ts";

declare const self: Worker;

let db: Database | null = null;
let timer: ReturnType<typeof setInterval> | null = null;
let reported = false;

function checkpoint(): void {
  try {
    // PASSIVE never waits for the writer or readers: it copies what it can now and the next round takes the rest.
    db?.query("PRAGMA wal_checkpoint(PASSIVE)").get();
  } catch (e) {
    // Busy is expected now and then (a backup or another tool holds a lock); anything else is worth one report.
    const message = e instanceof Error ? e.message : String(e);
    if (!reported && !/busy|locked/i.test(message)) {
      reported = true;
      self.postMessage({ error: message } satisfies CheckpointReply);
    }
  }
}

self.onmessage = (event: MessageEvent<CheckpointRequest>) => {
  const request = event.data;
  if ("path" in request) {
    db = new Database(request.path);
    db.run("PRAGMA busy_timeout = 100");
    timer = setInterval(checkpoint, request.intervalMs);
    self.postMessage({ ready: true } satisfies CheckpointReply);
  } else {
    if (timer) clearInterval(timer);
    db?.close();
    db = null;
    self.postMessage({ closed: true } satisfies CheckpointReply);
  }
};
