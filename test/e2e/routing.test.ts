// Filters, transforms, methods, custom headers and outbound auth, end to end to a real receiver; and the
// preview dry run, which must neither send nor store anything.
import { afterEach, beforeEach, describe, expect, it } from "bun:test";
import { verifyWebhook } from "../../src/signing/verify.ts";
import {
  advance,
  createEndpoint,
  type DeliveryApp,
  getDelivery,
  publishOk,
  settle,
  startDeliveryApp,
} from "../helpers/delivery.ts";
import { json } from "../helpers/http.ts";
import { type Receiver, startReceiver } from "../helpers/receiver.ts";

let t: DeliveryApp;
let receiver: Receiver;

beforeEach(async () => {
  t = await startDeliveryApp();
  receiver = startReceiver();
});

afterEach(async () => {
  receiver?.stop();
  await t?.cleanup();
});

const endpointAt = (body: Record<string, unknown>) => createEndpoint(t, { url: `${receiver.url}/hooks`, ...body });

describe("filters", () => {
  it("delivers a matching event and skips a non-matching one with a filtered: reason", async () => {
    await endpointAt({ filter: { all: [{ field: "data.amount", op: "gte", value: 100 }] } });
    const big = await publishOk(t, { type: "invoice.paid", data: { amount: 150 } });
    const small = await publishOk(t, { type: "invoice.paid", data: { amount: 50 } });
    expect(big.deliveries[0].status).toBe("pending");
    expect(small.deliveries[0].status).toBe("skipped");
    await settle(t);

    expect(receiver.requests).toHaveLength(1);
    expect(JSON.parse(receiver.requests[0]!.text).data).toEqual({ amount: 150 });
    expect((await getDelivery(t, big.deliveries[0].id)).status).toBe("delivered");
    const skipped = await getDelivery(t, small.deliveries[0].id);
    expect(skipped).toMatchObject({ status: "skipped", attempts: 0, next_retry_at: null, history: [] });
    expect(skipped.last_error).toStartWith("filtered:");
    expect(skipped.last_error).toContain("data.amount");

    await advance(t, 10 * 60_000);
    expect(receiver.requests).toHaveLength(1);
  });

  it("skips an event whose filtered field is missing", async () => {
    await endpointAt({ filter: { all: [{ field: "data.amount", op: "gte", value: 100 }] } });
    const published = await publishOk(t, { type: "invoice.paid", data: {} });
    expect(published.deliveries[0].status).toBe("skipped");
  });

  it("applies an expression filter", async () => {
    await endpointAt({ filter: { expression: "data.region = 'eu' and data.amount > 10" } });
    const eu = await publishOk(t, { type: "invoice.paid", data: { region: "eu", amount: 20 } });
    const us = await publishOk(t, { type: "invoice.paid", data: { region: "us", amount: 20 } });
    await settle(t);
    expect(eu.deliveries[0].status).toBe("pending");
    expect(us.deliveries[0].status).toBe("skipped");
    expect(receiver.requests).toHaveLength(1);
    expect((await getDelivery(t, us.deliveries[0].id)).last_error).toStartWith("filtered:");
  });
});

describe("transforms", () => {
  it("sends exactly the JSONata result as JSON, signed over those bytes", async () => {
    const ep = await endpointAt({ transform: '{"text": "Run " & data.run_id & " finished"}' });
    const published = await publishOk(t, { type: "run.completed", data: { run_id: "r1", other: true } });
    await settle(t);
    expect(receiver.requests).toHaveLength(1);
    const got = receiver.requests[0]!;
    expect(got.text).toBe('{"text":"Run r1 finished"}');
    expect(got.headers.get("content-type")).toBe("application/json");
    expect(
      verifyWebhook({
        config: { scheme: "standard-webhooks" },
        headers: got.headers,
        body: got.body,
        secret: ep.secret,
        nowMs: t.clock.now(),
      }).ok,
    ).toBe(true);
    expect((await getDelivery(t, published.deliveries[0].id)).status).toBe("delivered");
  });

  it("sends a string result as text/plain", async () => {
    await endpointAt({ transform: '"Run " & data.run_id & " finished"' });
    await publishOk(t, { type: "run.completed", data: { run_id: "r2" } });
    await settle(t);
    expect(receiver.requests[0]!.text).toBe("Run r2 finished");
    expect(receiver.requests[0]!.headers.get("content-type")).toStartWith("text/plain");
  });

  it("fails a delivery whose transform errors at runtime with transform_error, without retries", async () => {
    await endpointAt({ transform: '$error("boom")' });
    const published = await publishOk(t, { type: "run.completed", data: {} });
    await settle(t);
    const d = await getDelivery(t, published.deliveries[0].id);
    expect(d).toMatchObject({ status: "failed", attempts: 1, http_status: null, next_retry_at: null });
    expect(d.last_error).toStartWith("transform_error");
    expect(d.history).toHaveLength(1);
    expect(d.history[0].error).toStartWith("transform_error");
    expect(d.history[0].error).toContain("boom");
    await advance(t, 5000);
    await advance(t, 60_000);
    expect(receiver.requests).toHaveLength(0);
    expect((await getDelivery(t, published.deliveries[0].id)).attempts).toBe(1);
  });
});

