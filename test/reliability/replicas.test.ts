// Several hookgate replicas (real processes) on one PostgreSQL database: a kill -9 under load loses nothing, a
// change on one replica is in effect on the other within 1 s, one idempotency key makes one event whichever
// replicas it reaches, retries and claimed work go on when the publishing replica stops, and a rate limit holds
// for the cluster as a whole.
import { afterEach, beforeEach, describe, expect, it } from "bun:test";
import { createTestDatabase, PG_AVAILABLE, pgRows, type TestDatabase } from "../helpers/postgres.ts";
import { waitFor } from "../helpers/process.ts";
import { startReceiver } from "../helpers/receiver.ts";
import { call, type Replica, replicaSet, startReplica } from "../helpers/replicas.ts";
import { type TempDir, tempDir } from "../helpers/temp.ts";

describe.skipIf(!PG_AVAILABLE)("replicas on one PostgreSQL database", () => {
  let db: TestDatabase;
  let dir: TempDir;
  let replicas: Replica[];
  beforeEach(async () => {
    db = await createTestDatabase();
    dir = tempDir();
    replicas = [];
  });
  afterEach(async () => {
    await Promise.all(replicas.map((r) => r.stop()));
    await db.drop();
    dir.cleanup();
  });
  const start = async (set: ReturnType<typeof replicaSet>, ...names: string[]) => {
    const started = await Promise.all(names.map((n) => startReplica(set, n)));
    replicas.push(...started);
    return started;
  };

  it("delivers every accepted event at least once when one of two replicas is killed with kill -9 under load", async () => {
    const received = new Map<string, number>();
    const rx = startReceiver({
      default: async (req) => {
        await Bun.sleep(25);
        const id = req.headers.get("webhook-id") ?? "?";
        received.set(id, (received.get(id) ?? 0) + 1);
        return { status: 200 };
      },
    });
    try {
      const set = replicaSet(db.url, dir, ["delivery: {lease_seconds: 2, per_endpoint_concurrency: 8}"]);
      const [a, b] = await start(set, "a", "b");
      const ep = await call(a!, "POST", "/v1/endpoints", { url: `${rx.url}/hook`, events: ["*"] });
      expect(ep.status).toBe(201);
      await waitFor(async () => (await call(b!, "GET", `/v1/endpoints/${ep.body.data.id}`)).status === 200, {
        what: "replica b to know the endpoint",
      });

      const accepted: string[] = [];
      let next = 0;
      let aDead = false;
      const publisher = async (w: number) => {
        while (next < 800) {
          const i = next++;
          const body = { type: "order.created", data: { i } };
          let res: Awaited<ReturnType<typeof call>>;
          try {
            res = await call(w % 2 === 0 && !aDead ? a! : b!, "POST", "/v1/events", body);
          } catch {
            // Replica a died with this publish in flight: never acknowledged, so the client sends it to b.
            res = await call(b!, "POST", "/v1/events", body);
          }
          if (res.status === 202) accepted.push(res.body.data.id);
        }
      };
      const killer = (async () => {
        await waitFor(() => received.size >= 100, { timeoutMs: 30_000, intervalMs: 5, what: "100 deliveries" });
        await a!.kill();
        aDead = true;
      })();
      await Promise.all([...Array.from({ length: 16 }, (_, w) => publisher(w)), killer]);
      const atKill = received.size;
      await waitFor(() => accepted.every((id) => received.has(id)), {
        timeoutMs: 60_000,
        intervalMs: 100,
        what: "every accepted event to arrive",
      });
      const duplicates = [...received.values()].reduce((sum, n) => sum + n - 1, 0);
      console.log(
        `replicas kill -9: ${accepted.length} accepted, ${atKill} delivered when replica a was killed, all delivered by replica b, ${duplicates} duplicate deliveries`,
      );
      expect(accepted.length).toBeGreaterThan(400);
      const left = () =>
        pgRows<{ status: string; n: string }>(
          db.url,
          "SELECT status, count(*) AS n FROM deliveries WHERE status <> 'delivered' GROUP BY status",
        );
      await waitFor(async () => (await left()).length === 0, {
        timeoutMs: 10_000,
        what: "every delivery row (also of events a committed but could not acknowledge) to be delivered",
      }).catch(async (e) => {
        throw new Error(
          `${(e as Error).message}: ${JSON.stringify(await left())}\n${(await b!.log())
            .split("\n")
            .filter((l) => !l.includes('"msg":"request"'))
            .join("\n")}`,
        );
      });
    } finally {
      rx.stop();
    }
  }, 120_000);

  it("puts an endpoint or event-type change made on one replica in effect on the other within 1 s", async () => {
    const rx = startReceiver();
    try {
      const [a, b] = await start(replicaSet(db.url, dir), "a", "b");
      const within = async (what: string, probe: () => Promise<boolean>) => {
        const t0 = performance.now();
        await waitFor(probe, { timeoutMs: 5000, intervalMs: 20, what });
        const ms = performance.now() - t0;
        expect(ms).toBeLessThan(1000);
        return ms;
      };
      const ep = await call(a!, "POST", "/v1/endpoints", { url: `${rx.url}/v1`, events: ["order.*"] });
      const id = ep.body.data.id;
      const created = await within("b to see the new endpoint", async () => {
        return (await call(b!, "GET", `/v1/endpoints/${id}`)).status === 200;
      });
      expect((await call(a!, "PATCH", `/v1/endpoints/${id}`, { url: `${rx.url}/v2` })).status).toBe(200);
      const changed = await within("b to see the new URL", async () => {
        return (await call(b!, "GET", `/v1/endpoints/${id}`)).body.data.url === `${rx.url}/v2`;
      });
      expect((await call(b!, "POST", "/v1/events", { type: "order.created", data: {} })).status).toBe(202);
      const [req] = await rx.waitForRequests(1);
      expect(req!.path).toBe("/v2");

      expect((await call(b!, "POST", "/v1/event-types", { name: "invoice.paid" })).status).toBe(201);
      const typed = await within("a to know the new event type", async () => {
        const res = await call(a!, "POST", "/v1/events", { type: "order.unknown", data: {} });
        return res.status === 400;
      });
      expect((await call(a!, "DELETE", `/v1/endpoints/${id}`)).status).toBe(204);
      const deleted = await within("b to forget the endpoint", async () => {
        return (await call(b!, "GET", `/v1/endpoints/${id}`)).status === 404;
      });
      console.log(
        `replicas: changes seen by the other replica after ${[created, changed, typed, deleted].map((ms) => ms.toFixed(0)).join(" / ")} ms (create / update / event type / delete)`,
      );
    } finally {
      rx.stop();
    }
  }, 60_000);

  it("makes one event of concurrent publishes with one idempotency key on two replicas", async () => {
    const [a, b] = await start(replicaSet(db.url, dir), "a", "b");
    const results = await Promise.all(
      Array.from({ length: 25 }, async (_, i) => {
        const body = { type: "order.created", data: { i } };
        const headers = { "idempotency-key": `key-${i}` };
        const [ra, rb] = await Promise.all([
          call(a!, "POST", "/v1/events", body, headers),
          call(b!, "POST", "/v1/events", body, headers),
        ]);
        return [ra, rb];
      }),
    );
    for (const pair of results) {
      expect(pair.map((r) => r.status).sort()).toEqual([200, 202]);
      expect(pair.find((r) => r.status === 200)!.headers.get("idempotent-replayed")).toBe("true");
      expect(pair[0]!.body.data.id).toBe(pair[1]!.body.data.id);
    }
    const [count] = await pgRows<{ n: string }>(db.url, "SELECT count(*) AS n FROM events");
    expect(count!.n).toBe("25");
  }, 60_000);

  it("goes on with retries and claimed deliveries when the replica that took the publishes stops", async () => {
    const attemptsById = new Map<string, number>();
    const rx = startReceiver({
      default: async (req) => {
        await Bun.sleep(40);
        const id = req.headers.get("webhook-id") ?? "?";
        const n = (attemptsById.get(id) ?? 0) + 1;
        attemptsById.set(id, n);
        return { status: n === 1 ? 500 : 200 };
      },
    });
    try {
      // Leases far longer than the test: whatever b delivers, it got by a's hand-back or a retry, not an expiry.
      const yaml = ["delivery: {lease_seconds: 600, per_endpoint_concurrency: 2, retry_schedule: [1s], jitter: 0}"];
      const [a, b] = await start(replicaSet(db.url, dir, yaml), "a", "b");
      // b takes no share of the work until a stops: the endpoint becomes known to it only by the change signal,
      // and a's publishes go to a's own memory first.
      const ep = await call(a!, "POST", "/v1/endpoints", { url: `${rx.url}/hook`, events: ["*"] });
      expect(ep.status).toBe(201);
      const ids: string[] = [];
      for (let i = 0; i < 40; i++) {
        const res = await call(a!, "POST", "/v1/events", { type: "order.created", data: { i } });
        ids.push(res.body.data.id);
      }
      await waitFor(() => attemptsById.size >= 6, { timeoutMs: 10_000, what: "a few first attempts" });
      const t0 = performance.now();
      expect(await a!.stop()).toBe(0);
      await waitFor(() => ids.every((id) => (attemptsById.get(id) ?? 0) >= 2), {
        timeoutMs: 30_000,
        intervalMs: 50,
        what: "every event to be retried and delivered by replica b",
      });
      const ms = performance.now() - t0;
      console.log(
        `replicas: after a stopped, b delivered all 40 (retries and a's hand-back) within ${ms.toFixed(0)} ms`,
      );
      expect(ms).toBeLessThan(30_000);
      const [left] = await pgRows<{ n: string }>(
        db.url,
        "SELECT count(*) AS n FROM deliveries WHERE status <> 'delivered'",
      );
      expect(left!.n).toBe("0");
      expect(b!.proc.exitCode).toBeNull();
    } finally {
      rx.stop();
    }
  }, 90_000);

  it("reconciles one YAML file on every replica at once without conflict", async () => {
    const declared = (ids: string[], url: string) => [
      "event_types:",
      "  - {name: order.created}",
      "  - {name: order.paid}",
      "endpoints:",
      ...ids.map(
        (id) =>
          `  - {id: ${id}, url: "${url}", events: [order.created], secret: whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw}`,
      ),
    ];
    const ids = ["ep-a", "ep-b", "ep-c", "ep-d", "ep-e"];
    const set = replicaSet(db.url, dir, declared(ids, "http://127.0.0.1:9/v1"));
    const started = await start(set, "a", "b", "c");
    const rows = () => pgRows<{ id: string; url: string }>(db.url, "SELECT id, url FROM endpoints ORDER BY id");
    expect((await rows()).map((r) => r.id)).toEqual(ids);
    const [types] = await pgRows<{ n: string }>(db.url, "SELECT count(*) AS n FROM event_types");
    expect(types!.n).toBe("2");

    // The file changes on every replica at the same moment: one endpoint goes, the others move.
    const next = ids.slice(1);
    for (const r of started) r.rewrite(declared(next, "http://127.0.0.1:9/v2"));
    await waitFor(
      async () => {
        const now = await rows();
        return now.length === 4 && now.every((r) => r.url.endsWith("/v2"));
      },
      { timeoutMs: 10_000, what: "the new file to be reconciled" },
    );
    for (const r of started)
      await waitFor(async () => (await call(r, "GET", "/v1/endpoints/ep-b")).body?.data?.url?.endsWith("/v2"), {
        timeoutMs: 5000,
        what: `replica ${r.name} to serve the reconciled endpoint`,
      });
    for (const r of started) expect(r.proc.exitCode).toBeNull();
    const logs = (await Promise.all(started.map((r) => r.log()))).join("\n");
    expect(logs).not.toContain('"level":"error"');
  }, 60_000);

  it("holds rate_limit_per_second for the cluster as a whole", async () => {
    const rate = 5;
    const arrivals: number[] = [];
    const rx = startReceiver({
      default: () => {
        arrivals.push(performance.now());
        return { status: 200 };
      },
    });
    try {
      const [a, b] = await start(replicaSet(db.url, dir), "a", "b");
      const ep = await call(a!, "POST", "/v1/endpoints", {
        url: `${rx.url}/hook`,
        events: ["*"],
        rate_limit_per_second: rate,
      });
      await waitFor(async () => (await call(b!, "GET", `/v1/endpoints/${ep.body.data.id}`)).status === 200, {
        what: "b to know the endpoint",
      });
      const total = 40;
      await Promise.all(
        Array.from({ length: total }, (_, i) =>
          call(i % 2 ? a! : b!, "POST", "/v1/events", { type: "order.created", data: { i } }),
        ),
      );
      await waitFor(() => arrivals.length >= total, { timeoutMs: 30_000, what: "every delivery" });
      // Over any window of T seconds at most R·T + R attempts start (plus one for timing at the window's edges).
      let worst = 0;
      for (let i = 0; i < arrivals.length; i++)
        for (let j = i; j < arrivals.length; j++) {
          const t = (arrivals[j]! - arrivals[i]!) / 1000;
          const allowed = rate * t + rate + 1;
          worst = Math.max(worst, j - i + 1 - allowed);
        }
      const span = (arrivals[arrivals.length - 1]! - arrivals[0]!) / 1000;
      console.log(`replicas: ${total} deliveries at ${rate}/s over two replicas took ${span.toFixed(1)} s`);
      expect(worst).toBeLessThanOrEqual(0);
      expect(span).toBeGreaterThanOrEqual((total - rate - 1) / rate);
    } finally {
      rx.stop();
    }
  }, 60_000);
});
