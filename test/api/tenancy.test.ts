// Tenant isolation and scopes on /v1/endpoints: a tenant-scoped key sees and changes only its tenant's
// endpoints (others answer 404, never 403); admin keys see every tenant; scopes gate reads and writes.
import { afterEach, beforeEach, describe, expect, it } from "bun:test";
import { buildTestApp, createApiKey, type TestApp } from "../helpers/app.ts";
import { createEndpoint, ENDPOINT, expectError } from "../helpers/endpoints.ts";
import { json } from "../helpers/http.ts";

describe("tenancy", () => {
  let t: TestApp;
  let acmeKey: string;
  let globexKey: string;
  let acme: { id: string; secret: string };
  let globex: { id: string; secret: string };
  beforeEach(async () => {
    t = await buildTestApp();
    acmeKey = (await createApiKey(t, { tenant_id: "acme", scopes: ["endpoints:read", "endpoints:write"] })).key;
    globexKey = (await createApiKey(t, { tenant_id: "globex", scopes: ["endpoints:read", "endpoints:write"] })).key;
    acme = await createEndpoint(t, { tenant_id: "acme", description: "acme's" });
    globex = await createEndpoint(t, { tenant_id: "globex", description: "globex's" });
  });
  afterEach(() => t?.cleanup());

  const call = (method: string, path: string, key: string, body?: unknown) => json(t.app, method, path, { key, body });
  const listIds = async (key: string, query = "") => {
    const res = await call("GET", `/v1/endpoints${query}`, key);
    expect(res.status).toBe(200);
    return res.body.data.map((e: { id: string }) => e.id);
  };

  describe("a tenant-scoped key", () => {
    it("lists only its tenant's endpoints", async () => {
      expect(await listIds(acmeKey)).toEqual([acme.id]);
      expect(await listIds(globexKey)).toEqual([globex.id]);
    });

    it("lists only its tenant's endpoints even when asking for another tenant", async () => {
      expect(await listIds(acmeKey, "?tenant_id=globex")).toEqual([]);
      expect(await listIds(acmeKey, "?tenant_id=acme")).toEqual([acme.id]);
    });

    it("reads its own endpoint", async () => {
      const res = await call("GET", `/v1/endpoints/${acme.id}`, acmeKey);
      expect(res.status).toBe(200);
      expect(res.body.data).toMatchObject({ id: acme.id, tenant_id: "acme" });
    });

    it("gets 404 (never 403) for another tenant's endpoint, in both directions", async () => {
      for (const [key, other] of [
        [acmeKey, globex.id],
        [globexKey, acme.id],
      ] as const) {
        expectError(await call("GET", `/v1/endpoints/${other}`, key), 404, "not_found");
        expectError(
          await call("PATCH", `/v1/endpoints/${other}`, key, { description: "taken over" }),
          404,
          "not_found",
        );
        expectError(await call("POST", `/v1/endpoints/${other}/rotate-secret`, key, {}), 404, "not_found");
        expectError(await call("DELETE", `/v1/endpoints/${other}`, key), 404, "not_found");
      }
    });

    it("answers another tenant's endpoint exactly like a missing one", async () => {
      const foreign = await call("GET", `/v1/endpoints/${globex.id}`, acmeKey);
      const missing = await call("GET", "/v1/endpoints/ep_00000000000000000000000000", acmeKey);
      expect(foreign.body.error.message.replace(globex.id, "ID")).toBe(
        missing.body.error.message.replace("ep_00000000000000000000000000", "ID"),
      );
    });

    it("leaves the other tenant's endpoint untouched after refused changes", async () => {
      const before = (await call("GET", `/v1/endpoints/${globex.id}`, t.adminKey)).body.data;
      await call("PATCH", `/v1/endpoints/${globex.id}`, acmeKey, { url: "https://attacker.example.com/" });
      await call("POST", `/v1/endpoints/${globex.id}/rotate-secret`, acmeKey, {});
      await call("DELETE", `/v1/endpoints/${globex.id}`, acmeKey);
      expect((await call("GET", `/v1/endpoints/${globex.id}`, t.adminKey)).body.data).toEqual(before);
      expect(t.gateway.registry.get(globex.id)!.secrets).toEqual([{ secret: globex.secret, expires_at: null }]);
    });

    it("patches, rotates and deletes its own endpoint", async () => {
      expect(
        (await call("PATCH", `/v1/endpoints/${acme.id}`, acmeKey, { description: "mine" })).body.data.description,
      ).toBe("mine");
      expect((await call("POST", `/v1/endpoints/${acme.id}/rotate-secret`, acmeKey, {})).status).toBe(200);
      expect((await call("DELETE", `/v1/endpoints/${acme.id}`, acmeKey)).status).toBe(204);
      expect(await listIds(acmeKey)).toEqual([]);
    });

    it("creates in its own tenant, with or without tenant_id", async () => {
      expect((await createEndpoint(t, {}, acmeKey)).tenant_id).toBe("acme");
      expect((await createEndpoint(t, { tenant_id: "acme" }, acmeKey)).tenant_id).toBe("acme");
    });

    it("is refused creating in another tenant, and nothing is created", async () => {
      const res = await call("POST", "/v1/endpoints", acmeKey, { ...ENDPOINT, tenant_id: "globex" });
      expectError(res, 403, "forbidden");
      expect(await listIds(globexKey)).toEqual([globex.id]);
    });
  });

  describe("an admin key", () => {
    it("lists every tenant's endpoints", async () => {
      expect((await listIds(t.adminKey)).sort()).toEqual([acme.id, globex.id].sort());
    });

    it("filters by tenant_id", async () => {
      expect(await listIds(t.adminKey, "?tenant_id=globex")).toEqual([globex.id]);
      expect(await listIds(t.adminKey, "?tenant_id=nobody")).toEqual([]);
    });

    it("reads and changes any tenant's endpoint", async () => {
      expect((await call("GET", `/v1/endpoints/${acme.id}`, t.adminKey)).status).toBe(200);
      expect((await call("PATCH", `/v1/endpoints/${globex.id}`, t.adminKey, { description: "by admin" })).status).toBe(
        200,
      );
    });

    it("creates in any tenant", async () => {
      expect((await createEndpoint(t, { tenant_id: "initech" })).tenant_id).toBe("initech");
    });
  });

  describe("an admin-issued key without a tenant", () => {
    it("sees every tenant, like the scopes allow", async () => {
      const { key } = await createApiKey(t, { scopes: ["endpoints:read"] });
      expect((await listIds(key)).sort()).toEqual([acme.id, globex.id].sort());
      expect(await listIds(key, "?tenant_id=acme")).toEqual([acme.id]);
    });
  });

  describe("scopes", () => {
    it("endpoints:read can list and get but not create, patch, rotate or delete (403)", async () => {
      const { key } = await createApiKey(t, { tenant_id: "acme", scopes: ["endpoints:read"] });
      expect(await listIds(key)).toEqual([acme.id]);
      expect((await call("GET", `/v1/endpoints/${acme.id}`, key)).status).toBe(200);
      expectError(await call("POST", "/v1/endpoints", key, ENDPOINT), 403, "forbidden");
      expectError(await call("PATCH", `/v1/endpoints/${acme.id}`, key, { description: "x" }), 403, "forbidden");
      expectError(await call("POST", `/v1/endpoints/${acme.id}/rotate-secret`, key, {}), 403, "forbidden");
      expectError(await call("DELETE", `/v1/endpoints/${acme.id}`, key), 403, "forbidden");
      expect(await listIds(acmeKey)).toEqual([acme.id]);
    });

    it("endpoints:write without endpoints:read still needs read for reads", async () => {
      const { key } = await createApiKey(t, { tenant_id: "acme", scopes: ["endpoints:write"] });
      expect((await call("POST", "/v1/endpoints", key, ENDPOINT)).status).toBe(201);
      expectError(await call("GET", "/v1/endpoints", key), 403, "forbidden");
    });

    it("keys of other resources cannot touch endpoints", async () => {
      const { key } = await createApiKey(t, {
        scopes: ["events:write", "events:read", "deliveries:read", "deliveries:write"],
      });
      expectError(await call("GET", "/v1/endpoints", key), 403, "forbidden");
      expectError(await call("POST", "/v1/endpoints", key, ENDPOINT), 403, "forbidden");
    });

    it("a missing, unknown or revoked key is 401", async () => {
      expectError(await json(t.app, "GET", "/v1/endpoints"), 401, "unauthorized");
      expectError(await call("GET", "/v1/endpoints", "hg_unknown"), 401, "unauthorized");
      const revoked = await createApiKey(t, { tenant_id: "acme", scopes: ["endpoints:read"] });
      expect((await call("DELETE", `/v1/api-keys/${revoked.id}`, t.adminKey)).status).toBe(204);
      expectError(await call("GET", "/v1/endpoints", revoked.key), 401, "unauthorized");
    });
  });
});
