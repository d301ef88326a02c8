// POST /v1/portal-sessions and GET /v1/me: short-lived tenant-bound portal tokens (auth, scopes, tenancy,
// validation, expiry, revocation) and what a key may learn about itself.
import { afterEach, beforeEach, describe, expect, it } from "bun:test";
import { ManualClock } from "../../src/lib/clock.ts";
import { buildTestApp, createApiKey, type TestApp } from "../helpers/app.ts";
import { createEndpoint, expectError, expectInvalid } from "../helpers/endpoints.ts";
import { json } from "../helpers/http.ts";

const T0 = Date.parse("2026-06-06T09:00:00.000Z");

describe("portal sessions", () => {
  let t: TestApp;
  let clock: ManualClock;
  beforeEach(async () => {
    clock = new ManualClock(T0);
    t = await buildTestApp({ clock, config: { server: { public_url: "https://hooks.example.com/" } } });
  });
  afterEach(() => t?.cleanup());

  const open = (body: unknown, key = t.adminKey) => json(t.app, "POST", "/v1/portal-sessions", { key, body });

  it("gives an admin a tenant-bound hgp_ token, its portal url and the full portal scopes", async () => {
    const res = await open({ tenant_id: "acme" });
    expect(res.status).toBe(201);
    const s = res.body.data;
    expect(s.token).toMatch(/^hgp_[A-Za-z0-9_-]{43}$/);
    expect(s).toMatchObject({
      id: expect.stringMatching(/^key_/),
      url: `https://hooks.example.com/console/portal#token=${s.token}`,
      tenant_id: "acme",
      scopes: ["endpoints:read", "deliveries:read", "events:read", "endpoints:write", "deliveries:write"],
      expires_at: "2026-06-06T10:00:00.000Z",
    });
    const me = await json(t.app, "GET", "/v1/me", { key: s.token });
    expect(me.body.data).toEqual({
      id: s.id,
      kind: "portal_session",
      name: "portal session (acme)",
      tenant_id: "acme",
      scopes: s.scopes,
      expires_at: s.expires_at,
    });
  });

  it("stores only a hash, and lists the session among the API keys by its prefix", async () => {
    const s = (await open({ tenant_id: "acme" })).body.data;
    const record = await t.store.apiKeyById(s.id);
    expect(record?.hash).toBe(new Bun.CryptoHasher("sha256").update(s.token).digest("hex"));
    expect(JSON.stringify(record)).not.toContain(s.token);
    const keys = await json(t.app, "GET", "/v1/api-keys", { key: t.adminKey });
    expect(keys.body.data[0]).toMatchObject({ id: s.id, prefix: s.token.slice(0, 8), tenant_id: "acme" });
    expect(keys.text).not.toContain(s.token);
  });

  it("read_only sessions get the read scopes only; never admin", async () => {
    const s = (await open({ tenant_id: "acme", read_only: true, expires_in_seconds: 60 })).body.data;
    expect(s.scopes).toEqual(["endpoints:read", "deliveries:read", "events:read"]);
    expect(s.expires_at).toBe("2026-06-06T09:01:00.000Z");
    expectError(
      await json(t.app, "POST", "/v1/endpoints", {
        key: s.token,
        body: { url: "https://x.example.com", events: ["*"] },
      }),
      403,
      "forbidden",
    );
    expectError(await json(t.app, "GET", "/v1/api-keys", { key: s.token }), 403, "forbidden");
  });

  it("sees its own tenant only: another tenant's endpoint is a 404", async () => {
    const mine = await createEndpoint(t, { tenant_id: "acme" });
    const theirs = await createEndpoint(t, { tenant_id: "globex" });
    const token = (await open({ tenant_id: "acme" })).body.data.token;
    const list = await json(t.app, "GET", "/v1/endpoints", { key: token });
    expect(list.body.data.map((e: { id: string }) => e.id)).toEqual([mine.id]);
    expectError(await json(t.app, "GET", `/v1/endpoints/${theirs.id}`, { key: token }), 404, "not_found");
  });

  it("expires at expires_at and is revoked by DELETE /v1/api-keys/{id}", async () => {
    const a = (await open({ tenant_id: "acme", expires_in_seconds: 120 })).body.data;
    const b = (await open({ tenant_id: "acme" })).body.data;
    clock.advance(119_000);
    expect((await json(t.app, "GET", "/v1/me", { key: a.token })).status).toBe(200);
    clock.advance(1000);
    expectError(await json(t.app, "GET", "/v1/me", { key: a.token }), 401, "unauthorized");
    expect((await json(t.app, "DELETE", `/v1/api-keys/${b.id}`, { key: t.adminKey })).status).toBe(204);
    expectError(await json(t.app, "GET", "/v1/me", { key: b.token }), 401, "unauthorized");
  });

  it("lets a tenant key with endpoints:write open its own tenant's portal, nothing else", async () => {
    const writer = (await createApiKey(t, { tenant_id: "acme", scopes: ["endpoints:write"] })).key;
    expect((await open({ tenant_id: "acme" }, writer)).status).toBe(201);
    expectError(await open({ tenant_id: "globex" }, writer), 403, "forbidden");
    const reader = (await createApiKey(t, { tenant_id: "acme", scopes: ["endpoints:read", "deliveries:write"] })).key;
    expectError(await open({ tenant_id: "acme" }, reader), 403, "forbidden");
    const allTenants = (await createApiKey(t, { scopes: ["endpoints:write"] })).key;
    expectError(await open({ tenant_id: "acme" }, allTenants), 403, "forbidden");
  });

  it("never lets a portal token open another portal session (its life could be extended without end)", async () => {
    const token = (await open({ tenant_id: "acme" })).body.data.token;
    expectError(await open({ tenant_id: "acme" }, token), 403, "forbidden");
  });

  it("needs a key", async () => {
    expectError(await json(t.app, "POST", "/v1/portal-sessions", { body: { tenant_id: "acme" } }), 401, "unauthorized");
  });

  it("refuses bad input with a 400 naming the field", async () => {
    expectInvalid(await open({}), "tenant_id");
    expectInvalid(await open({ tenant_id: "a b" }), "tenant_id");
    expectInvalid(await open({ tenant_id: "acme", expires_in_seconds: 59 }), "expires_in_seconds");
    expectInvalid(await open({ tenant_id: "acme", expires_in_seconds: 86_401 }), "expires_in_seconds");
    expectInvalid(await open({ tenant_id: "acme", read_only: "yes" }), "read_only");
    expectInvalid(await open({ tenant_id: "acme", scopes: ["admin"] }), "scopes");
  });

  it("builds the url on the listen address when server.public_url is not set", async () => {
    const plain = await buildTestApp({ config: { server: { host: "0.0.0.0", port: 8123 } } });
    try {
      const res = await json(plain.app, "POST", "/v1/portal-sessions", {
        key: plain.adminKey,
        body: { tenant_id: "acme" },
      });
      expect(res.body.data.url).toStartWith("http://127.0.0.1:8123/console/portal#token=hgp_");
    } finally {
      await plain.cleanup();
    }
  });
});

