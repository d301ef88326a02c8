// POST /v1/endpoints/{id}/preview with the delivery options: the signed id and timestamp a real send would carry,
// and a typed filter's or elem_match's reason when the event would be skipped. Nothing is sent or stored.
import { afterEach, beforeEach, describe, expect, it } from "bun:test";
import { ManualClock } from "../../src/lib/clock.ts";
import { buildTestApp, sqlCount, type TestApp } from "../helpers/app.ts";
import { settle, startDeliveryApp } from "../helpers/delivery.ts";
import { createEndpoint } from "../helpers/endpoints.ts";
import { json } from "../helpers/http.ts";
import { startReceiver } from "../helpers/receiver.ts";

let t: TestApp;

beforeEach(async () => {
  t = await buildTestApp({ clock: new ManualClock() });
});

afterEach(async () => {
  await t.cleanup();
});

const preview = (id: string, body: unknown) =>
  json(t.app, "POST", `/v1/endpoints/${id}/preview`, { key: t.adminKey, body });

describe("preview with delivery options", () => {
  it("shows a delivery id as the id with id_value: delivery, and the event time with timestamp_source: event", async () => {
    const { id } = await createEndpoint(t, {
      signing: { scheme: "hmac-sha256", id_value: "delivery", timestamp_source: "event" },
    });
    const res = await preview(id, { type: "run.completed", data: {} });
    expect(res.status).toBe(200);
    expect(res.body.data.headers["X-Webhook-ID"]).toMatch(/^dlv_/);
    expect(res.body.data.headers["X-Webhook-Timestamp"]).toBe("2026-06-06T09:00:00.000Z");
    expect(sqlCount(t, "SELECT count(*) FROM deliveries")).toBe(0);
  });

  it("says which typed condition or elem_match skipped the event", async () => {
    const { id } = await createEndpoint(t, {
      filter: {
        all: [
          { field: "data.total", op: "gte", value: 100, type: "number" },
          { elem_match: { field: "data.lines", all: [{ field: "sku", op: "equals", value: "A-1" }] } },
        ],
      },
    });
    const typed = await preview(id, { type: "run.completed", data: { total: "abc", lines: [] } });
    expect(typed.body.data).toMatchObject({
      matched: false,
      reason: 'filtered: data.total gte 100 as number was false ("abc" is not a number)',
    });
    const elem = await preview(id, { type: "run.completed", data: { total: "120", lines: [{ sku: "B" }] } });
    expect(elem.body.data.reason).toStartWith('filtered: elem_match(data.lines: sku equals "A-1") was false');
    const ok = await preview(id, { type: "run.completed", data: { total: "120", lines: [{ sku: "A-1" }] } });
    expect(ok.body.data).toMatchObject({ matched: true, reason: null, method: "POST" });
  });

  it("says an endpoint being drained gets no new deliveries", async () => {
    const receiver = startReceiver({ default: { status: 500 } });
    const d = await startDeliveryApp();
    try {
      const { id } = await createEndpoint(d, { url: `${receiver.url}/hooks` });
      // One delivery waits for its retry, so the drain keeps the endpoint (draining) instead of removing it.
      await json(d.app, "POST", "/v1/events", { key: d.adminKey, body: { type: "run.completed", data: {} } });
      await settle(d);
      expect((await json(d.app, "DELETE", `/v1/endpoints/${id}?drain=true`, { key: d.adminKey })).status).toBe(202);
      const res = await json(d.app, "POST", `/v1/endpoints/${id}/preview`, {
        key: d.adminKey,
        body: { type: "run.completed", data: {} },
      });
      expect(res.body.data.reason).toBe("the endpoint is draining (being deleted); it gets no new deliveries");
    } finally {
      receiver.stop();
      await d.cleanup();
    }
  });
});
