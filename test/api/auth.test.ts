// Authentication and scopes on the management API: 401 for a missing, unknown, revoked or expired key; 403 without the scope.
import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { Authenticator, generateApiKey, hashKey } from "../../src/api/auth.ts";
import { ManualClock } from "../../src/lib/clock.ts";
import { buildTestApp, createApiKey, type TestApp } from "../helpers/app.ts";
import { TEST_ADMIN_KEY } from "../helpers/config.ts";
import { type JsonResponse, json } from "../helpers/http.ts";

const SECOND_ADMIN_KEY = "second-admin-key-0123456789abcdef";

function expectUnauthorized(res: JsonResponse, message?: string) {
  expect(res.status).toBe(401);
  expect(res.headers.get("content-type")).toStartWith("application/json");
  expect(res.headers.get("www-authenticate")).toBe('Bearer realm="hookgate"');
  expect(Object.keys(res.body)).toEqual(["error"]);
  expect(res.body.error.code).toBe("unauthorized");
  expect(res.body.error.message).toBeString();
  if (message !== undefined) expect(res.body.error.message).toBe(message);
}

describe("auth", () => {
  let t: TestApp;
  let clock: ManualClock;
  beforeAll(async () => {
    clock = new ManualClock();
    t = await buildTestApp({ clock, config: { auth: { admin_keys: [TEST_ADMIN_KEY, SECOND_ADMIN_KEY] } } });
  });
  afterAll(() => t?.cleanup());

  describe("401 unauthorized", () => {
    it("answers a request without an Authorization header", async () => {
      expectUnauthorized(
        await json(t.app, "GET", "/v1/api-keys"),
        "A valid API key is required: Authorization: Bearer <key>.",
      );
    });

    it("answers a malformed Authorization header", async () => {
      for (const authorization of [
        `Basic ${btoa(`user:${TEST_ADMIN_KEY}`)}`,
        "Bearer",
        "Bearer ",
        TEST_ADMIN_KEY,
        `Bearer ${TEST_ADMIN_KEY} extra`,
        `Token ${TEST_ADMIN_KEY}`,
      ]) {
        expectUnauthorized(await json(t.app, "GET", "/v1/api-keys", { headers: { authorization } }));
      }
    });

    it("answers an unknown key", async () => {
      expectUnauthorized(
        await json(t.app, "GET", "/v1/api-keys", { key: generateApiKey() }),
        "The API key is not valid.",
      );
      expectUnauthorized(
        await json(t.app, "GET", "/v1/api-keys", { key: TEST_ADMIN_KEY.slice(0, -1) }),
        "The API key is not valid.",
      );
    });

    it("answers a revoked key", async () => {
      const { id, key } = await createApiKey(t, { scopes: ["events:write"] });
      expect((await json(t.app, "GET", "/v1/api-keys", { key })).status).toBe(403);
      expect((await json(t.app, "DELETE", `/v1/api-keys/${id}`, { key: t.adminKey })).status).toBe(204);
      expectUnauthorized(await json(t.app, "GET", "/v1/api-keys", { key }), "The API key has been revoked.");
    });

    it("answers an expired key", async () => {
      const expiresAt = clock.now() + 60_000;
      const res = await json(t.app, "POST", "/v1/api-keys", {
        key: t.adminKey,
        body: { name: "short-lived", scopes: ["events:write"], expires_at: new Date(expiresAt).toISOString() },
      });
      expect(res.status).toBe(201);
      const key = res.body.data.key as string;
      expect((await json(t.app, "GET", "/v1/api-keys", { key })).status).toBe(403);
      clock.set(expiresAt);
      expectUnauthorized(await json(t.app, "GET", "/v1/api-keys", { key }), "The API key has expired.");
    });

    it("answers before validating the request body", async () => {
      expectUnauthorized(await json(t.app, "POST", "/v1/api-keys", { body: {} }));
      expectUnauthorized(
        await json(t.app, "POST", "/v1/api-keys", { body: { name: "x", scopes: ["events:write"], bogus: true } }),
      );
    });

    it("answers before reading the body, even a malformed, mistyped or oversized one", async () => {
      const post = (body: string, contentType: string) =>
        json(t.app, "POST", "/v1/endpoints", { body, headers: { "content-type": contentType } });
      expectUnauthorized(await post('{"url": ', "application/json"));
      expectUnauthorized(await post("url=x", "application/x-www-form-urlencoded"));
      expectUnauthorized(await post(`{"pad": "${"x".repeat(300_000)}"}`, "application/json"));
    });

    it("guards every /v1 route except the public key", async () => {
      const routes = t.app.routes.filter((r) => r.path.startsWith("/v1/") && r.path !== "/v1/public-key");
      expect(routes.length).toBeGreaterThan(0);
      const unguarded: string[] = [];
      for (const route of routes) {
        const path = route.path.replace(/:[A-Za-z_]+/g, "key_00000000000000000000000000");
        clock.advance(3000); // failed authentications are throttled past 30 a minute per address
        const res = await json(t.app, route.method, path);
        if (res.status !== 401) unguarded.push(`${route.method} ${route.path} → ${res.status}`);
      }
      expect(unguarded).toEqual([]);
    });
  });

  describe("403 forbidden", () => {
    it("answers a valid key without the scope", async () => {
      const { key } = await createApiKey(t, { scopes: ["events:write", "deliveries:read"] });
      const res = await json(t.app, "GET", "/v1/api-keys", { key });
      expect(res.status).toBe(403);
      expect(res.body).toEqual({
        error: { code: "forbidden", message: "This API key lacks the admin scope.", details: [] },
      });
    });
  });

  describe("admin keys from the config", () => {
    it("accepts each configured admin key", async () => {
      for (const key of [TEST_ADMIN_KEY, SECOND_ADMIN_KEY])
        expect((await json(t.app, "GET", "/v1/api-keys", { key })).status).toBe(200);
    });

    it("accepts the bearer scheme in any case", async () => {
      expect(
        (await json(t.app, "GET", "/v1/api-keys", { headers: { authorization: `bearer ${TEST_ADMIN_KEY}` } })).status,
      ).toBe(200);
      expect(
        (await json(t.app, "GET", "/v1/api-keys", { headers: { authorization: `BEARER ${TEST_ADMIN_KEY}` } })).status,
      ).toBe(200);
    });
  });
});

