// HEAD and OPTIONS deliveries (no body; the signature covers the empty body) and `retry_schedule: []` (a single
// attempt, no retries), against a real receiver (docs/api.md "Delivery options").
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
  receiver.stop();
  await t.cleanup();
});

describe("http_method HEAD and OPTIONS", () => {
  for (const method of ["HEAD", "OPTIONS"] as const) {
    it(`sends ${method} without a body or content-type, signed over the empty body`, async () => {
      const { secret } = await createEndpoint(t, {
        url: `${receiver.url}/hooks`,
        http_method: method,
        transform: '{"ignored": true}',
      });
      receiver.setDefault({ status: 204 });
      const published = await publishOk(t, { type: "run.completed", data: { run_id: "r1" } });
      await settle(t);
      const [got] = await receiver.waitForRequests(1);
      expect(got!.method).toBe(method);
      expect(got!.body.byteLength).toBe(0);
      expect(got!.headers.get("content-type")).toBeNull();
      const check = verifyWebhook({
        config: { scheme: "standard-webhooks" },
        headers: got!.headers,
        body: "",
        secret,
        nowMs: t.clock.now(),
      });
      expect(check.ok).toBe(true);
      const d = await getDelivery(t, published.deliveries[0].id);
      expect(d).toMatchObject({ status: "delivered", http_status: 204 });
      expect(d.history[0].request_body).toBeNull();
    });
  }

  it("previews a HEAD request with no body", async () => {
    const { id } = await createEndpoint(t, { url: `${receiver.url}/hooks`, http_method: "HEAD" });
    const res = await json(t.app, "POST", `/v1/endpoints/${id}/preview`, {
      key: t.adminKey,
      body: { type: "run.completed", data: {} },
    });
    expect(res.body.data).toMatchObject({ matched: true, method: "HEAD", body: null });
    expect(res.body.data.headers["content-type"]).toBeUndefined();
  });
});

describe("retry_schedule: []", () => {
  it("makes a single attempt: a failure is final, nothing is retried", async () => {
    await createEndpoint(t, { url: `${receiver.url}/hooks`, retry_schedule: [] });
    receiver.setDefault({ status: 500 });
    const published = await publishOk(t, { type: "run.completed", data: {} });
    await settle(t);
    await advance(t, 60 * 60_000);
    expect(receiver.requests).toHaveLength(1);
    expect(await getDelivery(t, published.deliveries[0].id)).toMatchObject({
      status: "failed",
      attempts: 1,
      next_retry_at: null,
      last_error: "HTTP 500",
    });
  });

  it("fails only the endpoint without retries; one with the default schedule retries", async () => {
    const single = await createEndpoint(t, { url: `${receiver.url}/single`, retry_schedule: [] });
    await createEndpoint(t, { url: `${receiver.url}/default` });
    receiver.script({ status: 500 }, { status: 500 });
    const published = await publishOk(t, { type: "run.completed", data: {} });
    await settle(t);
    const statuses = Object.fromEntries(
      await Promise.all(
        published.deliveries.map(async (d: { id: string; endpoint_id: string }) => [
          d.endpoint_id === single.id ? "single" : "default",
          (await getDelivery(t, d.id)).status,
        ]),
      ),
    );
    expect(statuses).toEqual({ single: "failed", default: "pending" });
  });

  it("reads back [] (not null) and can be set back to the default with null", async () => {
    const { id, data } = await createEndpoint(t, { url: `${receiver.url}/hooks`, retry_schedule: [] });
    expect(data.retry_schedule).toEqual([]);
    const res = await json(t.app, "PATCH", `/v1/endpoints/${id}`, { key: t.adminKey, body: { retry_schedule: null } });
    expect(res.body.data.retry_schedule).toBeNull();
  });
});
