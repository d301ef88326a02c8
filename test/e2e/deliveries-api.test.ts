// Reading the delivery log: filters, cursor pagination, attempt history, events with their deliveries, metrics.
import { afterEach, beforeEach, describe, expect, it } from "bun:test";
import { iso } from "../../src/lib/clock.ts";
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

const S = 1000;

let t: DeliveryApp;
let ok: Receiver;
let failing: Receiver;
let okId: string;
let failingId: string;

beforeEach(async () => {
  t = await startDeliveryApp();
  ok = startReceiver();
  failing = startReceiver({ default: { status: 500, body: "down" } });
  okId = (await createEndpoint(t, { url: `${ok.url}/ok`, events: ["run.*"] })).id;
  failingId = (await createEndpoint(t, { url: `${failing.url}/failing`, events: ["run.*"] })).id;
});

afterEach(async () => {
  ok?.stop();
  failing?.stop();
  await t?.cleanup();
});

const get = (path: string) => json(t.app, "GET", path, { key: t.adminKey });

/** Follows next_cursor from `path` (which has no cursor) and returns every page. */
async function allPages(path: string): Promise<{ data: any[]; has_more: boolean; next_cursor: string | null }[]> {
  const pages = [];
  let cursor: string | null = null;
  for (let i = 0; i < 50; i++) {
    const sep = path.includes("?") ? "&" : "?";
    const res = await get(cursor === null ? path : `${path}${sep}cursor=${encodeURIComponent(cursor)}`);
    expect(res.status).toBe(200);
    pages.push(res.body);
    cursor = res.body.next_cursor;
    if (!res.body.has_more) return pages;
  }
  throw new Error("pagination did not end");
}

describe("GET /v1/deliveries", () => {
  it("filters by endpoint_id, event_id and status", async () => {
    const e1 = await publishOk(t, { type: "run.completed", data: { n: 1 } });
    const e2 = await publishOk(t, { type: "run.started", data: { n: 2 } });
    await settle(t);

    const byEndpoint = await get(`/v1/deliveries?endpoint_id=${okId}`);
    expect(byEndpoint.status).toBe(200);
    expect(byEndpoint.body.data.map((d: any) => d.endpoint_id)).toEqual([okId, okId]);
    expect(byEndpoint.body.data.map((d: any) => d.event_id)).toEqual([e2.id, e1.id]);

    const byEvent = await get(`/v1/deliveries?event_id=${e1.id}`);
    expect(byEvent.body.data.map((d: any) => d.id).sort()).toEqual(e1.deliveries.map((d: any) => d.id).sort());
    expect(byEvent.body.data.every((d: any) => d.event_type === "run.completed")).toBe(true);

    const delivered = await get("/v1/deliveries?status=delivered");
    expect(delivered.body.data).toHaveLength(2);
    expect(delivered.body.data.every((d: any) => d.endpoint_id === okId && d.status === "delivered")).toBe(true);
    const pending = await get("/v1/deliveries?status=pending");
    expect(pending.body.data).toHaveLength(2);
    expect(pending.body.data.every((d: any) => d.endpoint_id === failingId && d.next_retry_at !== null)).toBe(true);
    expect((await get("/v1/deliveries?status=failed")).body.data).toEqual([]);

    const combined = await get(`/v1/deliveries?endpoint_id=${failingId}&event_id=${e2.id}&status=pending`);
    expect(combined.body.data).toHaveLength(1);
    expect(combined.body.data[0]).toMatchObject({
      endpoint_id: failingId,
      event_id: e2.id,
      status: "pending",
      attempts: 1,
      http_status: 500,
      last_error: "HTTP 500",
    });
  });

  it("filters by creation time: since inclusive, until exclusive", async () => {
    const t0 = t.clock.now();
    const first = await publishOk(t, { type: "run.completed", data: { n: 1 } });
    t.clock.advance(60 * S);
    const second = await publishOk(t, { type: "run.completed", data: { n: 2 } });
    t.clock.advance(60 * S);
    const third = await publishOk(t, { type: "run.completed", data: { n: 3 } });
    await settle(t);

    const eventsOf = (res: any) => [...new Set(res.body.data.map((d: any) => d.event_id))];
    expect(eventsOf(await get(`/v1/deliveries?since=${iso(t0 + 60 * S)}`))).toEqual([third.id, second.id]);
    expect(eventsOf(await get(`/v1/deliveries?until=${iso(t0 + 60 * S)}`))).toEqual([first.id]);
    expect(eventsOf(await get(`/v1/deliveries?since=${iso(t0 + 1)}&until=${iso(t0 + 120 * S)}`))).toEqual([second.id]);
    expect((await get(`/v1/deliveries?since=${iso(t0 + 121 * S)}`)).body.data).toEqual([]);
  });

  it("refuses a malformed time and a limit above 100", async () => {
    expect((await get("/v1/deliveries?since=yesterday")).status).toBe(400);
    expect((await get("/v1/deliveries?limit=101")).status).toBe(400);
    expect((await get("/v1/deliveries?status=lost")).status).toBe(400);
  });

  it("pages 30 deliveries by 7 with a cursor: newest first, no duplicates, no gaps", async () => {
    for (let i = 0; i < 30; i++) await publishOk(t, { type: "run.completed", data: { i }, endpoint_ids: [okId] });
    await settle(t);
    const all = (await get(`/v1/deliveries?endpoint_id=${okId}&limit=100`)).body.data.map((d: any) => d.id);
    expect(all).toHaveLength(30);
    expect([...all].sort().reverse()).toEqual(all);

    const pages = await allPages(`/v1/deliveries?endpoint_id=${okId}&limit=7`);
    expect(pages.map((p) => p.data.length)).toEqual([7, 7, 7, 7, 2]);
    expect(pages.map((p) => p.has_more)).toEqual([true, true, true, true, false]);
    expect(pages.at(-1)!.next_cursor).toBeNull();
    const paged = pages.flatMap((p) => p.data.map((d: any) => d.id));
    expect(new Set(paged).size).toBe(30);
    expect(paged).toEqual(all);
  });

  it("defaults to 20 per page", async () => {
    for (let i = 0; i < 12; i++) await publishOk(t, { type: "run.completed", data: { i } });
    const res = await get("/v1/deliveries");
    expect(res.body.data).toHaveLength(20);
    expect(res.body.has_more).toBe(true);
    expect(res.body.next_cursor).toBeString();
  });
});

