// End to end through the API: publish → engine → a real receiver, with time moved on a ManualClock.
import { afterEach, beforeEach, describe, expect, it } from "bun:test";
import { verify } from "node:crypto";
import { lookup } from "node:dns/promises";
import { hostname } from "node:os";
import { iso } from "../../src/lib/clock.ts";
import { verifyWebhook } from "../../src/signing/verify.ts";
import { createApiKey } from "../helpers/app.ts";
import {
  advance,
  createEndpoint,
  type DeliveryApp,
  getDelivery,
  getEndpoint,
  publish,
  publishOk,
  settle,
  startDeliveryApp,
} from "../helpers/delivery.ts";
import { json } from "../helpers/http.ts";
import { type Receiver, startReceiver } from "../helpers/receiver.ts";

const S = 1000;
const MIN = 60 * S;

let t: DeliveryApp;
let receiver: Receiver;
const extra: Receiver[] = [];

beforeEach(async () => {
  t = await startDeliveryApp();
  receiver = startReceiver();
});

afterEach(async () => {
  receiver?.stop();
  for (const r of extra.splice(0)) r.stop();
  await t?.cleanup();
});

function anotherReceiver(): Receiver {
  const r = startReceiver();
  extra.push(r);
  return r;
}

/** Creates an endpoint at the receiver (events `*`) and returns its id and secret. */
const endpointAt = (r: Receiver, body: Record<string, unknown> = {}) =>
  createEndpoint(t, { url: `${r.url}/hooks`, ...body });

/** Publishes one event and returns the id of its only delivery. */
async function publishOne(
  data: Record<string, unknown> = { run_id: "r1" },
  extraBody: Record<string, unknown> = {},
): Promise<string> {
  const published = await publishOk(t, { type: "run.completed", data, ...extraBody });
  expect(published.deliveries).toHaveLength(1);
  return published.deliveries[0].id;
}

