// The store's hot write alone: N events with one delivery each, written in group commits of `batch` together with
// the previous batch's attempt results (as the engine does), on a fresh SQLite file.
//   bun bench/write-path.ts [events=20000] [batch=32] [--foreground]
// Prints the event loop's time per event + result.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { newId } from "../src/lib/ids.ts";
import { openServingSqliteStore, openSqliteStore } from "../src/store/index.ts";
import type { AttemptRecord, DeliveryUpdate, NewEvent } from "../src/store/types.ts";
import { eventData } from "./lib/load.ts";

const [N, BATCH] = [Number(process.argv[2] ?? 20_000), Number(process.argv[3] ?? 32)];
const dir = mkdtempSync(join(tmpdir(), "hookgate-write-path-"));
const path = join(dir, "hookgate.db");
// --foreground: checkpoints inside the commits (SQLite's default), as before background checkpoints.
const store = process.argv.includes("--foreground")
  ? openSqliteStore({ path, synchronous: "normal" })
  : await openServingSqliteStore({ path, synchronous: "normal" }, console.error);
const endpointId = newId("ep");
await store.insertEndpoint({
  id: endpointId,
  tenant_id: "default",
  url: "http://127.0.0.1:9/hook",
  description: "",
  events: ["*"],
  enabled: true,
  disabled_reason: null,
  metadata: {},
  secrets_enc: "x",
  signing: { scheme: "standard" },
  http_method: "POST",
  headers: {},
  auth_enc: null,
  filter: null,
  transform: null,
  rate_limit_per_second: null,
  timeout_ms: 30_000,
  retry_schedule: null,
  source: "api",
  failing_since: null,
  draining_since: null,
  created_at: Date.now(),
  updated_at: Date.now(),
} as never);

const payload = JSON.stringify(eventData(1));
let previous: string[] = [];
const t0 = performance.now();
for (let i = 0; i < N; i += BATCH) {
  const now = Date.now();
  const batch: NewEvent[] = [];
  for (let j = 0; j < BATCH; j++) {
    const id = newId("evt");
    batch.push({
      event: { id, tenant_id: "default", type: "order.created", payload, idempotency_key: null, created_at: now },
      idempotency_response: null,
      deliveries: [
        {
          id: newId("dlv"),
          event_id: id,
          endpoint_id: endpointId,
          tenant_id: "default",
          target_url: null,
          like_endpoint_id: null,
          status: "delivering",
          next_attempt_at: null,
          lease_until: now + 60_000,
          error_kind: null,
          last_error: null,
          manual: false,
          created_at: now,
        },
      ],
    });
  }
  const attempts: AttemptRecord[] = previous.map((d) => ({
    id: newId("att"),
    delivery_id: d,
    n: 1,
    trigger: "scheduled",
    started_at: now,
    duration_ms: 2,
    http_status: 200,
    response_headers: { "content-type": "text/plain" },
    response_body: "ok",
    body_encoding: "utf8",
    request_body: null,
    error_kind: null,
    error: null,
  }));
  const updates: DeliveryUpdate[] = previous.map((d) => ({
    id: d,
    status: "delivered",
    attempts: 1,
    next_attempt_at: null,
    http_status: 200,
    error_kind: null,
    last_error: null,
    delivered_at: now,
  }));
  await store.writeBatch(batch, attempts, updates);
  previous = batch.map((b) => b.deliveries[0]!.id);
}
const ms = performance.now() - t0;
console.log(`${N} events + results in batches of ${BATCH}: ${((ms * 1000) / N).toFixed(1)} µs per event + result`);
await store.close();
rmSync(dir, { recursive: true, force: true });