describe("GET /v1/deliveries/:id", () => {
  it("returns the delivery with its attempts oldest first, with response headers and body", async () => {
    failing.script(
      { status: 500, body: "first", headers: { "x-attempt": "1" } },
      { status: 200, body: '{"ok":true}', headers: { "x-attempt": "2", "content-type": "application/json" } },
    );
    const published = await publishOk(t, { type: "run.completed", data: {}, endpoint_ids: [failingId] });
    await settle(t);
    await advance(t, 5 * S);
    const d = await getDelivery(t, published.deliveries[0].id);
    expect(d).toMatchObject({
      id: published.deliveries[0].id,
      event_id: published.id,
      endpoint_id: failingId,
      event_type: "run.completed",
      status: "delivered",
      attempts: 2,
      http_status: 200,
    });
    expect(d.history).toHaveLength(2);
    const [a1, a2] = d.history;
    expect(a1).toMatchObject({
      attempt: 1,
      trigger: "scheduled",
      http_status: 500,
      response_body: "first",
      response_body_encoding: "utf8",
      error: null,
    });
    expect(a1.response_headers["x-attempt"]).toBe("1");
    expect(a2).toMatchObject({ attempt: 2, trigger: "scheduled", http_status: 200, response_body: '{"ok":true}' });
    expect(a2.response_headers["x-attempt"]).toBe("2");
    expect(Date.parse(a2.started_at) - Date.parse(a1.started_at)).toBe(5 * S);
    expect(a1.id).toStartWith("att_");
    expect(typeof a1.duration_ms).toBe("number");
  });

  it("answers 404 for an unknown id", async () => {
    const res = await get("/v1/deliveries/dlv_00000000000000000000000000");
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe("not_found");
  });
});