describe("delivery", () => {
  it("delivers on the first try: one signed request, delivery delivered with one scheduled attempt", async () => {
    const ep = await endpointAt(receiver);
    const published = await publishOk(t, { type: "run.completed", data: { run_id: "r1", amount: 250 } });
    expect(published.deliveries).toEqual([
      { id: expect.stringMatching(/^dlv_/), endpoint_id: ep.id, status: "pending" },
    ]);
    await settle(t);

    expect(receiver.requests).toHaveLength(1);
    const got = receiver.requests[0]!;
    expect(got.method).toBe("POST");
    expect(got.path).toBe("/hooks");
    expect(JSON.parse(got.text)).toEqual({
      id: published.id,
      type: "run.completed",
      timestamp: published.created_at,
      tenant_id: "default",
      data: { run_id: "r1", amount: 250 },
    });
    const verified = verifyWebhook({
      config: { scheme: "standard-webhooks" },
      headers: got.headers,
      body: got.body,
      secret: ep.secret,
      nowMs: t.clock.now(),
    });
    expect(verified).toEqual({ ok: true, id: published.id, timestamp: Math.floor(t.clock.now() / 1000) });

    const d = await getDelivery(t, published.deliveries[0].id);
    expect(d).toMatchObject({
      status: "delivered",
      attempts: 1,
      http_status: 200,
      last_error: null,
      delivered_at: iso(t.clock.now()),
      next_retry_at: null,
      event_id: published.id,
      endpoint_id: ep.id,
      event_type: "run.completed",
    });
    expect(d.history).toHaveLength(1);
    expect(d.history[0]).toMatchObject({
      attempt: 1,
      trigger: "scheduled",
      http_status: 200,
      response_body: "ok",
      error: null,
      started_at: iso(t.clock.now()),
    });
  });

  it("retries 500, 500 and delivers on the third attempt, on the schedule", async () => {
    await endpointAt(receiver);
    receiver.script({ status: 500 }, { status: 500 });
    const id = await publishOne();
    await settle(t);
    const start = t.clock.now();

    let d = await getDelivery(t, id);
    expect(d).toMatchObject({
      status: "pending",
      attempts: 1,
      http_status: 500,
      last_error: "HTTP 500",
      next_retry_at: iso(start + 5 * S),
    });

    await advance(t, 4 * S);
    expect(receiver.requests).toHaveLength(1);
    await advance(t, 1 * S);
    expect(receiver.requests).toHaveLength(2);
    d = await getDelivery(t, id);
    expect(d).toMatchObject({ status: "pending", attempts: 2, next_retry_at: iso(start + 5 * S + MIN) });

    await advance(t, MIN);
    d = await getDelivery(t, id);
    expect(d).toMatchObject({
      status: "delivered",
      attempts: 3,
      http_status: 200,
      last_error: null,
      next_retry_at: null,
    });
    expect(d.history.map((a: any) => [a.attempt, a.trigger, a.http_status])).toEqual([
      [1, "scheduled", 500],
      [2, "scheduled", 500],
      [3, "scheduled", 200],
    ]);
    // Same event id on every attempt, a fresh timestamp each time.
    expect(new Set(receiver.requests.map((r) => r.headers.get("webhook-id"))).size).toBe(1);
    expect(new Set(receiver.requests.map((r) => r.headers.get("webhook-timestamp"))).size).toBe(3);
  });

  it("fails a delivery whose every attempt answers 500 once the schedule is exhausted", async () => {
    await endpointAt(receiver);
    receiver.setDefault({ status: 500, body: "nope" });
    const id = await publishOne();
    await settle(t);
    await advance(t, 5 * S);
    await advance(t, MIN);
    const d = await getDelivery(t, id);
    expect(d).toMatchObject({
      status: "failed",
      attempts: 3,
      http_status: 500,
      last_error: "HTTP 500",
      next_retry_at: null,
      delivered_at: null,
    });
    expect(d.history.map((a: any) => a.http_status)).toEqual([500, 500, 500]);

    await advance(t, 24 * 60 * MIN);
    expect(receiver.requests).toHaveLength(3);
  });

  it("fails on 410 and disables the endpoint as gone, failing its waiting deliveries", async () => {
    const ep = await endpointAt(receiver);
    receiver.script({ status: 500 }, { status: 410 });
    const waiting = await publishOne({ n: 1 });
    await settle(t);
    expect((await getDelivery(t, waiting)).status).toBe("pending");
    const id = await publishOne({ n: 2 });
    await settle(t);
    expect(await getDelivery(t, id)).toMatchObject({
      status: "failed",
      attempts: 1,
      http_status: 410,
      next_retry_at: null,
    });
    expect(await getEndpoint(t, ep.id)).toMatchObject({ enabled: false, disabled_reason: "gone" });
    const other = await getDelivery(t, waiting);
    expect(other).toMatchObject({ status: "failed", next_retry_at: null });
    expect(other.last_error).toStartWith("endpoint_disabled");

    const later = await publishOk(t, { type: "run.completed", data: {} });
    expect(later.deliveries).toEqual([]);
    await advance(t, 10 * MIN);
    expect(receiver.requests).toHaveLength(2);
  });

  it("honours Retry-After on a 503 (waits at least 120 s although the schedule says 5 s)", async () => {
    await endpointAt(receiver, { retry_schedule: ["5s", "5m"] });
    receiver.script({ status: 503, headers: { "retry-after": "120" } });
    const id = await publishOne();
    await settle(t);
    const d = await getDelivery(t, id);
    expect(d.status).toBe("pending");
    expect(Date.parse(d.next_retry_at)).toBeGreaterThanOrEqual(t.clock.now() + 120 * S);

    await advance(t, 5 * S);
    expect(receiver.requests).toHaveLength(1);
    await advance(t, 115 * S);
    expect(receiver.requests).toHaveLength(2);
    expect((await getDelivery(t, id)).status).toBe("delivered");
  });

  it("records a timeout", async () => {
    await endpointAt(receiver, { timeout_ms: 1000 });
    receiver.script({ status: 200, delayMs: 1500 });
    const id = await publishOne();
    await settle(t);
    const d = await getDelivery(t, id);
    expect(d.status).toBe("pending");
    expect(d.http_status).toBeNull();
    expect(d.last_error).toStartWith("timeout");
    expect(d.history[0].error).toStartWith("timeout");
    expect(d.history[0].http_status).toBeNull();
    expect(d.history[0].duration_ms).toBeGreaterThanOrEqual(900);
    expect(d.history[0].duration_ms).toBeLessThan(1500);
  });

  it("does not follow a redirect", async () => {
    const target = anotherReceiver();
    await endpointAt(receiver);
    receiver.script({ status: 302, headers: { location: `${target.url}/moved` } });
    const id = await publishOne();
    await settle(t);
    const d = await getDelivery(t, id);
    expect(d).toMatchObject({ status: "pending", http_status: 302 });
    expect(d.last_error).toStartWith("redirect_not_followed");
    expect(d.history[0].error).toStartWith("redirect_not_followed");
    expect(d.history[0].response_headers.location).toBe(`${target.url}/moved`);
    expect(target.requests).toHaveLength(0);
  });

  it("keeps at most 32 KiB of the response body in the attempt history", async () => {
    await endpointAt(receiver);
    receiver.script({ status: 200, body: "z".repeat(1024 * 1024), headers: { "x-big": "1" } });
    const id = await publishOne();
    await settle(t);
    const d = await getDelivery(t, id);
    expect(d.status).toBe("delivered");
    expect(d.history[0].response_body).toBe("z".repeat(32768));
    expect(d.history[0].response_body_encoding).toBe("utf8");
    expect(d.history[0].response_headers["x-big"]).toBe("1");
  });

  describe("idempotency", () => {
    it("answers a repeat with the same Idempotency-Key with 200, Idempotent-Replayed: true and the first event", async () => {
      await endpointAt(receiver);
      const body = { type: "run.completed", data: { run_id: "r1" } };
      const first = await publish(t, body, { headers: { "idempotency-key": "order-42" } });
      expect(first.status).toBe(202);
      expect(first.headers.get("idempotent-replayed")).toBeNull();
      await settle(t);
      const again = await publish(t, body, { headers: { "idempotency-key": "order-42" } });
      expect(again.status).toBe(200);
      expect(again.headers.get("idempotent-replayed")).toBe("true");
      // The first receipt, with each delivery's status as it is now.
      const [delivery] = first.body.data.deliveries;
      expect(again.body).toEqual({ data: { ...first.body.data, deliveries: [{ ...delivery, status: "delivered" }] } });
      const viaField = await publish(t, { ...body, idempotency_key: "order-42" });
      expect(viaField.status).toBe(200);
      expect(viaField.body).toEqual(again.body);
      await settle(t);
      expect(receiver.requests).toHaveLength(1);
    });

    it("refuses the same key with a different request: 409 idempotency_key_reused, nothing created", async () => {
      await endpointAt(receiver);
      const first = await publish(
        t,
        { type: "run.completed", data: { run_id: "r1" } },
        { headers: { "idempotency-key": "k-1" } },
      );
      expect(first.status).toBe(202);
      for (const other of [
        { type: "run.completed", data: { run_id: "r2" } },
        { type: "run.failed", data: { run_id: "r1" } },
        { type: "run.completed", data: { run_id: "r1" }, target_url: `${receiver.url}/adhoc` },
      ]) {
        const res = await publish(t, other, { headers: { "idempotency-key": "k-1" } });
        expect(res.status).toBe(409);
        expect(res.body.error.code).toBe("idempotency_key_reused");
      }
      await settle(t);
      expect((await json(t.app, "GET", "/v1/events", { key: t.adminKey })).body.data).toHaveLength(1);
      expect(receiver.requests).toHaveLength(1);
    });

    it("creates exactly one event and one delivery for 20 concurrent repeats", async () => {
      await endpointAt(receiver);
      const body = { type: "run.completed", data: { run_id: "r1" } };
      const answers = await Promise.all(
        Array.from({ length: 20 }, () => publish(t, body, { headers: { "idempotency-key": "same-key" } })),
      );
      expect(answers.filter((a) => a.status === 202)).toHaveLength(1);
      expect(answers.filter((a) => a.status === 200)).toHaveLength(19);
      expect(new Set(answers.map((a) => a.body.data.id)).size).toBe(1);
      expect(new Set(answers.map((a) => a.body.data.deliveries[0].id)).size).toBe(1);
      await settle(t);
      const events = await json(t.app, "GET", "/v1/events", { key: t.adminKey });
      expect(events.body.data).toHaveLength(1);
      const deliveries = await json(t.app, "GET", "/v1/deliveries", { key: t.adminKey });
      expect(deliveries.body.data).toHaveLength(1);
      expect(receiver.requests).toHaveLength(1);
    });

    it("refuses a header and a field that disagree", async () => {
      const res = await publish(
        t,
        { type: "run.completed", data: {}, idempotency_key: "a" },
        { headers: { "idempotency-key": "b" } },
      );
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe("validation_error");
      expect(res.body.error.details).toEqual([{ field: "idempotency_key", message: expect.any(String) }]);
    });
  });

  describe("replay", () => {
    it("POST /v1/deliveries/:id/replay answers 202 and makes a new attempt with trigger manual", async () => {
      await endpointAt(receiver);
      const id = await publishOne();
      await settle(t);
      const res = await json(t.app, "POST", `/v1/deliveries/${id}/replay`, { key: t.adminKey });
      expect(res.status).toBe(202);
      await settle(t);
      expect(receiver.requests).toHaveLength(2);
      const d = await getDelivery(t, id);
      expect(d).toMatchObject({ status: "delivered", attempts: 2 });
      expect(d.history.map((a: any) => [a.attempt, a.trigger])).toEqual([
        [1, "scheduled"],
        [2, "manual"],
      ]);
    });

    it("does not retry a manual replay that fails", async () => {
      await endpointAt(receiver);
      const id = await publishOne();
      await settle(t);
      receiver.setDefault({ status: 500 });
      expect((await json(t.app, "POST", `/v1/deliveries/${id}/replay`, { key: t.adminKey })).status).toBe(202);
      await settle(t);
      const d = await getDelivery(t, id);
      expect(d).toMatchObject({ status: "failed", attempts: 2, http_status: 500, next_retry_at: null });
      await advance(t, 5 * S);
      await advance(t, 10 * MIN);
      expect(receiver.requests).toHaveLength(2);
    });

    it("answers 409 while an attempt is in flight", async () => {
      await endpointAt(receiver);
      receiver.script({ status: 200, delayMs: 300 });
      const id = await publishOne();
      await receiver.waitForRequests(1);
      const res = await json(t.app, "POST", `/v1/deliveries/${id}/replay`, { key: t.adminKey });
      expect(res.status).toBe(409);
      expect(res.body.error.code).toBe("conflict");
      await settle(t);
      expect((await getDelivery(t, id)).attempts).toBe(1);
    });

    it("answers 404 for an unknown delivery", async () => {
      const res = await json(t.app, "POST", "/v1/deliveries/dlv_00000000000000000000000000/replay", {
        key: t.adminKey,
      });
      expect(res.status).toBe(404);
      expect(res.body.error.code).toBe("not_found");
    });

    it("replays in bulk: known ids queued, an unknown id not_found", async () => {
      await endpointAt(receiver);
      const a = await publishOne({ n: 1 });
      const b = await publishOne({ n: 2 });
      await settle(t);
      const res = await json(t.app, "POST", "/v1/deliveries/replay", {
        key: t.adminKey,
        body: { ids: [a, "dlv_unknown", b] },
      });
      expect(res.status).toBe(200);
      expect(res.body.data).toEqual([
        { id: a, result: "queued" },
        { id: "dlv_unknown", result: "not_found" },
        { id: b, result: "queued" },
      ]);
      await settle(t);
      expect(receiver.requests).toHaveLength(4);
      for (const id of [a, b])
        expect((await getDelivery(t, id)).history.map((x: any) => x.trigger)).toEqual(["scheduled", "manual"]);
    });
  });

  it("recovers failed deliveries in [since, until) once the receiver is back", async () => {
    const ep = await endpointAt(receiver, { retry_schedule: ["5s"] });
    receiver.setDefault({ status: 500 });
    const start = t.clock.now();
    const a = await publishOne({ n: 1 });
    const b = await publishOne({ n: 2 });
    await settle(t);
    await advance(t, 5 * S);
    t.clock.advance(MIN);
    const outside = await publishOne({ n: 3 });
    await settle(t);
    await advance(t, 5 * S);
    for (const id of [a, b, outside]) expect((await getDelivery(t, id)).status).toBe("failed");
    expect(receiver.requests).toHaveLength(6);

    // The receiver recovers, but fails the first recovered attempt once: the run starts the schedule again.
    receiver.setDefault({ status: 200 });
    receiver.script({ status: 500 });
    const res = await json(t.app, "POST", `/v1/endpoints/${ep.id}/recover`, {
      key: t.adminKey,
      body: { since: iso(start - S), until: iso(start + 30 * S) },
    });
    expect(res.status).toBe(200);
    expect(res.body.data).toEqual({ requeued: 2 });
    await t.gateway.engine.poll();
    await settle(t);
    await advance(t, 5 * S);

    for (const id of [a, b]) {
      const d = await getDelivery(t, id);
      expect(d.status).toBe("delivered");
      expect(d.history.every((x: any) => x.trigger === "scheduled")).toBe(true);
    }
    expect((await getDelivery(t, a)).attempts + (await getDelivery(t, b)).attempts).toBe(2 + 2 + 3);
    expect((await getDelivery(t, outside)).status).toBe("failed");
  });

  describe("test endpoint", () => {
    it("POST /v1/endpoints/:id/test sends webhook.test now and reports the outcome", async () => {
      const ep = await endpointAt(receiver);
      const res = await json(t.app, "POST", `/v1/endpoints/${ep.id}/test`, { key: t.adminKey });
      expect(res.status).toBe(200);
      expect(res.body.data).toEqual({
        delivered: true,
        http_status: 200,
        response_time_ms: expect.any(Number),
        error: null,
      });
      expect(receiver.requests).toHaveLength(1);
      const sent = JSON.parse(receiver.requests[0]!.text);
      expect(sent.type).toBe("webhook.test");
      expect(
        verifyWebhook({
          config: { scheme: "standard-webhooks" },
          headers: receiver.requests[0]!.headers,
          body: receiver.requests[0]!.body,
          secret: ep.secret,
          nowMs: t.clock.now(),
        }).ok,
      ).toBe(true);

      const list = await json(t.app, "GET", `/v1/endpoints/${ep.id}/deliveries`, { key: t.adminKey });
      expect(list.body.data).toHaveLength(1);
      const d = await getDelivery(t, list.body.data[0].id);
      expect(d.status).toBe("delivered");
      expect(d.history.map((a: any) => a.trigger)).toEqual(["test"]);
    });

    it("reports a failing receiver (delivered false, error set) and does not retry", async () => {
      const ep = await endpointAt(receiver);
      receiver.setDefault({ status: 500 });
      const res = await json(t.app, "POST", `/v1/endpoints/${ep.id}/test`, { key: t.adminKey });
      expect(res.status).toBe(200);
      expect(res.body.data).toMatchObject({ delivered: false, http_status: 500, response_time_ms: expect.any(Number) });
      expect(res.body.data.error).toBeString();
      await advance(t, 5 * S);
      await advance(t, MIN);
      expect(receiver.requests).toHaveLength(1);
    });

    it("reports a connection error with a null status", async () => {
      const closed = anotherReceiver();
      const ep = await endpointAt(closed);
      closed.stop();
      const res = await json(t.app, "POST", `/v1/endpoints/${ep.id}/test`, { key: t.adminKey });
      expect(res.body.data).toMatchObject({ delivered: false, http_status: null });
      expect(res.body.data.error).toStartWith("connection_refused");
    });
  });

  describe("?wait=true", () => {
    it("answers after the first attempt with each delivery's status, http_status and response_time_ms", async () => {
      const ok = await endpointAt(receiver);
      const failing = anotherReceiver();
      failing.setDefault({ status: 500 });
      const bad = await endpointAt(failing);
      const res = await publish(t, { type: "run.completed", data: {} }, { query: "?wait=true" });
      expect(res.status).toBe(202);
      const byEndpoint = Object.fromEntries(res.body.data.deliveries.map((d: any) => [d.endpoint_id, d]));
      expect(byEndpoint[ok.id]).toMatchObject({
        status: "delivered",
        http_status: 200,
        response_time_ms: expect.any(Number),
      });
      expect(byEndpoint[bad.id]).toMatchObject({
        status: "pending",
        http_status: 500,
        response_time_ms: expect.any(Number),
      });
      expect(receiver.requests).toHaveLength(1);
      expect(failing.requests).toHaveLength(1);
    });
  });

  it("creates no delivery for a paused endpoint, and delivers again once resumed", async () => {
    const ep = await endpointAt(receiver);
    const patched = await json(t.app, "PATCH", `/v1/endpoints/${ep.id}`, { key: t.adminKey, body: { enabled: false } });
    expect(patched.status).toBe(200);
    expect(patched.body.data).toMatchObject({ enabled: false, disabled_reason: "manual" });
    const paused = await publishOk(t, { type: "run.completed", data: {} });
    expect(paused.deliveries).toEqual([]);
    await settle(t);
    expect(receiver.requests).toHaveLength(0);

    await json(t.app, "PATCH", `/v1/endpoints/${ep.id}`, { key: t.adminKey, body: { enabled: true } });
    await publishOne();
    await settle(t);
    expect(receiver.requests).toHaveLength(1);
  });

  it("survives deleting an endpoint mid-retry: no further request, the delivery is gone", async () => {
    const ep = await endpointAt(receiver);
    receiver.setDefault({ status: 500 });
    const id = await publishOne();
    await settle(t);
    expect((await getDelivery(t, id)).status).toBe("pending");
    expect((await json(t.app, "DELETE", `/v1/endpoints/${ep.id}`, { key: t.adminKey })).status).toBe(204);
    await advance(t, 5 * S);
    await advance(t, MIN);
    expect(receiver.requests).toHaveLength(1);
    expect((await json(t.app, "GET", `/v1/deliveries/${id}`, { key: t.adminKey })).status).toBe(404);
    expect(t.gateway.engine.isRunning).toBe(true);
  });

  it("signs an ad-hoc target_url delivery v1a, verifiable with the PEM from GET /v1/public-key", async () => {
    const published = await publishOk(t, {
      type: "run.completed",
      data: { run_id: "r1" },
      target_url: `${receiver.url}/adhoc`,
    });
    expect(published.deliveries).toEqual([{ id: expect.any(String), endpoint_id: null, status: "pending" }]);
    await settle(t);
    expect(receiver.requests).toHaveLength(1);
    const got = receiver.requests[0]!;
    expect(got.path).toBe("/adhoc");
    const id = got.headers.get("webhook-id")!;
    const ts = got.headers.get("webhook-timestamp")!;
    const signature = got.headers.get("webhook-signature")!;
    expect(id).toBe(published.id);
    expect(signature).toStartWith("v1a,");
    expect(signature).not.toContain(" ");

    const key = await json(t.app, "GET", "/v1/public-key");
    expect(key.status).toBe(200);
    const content = Buffer.concat([Buffer.from(`${id}.${ts}.`), Buffer.from(got.body)]);
    expect(verify(null, content, key.body.data.public_key_pem, Buffer.from(signature.slice(4), "base64"))).toBe(true);
    expect(
      verify(
        null,
        Buffer.concat([content, Buffer.from(" ")]),
        key.body.data.public_key_pem,
        Buffer.from(signature.slice(4), "base64"),
      ),
    ).toBe(false);
    expect((await getDelivery(t, published.deliveries[0].id)).status).toBe("delivered");
  });

  describe("catalog validation on publish", () => {
    beforeEach(async () => {
      const res = await json(t.app, "POST", "/v1/event-types", {
        key: t.adminKey,
        body: {
          name: "order.paid",
          schema: {
            type: "object",
            required: ["amount"],
            properties: { amount: { type: "number" }, currency: { type: "string" } },
          },
        },
      });
      expect(res.status).toBe(201);
    });

    it("refuses an unknown type, naming type", async () => {
      const res = await publish(t, { type: "order.unknown", data: {} });
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe("validation_error");
      expect(res.body.error.details.map((d: any) => d.field)).toEqual(["type"]);
    });

    it("refuses data that violates the JSON Schema, naming data fields", async () => {
      const res = await publish(t, { type: "order.paid", data: { amount: "ten", currency: 5 } });
      expect(res.status).toBe(400);
      const fields = res.body.error.details.map((d: any) => d.field);
      expect(fields).toContain("data.amount");
      expect(fields).toContain("data.currency");
    });

    it("accepts valid data", async () => {
      await endpointAt(receiver, { events: ["order.paid"] });
      const res = await publish(t, { type: "order.paid", data: { amount: 10 } });
      expect(res.status).toBe(202);
      expect(res.body.data.deliveries).toHaveLength(1);
      const events = await json(t.app, "GET", "/v1/events", { key: t.adminKey });
      expect(events.body.data).toHaveLength(1);
    });
  });

  it("restricts fan-out to endpoint_ids", async () => {
    const other = anotherReceiver();
    const a = await endpointAt(receiver);
    await endpointAt(other);
    const published = await publishOk(t, { type: "run.completed", data: {}, endpoint_ids: [a.id] });
    expect(published.deliveries.map((d: any) => d.endpoint_id)).toEqual([a.id]);
    await settle(t);
    expect(receiver.requests).toHaveLength(1);
    expect(other.requests).toHaveLength(0);

    const bad = await publish(t, { type: "run.completed", data: {}, endpoint_ids: ["ep_nope"] });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details.map((d: any) => d.field)).toEqual(["endpoint_ids[0]"]);
  });

  it("isolates tenants: a tenant key sees only its events and deliveries, 404 for others", async () => {
    const other = anotherReceiver();
    await endpointAt(receiver, { tenant_id: "acme" });
    await endpointAt(other);
    const mine = await publishOk(t, { type: "run.completed", data: {}, tenant_id: "acme" });
    const theirs = await publishOk(t, { type: "run.completed", data: {} });
    await settle(t);
    const key = (
      await createApiKey(t, { tenant_id: "acme", scopes: ["events:read", "deliveries:read", "deliveries:write"] })
    ).key;

    const events = await json(t.app, "GET", "/v1/events", { key });
    expect(events.body.data.map((e: any) => e.id)).toEqual([mine.id]);
    expect((await json(t.app, "GET", `/v1/events/${mine.id}`, { key })).status).toBe(200);
    expect((await json(t.app, "GET", `/v1/events/${theirs.id}`, { key })).status).toBe(404);
    expect((await json(t.app, "GET", "/v1/events?tenant_id=default", { key })).body.data).toEqual([]);

    const deliveries = await json(t.app, "GET", "/v1/deliveries", { key });
    expect(deliveries.body.data.map((d: any) => d.id)).toEqual([mine.deliveries[0].id]);
    expect((await json(t.app, "GET", `/v1/deliveries/${mine.deliveries[0].id}`, { key })).status).toBe(200);
    const hidden = await json(t.app, "GET", `/v1/deliveries/${theirs.deliveries[0].id}`, { key });
    expect(hidden.status).toBe(404);
    expect(hidden.body.error.code).toBe("not_found");
    expect((await json(t.app, "POST", `/v1/deliveries/${theirs.deliveries[0].id}/replay`, { key })).status).toBe(404);
    const bulk = await json(t.app, "POST", "/v1/deliveries/replay", { key, body: { ids: [theirs.deliveries[0].id] } });
    expect(bulk.body.data).toEqual([{ id: theirs.deliveries[0].id, result: "not_found" }]);
  });

  it("paces a rate-limited endpoint but delivers everything, in order", async () => {
    await endpointAt(receiver, { rate_limit_per_second: 2 });
    const ids = [];
    for (let i = 0; i < 3; i++) ids.push(await publishOne({ i }));
    // A bucket of 2 at 2/s: two go at once, the third waits for a token 500 ms later (by the gateway's clock).
    await receiver.waitForRequests(2);
    t.clock.advance(499);
    await Bun.sleep(50);
    expect(receiver.requests).toHaveLength(2);
    t.clock.advance(1);
    await settle(t);
    expect(receiver.requests.map((r) => JSON.parse(r.text).data.i)).toEqual([0, 1, 2]);
    for (const id of ids) expect((await getDelivery(t, id)).status).toBe("delivered");
  });

  it("does not let a slowly rate-limited endpoint hold back another rate-limited endpoint", async () => {
    const slow = anotherReceiver();
    const a = await endpointAt(slow, { rate_limit_per_second: 0.1 });
    const b = await endpointAt(receiver, { rate_limit_per_second: 10 });
    // A's second delivery waits 10 s for a token (the lane timer is armed for then).
    await publishOk(t, { type: "run.completed", data: {}, endpoint_ids: [a.id] });
    await publishOk(t, { type: "run.completed", data: {}, endpoint_ids: [a.id] });
    await slow.waitForRequests(1);
    // B's bucket holds 10; its 11th and 12th need 100 ms more each, not A's 10 s.
    for (let i = 0; i < 12; i++) await publishOk(t, { type: "run.completed", data: { i }, endpoint_ids: [b.id] });
    await receiver.waitForRequests(10);
    t.clock.advance(100);
    await receiver.waitForRequests(11);
    t.clock.advance(100);
    await receiver.waitForRequests(12);
    expect(slow.requests).toHaveLength(1);
    t.clock.advance(10_000);
    await slow.waitForRequests(2);
  });

  it("disables an endpoint that has been failing for disable_after (failing)", async () => {
    const ep = await endpointAt(receiver);
    receiver.setDefault({ status: 500 });
    const first = await publishOne();
    await settle(t);
    await advance(t, 5 * S);
    await advance(t, MIN);
    expect((await getDelivery(t, first)).status).toBe("failed");
    expect((await getEndpoint(t, ep.id)).enabled).toBe(true);

    t.clock.advance(5 * 24 * 60 * MIN);
    const late = await publishOne();
    await settle(t);
    const d = await getDelivery(t, late);
    expect(d.status).toBe("failed");
    expect(d.last_error).toContain("disabled");
    expect(await getEndpoint(t, ep.id)).toMatchObject({ enabled: false, disabled_reason: "failing" });
  });
});

