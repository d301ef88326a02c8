// Publish `target: {url, like_endpoint_id?}` (docs/api.md "Delivery options"): an ad-hoc delivery to a per-request
// URL, signed like an endpoint of the tenant (its secret, scheme, headers, auth, transform and timeout), with the
// endpoint remembered in the store so retries — also after a restart — sign alike.
import { afterEach, beforeEach, describe, expect, it } from "bun:test";
import { ManualClock } from "../../src/lib/clock.ts";
import { verifyWebhook } from "../../src/signing/verify.ts";
import { buildTestApp, sqlRows, type TestApp } from "../helpers/app.ts";
import {
  advance,
  createEndpoint,
  type DeliveryApp,
  deliveryConfig,
  getDelivery,
  publish,
  publishOk,
  settle,
  startDeliveryApp,
} from "../helpers/delivery.ts";
import { expectInvalid } from "../helpers/endpoints.ts";
import { json } from "../helpers/http.ts";
import { type Receiver, startReceiver } from "../helpers/receiver.ts";
import { tempDir } from "../helpers/temp.ts";

let t: DeliveryApp;
let endpointReceiver: Receiver;
let callback: Receiver;

beforeEach(async () => {
  t = await startDeliveryApp();
  endpointReceiver = startReceiver();
  callback = startReceiver();
});

afterEach(async () => {
  endpointReceiver.stop();
  callback.stop();
  await t.cleanup();
});

const STRIPE = { scheme: "timestamped-hmac", signature_header: "Stripe-Signature" } as const;

/** A customer endpoint with a scheme, custom header, bearer auth and transform of its own. */
const customerEndpoint = (extra: Record<string, unknown> = {}) =>
  createEndpoint(t, {
    url: `${endpointReceiver.url}/hooks`,
    events: ["other.type"],
    signing: STRIPE,
    headers: { "X-Customer": "acme" },
    auth: { type: "bearer", token: "customer-token-123" },
    transform: '{"order": data.order_id, "kind": type}',
    ...extra,
  });

/** Verifies a received request as a Stripe-style receiver would (no time check: the tests' clock is manual). */
const stripeValid = (got: { headers: Headers; text: string }, secret: string) =>
  verifyWebhook({ config: STRIPE, headers: got.headers, body: got.text, secret, toleranceSeconds: 1e9 }).ok;