describe("events", () => {
  it("GET /v1/events lists newest first and filters by type", async () => {
    const a = await publishOk(t, { type: "run.completed", data: { n: 1 } });
    const b = await publishOk(t, { type: "run.started", data: { n: 2 } });
    const list = await get("/v1/events");
    expect(list.status).toBe(200);
    expect(list.body.data.map((e: any) => e.id)).toEqual([b.id, a.id]);
    expect(list.body.data[1]).toEqual({
      id: a.id,
      type: "run.completed",
      tenant_id: "default",
      data: { n: 1 },
      idempotency_key: null,
      created_at: a.created_at,
    });
    expect(list.body.has_more).toBe(false);
    expect((await get("/v1/events?type=run.started")).body.data.map((e: any) => e.id)).toEqual([b.id]);
  });

  it("GET /v1/events/:id returns the event with its deliveries' summaries", async () => {
    const published = await publishOk(t, { type: "run.completed", data: { n: 1 } });
    await settle(t);
    const res = await get(`/v1/events/${published.id}`);
    expect(res.status).toBe(200);
    expect(res.body.data).toMatchObject({
      id: published.id,
      type: "run.completed",
      tenant_id: "default",
      data: { n: 1 },
    });
    const byEndpoint = Object.fromEntries(res.body.data.deliveries.map((d: any) => [d.endpoint_id, d]));
    expect(Object.keys(byEndpoint).sort()).toEqual([okId, failingId].sort());
    expect(byEndpoint[okId]).toMatchObject({
      status: "delivered",
      attempts: 1,
      http_status: 200,
      event_id: published.id,
    });
    expect(byEndpoint[failingId]).toMatchObject({ status: "pending", attempts: 1, http_status: 500 });
    expect((await get("/v1/events/evt_00000000000000000000000000")).status).toBe(404);
  });

  it("pages events with a cursor", async () => {
    const ids = [];
    for (let i = 0; i < 5; i++) ids.push((await publishOk(t, { type: "run.completed", data: { i } })).id);
    const pages = await allPages("/v1/events?limit=2");
    expect(pages.flatMap((p) => p.data.map((e: any) => e.id))).toEqual(ids.reverse());
  });
});

describe("GET /v1/endpoints/:id/deliveries", () => {
  it("lists only that endpoint's deliveries, with the same filters", async () => {
    await publishOk(t, { type: "run.completed", data: {} });
    await publishOk(t, { type: "run.completed", data: {} });
    await settle(t);
    const res = await get(`/v1/endpoints/${failingId}/deliveries`);
    expect(res.status).toBe(200);
    expect(res.body.data).toHaveLength(2);
    expect(res.body.data.every((d: any) => d.endpoint_id === failingId)).toBe(true);
    expect((await get(`/v1/endpoints/${failingId}/deliveries?status=delivered`)).body.data).toEqual([]);
    expect((await get(`/v1/endpoints/${okId}/deliveries?status=delivered`)).body.data).toHaveLength(2);
    const paged = await allPages(`/v1/endpoints/${okId}/deliveries?limit=1`);
    expect(paged.map((p) => p.data.length)).toEqual([1, 1]);
  });

  it("answers 404 for an unknown endpoint", async () => {
    expect((await get("/v1/endpoints/ep_nope/deliveries")).status).toBe(404);
  });
});

describe("/metrics", () => {
  it("counts ingested events and final deliveries by status", async () => {
    await publishOk(t, { type: "run.completed", data: {} });
    await publishOk(t, { type: "run.completed", data: {} });
    await settle(t);
    const res = await t.app.handle(new Request("http://localhost/metrics"));
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toStartWith("text/plain");
    const text = await res.text();
    expect(text).toMatch(/^hookgate_events_ingested_total 2$/m);
    expect(text).toMatch(/^hookgate_deliveries_total\{status="delivered"\} 2$/m);
    expect(text).toMatch(/^hookgate_pending_deliveries 2$/m);
    expect(text).toMatch(/^hookgate_attempts_total\{outcome="5xx"\} 2$/m);
  });
});