describe("methods and headers", () => {
  it("sends custom headers with PUT", async () => {
    await endpointAt({ http_method: "PUT", headers: { "X-Team": "billing", "X-Trace-Id": "t-1" } });
    await publishOk(t, { type: "run.completed", data: { n: 1 } });
    await settle(t);
    const got = receiver.requests[0]!;
    expect(got.method).toBe("PUT");
    expect(got.headers.get("x-team")).toBe("billing");
    expect(got.headers.get("x-trace-id")).toBe("t-1");
    expect(JSON.parse(got.text).data).toEqual({ n: 1 });
  });

  it("sends GET without a body (still signed)", async () => {
    const ep = await endpointAt({ http_method: "GET" });
    const published = await publishOk(t, { type: "run.completed", data: { n: 1 } });
    await settle(t);
    const got = receiver.requests[0]!;
    expect(got.method).toBe("GET");
    expect(got.body.byteLength).toBe(0);
    expect(got.headers.get("content-type")).toBeNull();
    expect(got.headers.get("webhook-id")).toBe(published.id);
    expect(
      verifyWebhook({
        config: { scheme: "standard-webhooks" },
        headers: got.headers,
        body: "",
        secret: ep.secret,
        nowMs: t.clock.now(),
      }).ok,
    ).toBe(true);
    expect((await getDelivery(t, published.deliveries[0].id)).status).toBe("delivered");
  });

  it("sends basic, bearer and header credentials", async () => {
    await endpointAt({ events: ["a.basic"], auth: { type: "basic", username: "hooks", password: "pa55word" } });
    await endpointAt({ events: ["a.bearer"], auth: { type: "bearer", token: "tok_live_123" } });
    await endpointAt({ events: ["a.header"], auth: { type: "header", name: "X-Api-Key", value: "key-456" } });
    for (const type of ["a.basic", "a.bearer", "a.header"]) await publishOk(t, { type, data: {} });
    await settle(t);
    const byType = Object.fromEntries(receiver.requests.map((r) => [JSON.parse(r.text).type, r.headers]));
    expect(byType["a.basic"]!.get("authorization")).toBe(`Basic ${Buffer.from("hooks:pa55word").toString("base64")}`);
    expect(byType["a.bearer"]!.get("authorization")).toBe("Bearer tok_live_123");
    expect(byType["a.header"]!.get("x-api-key")).toBe("key-456");
    expect(byType["a.header"]!.get("authorization")).toBeNull();
  });
});

