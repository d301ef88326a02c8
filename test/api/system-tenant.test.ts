// The reserved tenant `_system` over the API: only admin keys (and the config file) register its endpoints, tenant
// keys never see it, tenant ids starting with `_` are refused everywhere else, and the catalog lists the
// operational event types (source `system`) without making itself non-empty.
import { afterEach, beforeEach, describe, expect, it } from "bun:test";
import { buildTestApp, createApiKey, type TestApp } from "../helpers/app.ts";
import { createEndpoint, expectError, expectInvalid } from "../helpers/endpoints.ts";
import { json } from "../helpers/http.ts";

const OPS = {
  url: "https://ops.example.com/hooks",
  tenant_id: "_system",
  events: ["hookgate.endpoint.disabled", "hookgate.delivery.*"],
};

describe("the reserved tenant _system", () => {
  let t: TestApp;
  let acmeKey: string;
  beforeEach(async () => {
    t = await buildTestApp();
    acmeKey = (
      await createApiKey(t, { tenant_id: "acme", scopes: ["endpoints:read", "endpoints:write", "events:write"] })
    ).key;
  });
  afterEach(() => t?.cleanup());

  const call = (method: string, path: string, body?: unknown, key = t.adminKey) =>
    json(t.app, method, path, { key, body });

  it("takes endpoints registered with an admin key, subscribed to operational types", async () => {
    const res = await call("POST", "/v1/endpoints", OPS);
    expect(res.status).toBe(201);
    expect(res.body.data).toMatchObject({ tenant_id: "_system", events: OPS.events });
    const listed = await call("GET", "/v1/endpoints?tenant_id=_system");
    expect(listed.body.data.map((e: { id: string }) => e.id)).toEqual([res.body.data.id]);
  });

  it("refuses subscriptions of _system endpoints to anything but operational types", async () => {
    const res = await call("POST", "/v1/endpoints", { ...OPS, events: ["run.completed"] });
    expectInvalid(res, "events[0]");
    expect(res.body.error.details[0].message).toContain("unknown event type");
  });

  it("is out of reach of tenant keys: 403 to act for it, 404 for its endpoints, an empty list", async () => {
    const ops = await createEndpoint(t, OPS);
    expectError(await call("POST", "/v1/endpoints", OPS, acmeKey), 403, "forbidden");
    expectError(await call("GET", `/v1/endpoints/${ops.id}`, undefined, acmeKey), 404, "not_found");
    expectError(await call("PATCH", `/v1/endpoints/${ops.id}`, { enabled: false }, acmeKey), 404, "not_found");
    expectError(await call("DELETE", `/v1/endpoints/${ops.id}`, undefined, acmeKey), 404, "not_found");
    const listed = await call("GET", "/v1/endpoints?tenant_id=_system", undefined, acmeKey);
    expect(listed.body.data).toEqual([]);
  });

  it("cannot be published to, not even with an admin key (only hookgate publishes there)", async () => {
    const res = await call("POST", "/v1/events", {
      type: "hookgate.endpoint.disabled",
      data: {},
      tenant_id: "_system",
    });
    expectInvalid(res, "tenant_id");
    expect(res.body.error.details[0].message).toContain("not starting with _");
  });
});

describe("tenant ids starting with _", () => {
  let t: TestApp;
  beforeEach(async () => {
    t = await buildTestApp();
  });
  afterEach(() => t?.cleanup());

  const call = (method: string, path: string, body?: unknown) => json(t.app, method, path, { key: t.adminKey, body });

  it("are refused for endpoints other than _system, API keys, publishes and portal sessions", async () => {
    for (const tenant of ["_acme", "_", "_System"]) {
      expectInvalid(await call("POST", "/v1/endpoints", { ...OPS, tenant_id: tenant }), "tenant_id");
      expectInvalid(
        await call("POST", "/v1/api-keys", { name: "k", tenant_id: tenant, scopes: ["events:write"] }),
        "tenant_id",
      );
      expectInvalid(
        await call("POST", "/v1/events", { type: "run.completed", data: {}, tenant_id: tenant }),
        "tenant_id",
      );
      expectInvalid(await call("POST", "/v1/portal-sessions", { tenant_id: tenant }), "tenant_id");
    }
    expectInvalid(
      await call("POST", "/v1/api-keys", { name: "k", tenant_id: "_system", scopes: ["events:write"] }),
      "tenant_id",
    );
    expectInvalid(await call("POST", "/v1/portal-sessions", { tenant_id: "_system" }), "tenant_id");
  });

  it("say why in the message", async () => {
    const res = await call("POST", "/v1/api-keys", { name: "k", tenant_id: "_acme", scopes: ["events:write"] });
    expect(res.body.error.details).toEqual([
      { field: "tenant_id", message: "must be 1–64 letters, digits, - and _, not starting with _ (reserved)" },
    ]);
  });

  it("do not affect ids with _ elsewhere", async () => {
    const res = await call("POST", "/v1/api-keys", { name: "k", tenant_id: "acme_eu", scopes: ["events:write"] });
    expect(res.status).toBe(201);
  });
});

describe("operational event types in the catalog", () => {
  let t: TestApp;
  beforeEach(async () => {
    t = await buildTestApp();
  });
  afterEach(() => t?.cleanup());

  const call = (method: string, path: string, body?: unknown) => json(t.app, method, path, { key: t.adminKey, body });

  it("are listed with source system, a description and an example", async () => {
    const res = await call("GET", "/v1/event-types");
    const system = res.body.data.filter((e: { source: string }) => e.source === "system");
    expect(system.map((e: { name: string }) => e.name)).toEqual([
      "hookgate.delivery.exhausted",
      "hookgate.endpoint.circuit_closed",
      "hookgate.endpoint.circuit_opened",
      "hookgate.endpoint.disabled",
      "hookgate.endpoint.enabled",
    ]);
    for (const e of system) {
      expect(e.description.length).toBeGreaterThan(20);
      expect(e.example).toMatchObject({ tenant_id: expect.any(String), endpoint_id: expect.any(String) });
    }
    expect((await call("GET", "/v1/event-types/hookgate.endpoint.disabled")).body.data.source).toBe("system");
  });

  it("do not make the catalog non-empty: any type is still published and subscribed to", async () => {
    expect((await call("POST", "/v1/events", { type: "anything.at_all", data: {} })).status).toBe(202);
    expect((await call("POST", "/v1/endpoints", { url: "https://a.example.com", events: ["whatever"] })).status).toBe(
      201,
    );
  });

  it("are not subscribable by other tenants once the catalog has types", async () => {
    expect((await call("POST", "/v1/event-types", { name: "run.completed" })).status).toBe(201);
    const res = await call("POST", "/v1/endpoints", {
      url: "https://a.example.com",
      events: ["hookgate.endpoint.disabled"],
    });
    expectInvalid(res, "events[0]");
    expect((await call("POST", "/v1/endpoints", OPS)).status).toBe(201);
  });

  it("reserve the hookgate. prefix and cannot be deleted", async () => {
    const created = await call("POST", "/v1/event-types", { name: "hookgate.custom" });
    expectInvalid(created, "name");
    expect(created.body.error.details[0].message).toContain("reserved");
    expectError(await call("DELETE", "/v1/event-types/hookgate.endpoint.disabled"), 409, "conflict");
  });
});
