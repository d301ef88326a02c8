// Background checkpoints: the serving SQLite store copies its WAL into the database file from a worker thread.
import { afterEach, describe, expect, it } from "bun:test";
import { existsSync, statSync } from "node:fs";
import { newId } from "../../src/lib/ids.ts";
import { openServingSqliteStore, type Store } from "../../src/store/index.ts";
import { type TempDir, tempDir } from "../helpers/temp.ts";

let dir: TempDir;
afterEach(() => dir?.cleanup());

/** Writes `n` events of ~2 KB, 100 per transaction. */
async function writeEvents(store: Store, n: number): Promise<void> {
  const payload = JSON.stringify({ blob: "x".repeat(2000) });
  for (let i = 0; i < n; i += 100) {
    const batch = Array.from({ length: 100 }, () => ({
      event: {
        id: newId("evt"),
        tenant_id: "default",
        type: "bulk.test",
        payload,
        idempotency_key: null,
        created_at: Date.now(),
      },
      idempotency_response: null,
      deliveries: [],
    }));
    await store.writeBatch(batch, [], []);
  }
}

/** Resolves once `check` holds, polling every 20 ms for at most `ms`. */
async function eventually(check: () => boolean, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (check()) return true;
    await Bun.sleep(20);
  }
  return check();
}

describe("background checkpoints", () => {
  it("move committed pages into the database file while the serving connection only appends", async () => {
    dir = tempDir();
    const path = dir.file("hookgate.db");
    const errors: string[] = [];
    const store = await openServingSqliteStore({ path, synchronous: "normal" }, (m) => errors.push(m));
    try {
      const before = statSync(path).size;
      // ~2 MB of pages: far below the serving connection's own checkpoint threshold (80 MB), so only the worker
      // can have grown the database file.
      await writeEvents(store, 1000);
      expect(await eventually(() => statSync(path).size > before + 1_000_000, 5000)).toBe(true);
      expect(errors).toEqual([]);
    } finally {
      await store.close();
    }
    // Closing stops the worker first, then checkpoints what is left and truncates the WAL.
    expect(!existsSync(`${path}-wal`) || statSync(`${path}-wal`).size === 0).toBe(true);
  });

  it("keep a store opened in memory working without a worker", async () => {
    const store = await openServingSqliteStore({ path: ":memory:", synchronous: "normal" }, () => {});
    await writeEvents(store, 100);
    expect((await store.listEvents({ limit: 200 })).length).toBe(100);
    await store.close();
  });
});
