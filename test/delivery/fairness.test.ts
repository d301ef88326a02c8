// Noisy neighbours, end to end through a real gateway: endpoints that never answer do not hold up a healthy one,
// their concurrency shrinks, and their circuit opens, parks their deliveries, probes once per cooldown and closes.
// Receivers are real sockets on 127.0.0.1 (black holes that never answer, resets, a healthy Bun.serve).
import { afterEach, describe, expect, it } from "bun:test";
import { iso } from "../../src/lib/clock.ts";
import type { ConfigOverrides } from "../helpers/config.ts";
import {
  createEndpoint,
  type DeliveryApp,
  getDelivery,
  getEndpoint,
  publishOk,
  settle,
  startDeliveryApp,
} from "../helpers/delivery.ts";
import { type RawServer, raw, rawServer } from "../helpers/faults.ts";
import { json } from "../helpers/http.ts";
import { waitFor } from "../helpers/process.ts";
import { type Receiver, startReceiver } from "../helpers/receiver.ts";

const servers: { stop(): void }[] = [];
let t: DeliveryApp | null = null;

afterEach(async () => {
  // Closing the black holes first ends their hanging attempts, so the gateway stops at once.
  for (const s of servers.splice(0)) s.stop();
  await t?.cleanup();
  t = null;
});

async function app(config: ConfigOverrides = {}): Promise<DeliveryApp> {
  t = await startDeliveryApp({ config });
  return t;
}
function blackHole(): RawServer {
  const s = rawServer(raw.hang());
  servers.push(s);
  return s;
}
function receiver(): Receiver {
  const r = startReceiver();
  servers.push(r);
  return r;
}
async function metric(g: DeliveryApp, line: RegExp): Promise<number> {
  const text = (await json(g.app, "GET", "/metrics")).text;
  const match = text.split("\n").find((l) => line.test(l));
  return match === undefined ? Number.NaN : Number(match.split(" ").pop());
}

describe("fair slots", () => {
  it("a healthy endpoint is delivered at once while 10 endpoints that never answer have work", async () => {
    // Without fair shares the black holes' 8 slots each would take all 16, for their 5 s timeouts.
    const g = await app({ delivery: { concurrency: 16, per_endpoint_concurrency: 8 } });
    const holes = Array.from({ length: 10 }, blackHole);
    for (const [i, h] of holes.entries())
      await createEndpoint(g, { url: `${h.url}/hook`, events: [`noisy.${i}`], timeout_ms: 5000 });
    const healthy = receiver();
    await createEndpoint(g, { url: `${healthy.url}/hook`, events: ["healthy.tick"] });

    for (let round = 0; round < 4; round++)
      await Promise.all(holes.map((_, i) => publishOk(g, { type: `noisy.${i}`, data: { round } })));
    await waitFor(() => holes.reduce((n, h) => n + h.hits, 0) >= 15, { what: "the black holes to hold 15 slots" });

    const started = performance.now();
    await publishOk(g, { type: "healthy.tick", data: {} });
    await healthy.waitForRequests(1, 2000);
    const waitedMs = performance.now() - started;
    console.log(`healthy endpoint beside 10 black holes (16 slots): delivered after ${waitedMs.toFixed(0)} ms`);
    expect(waitedMs).toBeLessThan(2000);
    expect(holes.reduce((n, h) => n + h.hits, 0)).toBe(15); // one slot stayed free (the reserve)
  });
});