// A DNS name that resolves to this machine's loopback address (e.g. the container's own hostname).
const LOOPBACK_NAME = await (async () => {
  try {
    const name = hostname();
    const addresses = await lookup(name, { all: true });
    return addresses.length > 0 && addresses.every((a) => a.address === "127.0.0.1" || a.address === "::1")
      ? name
      : null;
  } catch {
    return null;
  }
})();

describe("SSRF guard at delivery time", () => {
  it.skipIf(LOOPBACK_NAME === null)(
    "refuses a DNS name that resolves to a loopback address (blocked_address, not retried)",
    async () => {
      const strict = await startDeliveryApp({
        config: { security: { allow_http: true, allow_private_networks: false } },
      });
      try {
        // Creation checks literal addresses only, so the name is accepted; the delivery path must re-check.
        const ep = await createEndpoint(strict, { url: `http://${LOOPBACK_NAME}:${receiver.port}/hooks` });
        expect(ep.id).toStartWith("ep_");
        const published = await publishOk(strict, { type: "run.completed", data: {} });
        await settle(strict);
        expect(receiver.requests).toHaveLength(0);
        const d = await getDelivery(strict, published.deliveries[0].id);
        expect(d.status).toBe("failed");
        expect(d.last_error).toStartWith("blocked_address");
      } finally {
        await strict.cleanup();
      }
    },
  );
});
