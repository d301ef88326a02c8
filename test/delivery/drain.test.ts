// DELETE /v1/endpoints/{id}?drain=true (docs/api.md "Delivery options"): no new deliveries from that moment, the
// pending ones are still attempted until each ends, then the endpoint and its history are removed; meanwhile reads
// show status "draining". The draining state is stored, so a drain survives a restart.

import { Database } from "bun:sqlite";
import { afterEach, beforeEach, describe, expect, it } from "bun:test";
import { ManualClock } from "../../src/lib/clock.ts";
import { buildTestApp, sqlCount, type TestApp } from "../helpers/app.ts";
import {
  advance,
  createEndpoint,
  type DeliveryApp,
  deliveryConfig,
  getDelivery,
  publishOk,
  settle,
  startDeliveryApp,
} from "../helpers/delivery.ts";
import { expectError, startYamlGateway } from "../helpers/endpoints.ts";
import { json } from "../helpers/http.ts";
import { type Receiver, startReceiver } from "../helpers/receiver.ts";
import { tempDir } from "../helpers/temp.ts";

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

const drain = (app: Pick<TestApp, "app" | "adminKey">, id: string) =>
  json(app.app, "DELETE", `/v1/endpoints/${id}?drain=true`, { key: app.adminKey });
const get = (app: Pick<TestApp, "app" | "adminKey">, id: string) =>
  json(app.app, "GET", `/v1/endpoints/${id}`, { key: app.adminKey });

/** An endpoint whose first attempt fails, so its delivery waits for a retry 5 s later. */
async function endpointWithPendingDelivery(app: DeliveryApp = t): Promise<{ id: string; deliveryId: string }> {
  const { id } = await createEndpoint(app, { url: `${receiver.url}/hooks` });
  receiver.script({ status: 500 });
  const published = await publishOk(app, { type: "run.completed", data: { n: 1 } });
  await settle(app);
  const deliveryId = published.deliveries[0].id;
  expect((await getDelivery(app, deliveryId)).status).toBe("pending");
  return { id, deliveryId };
}

