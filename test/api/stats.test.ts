// GET /v1/stats over real deliveries to a real receiver: counts per bucket, auth and scopes, tenancy, validation.
import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { ManualClock } from "../../src/lib/clock.ts";
import { buildTestApp, createApiKey, type TestApp } from "../helpers/app.ts";
import { createEndpoint, expectError, expectInvalid } from "../helpers/endpoints.ts";
import { json } from "../helpers/http.ts";
import { type Receiver, startReceiver } from "../helpers/receiver.ts";

const T0 = Date.parse("2026-06-06T09:00:00.000Z");

describe("GET /v1/stats", () => {
  let t: TestApp;
  let receiver: Receiver;
  let clock: ManualClock;
  let acmeEp: { id: string };
  let globexEp: { id: string };
  let acmeKey: string;
  beforeAll(async () => {
    clock = new ManualClock(T0);
    receiver = startReceiver();
    t = await buildTestApp({ clock, config: { security: { allow_http: true, allow_private_networks: true } } });
    acmeEp = await createEndpoint(t, { tenant_id: "acme", url: `${receiver.url}/a`, events: ["*"] });
    globexEp = await createEndpoint(t, { tenant_id: "globex", url: `${receiver.url}/g`, events: ["*"] });
    acmeKey = (await createApiKey(t, { tenant_id: "acme", scopes: ["deliveries:read"] })).key;
    const publish = (tenant_id: string) =>
      json(t.app, "POST", "/v1/events?wait=true", {
        key: t.adminKey,
        body: { type: "run.completed", tenant_id, data: {} },
      });
    // 09:00:30 one acme delivery; 09:02:10 two globex deliveries, the second answered 500 (retried later).
    clock.set(T0 + 30_000);
    await publish("acme");
    clock.set(T0 + 130_000);
    await publish("globex");
    receiver.script({ status: 500 });
    await publish("globex");
    clock.set(T0 + 180_000);
  }, 30_000);
  afterAll(async () => {
    await t?.cleanup();
    receiver?.stop();
  });

  const stats = (query: string, key = t.adminKey) => json(t.app, "GET", `/v1/stats${query}`, { key });

  it("counts attempts per bucket and over the window; the default window is the 60 buckets before now", async () => {
    const res = await stats("?bucket=1m");
    expect(res.status).toBe(200);
    const { data } = res.body;
    expect(data).toMatchObject({ since: "2026-06-06T08:03:00.000Z", until: "2026-06-06T09:03:00.000Z", bucket: "1m" });
    expect(data.buckets).toHaveLength(60);
    const recent = data.buckets.slice(-3).map((b: any) => [b.start, b.delivered, b.retrying, b.failed]);
    expect(recent).toEqual([
      ["2026-06-06T09:00:00.000Z", 1, 0, 0],
      ["2026-06-06T09:01:00.000Z", 0, 0, 0],
      ["2026-06-06T09:02:00.000Z", 1, 1, 0],
    ]);
    expect(data.totals).toMatchObject({ delivered: 2, retrying: 1, failed: 0, skipped: 0 });
    expect(data.totals.success_rate).toBeCloseTo(2 / 3, 5);
    expect(data.totals.p50_ms).toBeGreaterThanOrEqual(0);
    expect(data.buckets[0]).toMatchObject({ delivered: 0, p50_ms: null, p95_ms: null });
  });

  it("takes an explicit window and bucket", async () => {
    const res = await stats("?since=2026-06-06T09:00:00Z&until=2026-06-06T10:00:00Z&bucket=5m");
    expect(res.status).toBe(200);
    expect(res.body.data.buckets).toHaveLength(12);
    expect(res.body.data.buckets[0]).toMatchObject({ start: "2026-06-06T09:00:00.000Z", delivered: 2, retrying: 1 });
  });

  it("filters by endpoint and by tenant", async () => {
    expect((await stats(`?endpoint_id=${acmeEp.id}`)).body.data.totals).toMatchObject({ delivered: 1, retrying: 0 });
    expect((await stats(`?endpoint_id=${globexEp.id}`)).body.data.totals).toMatchObject({ delivered: 1, retrying: 1 });
    expect((await stats("?tenant_id=globex")).body.data.totals).toMatchObject({ delivered: 1, retrying: 1 });
  });

  it("shows a tenant key its own tenant only: another tenant's endpoint is 404, another tenant's counts are zero", async () => {
    expect((await stats("", acmeKey)).body.data.totals).toMatchObject({ delivered: 1, retrying: 0 });
    expect((await stats("?tenant_id=globex", acmeKey)).body.data.totals).toMatchObject({ delivered: 0, retrying: 0 });
    expectError(await stats(`?endpoint_id=${globexEp.id}`, acmeKey), 404, "not_found");
  });

  it("needs a key with deliveries:read", async () => {
    expectError(await json(t.app, "GET", "/v1/stats"), 401, "unauthorized");
    const writer = (await createApiKey(t, { scopes: ["events:write"] })).key;
    expectError(await stats("", writer), 403, "forbidden");
  });

  it("refuses bad windows and buckets with a 400 naming the field", async () => {
    expectInvalid(await stats("?bucket=2m"), "bucket");
    expectInvalid(await stats("?since=yesterday"), "since");
    expectInvalid(await stats("?since=2026-06-06T10:00:00Z&until=2026-06-06T09:00:00Z"), "since");
    // A day at 1m is the most one answer holds; a day and a minute is not.
    expect((await stats("?since=2026-06-05T09:00:00Z&until=2026-06-06T09:00:00Z&bucket=1m")).status).toBe(200);
    const tooMany = await stats("?since=2026-06-05T08:59:00Z&until=2026-06-06T09:00:00Z&bucket=1m");
    expectInvalid(tooMany, "since");
    expect(tooMany.body.error.message).toContain("1440");
    expectInvalid(await stats("?since=2025-01-01T00:00:00Z&bucket=1h"), "since");
  });
});
