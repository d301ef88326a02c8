// What the delivery log and synchronous sends show (docs/api.md "Delivery options"): `?wait=true` answers with each
// delivery's error and the first 4 KiB of the receiver's answer; an attempt records the body it sent when a
// transform rewrote it; and POST /v1/deliveries/replay takes event ids.
import { afterEach, beforeEach, describe, expect, it } from "bun:test";
import { createApiKey } from "../helpers/app.ts";
import {
  createEndpoint,
  type DeliveryApp,
  getDelivery,
  publishOk,
  settle,
  startDeliveryApp,
} from "../helpers/delivery.ts";
import { expectInvalid } from "../helpers/endpoints.ts";
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

describe("?wait=true", () => {
  it("answers each delivery's status, error and the receiver's answer", async () => {
    const ok = await createEndpoint(t, { url: `${receiver.url}/ok` });
    const bad = await createEndpoint(t, { url: `${receiver.url}/bad` });
    receiver.setDefault((r) =>
      r.path === "/ok"
        ? { status: 200, body: '{"received":true}' }
        : { status: 422, body: "order o-1 is unknown here" },
    );
    const published = await publishOk(t, { type: "run.completed", data: {} }, { query: "?wait=true" });
    const byEndpoint = Object.fromEntries(published.deliveries.map((d: { endpoint_id: string }) => [d.endpoint_id, d]));
    expect(byEndpoint[ok.id]).toMatchObject({
      status: "delivered",
      http_status: 200,
      error: null,
      response_body: '{"received":true}',
      response_body_encoding: "utf8",
    });
    expect(byEndpoint[bad.id]).toMatchObject({
      status: "pending",
      http_status: 422,
      error: "HTTP 422",
      response_body: "order o-1 is unknown here",
    });
  });

  it("cuts the answer to its first 4 KiB, on a character boundary", async () => {
    await createEndpoint(t, { url: `${receiver.url}/hooks` });
    receiver.setDefault({ status: 200, body: `${"a".repeat(4095)}é${"z".repeat(10_000)}` });
    const published = await publishOk(t, { type: "run.completed", data: {} }, { query: "?wait=true" });
    expect(published.deliveries[0].response_body).toBe("a".repeat(4095));
    const stored = await getDelivery(t, published.deliveries[0].id);
    expect(stored.history[0].response_body.length).toBeGreaterThan(14_000);
  });

  it("reports a network error with no answer body", async () => {
    await createEndpoint(t, { url: "http://127.0.0.1:9/closed" });
    const published = await publishOk(t, { type: "run.completed", data: {} }, { query: "?wait=true" });
    expect(published.deliveries[0]).toMatchObject({ status: "pending", http_status: null, response_body: null });
    expect(published.deliveries[0].error).toStartWith("connection_refused:");
  });

  it("keeps a binary answer base64, cut to 4 KiB of bytes", async () => {
    await createEndpoint(t, { url: `${receiver.url}/hooks` });
    const bytes = new Uint8Array(6000).map((_, i) => (i % 2 ? 0xff : 0xfe));
    receiver.setDefault({ status: 200, body: bytes });
    const published = await publishOk(t, { type: "run.completed", data: {} }, { query: "?wait=true" });
    const d = published.deliveries[0];
    expect(d.response_body_encoding).toBe("base64");
    expect(Buffer.from(d.response_body, "base64")).toEqual(Buffer.from(bytes.subarray(0, 4096)));
  });
});

describe("request_body of an attempt", () => {
  it("records the body sent when a transform rewrote it, and shows it on GET /v1/deliveries/{id}", async () => {
    await createEndpoint(t, { url: `${receiver.url}/hooks`, transform: '{"text": "Run " & data.run_id & " done"}' });
    const published = await publishOk(t, { type: "run.completed", data: { run_id: "r9" } });
    await settle(t);
    const [got] = await receiver.waitForRequests(1);
    const d = await getDelivery(t, published.deliveries[0].id);
    expect(d.history[0].request_body).toBe('{"text":"Run r9 done"}');
    expect(d.history[0].request_body).toBe(got!.text);
  });

  it("records nothing when the event envelope was sent as is", async () => {
    await createEndpoint(t, { url: `${receiver.url}/hooks` });
    const published = await publishOk(t, { type: "run.completed", data: { run_id: "r9" } });
    await settle(t);
    expect((await getDelivery(t, published.deliveries[0].id)).history[0].request_body).toBeNull();
  });

  it("keeps the first 32 KiB of a large transformed body", async () => {
    await createEndpoint(t, { url: `${receiver.url}/hooks`, transform: "data.text" });
    const text = "ü".repeat(20_000);
    const published = await publishOk(t, { type: "run.completed", data: { text } });
    await settle(t);
    const recorded = (await getDelivery(t, published.deliveries[0].id)).history[0].request_body as string;
    expect(Buffer.byteLength(recorded)).toBe(32 * 1024);
    expect(text.startsWith(recorded)).toBe(true);
  });
});

describe("POST /v1/deliveries/replay with event_ids", () => {
  const replay = (body: unknown, key = t.adminKey) => json(t.app, "POST", "/v1/deliveries/replay", { key, body });

  it("replays every delivery of each event and reports not_found for unknown events", async () => {
    await createEndpoint(t, { url: `${receiver.url}/a` });
    await createEndpoint(t, { url: `${receiver.url}/b` });
    const first = await publishOk(t, { type: "run.completed", data: { n: 1 } });
    const second = await publishOk(t, { type: "run.completed", data: { n: 2 } });
    await settle(t);
    expect(receiver.requests).toHaveLength(4);

    const res = await replay({ event_ids: [first.id, "evt_unknown"] });
    expect(res.status).toBe(200);
    const queued = res.body.data.filter((r: { result: string }) => r.result === "queued");
    expect(queued.map((r: { id: string }) => r.id).sort()).toEqual(
      first.deliveries.map((d: { id: string }) => d.id).sort(),
    );
    expect(queued.every((r: { event_id: string }) => r.event_id === first.id)).toBe(true);
    expect(res.body.data).toContainEqual({ id: null, event_id: "evt_unknown", result: "not_found" });
    await settle(t);
    expect(receiver.requests).toHaveLength(6);
    const replayed = receiver.requests.slice(4).map((r) => JSON.parse(r.text).id);
    expect(replayed).toEqual([first.id, first.id]);
    expect(replayed).not.toContain(second.id);
    const history = (await getDelivery(t, first.deliveries[0].id)).history;
    expect(history.map((a: { trigger: string }) => a.trigger)).toEqual(["scheduled", "manual"]);
  });

  it("answers not_found for another tenant's event", async () => {
    await createEndpoint(t, { url: `${receiver.url}/a`, tenant_id: "other" });
    const published = await publishOk(t, { type: "run.completed", data: {}, tenant_id: "other" });
    await settle(t);
    const { key } = await createApiKey(t, { scopes: ["deliveries:write"], tenant_id: "acme" });
    const res = await replay({ event_ids: [published.id] }, key);
    expect(res.body.data).toEqual([{ id: null, event_id: published.id, result: "not_found" }]);
    expect(receiver.requests).toHaveLength(1);
  });

  it("takes ids or event_ids, not both and not neither, 1–100 of them", async () => {
    expectInvalid(await replay({ ids: ["dlv_1"], event_ids: ["evt_1"] }), "ids");
    expectInvalid(await replay({}), "ids");
    expectInvalid(await replay({ event_ids: [] }), "event_ids");
    expectInvalid(await replay({ event_ids: Array.from({ length: 101 }, (_, i) => `evt_${i}`) }), "event_ids");
  });
});
