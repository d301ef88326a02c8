// POST /v1/events/batch (docs/api.md "Batch publish"): 1–500 events validated all or nothing, committed in one
// transaction, answered in order with each event's receipt and `replayed`; idempotency per event.
import { afterEach, beforeEach, describe, expect, it } from "bun:test";
import { createApiKey, sqlCount } from "../helpers/app.ts";
import { createEndpoint, type DeliveryApp, settle, startDeliveryApp } from "../helpers/delivery.ts";
import { expectError, expectInvalid, fieldsOf } from "../helpers/endpoints.ts";
import { json } from "../helpers/http.ts";
import { type Receiver, startReceiver } from "../helpers/receiver.ts";

let t: DeliveryApp;
let receiver: Receiver;

beforeEach(async () => {
  t = await startDeliveryApp();
  receiver = startReceiver();
});

afterEach(async () => {
  receiver.stop();
  await t.cleanup();
});

const batch = (events: unknown[], options: { key?: string; headers?: Record<string, string> } = {}) =>
  json(t.app, "POST", "/v1/events/batch", {
    key: options.key ?? t.adminKey,
    body: { events },
    headers: options.headers,
  });

const run = (i: number, extra: Record<string, unknown> = {}) => ({
  type: "run.completed",
  data: { run_id: `r${i}` },
  ...extra,
});

const commits = async () => {
  const text = (await json(t.app, "GET", "/metrics")).text;
  return Number(/^hookgate_store_commits_total (\d+)$/m.exec(text)![1]);
};

