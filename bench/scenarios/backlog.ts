// 5. Backlog scaling: ingest rate, publish latency and RSS with 0, 100k and 1M pending deliveries in the
// store (receiver down), and how long a restart with that backlog takes to be ready.
import { Database } from "bun:sqlite";
import { join } from "node:path";
import { newId } from "../../src/lib/ids.ts";
import { percentile, publishMany } from "../lib/load.ts";
import { ADMIN_KEY, api, freePort, startGateway } from "../lib/procs.ts";

export interface BacklogResult {
  pending: number;
  restartReadyMs: number;
  ingestPerSec: number;
  publishP99: number;
  peakRssMiB: number;
}

/** Writes `count` events with one pending delivery each (due in 2 h) straight into the store. */
function seed(dbPath: string, endpointId: string, count: number): void {
  const db = new Database(dbPath);
  db.run("PRAGMA journal_mode = WAL");
  db.run("PRAGMA synchronous = OFF");
  const insertEvent = db.query(
    "INSERT INTO events (id, tenant_id, type, payload, created_at) VALUES (?, 'default', 'order.created', ?, ?)",
  );
  const insertDelivery = db.query(
    "INSERT INTO deliveries (id, event_id, endpoint_id, tenant_id, status, attempts, next_attempt_at, created_at) VALUES (?, ?, ?, 'default', 'pending', 1, ?, ?)",
  );
  const payload = JSON.stringify({ order_id: "ord_backlog", amount: 42, note: "x".repeat(120) });
  const now = Date.now();
  const due = now + 2 * 3_600_000;
  for (let done = 0; done < count; done += 50_000) {
    db.transaction(() => {
      for (let i = done; i < Math.min(count, done + 50_000); i++) {
        const id = newId("evt");
        insertEvent.run(id, payload, now);
        insertDelivery.run(newId("dlv"), id, endpointId, due + (i % 3_600_000), now);
      }
    })();
  }
  db.run("PRAGMA wal_checkpoint(TRUNCATE)");
  db.close();
}

export async function backlog(pending: number, events: number, concurrency: number): Promise<BacklogResult> {
  const deadPort = await freePort();
  const yaml = ["delivery: {retry_schedule: [1h], jitter: 0}"];
  let gw = await startGateway({ yaml });
  const dir = gw.dir;
  try {
    const ep = await api(gw.url, "POST", "/v1/endpoints", {
      url: `http://127.0.0.1:${deadPort}/down`,
      events: ["order.*"],
      retry_schedule: ["1h"],
    });
    await gw.stop();
    if (pending > 0) seed(join(dir, "hookgate.db"), ep.data.id, pending);
    gw = await startGateway({ yaml, dir });
    const run = await publishMany(gw.url, ADMIN_KEY, events, concurrency);
    if (run.sentAt.size !== events) throw new Error(`backlog ${pending}: ${run.sentAt.size}/${events} accepted`);
    return {
      pending,
      restartReadyMs: gw.readyMs,
      ingestPerSec: events / ((run.endedAt - run.startedAt) / 1000),
      publishP99: percentile(run.latencies, 99),
      peakRssMiB: gw.peakRssMiB(),
    };
  } finally {
    await gw.stop();
    gw.cleanup();
  }
}
