// Delivery statistics from real SQLite rows: which bucket an attempt counts in, how it is classified,
// nearest-rank percentiles, tenancy, and query plans that read a time range through the stats indexes.

import type { Database } from "bun:sqlite";
import { afterEach, beforeEach, describe, expect, it } from "bun:test";
import { newId } from "../../src/lib/ids.ts";
import {
  type AttemptRecord,
  createSqliteStore,
  type DeliveryStatus,
  openDatabase,
  type Store,
} from "../../src/store/index.ts";
import { ATTEMPTS_SQL, UNATTEMPTED_SQL } from "../../src/store/sqlite/stats.ts";
import { type TempDir, tempDir } from "../helpers/temp.ts";

const T0 = Date.parse("2026-06-06T09:00:00.000Z");
const MIN = 60_000;

interface Tried {
  /** Attempt start, ms after T0, and its outcome. */
  at: number;
  ms?: number;
  http?: number | null;
  error?: string | null;
}

describe("store: delivery stats", () => {
  let dir: TempDir;
  let store: Store;
  /** The connection the store uses (opened here, to read query plans). */
  let db: Database;
  beforeEach(() => {
    dir = tempDir();
    db = openDatabase({ path: dir.file("hookgate.db"), synchronous: "normal" });
    store = createSqliteStore(db);
  });
  afterEach(async () => {
    await store.close();
    dir.cleanup();
  });

  /** One event with one ad-hoc delivery created at T0 + `created`, its attempts, and its final status. */
  async function delivery(o: { created?: number; tenant?: string; status: DeliveryStatus; attempts?: Tried[] }) {
    const created = T0 + (o.created ?? 0);
    const event = {
      id: newId("evt"),
      tenant_id: o.tenant ?? "acme",
      type: "run.completed",
      payload: "{}",
      idempotency_key: null,
      created_at: created,
    };
    const id = newId("dlv");
    const tried = o.attempts ?? [];
    await store.writeBatch(
      [
        {
          event,
          idempotency_response: null,
          deliveries: [
            {
              id,
              event_id: event.id,
              endpoint_id: null,
              tenant_id: event.tenant_id,
              target_url: "https://example.com/hooks",
              like_endpoint_id: null,
              status: o.status === "skipped" ? "skipped" : "pending",
              next_attempt_at: created,
              lease_until: null,
              error_kind: null,
              last_error: null,
              manual: false,
              created_at: created,
            },
          ],
        },
      ],
      [],
      [],
    );
    const attempts: AttemptRecord[] = tried.map((a, i) => ({
      id: newId("att"),
      delivery_id: id,
      n: i + 1,
      trigger: "scheduled",
      started_at: T0 + a.at,
      duration_ms: a.ms ?? 10,
      http_status: a.http === undefined ? 200 : a.http,
      response_headers: null,
      response_body: null,
      body_encoding: null,
      request_body: null,
      error_kind: a.error ? a.error.split(":")[0]! : null,
      error: a.error ?? null,
    }));
    if (o.status !== "skipped")
      await store.writeBatch([], attempts, [
        {
          id,
          status: o.status,
          attempts: tried.length,
          next_attempt_at: null,
          http_status: null,
          error_kind: null,
          last_error: null,
          delivered_at: null,
        },
      ]);
    return id;
  }

  const stats = (since: number, until: number, bucketMs: number, tenant_id?: string) =>
    store.deliveryStats({ since: T0 + since, until: T0 + until, bucketMs, tenant_id });

  it("lists every bucket of the window, counting attempts where they started and empty buckets as zero", async () => {
    await delivery({ status: "delivered", attempts: [{ at: 30_000 }] });
    await delivery({ status: "delivered", attempts: [{ at: 2 * MIN + 1 }] });
    const r = await stats(0, 3 * MIN, MIN);
    expect(r.buckets.map((b) => [b.start - T0, b.delivered])).toEqual([
      [0, 1],
      [MIN, 0],
      [2 * MIN, 1],
    ]);
    expect(r.buckets[1]).toMatchObject({ failed: 0, retrying: 0, skipped: 0, p50_ms: null, p95_ms: null });
    expect(r.totals.delivered).toBe(2);
  });

  it("leaves out attempts outside [since, until)", async () => {
    await delivery({ status: "delivered", attempts: [{ at: -1 }] });
    await delivery({ status: "delivered", attempts: [{ at: MIN }] });
    await delivery({ status: "delivered", attempts: [{ at: MIN - 1 }] });
    expect((await stats(0, MIN, MIN)).totals.delivered).toBe(1);
  });

  it("calls a failed attempt retrying when another followed, failed when it was the last of a failed delivery", async () => {
    await delivery({
      status: "delivered",
      attempts: [
        { at: 0, http: 503 },
        { at: 1000, http: 200 },
      ],
    });
    await delivery({
      status: "failed",
      attempts: [
        { at: 0, http: 500 },
        { at: 1000, http: null, error: "timeout: no answer" },
      ],
    });
    await delivery({ status: "pending", attempts: [{ at: 0, http: 500 }] });
    // A 2xx with an error (the body could not be read) is not a success.
    await delivery({
      status: "pending",
      attempts: [{ at: 0, http: 200, error: "network_error: reset while reading" }],
    });
    const t = (await stats(0, MIN, MIN)).totals;
    expect(t).toMatchObject({ delivered: 1, retrying: 4, failed: 1 });
    expect(t.delivered + t.retrying + t.failed).toBe(6);
  });

  it("counts skipped deliveries, and failures without an attempt, where the delivery was created", async () => {
    await delivery({ created: 10_000, status: "skipped" });
    await delivery({ created: 70_000, status: "failed", attempts: [] });
    await delivery({ created: 70_000, status: "pending", attempts: [] });
    const r = await stats(0, 2 * MIN, MIN);
    expect(r.buckets.map((b) => [b.skipped, b.failed])).toEqual([
      [1, 0],
      [0, 1],
    ]);
  });

  it("takes nearest-rank percentiles of attempt durations per bucket and over the window", async () => {
    for (const ms of [100, 20, 90, 10, 80, 30, 70, 40, 60, 50])
      await delivery({ status: "delivered", attempts: [{ at: 0, ms }] });
    await delivery({ status: "delivered", attempts: [{ at: MIN, ms: 7 }] });
    const r = await stats(0, 2 * MIN, MIN);
    expect(r.buckets.map((b) => [b.p50_ms, b.p95_ms])).toEqual([
      [50, 100],
      [7, 7],
    ]);
    // Over all 11 durations: ceil(5.5) = 6th smallest is 50, ceil(10.45) = 11th is 100.
    expect([r.totals.p50_ms, r.totals.p95_ms]).toEqual([50, 100]);
  });

  it("counts one tenant only when asked", async () => {
    await delivery({ tenant: "acme", status: "delivered", attempts: [{ at: 0 }] });
    await delivery({ tenant: "globex", status: "delivered", attempts: [{ at: 0 }, { at: 1 }] });
    await delivery({ tenant: "globex", status: "skipped" });
    expect((await stats(0, MIN, MIN, "acme")).totals).toMatchObject({ delivered: 1, skipped: 0 });
    expect((await stats(0, MIN, MIN, "globex")).totals).toMatchObject({ delivered: 2, skipped: 1 });
    expect((await stats(0, MIN, MIN)).totals).toMatchObject({ delivered: 3, skipped: 1 });
  });

  it("reads a time range through the stats indexes instead of scanning the tables", () => {
    const plan = (sql: string) =>
      db
        .query<{ detail: string }, []>(`EXPLAIN QUERY PLAN ${sql}`)
        .all()
        .map((r) => r.detail)
        .join(" | ");
    // Parameters left unbound are NULL, which is enough for the planner.
    expect(plan(ATTEMPTS_SQL)).toContain("USING INDEX attempts_started");
    const unattempted = plan(UNATTEMPTED_SQL);
    expect(unattempted).toContain("deliveries_unattempted");
  });
});
