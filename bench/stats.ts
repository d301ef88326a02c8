// Benchmark of GET /v1/stats's queries on a large store: `bun bench/stats.ts [attempts]` (default 1,000,000).
// Fills a temp SQLite store with a day of attempts (10 tenants, 100 endpoints; 1 in 50 deliveries fails once and
// is retried, 1 in 500 fails for good), then times the
// windows the console asks for, and what the stats index costs when attempt results are written.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { newId } from "../src/lib/ids.ts";
import { createSqliteStore, openDatabase } from "../src/store/index.ts";

const ATTEMPTS = Number(process.argv[2] ?? 1_000_000);
const DAY = 86_400_000;
const dir = mkdtempSync(join(tmpdir(), "hookgate-bench-stats-"));
const db = openDatabase({ path: join(dir, "bench.db"), synchronous: "normal" });
const store = createSqliteStore(db);
const now = Date.now();

try {
  const t0 = performance.now();
  const endpoints = Array.from({ length: 100 }, (_, i) => ({ id: `ep_bench${i}`, tenant: `t${i % 10}` }));
  const insertEndpoint = db.query(
    "INSERT INTO endpoints (id, tenant_id, url, events_json, secrets_enc, signing_json, timeout_ms, source, created_at, updated_at) VALUES (?, ?, 'https://example.com', '[\"*\"]', 'x', '{}', 10000, 'api', 0, 0)",
  );
  for (const e of endpoints) insertEndpoint.run(e.id, e.tenant);
  const insertEvent = db.query(
    "INSERT INTO events (id, tenant_id, type, payload, created_at) VALUES (?, ?, 'run.completed', '{}', ?)",
  );
  const insertDelivery = db.query(
    "INSERT INTO deliveries (id, event_id, endpoint_id, tenant_id, status, attempts, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
  );
  const insertAttempt = db.query(
    "INSERT INTO attempts (id, delivery_id, n, trigger, started_at, duration_ms, http_status, response_body, error) VALUES (?, ?, ?, 'scheduled', ?, ?, ?, 'ok', ?)",
  );
  db.transaction(() => {
    let made = 0;
    for (let i = 0; made < ATTEMPTS; i++) {
      const at = now - DAY + Math.floor((made / ATTEMPTS) * DAY);
      const ep = endpoints[i % endpoints.length]!;
      const evt = newId("evt");
      const dlv = newId("dlv");
      const retried = i % 50 === 0;
      const failed = i % 500 === 0;
      insertEvent.run(evt, ep.tenant, at);
      insertDelivery.run(dlv, evt, ep.id, ep.tenant, failed ? "failed" : "delivered", retried ? 2 : 1, at);
      if (retried) insertAttempt.run(newId("att"), dlv, 1, at, 40 + (i % 200), 503, null);
      const n = retried ? 2 : 1;
      insertAttempt.run(
        newId("att"),
        dlv,
        n,
        at + 5000,
        20 + (i % 100),
        failed ? null : 200,
        failed ? "timeout: x" : null,
      );
      made += n;
    }
  })();
  console.log(`filled ${ATTEMPTS.toLocaleString()} attempts in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

  const time = async (label: string, q: Parameters<typeof store.deliveryStats>[0]) => {
    await store.deliveryStats(q);
    const runs = 5;
    const start = performance.now();
    for (let i = 0; i < runs; i++) await store.deliveryStats(q);
    console.log(`${label.padEnd(44)} ${((performance.now() - start) / runs).toFixed(1).padStart(8)} ms`);
  };
  await time("last hour, 1m buckets", { since: now - 3_600_000, until: now, bucketMs: 60_000 });
  await time("last day, 5m buckets", { since: now - DAY, until: now, bucketMs: 300_000 });
  await time("last day, 5m buckets, one tenant", { since: now - DAY, until: now, bucketMs: 300_000, tenant_id: "t3" });
  await time("last hour, one endpoint (endpoint health)", {
    since: now - 3_600_000,
    until: now,
    bucketMs: 3_600_000,
    endpoint_id: "ep_bench7",
  });

  // What the attempts(started_at) index costs on the write path: 100,000 attempt rows with and without it.
  const write = (label: string) => {
    const rows = 100_000;
    const start = performance.now();
    db.transaction(() => {
      for (let i = 0; i < rows; i++) insertAttempt.run(newId("att"), "dlv_none", 1, now + i, 30, 200, null);
    })();
    console.log(
      `${label.padEnd(44)} ${(((performance.now() - start) * 1000) / rows).toFixed(2).padStart(8)} µs/attempt`,
    );
  };
  db.run("PRAGMA foreign_keys = OFF");
  write("write attempts with attempts_started");
  db.run("DROP INDEX attempts_started");
  write("write attempts without it");
} finally {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
}
