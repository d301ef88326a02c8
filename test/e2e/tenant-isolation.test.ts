// Tenant-supplied code runs bounded (API.md): each attack a tenant could mount with a regex, a JSONata filter or
// transform, or an event-type schema is stopped at its bound, and /healthz keeps answering while it runs.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "bun:test";
import { sandbox } from "../../src/routing/sandbox.ts";
import {
  createEndpoint,
  type DeliveryApp,
  getDelivery,
  publish,
  publishOk,
  settle,
  startDeliveryApp,
} from "../helpers/delivery.ts";
import { json } from "../helpers/http.ts";
import { type Receiver, startReceiver } from "../helpers/receiver.ts";

const A4096 = "a".repeat(4096);

describe("tenant-supplied code runs bounded", () => {
  let t: DeliveryApp;
  let receiver: Receiver;
  beforeAll(async () => {
    t = await startDeliveryApp();
    receiver = startReceiver();
    await sandbox().ready();
  });
  afterAll(async () => {
    receiver?.stop();
    await t?.cleanup();
  });
  // A worker terminated by one test is replaced while the next starts: let its start-up finish first, so the
  // next test's short bounds do not compete with it for the CPU.
  beforeEach(() => sandbox().ready());

  /**
   * Runs `attack` while asking /healthz every 5 ms (on the same event loop, so a blocked loop delays it);
   * returns the attack's result and the slowest /healthz answer in ms.
   */
  async function whileHealthz<T>(attack: () => Promise<T>): Promise<{ result: T; slowest: number }> {
    let done = false;
    let slowest = 0;
    const probe = (async () => {
      while (!done) {
        const started = performance.now();
        const res = await t.app.handle(new Request("http://localhost/healthz"));
        expect(res.status).toBe(200);
        slowest = Math.max(slowest, performance.now() - started);
        await Bun.sleep(5);
      }
    })();
    try {
      return { result: await attack(), slowest };
    } finally {
      done = true;
      await probe;
    }
  }

  /** Creates an endpoint for `events` with `extra` settings, publishes `data`, settles, returns its delivery. */
  async function deliveryFor(extra: Record<string, unknown>, data: unknown, type = "attack.x") {
    const endpoint = await createEndpoint(t, { url: `${receiver.url}/hook`, events: [type], ...extra });
    const event = await publishOk(t, { type, data, endpoint_ids: [endpoint.id] });
    await settle(t);
    return getDelivery(t, event.deliveries[0].id);
  }

  it("refuses at save regexes that need backtracking, naming the field", async () => {
    const save = (extra: Record<string, unknown>) =>
      json(t.app, "POST", "/v1/endpoints", {
        key: t.adminKey,
        body: { url: `${receiver.url}/hook`, events: ["*"], ...extra },
      });
    const matches = await save({ filter: { field: "data.s", op: "matches", value: "(a)\\1" } });
    expect(matches.status).toBe(400);
    expect(matches.body.error.details).toEqual([
      { field: "filter.value", message: expect.stringContaining("backreference") },
    ]);
    const literal = await save({ transform: "$replace(data.s, /a(?=b)/, 'x')" });
    expect(literal.status).toBe(400);
    expect(literal.body.error.details).toEqual([
      { field: "transform", message: expect.stringContaining("lookaround") },
    ]);
  });

  it("runs filter matches a*a*a*a*a*a*a*b over 4,096 × a in linear time", async () => {
    const filter = { field: "data.s", op: "matches", value: "a*a*a*a*a*a*a*b" };
    const { result, slowest } = await whileHealthz(() => deliveryFor({ filter }, { s: A4096 }));
    expect(result.status).toBe("skipped");
    expect(slowest).toBeLessThan(1000);
  });

  it("runs a JSONata regex literal /(a+)+b/ over 4,096 × a in linear time", async () => {
    const filter = { expression: "$contains(data.s, /(a+)+b/)" };
    const { result, slowest } = await whileHealthz(() => deliveryFor({ filter }, { s: A4096 }));
    expect(result).toMatchObject({ status: "skipped", last_error: "filtered: expression returned false" });
    expect(slowest).toBeLessThan(1000);
  });

  it("fails a delivery whose filter breaks its time bound with filter_error, without an attempt or retry", async () => {
    const filter = { expression: "($f := function($n){ $n > 0 ? $f($n-1) + $f($n-1) : 1 }; $f(40)) > 0" };
    const { result, slowest } = await whileHealthz(() => deliveryFor({ filter }, {}));
    expect(result).toMatchObject({ status: "failed", attempts: 0, next_retry_at: null });
    expect(result.last_error).toStartWith("filter_error: expression error: timed out after 25 ms");
    expect(result.history).toEqual([]);
    expect(slowest).toBeLessThan(1000);
  });

  it("terminates the worker of a filter blocked inside one built-in, and answers the next one", async () => {
    const before = sandbox().terminated;
    // $distinct compares every pair natively, with no evaluation step in between: only termination stops it.
    const filter = { expression: "$count($distinct(data.list)) > 0" };
    const list = Array.from({ length: 18_000 }, (_, i) => ({ a: i }));
    const started = performance.now();
    const { result, slowest } = await whileHealthz(() => deliveryFor({ filter }, { list }));
    expect(result.status).toBe("failed");
    expect(result.last_error).toStartWith("filter_error: expression error: timed out after 25 ms");
    expect(sandbox().terminated).toBe(before + 1);
    expect(performance.now() - started).toBeLessThan(2000);
    expect(slowest).toBeLessThan(1000);
    await sandbox().ready();
    const next = await deliveryFor({ filter: { expression: "true" } }, {});
    expect({ status: next.status, last_error: next.last_error }).toEqual({ status: "delivered", last_error: null });
  });

  it('fails transform $pad("", 300000000) with transform_error before it allocates', async () => {
    const rss = process.memoryUsage().rss;
    const { result, slowest } = await whileHealthz(() => deliveryFor({ transform: '$pad("", 300000000)' }, {}));
    expect(result).toMatchObject({ status: "failed", attempts: 1 });
    expect(result.history[0].error).toContain("transform_error");
    expect(result.history[0].error).toContain("memory bound");
    expect(process.memoryUsage().rss - rss).toBeLessThan(200 * 1024 * 1024);
    expect(slowest).toBeLessThan(1000);
  });

  it("validates a schema pattern a*a*a*a*a*a*a*b against 4,096 × a in linear time", async () => {
    const schema = { type: "object", properties: { s: { type: "string", pattern: "a*a*a*a*a*a*a*b" } } };
    const created = await json(t.app, "POST", "/v1/event-types", {
      key: t.adminKey,
      body: { name: "attack.pattern", schema },
    });
    expect(created.status).toBe(201);
    const { result, slowest } = await whileHealthz(() => publish(t, { type: "attack.pattern", data: { s: A4096 } }));
    expect(result.status).toBe(400);
    expect(result.body.error.details).toEqual([{ field: "data.s", message: 'must match pattern "a*a*a*a*a*a*a*b"' }]);
    expect(slowest).toBeLessThan(1000);
  });

  it("bounds validation of uniqueItems over 14,000 objects: never a 500, and the loop stays free", async () => {
    const schema = { type: "object", properties: { list: { type: "array", uniqueItems: true } } };
    const body = { name: "attack.unique", schema };
    expect((await json(t.app, "POST", "/v1/event-types", { key: t.adminKey, body })).status).toBe(201);
    const list = Array.from({ length: 14_000 }, (_, i) => ({ n: i }));
    const { result, slowest } = await whileHealthz(() => publish(t, { type: "attack.unique", data: { list } }));
    // A worker either validates it within the bound (the list is unique: 202) or is stopped at the bound (400); which
    // one depends on the machine's speed, never the event loop's.
    if (result.status === 400)
      expect(result.body.error.details[0].message).toContain(
        "could not be validated against the schema of attack.unique",
      );
    else expect(result.status).toBe(202);
    expect(slowest).toBeLessThan(1000);
  });
});