describe("fair memory", () => {
  it("an endpoint with a backlog in memory leaves room for others' fresh deliveries", async () => {
    // concurrency 1 → memory for 1,000 deliveries. The backlogged endpoint's bucket never refills (the clock
    // stands still), so without a fair share its deliveries would fill memory and the other's would wait.
    const g = await app({ delivery: { concurrency: 1 } });
    const r = receiver();
    const slow = await createEndpoint(g, { url: `${r.url}/slow`, events: ["slow.tick"], rate_limit_per_second: 0.01 });
    await createEndpoint(g, { url: `${r.url}/quick`, events: ["quick.tick"] });
    for (let i = 0; i < 1200; i += 100)
      await Promise.all(Array.from({ length: 100 }, (_, j) => publishOk(g, { type: "slow.tick", data: { i: i + j } })));
    await r.waitForRequests(1);

    const quick = await publishOk(g, { type: "quick.tick", data: {} });
    expect(quick.deliveries[0].status).toBe("pending");
    await waitFor(() => r.requests.some((q) => q.path === "/quick"), { timeoutMs: 3000, what: "the quick delivery" });
    // The backlog holds about half of memory (1,000 / (1 endpoint with work + 1)), give or take the publishes of
    // one group commit (checked before any of them is queued); the rest waits in the store as pending.
    expect(await metric(g, /^hookgate_ready_queue_depth/)).toBeLessThanOrEqual(600);
    const waiting = await json(g.app, "GET", `/v1/endpoints/${slow.id}/deliveries?status=pending&limit=100`, {
      key: g.adminKey,
    });
    expect(waiting.body.data).toHaveLength(100);
  });
});

describe("adaptive concurrency", () => {
  it("an endpoint whose attempts time out gets fewer slots: after a wave of 8 timeouts, one at a time", async () => {
    const g = await app({
      delivery: { per_endpoint_concurrency: 8, circuit_breaker: { failures: 100, cooldown: "30s" } },
    });
    const hole = blackHole();
    await createEndpoint(g, { url: `${hole.url}/hook`, timeout_ms: 1000 });
    for (let i = 0; i < 20; i++) await publishOk(g, { type: "order.created", data: { i } });
    await waitFor(() => hole.hits >= 8, { what: "8 attempts in flight" });
    expect(hole.hits).toBe(8);

    await waitFor(() => hole.hits >= 9, { timeoutMs: 5000, what: "the attempt after the first wave" });
    await Bun.sleep(400); // well inside the next attempt's 1 s timeout
    expect(hole.hits).toBe(9);
    expect(await metric(g, /^hookgate_attempts_total\{outcome="timeout"\}/)).toBe(8);
  });
});

