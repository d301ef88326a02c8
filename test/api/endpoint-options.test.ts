// Endpoint API additions of docs/api.md "Delivery options": `description: null` reads back null, and
// `GET /v1/endpoints?event_type=T` lists the endpoints that would receive T (wildcards included).
import { afterEach, beforeEach, describe, expect, it } from "bun:test";
import { ManualClock } from "../../src/lib/clock.ts";
import { buildTestApp, createApiKey, type TestApp } from "../helpers/app.ts";
import { allPages, createEndpoint, expectInvalid } from "../helpers/endpoints.ts";
import { json } from "../helpers/http.ts";

let t: TestApp;
let clock: ManualClock;

beforeEach(async () => {
  clock = new ManualClock();
  t = await buildTestApp({ clock });
});

afterEach(async () => {
  await t.cleanup();
});

describe("description: null", () => {
  it("clears the description on PATCH and reads back null, also after a restart", async () => {
    const { id } = await createEndpoint(t, { description: "billing sink" });
    const res = await json(t.app, "PATCH", `/v1/endpoints/${id}`, { key: t.adminKey, body: { description: null } });
    expect(res.status).toBe(200);
    expect(res.body.data.description).toBeNull();
    const dir = t.dir;
    await t.gateway.stop();
    const again = await buildTestApp({ dir, clock });
    try {
      const read = await json(again.app, "GET", `/v1/endpoints/${id}`, { key: again.adminKey });
      expect(read.body.data.description).toBeNull();
    } finally {
      await again.cleanup();
    }
  });

  it("takes null on create too; an empty string stays an empty string; a new text replaces null", async () => {
    const cleared = await createEndpoint(t, { description: null });
    expect(cleared.description).toBeNull();
    expect((await createEndpoint(t, { description: "" })).description).toBe("");
    expect((await createEndpoint(t)).description).toBe("");
    const res = await json(t.app, "PATCH", `/v1/endpoints/${cleared.id}`, {
      key: t.adminKey,
      body: { description: "back" },
    });
    expect(res.body.data.description).toBe("back");
  });
});

describe("GET /v1/endpoints?event_type=T", () => {
  const list = (query: string, key = t.adminKey) => json(t.app, "GET", `/v1/endpoints?${query}`, { key });
  const ids = (res: { body: { data: { id: string }[] } }) => res.body.data.map((e) => e.id);

  it("lists exact, prefix-wildcard and catch-all subscribers, newest first, and no others", async () => {
    const made: Record<string, string> = {};
    for (const [name, events] of [
      ["exact", ["run.completed"]],
      ["prefix", ["run.*"]],
      ["all", ["*"]],
      ["other", ["run.failed", "user.*"]],
      ["deeper", ["run.completed.v2"]],
    ] as const) {
      clock.advance(1000);
      made[name] = (await createEndpoint(t, { events })).id;
    }
    expect(ids(await list("event_type=run.completed"))).toEqual([made.all, made.prefix, made.exact]);
    expect(ids(await list("event_type=user.created"))).toEqual([made.other, made.all]);
    expect(ids(await list("event_type=billing.paid"))).toEqual([made.all]);
  });

  it("leaves out disabled endpoints: they would not receive it", async () => {
    const on = await createEndpoint(t, { events: ["run.*"] });
    await createEndpoint(t, { events: ["run.*"], enabled: false });
    expect(ids(await list("event_type=run.completed"))).toEqual([on.id]);
    expect(ids(await list("event_type=run.completed&enabled=false"))).toEqual([]);
  });

  it("keeps to the tenant: a tenant key sees its own, an admin may name one", async () => {
    const acme = await createEndpoint(t, { events: ["*"], tenant_id: "acme" });
    const other = await createEndpoint(t, { events: ["*"], tenant_id: "other" });
    const { key } = await createApiKey(t, { scopes: ["endpoints:read"], tenant_id: "acme" });
    expect(ids(await list("event_type=run.completed", key))).toEqual([acme.id]);
    expect(ids(await list("event_type=run.completed&tenant_id=other", key))).toEqual([]);
    expect(ids(await list("event_type=run.completed&tenant_id=other"))).toEqual([other.id]);
  });

  it("pages with limit and cursor like the plain list", async () => {
    const made: string[] = [];
    for (let i = 0; i < 5; i++) {
      clock.advance(1000);
      made.unshift((await createEndpoint(t, { events: ["run.*"] })).id);
    }
    await createEndpoint(t, { events: ["user.*"] });
    const pages = await allPages(t.app, t.adminKey, "/v1/endpoints?event_type=run.completed&limit=2");
    expect(pages.map((p) => p.data.length)).toEqual([2, 2, 1]);
    expect(pages.flatMap((p) => p.data.map((e) => e.id))).toEqual(made);
  });

  it("refuses a malformed event type", async () => {
    expectInvalid(await list("event_type=bad..type"), "event_type");
  });
});
