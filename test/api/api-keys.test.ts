// /v1/api-keys: create (the key is shown once), list (prefix only), revoke.
import { afterEach, beforeEach, describe, expect, it } from "bun:test";
import { hashKey } from "../../src/api/auth.ts";
import { ManualClock } from "../../src/lib/clock.ts";
import { buildTestApp, createApiKey, type TestApp } from "../helpers/app.ts";
import { type JsonResponse, json } from "../helpers/http.ts";

describe("api keys", () => {
  let t: TestApp;
  let clock: ManualClock;
  beforeEach(async () => {
    clock = new ManualClock(Date.parse("2026-06-06T09:00:00.000Z"));
    t = await buildTestApp({ clock });
  });
  afterEach(() => t?.cleanup());

  const create = (body: unknown, key = t.adminKey) => json(t.app, "POST", "/v1/api-keys", { key, body });

  describe("POST /v1/api-keys", () => {
    it("creates a key and shows it once", async () => {
      const res = await create({ name: "billing publisher", scopes: ["events:write", "deliveries:read"] });
      expect(res.status).toBe(201);
      expect(res.body).toEqual({
        data: {
          id: expect.stringMatching(/^key_[0-9a-z]{26}$/),
          key: expect.stringMatching(/^hg_[A-Za-z0-9_-]{43}$/),
          name: "billing publisher",
          tenant_id: null,
          scopes: ["events:write", "deliveries:read"],
          expires_at: null,
          created_at: "2026-06-06T09:00:00.000Z",
        },
      });
    });

    it("returns a key that authenticates", async () => {
      const { key } = (await create({ name: "reader", scopes: ["events:read"] })).body.data;
      expect((await json(t.app, "GET", "/v1/api-keys", { key })).status).toBe(403);
    });

    it("binds a key to a tenant and sets an expiry", async () => {
      const res = await create({
        name: "acme",
        tenant_id: "acme",
        scopes: ["endpoints:read"],
        expires_at: "2027-01-01T00:00:00Z",
      });
      expect(res.status).toBe(201);
      expect(res.body.data.tenant_id).toBe("acme");
      expect(res.body.data.expires_at).toBe("2027-01-01T00:00:00.000Z");
    });

    it("stores only the hash of the key", async () => {
      const { id, key } = (await create({ name: "x", scopes: ["events:write"] })).body.data;
      const record = await t.store.apiKeyById(id);
      expect(record?.hash).toBe(hashKey(key));
      expect(JSON.stringify(record)).not.toContain(key);
    });

    it("refuses the admin scope", async () => {
      const res = await create({ name: "root", scopes: ["admin"] });
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe("validation_error");
      expect(res.body.error.details.map((d: { field: string }) => d.field)).toContain("scopes[0]");
    });

    it("says which scopes may be granted when refusing one", async () => {
      const res = await create({ name: "root", scopes: ["admin"] });
      expect(res.status).toBe(400);
      expect(res.body.error.message).not.toContain("'string'");
      expect(res.body.error.message).toContain("events:write");
    });

    it("reports a missing field once", async () => {
      const res = await create({ scopes: ["events:write"] });
      expect(res.status).toBe(400);
      expect(res.body.error.details.filter((d: { field: string }) => d.field === "name")).toHaveLength(1);
    });

    it("refuses an unknown body field, naming it", async () => {
      const res = await create({ name: "x", scopes: ["events:write"], scope: "admin" });
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe("validation_error");
      expect(res.body.error.message).toBeString();
      expect(res.body.error.details).toContainEqual({ field: "scope", message: "unknown field" });
    });

    it("refuses a missing name and empty scopes", async () => {
      const res = await create({ scopes: [] });
      expect(res.status).toBe(400);
      const fields = res.body.error.details.map((d: { field: string }) => d.field);
      expect(fields).toContain("name");
      expect(fields).toContain("scopes");
    });

    it("refuses an expiry in the past", async () => {
      const res = await create({ name: "x", scopes: ["events:write"], expires_at: "2026-06-06T08:59:59.000Z" });
      expect(res.status).toBe(400);
      expect(res.body.error).toEqual({
        code: "validation_error",
        message: "expires_at: must be a future ISO 8601 time",
        details: [{ field: "expires_at", message: "must be a future ISO 8601 time" }],
      });
    });

    it("is admin only", async () => {
      const { key } = await createApiKey(t, { scopes: ["endpoints:write", "events:write", "deliveries:write"] });
      const res = await create({ name: "escalate", scopes: ["events:write"] }, key);
      expect(res.status).toBe(403);
      expect(res.body.error.code).toBe("forbidden");
    });
  });

  describe("GET /v1/api-keys", () => {
    it("lists keys newest first with only an 8-character prefix", async () => {
      const a = await createApiKey(t, { name: "a", scopes: ["events:write"] });
      clock.advance(1000);
      const b = await createApiKey(t, { name: "b", scopes: ["events:read"], tenant_id: "acme" });
      const res = await json(t.app, "GET", "/v1/api-keys", { key: t.adminKey });
      expect(res.status).toBe(200);
      expect(res.body).toEqual({
        data: [
          {
            id: b.id,
            prefix: b.key.slice(0, 8),
            name: "b",
            tenant_id: "acme",
            scopes: ["events:read"],
            expires_at: null,
            revoked_at: null,
            created_at: "2026-06-06T09:00:01.000Z",
          },
          {
            id: a.id,
            prefix: a.key.slice(0, 8),
            name: "a",
            tenant_id: null,
            scopes: ["events:write"],
            expires_at: null,
            revoked_at: null,
            created_at: "2026-06-06T09:00:00.000Z",
          },
        ],
        next_cursor: null,
        has_more: false,
      });
      for (const k of [a.key, b.key]) {
        expect(res.text).not.toContain(k);
        expect(res.text).not.toContain(hashKey(k));
        expect(res.text).not.toContain(k.slice(0, 9));
      }
    });

    it("pages with an opaque cursor", async () => {
      const ids: string[] = [];
      for (let i = 0; i < 5; i++) ids.push((await createApiKey(t, { name: `k${i}`, scopes: ["events:write"] })).id);
      const seen: string[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const res: JsonResponse = await json(t.app, "GET", `/v1/api-keys?limit=2${cursor ? `&cursor=${cursor}` : ""}`, {
          key: t.adminKey,
        });
        expect(res.status).toBe(200);
        expect(res.body.data.length).toBeLessThanOrEqual(2);
        seen.push(...res.body.data.map((k: { id: string }) => k.id));
        expect(res.body.has_more).toBe(res.body.next_cursor !== null);
        cursor = res.body.next_cursor;
        pages++;
      } while (cursor !== null && pages < 10);
      expect(pages).toBe(3);
      expect(seen).toEqual([...ids].reverse());
    });

    it("refuses a limit above 100, naming limit", async () => {
      const res = await json(t.app, "GET", "/v1/api-keys?limit=101", { key: t.adminKey });
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe("validation_error");
      expect(res.body.error.details.map((d: { field: string }) => d.field)).toEqual(["limit"]);
    });

    it("refuses a cursor it did not make", async () => {
      const res = await json(t.app, "GET", "/v1/api-keys?cursor=not-a-cursor!", { key: t.adminKey });
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe("validation_error");
    });
  });

  describe("DELETE /v1/api-keys/:id", () => {
    it("revokes at once: 204, then the key is refused", async () => {
      const { id, key } = await createApiKey(t, { scopes: ["events:write"] });
      const res = await json(t.app, "DELETE", `/v1/api-keys/${id}`, { key: t.adminKey });
      expect(res.status).toBe(204);
      expect(res.text).toBe("");
      const after = await json(t.app, "GET", "/v1/api-keys", { key });
      expect(after.status).toBe(401);
      expect(after.body.error.code).toBe("unauthorized");
    });

    it("shows when the key was revoked", async () => {
      const { id } = await createApiKey(t, { scopes: ["events:write"] });
      clock.advance(5000);
      await json(t.app, "DELETE", `/v1/api-keys/${id}`, { key: t.adminKey });
      const listed = (await json(t.app, "GET", "/v1/api-keys", { key: t.adminKey })).body.data[0];
      expect(listed.revoked_at).toBe("2026-06-06T09:00:05.000Z");
    });

    it("is harmless twice", async () => {
      const { id } = await createApiKey(t, { scopes: ["events:write"] });
      expect((await json(t.app, "DELETE", `/v1/api-keys/${id}`, { key: t.adminKey })).status).toBe(204);
      expect((await json(t.app, "DELETE", `/v1/api-keys/${id}`, { key: t.adminKey })).status).toBe(204);
    });

    it("answers 404 for an unknown id", async () => {
      const res = await json(t.app, "DELETE", "/v1/api-keys/key_00000000000000000000000000", { key: t.adminKey });
      expect(res.status).toBe(404);
      expect(res.body).toEqual({ error: { code: "not_found", message: "API key was not found.", details: [] } });
    });
  });
});