describe("failed authentication throttle", () => {
  let t: TestApp;
  let clock: ManualClock;
  beforeAll(async () => {
    clock = new ManualClock();
    t = await buildTestApp({ clock, listen: true });
  });
  afterAll(() => t?.cleanup());

  const attempt = (key: string) =>
    fetch(`${t.url}/v1/endpoints`, { headers: { authorization: `Bearer ${key}` } }).then((r) => r.status);

  it("answers 429 with Retry-After to an address past 30 failures in a minute, until the minute has passed", async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 30; i++) statuses.push(await attempt(`hg_wrong_${i}`));
    expect(new Set(statuses)).toEqual(new Set([401]));
    const throttled = await fetch(`${t.url}/v1/endpoints`, { headers: { authorization: "Bearer hg_wrong_31" } });
    expect(throttled.status).toBe(429);
    expect(throttled.headers.get("retry-after")).toBe("60");
    expect((await throttled.json()).error.code).toBe("rate_limited");
    // Even the right key waits: the address is throttled, not the key.
    expect(await attempt(t.adminKey)).toBe(429);
    clock.advance(60_001);
    expect(await attempt(t.adminKey)).toBe(200);
  });
});

describe("Authenticator", () => {
  const clock = new ManualClock();

  it("gives config admin keys the admin scope over all tenants", async () => {
    const auth = new Authenticator([TEST_ADMIN_KEY], { apiKeyByHash: async () => null }, clock);
    const p = await auth.authenticate(`Bearer ${TEST_ADMIN_KEY}`);
    expect(p.keyId).toBe("config:0");
    expect(p.tenantId).toBeNull();
    expect([...p.scopes]).toEqual(["admin"]);
  });

  it("looks stored keys up by their SHA-256 hash and returns their tenant and scopes", async () => {
    const key = generateApiKey();
    const seen: string[] = [];
    const record = {
      id: "key_1",
      hash: hashKey(key),
      prefix: key.slice(0, 8),
      name: "n",
      tenant_id: "acme",
      scopes: ["events:write" as const],
      expires_at: null,
      revoked_at: null,
      created_at: 0,
    };
    const auth = new Authenticator(
      [],
      {
        apiKeyByHash: async (h) => {
          seen.push(h);
          return h === record.hash ? record : null;
        },
      },
      clock,
    );
    const p = await auth.authenticate(`Bearer ${key}`);
    expect(seen).toEqual([hashKey(key)]);
    expect(p).toEqual({ keyId: "key_1", tenantId: "acme", scopes: new Set(["events:write"]) });
    await expect(auth.require(`Bearer ${key}`, "events:write")).resolves.toBeDefined();
    await expect(auth.require(`Bearer ${key}`, "endpoints:write")).rejects.toMatchObject({
      status: 403,
      code: "forbidden",
    });
  });

  it("makes new keys hg_ followed by 43 base64url characters, each different", () => {
    const a = generateApiKey();
    expect(a).toMatch(/^hg_[A-Za-z0-9_-]{43}$/);
    expect(generateApiKey()).not.toBe(a);
  });
});