describe("DELETE /v1/endpoints/{id}?drain=true", () => {
  it("answers 202 with status draining, attempts the pending delivery, then removes the endpoint and its history", async () => {
    const { id, deliveryId } = await endpointWithPendingDelivery();
    const res = await drain(t, id);
    expect(res.status).toBe(202);
    expect(res.body.data).toMatchObject({ id, status: "draining" });
    expect((await get(t, id)).body.data.status).toBe("draining");
    const listed = await json(t.app, "GET", "/v1/endpoints", { key: t.adminKey });
    expect(listed.body.data.find((e: { id: string }) => e.id === id)?.status).toBe("draining");

    await advance(t, 5000);
    expect(receiver.requests).toHaveLength(2);
    expectError(await get(t, id), 404, "not_found");
    expectError(await json(t.app, "GET", `/v1/deliveries/${deliveryId}`, { key: t.adminKey }), 404, "not_found");
    expect(sqlCount(t, `SELECT count(*) FROM deliveries WHERE endpoint_id = '${id}'`)).toBe(0);
    expect(sqlCount(t, `SELECT count(*) FROM endpoints WHERE id = '${id}'`)).toBe(0);
  });

  it("makes no new deliveries for a draining endpoint", async () => {
    const { id } = await endpointWithPendingDelivery();
    await drain(t, id);
    const published = await publishOk(t, { type: "run.completed", data: { n: 2 } });
    expect(published.deliveries).toEqual([]);
    const named = await publishOk(t, { type: "run.completed", data: { n: 3 }, endpoint_ids: [id] });
    expect(named.deliveries).toEqual([]);
    const list = await json(t.app, "GET", "/v1/endpoints?event_type=run.completed", { key: t.adminKey });
    expect(list.body.data).toEqual([]);
    expect(sqlCount(t, `SELECT count(*) FROM deliveries WHERE endpoint_id = '${id}'`)).toBe(1);
  });

  it("waits for a delivery that ends by exhausting its retries", async () => {
    const { id } = await createEndpoint(t, { url: `${receiver.url}/hooks`, retry_schedule: ["5s"] });
    receiver.setDefault({ status: 500 });
    const published = await publishOk(t, { type: "run.completed", data: {} });
    await settle(t);
    expect((await drain(t, id)).status).toBe(202);
    await advance(t, 5000);
    expect(receiver.requests).toHaveLength(2);
    expectError(await get(t, id), 404, "not_found");
    expect(sqlCount(t, `SELECT count(*) FROM deliveries WHERE id = '${published.deliveries[0].id}'`)).toBe(0);
  });

  it("removes an endpoint with nothing pending at once, with 204", async () => {
    const { id } = await createEndpoint(t, { url: `${receiver.url}/hooks` });
    await publishOk(t, { type: "run.completed", data: {} });
    await settle(t);
    const res = await drain(t, id);
    expect(res.status).toBe(204);
    expectError(await get(t, id), 404, "not_found");
  });

  it("also waits for ad-hoc deliveries signed like the endpoint", async () => {
    const { id } = await createEndpoint(t, { url: `${receiver.url}/hooks`, events: ["other.type"] });
    receiver.script({ status: 500 });
    const published = await publishOk(t, {
      type: "run.completed",
      data: {},
      target: { url: `${receiver.url}/callback`, like_endpoint_id: id },
    });
    await settle(t);
    expect((await drain(t, id)).status).toBe(202);
    await advance(t, 5000);
    expectError(await get(t, id), 404, "not_found");
    // The ad-hoc delivery belongs to the event, not to the endpoint: it stays in the log.
    expect((await getDelivery(t, published.deliveries[0].id)).status).toBe("delivered");
  });

  it("refuses changes, tests and new ad-hoc targets like it while draining; DELETE without drain removes it now", async () => {
    const { id } = await endpointWithPendingDelivery();
    await drain(t, id);
    expectError(
      await json(t.app, "PATCH", `/v1/endpoints/${id}`, { key: t.adminKey, body: { enabled: true } }),
      409,
      "conflict",
    );
    expectError(await json(t.app, "POST", `/v1/endpoints/${id}/test`, { key: t.adminKey }), 409, "conflict");
    const like = await json(t.app, "POST", "/v1/events", {
      key: t.adminKey,
      body: { type: "x", data: {}, target: { url: `${receiver.url}/cb`, like_endpoint_id: id } },
    });
    expect(like.status).toBe(400);
    expect((await json(t.app, "DELETE", `/v1/endpoints/${id}`, { key: t.adminKey })).status).toBe(204);
    expectError(await get(t, id), 404, "not_found");
  });

  it("answers 409 managed_by_config for a YAML-declared endpoint", async () => {
    const y = await startYamlGateway(
      [
        "endpoints:",
        "  - {id: sink, url: https://example.com/h, events: ['*'], secret: whsec_c2VjcmV0LXNlY3JldC0xMjM0NTY=}",
      ].join("\n"),
    );
    try {
      expectError(await drain(y, "sink"), 409, "managed_by_config");
    } finally {
      await y.cleanup();
    }
  });
});

describe("a drain across a restart", () => {
  let app: TestApp | null = null;
  afterEach(async () => {
    await app?.cleanup();
  });

  it("keeps the endpoint draining after a restart and removes it once its delivery ends", async () => {
    const dir = tempDir();
    const clock = new ManualClock();
    try {
      app = await buildTestApp({ dir, clock, config: deliveryConfig() });
      const { id } = await endpointWithPendingDelivery({ ...app, clock } as DeliveryApp);
      expect((await drain(app, id)).status).toBe(202);
      await app.cleanup();

      app = await buildTestApp({ dir, clock, config: deliveryConfig() });
      expect((await get(app, id)).body.data.status).toBe("draining");
      const fresh = await publishOk(app, { type: "run.completed", data: {} });
      expect(fresh.deliveries).toEqual([]);
      clock.advance(5000);
      await app.gateway.engine.poll();
      await settle(app);
      expectError(await get(app, id), 404, "not_found");
    } finally {
      dir.cleanup();
    }
  });

  it("removes on start a draining endpoint whose deliveries all ended while it was stopped", async () => {
    const dir = tempDir();
    const clock = new ManualClock();
    try {
      app = await buildTestApp({ dir, clock, config: deliveryConfig() });
      const { id } = await endpointWithPendingDelivery({ ...app, clock } as DeliveryApp);
      expect((await drain(app, id)).status).toBe(202);
      const path = app.config.storage.path;
      await app.cleanup();
      // What another process (or an operator) may leave behind: the last pending delivery ended.
      const db = new Database(path);
      db.run("UPDATE deliveries SET status = 'failed', next_attempt_at = NULL");
      db.close();

      app = await buildTestApp({ dir, clock, config: deliveryConfig() });
      expectError(await get(app, id), 404, "not_found");
      expect(sqlCount(app, "SELECT count(*) FROM endpoints")).toBe(0);
    } finally {
      dir.cleanup();
    }
  });
});