describe("circuit breaker", () => {
  const BREAKER = { delivery: { circuit_breaker: { failures: 3, cooldown: "30s" } } };

  /** An endpoint whose connections are reset, with its circuit opened by 3 failed deliveries. */
  async function openCircuit() {
    const g = await app(BREAKER);
    const server = rawServer(raw.reset());
    servers.push(server);
    const ep = await createEndpoint(g, { url: `${server.url}/hook` });
    const first = [];
    for (let i = 0; i < 3; i++)
      first.push((await publishOk(g, { type: "order.created", data: { i } })).deliveries[0].id);
    await settle(g);
    return { g, server, ep, first, openedAt: g.clock.now() };
  }

  it("opens after `failures` consecutive failures to connect; reads and /metrics show it", async () => {
    const { g, ep, first, openedAt } = await openCircuit();
    expect((await getEndpoint(g, ep.id)).circuit).toEqual({ state: "open", since: iso(openedAt) });
    const d = await getDelivery(g, first[0]);
    expect({ status: d.status, attempts: d.attempts }).toEqual({ status: "pending", attempts: 1 });
    expect(await metric(g, /^hookgate_endpoint_circuits\{state="open"\}/)).toBe(1);
    expect(await metric(g, /^hookgate_endpoint_circuits\{state="closed"\}/)).toBe(0);
    expect(await metric(g, /^hookgate_circuit_openings_total/)).toBe(1);
  });

  it("while open, deliveries wait as pending with next_retry_at set, and nothing is sent", async () => {
    const { g, server, first, openedAt } = await openCircuit();
    const fresh = [];
    for (let i = 0; i < 2; i++) fresh.push((await publishOk(g, { type: "order.created", data: { i } })).deliveries[0]);
    await settle(g);
    expect(fresh.map((d) => d.status)).toEqual(["pending", "pending"]);
    const read = await Promise.all(fresh.map((d) => getDelivery(g, d.id)));
    // The first waits for the probe (a cooldown after opening); the next one longer.
    expect(read.map((d) => [d.status, d.attempts, d.next_retry_at])).toEqual([
      ["pending", 0, iso(openedAt + 30_000)],
      ["pending", 0, iso(openedAt + 60_000)],
    ]);

    // The first deliveries' retries come due (5 s): they are parked too, not attempted.
    g.clock.advance(5000);
    await g.gateway.engine.poll();
    await settle(g);
    expect(server.hits).toBe(3);
    for (const id of first) {
      const d = await getDelivery(g, id);
      expect(d.status).toBe("pending");
      expect(Date.parse(d.next_retry_at)).toBeGreaterThan(openedAt + 30_000);
    }
  });

  it("one probe after the cooldown (half_open while it runs); an answer closes it and every parked delivery goes", async () => {
    const { g, server, ep, first, openedAt } = await openCircuit();
    const fresh = [];
    for (let i = 0; i < 2; i++)
      fresh.push((await publishOk(g, { type: "order.created", data: { i } })).deliveries[0].id);
    g.clock.advance(5000);
    await g.gateway.engine.poll();
    await settle(g);

    let release!: () => void;
    const answer = new Promise<void>((resolve) => (release = resolve));
    let probeSeen = false;
    server.behave((socket) => {
      probeSeen = true;
      void answer.then(() => raw.ok()(socket));
    });
    g.clock.set(openedAt + 30_000);
    await g.gateway.engine.poll();
    await waitFor(() => probeSeen, { what: "the probe" });
    expect(server.hits).toBe(4);
    expect((await getEndpoint(g, ep.id)).circuit).toEqual({ state: "half_open", since: iso(openedAt + 30_000) });

    server.behave(raw.ok());
    release();
    const all = [...first, ...fresh];
    await waitFor(
      async () => {
        await settle(g);
        return (await Promise.all(all.map((id) => getDelivery(g, id)))).every((d) => d.status === "delivered");
      },
      { timeoutMs: 5000, what: "every parked delivery to be delivered" },
    );
    expect(server.hits).toBe(3 + 5); // 3 failures, then each of the 5 deliveries once (the probe among them)
    expect((await getEndpoint(g, ep.id)).circuit).toEqual({ state: "closed", since: iso(openedAt + 30_000) });
    expect(await metric(g, /^hookgate_endpoint_circuits\{state="closed"\}/)).toBe(1);
  });

  it("a failed probe keeps it open: the next probe comes one cooldown later", async () => {
    const { g, server, ep, openedAt } = await openCircuit();
    await publishOk(g, { type: "order.created", data: {} }); // parked until the probe
    g.clock.set(openedAt + 30_000);
    await g.gateway.engine.poll();
    await settle(g);
    expect(server.hits).toBe(4);
    expect((await getEndpoint(g, ep.id)).circuit).toEqual({ state: "open", since: iso(openedAt + 30_000) });

    // The failed probe's retry (5 s later) is parked for the next probe, at 60 s.
    g.clock.set(openedAt + 59_000);
    await g.gateway.engine.poll();
    await settle(g);
    expect(server.hits).toBe(4);
    g.clock.set(openedAt + 60_000);
    await g.gateway.engine.poll();
    await settle(g);
    expect(server.hits).toBe(5);
    expect(await metric(g, /^hookgate_circuit_openings_total/)).toBe(1);
  });

  it("forgets the circuit of a deleted endpoint (metrics no longer count it)", async () => {
    const { g, ep } = await openCircuit();
    expect((await json(g.app, "DELETE", `/v1/endpoints/${ep.id}`, { key: g.adminKey })).status).toBe(204);
    expect(await metric(g, /^hookgate_endpoint_circuits\{state="open"\}/)).toBe(0);
  });

  it("with the default settings, opens on the first wave of timeouts", async () => {
    const g = await app();
    const hole = blackHole();
    const ep = await createEndpoint(g, { url: `${hole.url}/hook`, timeout_ms: 1000 });
    for (let i = 0; i < 12; i++) await publishOk(g, { type: "order.created", data: { i } });
    await waitFor(() => hole.hits >= 12, { what: "12 attempts in flight" });
    await waitFor(async () => (await getEndpoint(g, ep.id)).circuit.state === "open", {
      timeoutMs: 5000,
      what: "the circuit to open",
    });
    await settle(g);
    expect(hole.hits).toBe(12);
  });
});
