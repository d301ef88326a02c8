// Operational webhooks end to end: hookgate publishes events about endpoints and deliveries into the reserved tenant
// `_system`, and a real ops receiver gets them signed (verified here), filtered on data.tenant_id and transformed,
// like any delivery. A `_system` endpoint never produces events about itself.
import { afterEach, beforeEach, describe, expect, it } from "bun:test";
import { readFileSync } from "node:fs";
import { loadConfig } from "../../src/config/index.ts";
import type { DeclaredEndpoint } from "../../src/endpoints/spec.ts";
import { verifyWebhook } from "../../src/signing/verify.ts";
import {
  advance,
  type CreatedEndpoint,
  createEndpoint,
  type DeliveryApp,
  publishOk,
  settle,
  startDeliveryApp,
} from "../helpers/delivery.ts";
import { json } from "../helpers/http.ts";
import { type ReceivedRequest, type Receiver, startReceiver } from "../helpers/receiver.ts";

/** Until every operational event emitted so far is admitted and delivered (they can follow one another). */
async function drain(t: DeliveryApp): Promise<void> {
  for (let i = 0; i < 3; i++) {
    await t.gateway.ops.flush();
    await settle(t);
  }
}

/** The envelope of an ops request, after checking its standard-webhooks signature with the ops endpoint's secret. */
function verified(t: DeliveryApp, request: ReceivedRequest, ops: CreatedEndpoint): Record<string, any> {
  const result = verifyWebhook({
    config: { scheme: "standard-webhooks" },
    headers: request.headers,
    body: request.body,
    secret: ops.secret,
    nowMs: t.clock.now(),
  });
  expect(result).toMatchObject({ ok: true });
  return JSON.parse(request.text);
}

describe("operational events", () => {
  let t: DeliveryApp;
  let customer: Receiver;
  let opsReceiver: Receiver;
  let ops: CreatedEndpoint;
  beforeEach(async () => {
    t = await startDeliveryApp({ config: { delivery: { circuit_breaker: { failures: 1, cooldown: "1s" } } } });
    customer = startReceiver();
    opsReceiver = startReceiver();
    ops = await createEndpoint(t, { tenant_id: "_system", url: `${opsReceiver.url}/ops`, events: ["hookgate.*"] });
  });
  afterEach(async () => {
    await t?.cleanup();
    customer?.stop();
    opsReceiver?.stop();
  });

  const opsEvents = () => opsReceiver.requests.map((r) => verified(t, r, ops));

  it("tells the ops receiver, signed, when a receiver answers 410 and its endpoint is disabled (gone)", async () => {
    const acme = await createEndpoint(t, { tenant_id: "acme", url: `${customer.url}/hooks` });
    customer.script({ status: 410 });
    await publishOk(t, { type: "run.completed", data: {}, tenant_id: "acme" });
    await drain(t);
    expect(opsEvents()).toEqual([
      {
        id: expect.stringMatching(/^evt_/),
        type: "hookgate.endpoint.disabled",
        timestamp: expect.any(String),
        tenant_id: "_system",
        data: { tenant_id: "acme", endpoint_id: acme.id, url: `${customer.url}/hooks`, reason: "gone" },
      },
    ]);
    // An ordinary event: stored in the reserved tenant, with its delivery to the ops endpoint.
    const events = await json(t.app, "GET", "/v1/events?tenant_id=_system", { key: t.adminKey });
    expect(events.body.data.map((e: { type: string }) => e.type)).toEqual(["hookgate.endpoint.disabled"]);
    const one = await json(t.app, "GET", `/v1/events/${events.body.data[0].id}`, { key: t.adminKey });
    expect(one.body.data.deliveries).toEqual([expect.objectContaining({ endpoint_id: ops.id, status: "delivered" })]);
  });

  it("tells when an endpoint is disabled and enabled by hand", async () => {
    const acme = await createEndpoint(t, { tenant_id: "acme", url: `${customer.url}/hooks` });
    const patch = (enabled: boolean) =>
      json(t.app, "PATCH", `/v1/endpoints/${acme.id}`, { key: t.adminKey, body: { enabled } });
    expect((await patch(false)).status).toBe(200);
    await drain(t);
    expect((await patch(true)).status).toBe(200);
    await drain(t);
    expect(opsEvents().map((e) => [e.type, e.data.reason, e.data.endpoint_id])).toEqual([
      ["hookgate.endpoint.disabled", "manual", acme.id],
      ["hookgate.endpoint.enabled", "manual", acme.id],
    ]);
  });

  it("tells when a delivery used up its retries, naming the delivery, its event and the last error", async () => {
    const acme = await createEndpoint(t, {
      tenant_id: "acme",
      url: `${customer.url}/hooks`,
      retry_schedule: ["5s"],
    });
    customer.setDefault({ status: 500, body: "down" });
    const receipt = await publishOk(t, { type: "invoice.paid", data: { n: 1 }, tenant_id: "acme" });
    await drain(t);
    expect(opsReceiver.requests).toHaveLength(0);
    await advance(t, 5000);
    await drain(t);
    expect(opsEvents().map((e) => e.data)).toEqual([
      {
        tenant_id: "acme",
        endpoint_id: acme.id,
        url: `${customer.url}/hooks`,
        reason: "exhausted",
        delivery_id: receipt.deliveries[0].id,
        event_id: receipt.id,
        event_type: "invoice.paid",
        attempts: 2,
        http_status: 500,
        last_error: "HTTP 500",
      },
    ]);
  });

  it("tells when an endpoint's circuit opens and when it closes again", async () => {
    const acme = await createEndpoint(t, {
      tenant_id: "acme",
      url: `${customer.url}/hooks`,
      timeout_ms: 1000,
    });
    customer.script({ status: 200, delayMs: 1500 });
    await publishOk(t, { type: "run.completed", data: {}, tenant_id: "acme" });
    await drain(t);
    const opened = opsEvents();
    expect(opened.map((e) => e.type)).toEqual(["hookgate.endpoint.circuit_opened"]);
    expect(opened[0]!.data).toMatchObject({ tenant_id: "acme", endpoint_id: acme.id, reason: "unreachable" });
    expect(opened[0]!.data.last_error).toStartWith("timeout:");
    await advance(t, 5000); // its retry is the probe, and the receiver answers at once now
    await drain(t);
    expect(opsEvents().map((e) => [e.type, e.data.endpoint_id])).toEqual([
      ["hookgate.endpoint.circuit_opened", acme.id],
      ["hookgate.endpoint.circuit_closed", acme.id],
    ]);
  });

  it("never tells about a _system endpoint itself (no feedback loop)", async () => {
    opsReceiver.setDefault({ status: 500 });
    const second = startReceiver({ default: { status: 410 } });
    try {
      await createEndpoint(t, { tenant_id: "_system", url: `${second.url}/gone`, events: ["*"], retry_schedule: [] });
      const acme = await createEndpoint(t, { tenant_id: "acme", url: `${customer.url}/hooks` });
      await json(t.app, "PATCH", `/v1/endpoints/${acme.id}`, { key: t.adminKey, body: { enabled: false } });
      await drain(t);
      await advance(t, 5000);
      await advance(t, 60_000);
      await drain(t);
      // The one event about acme reached both ops endpoints; their failures (500s used up, a 410) told nobody.
      const events = await json(t.app, "GET", "/v1/events?tenant_id=_system", { key: t.adminKey });
      expect(
        events.body.data.map((e: { type: string; data: { endpoint_id: string } }) => [e.type, e.data.endpoint_id]),
      ).toEqual([["hookgate.endpoint.disabled", acme.id]]);
      expect(second.requests).toHaveLength(1);
      expect(opsReceiver.requests).toHaveLength(3);
    } finally {
      second.stop();
    }
  });
});

