// Signing options end to end (docs/api.md "Delivery options"), through the API to a real receiver: the delivery id
// as the signed id, the event time as the timestamp (stable across retries), and how many rotated-out secrets
// each scheme still signs with.
import { afterEach, beforeEach, describe, expect, it } from "bun:test";
import { verifyWebhook } from "../../src/signing/verify.ts";
import { advance, createEndpoint, type DeliveryApp, publishOk, settle, startDeliveryApp } from "../helpers/delivery.ts";
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

const rotate = (id: string) =>
  json(t.app, "POST", `/v1/endpoints/${id}/rotate-secret`, { key: t.adminKey, body: { grace_period_seconds: 3600 } });

describe("id_value: delivery", () => {
  it("sends and signs the delivery id, the same on every retry of that delivery", async () => {
    const signing = { scheme: "standard-webhooks", id_value: "delivery" } as const;
    const { secret } = await createEndpoint(t, { url: `${receiver.url}/hooks`, signing });
    receiver.script({ status: 500 });
    const published = await publishOk(t, { type: "run.completed", data: {} });
    await settle(t);
    await advance(t, 5000);
    const requests = await receiver.waitForRequests(2);
    const deliveryId = published.deliveries[0].id;
    for (const got of requests) {
      expect(got.headers.get("webhook-id")).toBe(deliveryId);
      const check = verifyWebhook({
        config: signing,
        headers: got.headers,
        body: got.text,
        secret,
        nowMs: t.clock.now(),
      });
      expect(check).toEqual({ ok: true, id: deliveryId, timestamp: expect.any(Number) });
    }
    expect(requests[0]!.headers.get("webhook-timestamp")).not.toBe(requests[1]!.headers.get("webhook-timestamp"));
  });

  it("gives each delivery of one event its own id", async () => {
    const signing = { scheme: "hmac-sha256", id_value: "delivery" };
    await createEndpoint(t, { url: `${receiver.url}/a`, signing });
    await createEndpoint(t, { url: `${receiver.url}/b`, signing });
    const published = await publishOk(t, { type: "run.completed", data: {} });
    await settle(t);
    const ids = (await receiver.waitForRequests(2)).map((r) => r.headers.get("x-webhook-id")).sort();
    expect(ids).toEqual(published.deliveries.map((d: { id: string }) => d.id).sort());
  });
});

describe("timestamp_source: event (hmac-sha256)", () => {
  it("sends the event's created_at on every attempt", async () => {
    await createEndpoint(t, {
      url: `${receiver.url}/hooks`,
      signing: { scheme: "hmac-sha256", timestamp_source: "event" },
    });
    receiver.script({ status: 503 });
    const published = await publishOk(t, { type: "run.completed", data: {} });
    await settle(t);
    await advance(t, 5000);
    const requests = await receiver.waitForRequests(2);
    expect(requests.map((r) => r.headers.get("x-webhook-timestamp"))).toEqual([
      published.created_at,
      published.created_at,
    ]);
  });
});

describe("rotation", () => {
  it("timestamped-hmac: after two rotations inside the grace period, signs with one v1old (the newest previous)", async () => {
    const signing = { scheme: "timestamped-hmac", signature_header: "Stripe-Signature" } as const;
    const { id, secret: first } = await createEndpoint(t, { url: `${receiver.url}/hooks`, signing });
    const second = (await rotate(id)).body.data.secret;
    t.clock.advance(60_000);
    const third = (await rotate(id)).body.data.secret;
    await publishOk(t, { type: "run.completed", data: {} });
    await settle(t);
    const [got] = await receiver.waitForRequests(1);
    const header = got!.headers.get("stripe-signature")!;
    expect(header).toMatch(/^t=\d+,v1=[0-9a-f]{64},v1old=[0-9a-f]{64}$/);
    const verifies = (secret: string) =>
      verifyWebhook({ config: signing, headers: got!.headers, body: got!.text, secret, nowMs: t.clock.now() }).ok;
    expect([verifies(third), verifies(second), verifies(first)]).toEqual([true, true, false]);
  });

  it("standard-webhooks: signs with every live secret, at most 5", async () => {
    const signing = { scheme: "standard-webhooks" } as const;
    const { id, secret } = await createEndpoint(t, { url: `${receiver.url}/hooks`, signing });
    const secrets = [secret];
    for (let i = 0; i < 6; i++) {
      t.clock.advance(1000);
      secrets.unshift((await rotate(id)).body.data.secret);
    }
    await publishOk(t, { type: "run.completed", data: {} });
    await settle(t);
    const [got] = await receiver.waitForRequests(1);
    expect(got!.headers.get("webhook-signature")!.split(" ")).toHaveLength(5);
    const verifies = secrets.map(
      (s) =>
        verifyWebhook({ config: signing, headers: got!.headers, body: got!.text, secret: s, nowMs: t.clock.now() }).ok,
    );
    expect(verifies).toEqual([true, true, true, true, true, false, false]);
  });
});

describe("validation", () => {
  const create = (signing: unknown) =>
    json(t.app, "POST", "/v1/endpoints", {
      key: t.adminKey,
      body: { url: `${receiver.url}/hooks`, events: ["*"], signing },
    });

  it("refuses timestamp_source outside hmac-sha256, and unknown words", async () => {
    for (const [signing, field, message] of [
      [{ scheme: "standard-webhooks", timestamp_source: "event" }, "signing.timestamp_source", /is not an option/],
      [{ scheme: "hmac-sha256", timestamp_source: "sent" }, "signing.timestamp_source", /one of attempt, event/],
      [{ scheme: "ed25519", id_value: "message" }, "signing.id_value", /one of event, delivery/],
    ] as const) {
      const res = await create(signing);
      expect(res.status).toBe(400);
      const detail = res.body.error.details.find((d: { field: string }) => d.field === field);
      expect(detail?.message).toMatch(message);
    }
  });

  it("stores and reads back the options", async () => {
    const signing = { scheme: "hmac-sha256", timestamp_source: "event", id_value: "delivery" };
    const res = await create(signing);
    expect(res.status).toBe(201);
    expect(res.body.data.signing).toEqual(signing);
  });
});