describe("POST /v1/events/batch", () => {
  it("answers 202 with each event's publish answer in order, and delivers every event", async () => {
    const { id: endpointId } = await createEndpoint(t, { url: `${receiver.url}/hooks` });
    const res = await batch([run(1), run(2), run(3)]);
    expect(res.status).toBe(202);
    expect(res.body.data).toHaveLength(3);
    res.body.data.forEach((receipt: any, i: number) => {
      expect(receipt).toEqual({
        id: expect.stringMatching(/^evt_/),
        type: "run.completed",
        tenant_id: "default",
        created_at: expect.any(String),
        deliveries: [{ id: expect.stringMatching(/^dlv_/), endpoint_id: endpointId, status: "pending" }],
        replayed: false,
      });
      expect(i === 0 || receipt.id > res.body.data[i - 1].id).toBe(true);
    });
    await settle(t);
    const bodies = (await receiver.waitForRequests(3)).map((r) => JSON.parse(r.text));
    expect(bodies.map((b) => b.data.run_id).sort()).toEqual(["r1", "r2", "r3"]);
    expect(bodies.map((b) => b.id).sort()).toEqual(res.body.data.map((r: any) => r.id).sort());
  });

  it("commits a batch of 500 events in one transaction", async () => {
    const before = await commits();
    const res = await batch(Array.from({ length: 500 }, (_, i) => run(i)));
    expect(res.status).toBe(202);
    expect(await commits()).toBe(before + 1);
    expect(sqlCount(t, "SELECT count(*) FROM events")).toBe(500);
  });

  it("refuses an empty batch and one of 501 events, naming events", async () => {
    expectInvalid(await batch([]), "events");
    expectInvalid(await batch(Array.from({ length: 501 }, (_, i) => run(i))), "events");
    expect(sqlCount(t, "SELECT count(*) FROM events")).toBe(0);
  });

  it("stores nothing when any event is bad, and names each bad one as events[i].field", async () => {
    await createEndpoint(t, { url: `${receiver.url}/hooks` });
    // Shape problems (the request model) and domain problems (targets, endpoints) are both named per event.
    const shape = await batch([run(0), { type: "bad..type", data: {} }, run(2), { type: "run.completed", data: 7 }]);
    expect(shape.status).toBe(400);
    expect(fieldsOf(shape)).toEqual(expect.arrayContaining(["events[1].type", "events[3].data"]));
    const domain = await batch([
      run(0),
      run(1, { endpoint_ids: ["ep_missing"] }),
      run(2),
      run(3, { target: { url: "ftp://example.com/x" } }),
    ]);
    expect(domain.status).toBe(400);
    expect(domain.body.error.code).toBe("validation_error");
    expect(fieldsOf(domain)).toEqual(["events[1].endpoint_ids[0]", "events[3].target.url"]);
    await settle(t);
    expect(sqlCount(t, "SELECT count(*) FROM events")).toBe(0);
    expect(sqlCount(t, "SELECT count(*) FROM deliveries")).toBe(0);
    expect(receiver.requests).toHaveLength(0);
  });

  it("names a catalog problem of one event (unknown type, schema) under its index", async () => {
    await json(t.app, "POST", "/v1/event-types", {
      key: t.adminKey,
      body: {
        name: "order.paid",
        schema: { type: "object", required: ["amount"], properties: { amount: { type: "number" } } },
      },
    });
    const res = await batch([
      { type: "order.paid", data: { amount: 5 } },
      { type: "order.paid", data: { amount: "five" } },
      { type: "order.unknown", data: {} },
    ]);
    expect(res.status).toBe(400);
    expect(fieldsOf(res)).toEqual(expect.arrayContaining(["events[1].data.amount", "events[2].type"]));
    expect(sqlCount(t, "SELECT count(*) FROM events")).toBe(0);
  });

  describe("idempotency per event", () => {
    it("answers an already used key with the first receipt and replayed: true, creating nothing", async () => {
      const first = await batch([run(1, { idempotency_key: "k1" })]);
      const again = await batch([run(1, { idempotency_key: "k1" }), run(2, { idempotency_key: "k2" })]);
      expect(again.status).toBe(202);
      expect(again.body.data[0]).toEqual({ ...first.body.data[0], replayed: true });
      expect(again.body.data[1].replayed).toBe(false);
      expect(sqlCount(t, "SELECT count(*) FROM events")).toBe(2);
    });

    it("answers a key repeated inside one batch with the first event's receipt", async () => {
      const res = await batch([run(1, { idempotency_key: "same" }), run(1, { idempotency_key: "same" })]);
      expect(res.status).toBe(202);
      expect(res.body.data[0].replayed).toBe(false);
      expect(res.body.data[1]).toEqual({ ...res.body.data[0], replayed: true });
      expect(sqlCount(t, "SELECT count(*) FROM events")).toBe(1);
    });

    it("refuses a key repeated inside one batch with a different request, storing nothing", async () => {
      const res = await batch([run(1, { idempotency_key: "same" }), run(2, { idempotency_key: "same" })]);
      expectInvalid(res, "events[1].idempotency_key");
      expect(sqlCount(t, "SELECT count(*) FROM events")).toBe(0);
    });

    it("shares keys with single publishes of the same tenant (a different request is a 409)", async () => {
      const single = await json(t.app, "POST", "/v1/events", {
        key: t.adminKey,
        body: run(1),
        headers: { "idempotency-key": "shared" },
      });
      const res = await batch([run(1, { idempotency_key: "shared" })]);
      expect(res.body.data[0]).toEqual({ ...single.body.data, replayed: true });
      expectError(await batch([run(9, { idempotency_key: "shared" })]), 409, "idempotency_key_reused");
    });

    it("refuses the Idempotency-Key header: keys are per event", async () => {
      expectInvalid(await batch([run(1)], { headers: { "idempotency-key": "k" } }), "Idempotency-Key");
    });
  });

  describe("tenants and scopes", () => {
    it("needs events:write", async () => {
      const { key } = await createApiKey(t, { scopes: ["events:read"] });
      expectError(await batch([run(1)], { key }), 403, "forbidden");
    });

    it("publishes a tenant key's events into its tenant and refuses another tenant", async () => {
      const { key } = await createApiKey(t, { scopes: ["events:write"], tenant_id: "acme" });
      const ok = await batch([run(1)], { key });
      expect(ok.body.data[0].tenant_id).toBe("acme");
      expectError(await batch([run(1), run(2, { tenant_id: "other" })], { key }), 403, "forbidden");
    });
  });
});