describe("GET /v1/me", () => {
  let t: TestApp;
  beforeEach(async () => {
    t = await buildTestApp();
  });
  afterEach(() => t?.cleanup());

  it("describes an admin key of the config file and a scoped key, never the key itself", async () => {
    const admin = await json(t.app, "GET", "/v1/me", { key: t.adminKey });
    expect(admin.body.data).toEqual({
      id: "config:0",
      kind: "config",
      name: "admin key (config file)",
      tenant_id: null,
      scopes: ["admin"],
      expires_at: null,
    });
    const created = await createApiKey(t, {
      name: "ci",
      tenant_id: "acme",
      scopes: ["events:write"],
      expires_at: "2099-01-01T00:00:00.000Z",
    });
    const me = await json(t.app, "GET", "/v1/me", { key: created.key });
    expect(me.body.data).toEqual({
      id: created.id,
      kind: "api_key",
      name: "ci",
      tenant_id: "acme",
      scopes: ["events:write"],
      expires_at: "2099-01-01T00:00:00.000Z",
    });
    expect(me.text).not.toContain(created.key);
  });

  it("is 401 without a valid key", async () => {
    expectError(await json(t.app, "GET", "/v1/me"), 401, "unauthorized");
    expectError(await json(t.app, "GET", "/v1/me", { key: "hg_nope" }), 401, "unauthorized");
  });
});