describe("publish target like an endpoint", () => {
  it("signs with the endpoint's secret and scheme and sends its headers, auth and transform to the target URL", async () => {
    const { id, secret } = await customerEndpoint();
    const published = await publishOk(t, {
      type: "order.paid",
      data: { order_id: "o-7" },
      target: { url: `${callback.url}/cb/7`, like_endpoint_id: id },
    });
    expect(published.deliveries).toEqual([
      { id: expect.stringMatching(/^dlv_/), endpoint_id: null, status: "pending" },
    ]);
    await settle(t);
    expect(endpointReceiver.requests).toHaveLength(0);
    const [got] = await callback.waitForRequests(1);
    expect(got!.method).toBe("POST");
    expect(got!.path).toBe("/cb/7");
    expect(got!.text).toBe('{"order":"o-7","kind":"order.paid"}');
    expect(got!.headers.get("x-customer")).toBe("acme");
    expect(got!.headers.get("authorization")).toBe("Bearer customer-token-123");
    expect(got!.headers.get("stripe-signature")).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);
    expect(got!.headers.get("webhook-signature")).toBeNull();
    expect(stripeValid(got!, secret)).toBe(true);
    expect(stripeValid(got!, "whsec_not-the-endpoint-secret-000")).toBe(false);

    const delivery = await getDelivery(t, published.deliveries[0].id);
    expect(delivery).toMatchObject({
      status: "delivered",
      endpoint_id: null,
      target_url: `${callback.url}/cb/7`,
      like_endpoint_id: id,
    });
    expect(delivery.history[0].request_body).toBe('{"order":"o-7","kind":"order.paid"}');
  });

  it("without like_endpoint_id signs with the gateway key (v1a), like target_url", async () => {
    const published = await publishOk(t, { type: "order.paid", data: {}, target: { url: `${callback.url}/cb` } });
    await settle(t);
    const [got] = await callback.waitForRequests(1);
    expect(got!.headers.get("webhook-signature")).toStartWith("v1a,");
    expect((await getDelivery(t, published.deliveries[0].id)).like_endpoint_id).toBeNull();
  });

  it("uses the endpoint's timeout", async () => {
    const { id } = await customerEndpoint({ timeout_ms: 1000 });
    callback.setDefault({ status: 200, delayMs: 1500 });
    const published = await publishOk(t, {
      type: "order.paid",
      data: { order_id: "o-1" },
      target: { url: `${callback.url}/slow`, like_endpoint_id: id },
    });
    await settle(t);
    // The receiver answers after 1.5 s: only the endpoint's 1 s timeout (not the default 10 s) gives up first.
    const d = await getDelivery(t, published.deliveries[0].id);
    expect(d.history[0].error).toStartWith("timeout:");
  });

  it("signs every retry alike, with the secret that is current then", async () => {
    const { id, secret } = await customerEndpoint();
    callback.script({ status: 500 });
    const published = await publishOk(t, {
      type: "order.paid",
      data: { order_id: "o-2" },
      target: { url: `${callback.url}/cb`, like_endpoint_id: id },
    });
    await settle(t);
    expect((await getDelivery(t, published.deliveries[0].id)).status).toBe("pending");
    await advance(t, 5000);
    const requests = await callback.waitForRequests(2);
    for (const got of requests) expect(stripeValid(got, secret)).toBe(true);
    expect(requests[1]!.headers.get("authorization")).toBe("Bearer customer-token-123");
    expect((await getDelivery(t, published.deliveries[0].id)).status).toBe("delivered");
  });

  it("does not count the target's failures against the endpoint's health", async () => {
    const { id } = await customerEndpoint({ retry_schedule: ["5s"] });
    callback.setDefault({ status: 410 });
    await publishOk(t, { type: "order.paid", data: {}, target: { url: `${callback.url}/cb`, like_endpoint_id: id } });
    await settle(t);
    const endpoint = await json(t.app, "GET", `/v1/endpoints/${id}`, { key: t.adminKey });
    expect(endpoint.body.data).toMatchObject({ enabled: true, disabled_reason: null });
  });

  it("fails a waiting retry whose endpoint was deleted meanwhile, without sending it", async () => {
    const { id } = await customerEndpoint();
    callback.script({ status: 500 });
    const published = await publishOk(t, {
      type: "order.paid",
      data: {},
      target: { url: `${callback.url}/cb`, like_endpoint_id: id },
    });
    await settle(t);
    expect((await json(t.app, "DELETE", `/v1/endpoints/${id}`, { key: t.adminKey })).status).toBe(204);
    await advance(t, 5000);
    expect(callback.requests).toHaveLength(1);
    const d = await getDelivery(t, published.deliveries[0].id);
    expect(d.status).toBe("failed");
    expect(d.last_error).toBe(`endpoint_deleted: the endpoint it is sent like (${id}) was deleted`);
  });

  describe("validation", () => {
    it("refuses an endpoint of another tenant, or one that does not exist", async () => {
      const other = await createEndpoint(t, { url: `${endpointReceiver.url}/x`, tenant_id: "other" });
      for (const like of [other.id, "ep_missing"]) {
        expectInvalid(
          await publish(t, {
            type: "order.paid",
            data: {},
            target: { url: `${callback.url}/cb`, like_endpoint_id: like },
          }),
          "target.like_endpoint_id",
        );
      }
      expect(callback.requests).toHaveLength(0);
    });

    it("checks the URL like an endpoint URL, naming target.url", async () => {
      const strict = await buildTestApp();
      try {
        const res = await json(strict.app, "POST", "/v1/events", {
          key: strict.adminKey,
          body: { type: "x", data: {}, target: { url: "http://127.0.0.1/cb" } },
        });
        expectInvalid(res, "target.url");
      } finally {
        await strict.cleanup();
      }
    });

    it("refuses target together with target_url, and unknown target fields", async () => {
      expectInvalid(
        await publish(t, {
          type: "x",
          data: {},
          target: { url: `${callback.url}/a` },
          target_url: `${callback.url}/b`,
        }),
        "target_url",
      );
      expectInvalid(
        await publish(t, { type: "x", data: {}, target: { url: `${callback.url}/a`, like: "ep_1" } }),
        "target.like",
      );
    });
  });
});

describe("publish target like an endpoint, across a restart", () => {
  let first: TestApp | null = null;
  let second: TestApp | null = null;
  afterEach(async () => {
    await first?.cleanup();
    await second?.cleanup();
  });

  it("stores which endpoint the delivery is like, so the retry after a restart signs alike", async () => {
    const dir = tempDir();
    const clock = new ManualClock();
    try {
      first = await buildTestApp({ dir, clock, config: deliveryConfig() });
      const { id, secret } = await createEndpoint(first, {
        url: `${endpointReceiver.url}/hooks`,
        events: ["other.type"],
        signing: STRIPE,
      });
      callback.script({ status: 503 });
      const published = await publishOk(first, {
        type: "order.paid",
        data: {},
        target: { url: `${callback.url}/cb`, like_endpoint_id: id },
      });
      await settle(first);
      expect(sqlRows(first, "SELECT like_endpoint_id, status FROM deliveries")).toEqual([
        { like_endpoint_id: id, status: "pending" },
      ]);
      await first.cleanup();
      first = null;

      clock.advance(6000);
      second = await buildTestApp({ dir, clock, config: deliveryConfig() });
      await second.gateway.engine.poll();
      await settle(second);
      const requests = await callback.waitForRequests(2);
      expect(stripeValid(requests[1]!, secret)).toBe(true);
      expect((await getDelivery(second, published.deliveries[0].id)).status).toBe("delivered");
    } finally {
      dir.cleanup();
    }
  });
});