/** The README's worked example: a `_system` endpoint posting to a chat webhook when an endpoint is disabled. */
function readmeChatEndpoint(): DeclaredEndpoint {
  const readme = readFileSync(new URL("../../README.md", import.meta.url), "utf8");
  const block = [...readme.matchAll(/^```yaml\n([\s\S]*?)^```$/gm)]
    .map((m) => m[1]!)
    .find((b) => b.includes("id: ops-chat"));
  if (!block) throw new Error("the README has no ops-chat example");
  const env = { SLACK_WEBHOOK_PATH: "T000/B000/XXXX", OPS_CHAT_SECRET: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw" };
  return loadConfig(block, { file: "README.md", env }).endpoints[0]!;
}

describe("operational events through every endpoint feature", () => {
  let t: DeliveryApp;
  let customer: Receiver;
  let chat: Receiver;
  beforeEach(async () => {
    t = await startDeliveryApp();
    customer = startReceiver({ default: { status: 410 } });
    chat = startReceiver();
  });
  afterEach(async () => {
    await t?.cleanup();
    customer?.stop();
    chat?.stop();
  });

  it("posts the README's chat message, filtered on data.tenant_id, when an endpoint is disabled", async () => {
    const example = readmeChatEndpoint();
    expect(example).toMatchObject({ tenant_id: "_system", events: ["hookgate.endpoint.disabled"] });
    await createEndpoint(t, {
      tenant_id: example.tenant_id,
      url: `${chat.url}/chat`,
      events: example.events,
      filter: example.filter,
      transform: example.transform,
    });
    const acme = await createEndpoint(t, { tenant_id: "acme", url: `${customer.url}/a` });
    await createEndpoint(t, { tenant_id: "initech", url: `${customer.url}/i` });
    await publishOk(t, { type: "run.completed", data: {}, tenant_id: "acme" });
    await publishOk(t, { type: "run.completed", data: {}, tenant_id: "initech" });
    await drain(t);
    expect(chat.requests.map((r) => JSON.parse(r.text))).toEqual([
      { text: `Webhook endpoint ${acme.id} of acme (${customer.url}/a) was disabled: gone` },
    ]);
    const skipped = await json(t.app, "GET", "/v1/deliveries?status=skipped", { key: t.adminKey });
    expect(skipped.body.data).toHaveLength(1);
  });
});