describe("POST /v1/endpoints/:id/preview", () => {
  const preview = (id: string, body: Record<string, unknown>) =>
    json(t.app, "POST", `/v1/endpoints/${id}/preview`, { key: t.adminKey, body });

  it("shows the exact request, the signature as a placeholder and credentials as ****, and sends and stores nothing", async () => {
    const ep = await endpointAt({
      http_method: "PUT",
      headers: { "X-Team": "billing", "X-Upstream-Token": "upstream-token-value" },
      auth: { type: "basic", username: "hooks", password: "pa55word-very-secret" },
      transform: '{"text": "Run " & data.run_id & " finished"}',
    });
    const res = await preview(ep.id, { type: "run.completed", data: { run_id: "r1" } });
    expect(res.status).toBe(200);
    const p = res.body.data;
    expect(p).toMatchObject({
      matched: true,
      reason: null,
      method: "PUT",
      url: `${receiver.url}/hooks`,
      body: '{"text":"Run r1 finished"}',
    });
    expect(p.headers["X-Team"]).toBe("billing");
    expect(p.headers["X-Upstream-Token"]).toBe("****");
    expect(p.headers["content-type"]).toBe("application/json");
    expect(p.headers["webhook-id"]).toStartWith("evt_");
    expect(p.headers["webhook-timestamp"]).toBe(String(Math.floor(t.clock.now() / 1000)));
    // A key that may only read must not get a valid signature for a body of its choosing.
    expect(p.headers["webhook-signature"]).toBe("<computed when sent>");
    expect(
      verifyWebhook({
        config: { scheme: "standard-webhooks" },
        headers: p.headers,
        body: p.body,
        secret: ep.secret,
        nowMs: t.clock.now(),
      }).ok,
    ).toBe(false);

    expect(p.headers.authorization).toBe("Basic ****");
    const text = JSON.stringify(p);
    expect(text).not.toContain("pa55word-very-secret");
    expect(text).not.toContain(Buffer.from("hooks:pa55word-very-secret").toString("base64"));
    expect(text).not.toContain("upstream-token-value");

    await settle(t);
    expect(receiver.requests).toHaveLength(0);
    expect((await json(t.app, "GET", "/v1/events", { key: t.adminKey })).body.data).toEqual([]);
    expect((await json(t.app, "GET", "/v1/deliveries", { key: t.adminKey })).body.data).toEqual([]);
  });

  it("shows bearer and header credentials as ****", async () => {
    const bearer = await endpointAt({ auth: { type: "bearer", token: "tok_live_0123456789abcdef" } });
    const header = await endpointAt({ auth: { type: "header", name: "X-Api-Key", value: "key-0123456789abcdef" } });
    const b = (await preview(bearer.id, { type: "run.completed", data: {} })).body.data;
    const h = (await preview(header.id, { type: "run.completed", data: {} })).body.data;
    expect(b.headers.authorization).toBe("Bearer ****");
    expect(JSON.stringify(b)).not.toContain("tok_live");
    expect(h.headers["X-Api-Key"]).toBe("****");
    expect(JSON.stringify(h)).not.toContain("key-0123");
  });

  it("never shows a signature value, whatever the scheme; the other signing headers are shown", async () => {
    const schemes = [
      { signing: { scheme: "hmac-sha256", signature_header: "X-Acme-Signature" }, header: "X-Acme-Signature" },
      { signing: { scheme: "timestamped-hmac" }, header: "X-Webhook-Signature" },
      { signing: { scheme: "ed25519", header_prefix: "svix-" }, header: "svix-signature" },
      { signing: { scheme: "standard-webhooks", asymmetric: true }, header: "webhook-signature" },
    ];
    for (const { signing, header } of schemes) {
      const ep = await endpointAt({ signing });
      const p = (await preview(ep.id, { type: "run.completed", data: { n: 1 } })).body.data;
      expect({ scheme: signing.scheme, value: p.headers[header] }).toEqual({
        scheme: signing.scheme,
        value: "<computed when sent>",
      });
      expect(JSON.stringify(p.headers)).not.toMatch(/v1,|v1a,|sha256=|v1=/);
    }
    const hmac = await endpointAt({ signing: { scheme: "hmac-sha256" } });
    const p = (await preview(hmac.id, { type: "run.completed", data: {} })).body.data;
    expect(p.headers["X-Webhook-ID"]).toStartWith("evt_");
    expect(p.headers["X-Webhook-Event"]).toBe("run.completed");
  });

  it("shows the default envelope when there is no transform", async () => {
    const ep = await endpointAt({});
    const p = (await preview(ep.id, { type: "run.completed", data: { n: 1 } })).body.data;
    const body = JSON.parse(p.body);
    expect(Object.keys(body)).toEqual(["id", "type", "timestamp", "tenant_id", "data"]);
    expect(body).toMatchObject({ type: "run.completed", tenant_id: "default", data: { n: 1 } });
    expect(body.id).toBe(p.headers["webhook-id"]);
  });

  it("says why an event would not be delivered: filter or subscription", async () => {
    const filtered = await endpointAt({ filter: { all: [{ field: "data.amount", op: "gte", value: 100 }] } });
    const f = (await preview(filtered.id, { type: "invoice.paid", data: { amount: 5 } })).body.data;
    expect(f).toMatchObject({ matched: false, method: null, url: null, headers: null, body: null });
    expect(f.reason).toStartWith("filtered:");

    const narrow = await endpointAt({ events: ["invoice.*"] });
    const n = (await preview(narrow.id, { type: "run.completed", data: {} })).body.data;
    expect(n.matched).toBe(false);
    expect(n.reason).toContain("not subscribed");
    expect(receiver.requests).toHaveLength(0);
  });

  it("reports a transform error instead of a body", async () => {
    const ep = await endpointAt({ transform: '$error("boom")' });
    const p = (await preview(ep.id, { type: "run.completed", data: {} })).body.data;
    expect(p.reason).toStartWith("transform_error");
    expect(p.body).toBeNull();
  });
});
