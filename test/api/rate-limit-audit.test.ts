// The management API is rate limited per key, and every management change leaves an audit line.
import { describe, expect, it } from "bun:test";
import { KeyRateLimiter } from "../../src/api/rate-limit.ts";
import { buildTestApp, createApiKey } from "../helpers/app.ts";
import { json } from "../helpers/http.ts";

describe("management API rate limit", () => {
  it("answers 429 with Retry-After once a key spends its per-minute budget, per key", async () => {
    const t = await buildTestApp({ config: { auth: { rate_limit_per_minute: 5 } } });
    try {
      const other = await createApiKey(t, { scopes: ["endpoints:read"] }); // 1 request of the admin's 5
      for (let i = 0; i < 4; i++)
        expect((await json(t.app, "GET", "/v1/endpoints", { key: t.adminKey })).status).toBe(200);
      const limited = await json(t.app, "GET", "/v1/endpoints", { key: t.adminKey });
      expect(limited.status).toBe(429);
      expect(limited.body.error.code).toBe("rate_limited");
      expect(Number(limited.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
      // Another key has its own budget.
      expect((await json(t.app, "GET", "/v1/endpoints", { key: other.key })).status).toBe(200);
    } finally {
      await t.cleanup();
    }
  });

  it("does not limit publishing events", async () => {
    const t = await buildTestApp({ config: { auth: { rate_limit_per_minute: 2 } } });
    try {
      for (let i = 0; i < 6; i++)
        expect(
          (await json(t.app, "POST", "/v1/events", { key: t.adminKey, body: { type: "a.b", data: { i } } })).status,
        ).toBe(202);
    } finally {
      await t.cleanup();
    }
  });

  it("refills continuously", () => {
    let now = 0;
    const limiter = new KeyRateLimiter(60, () => now);
    for (let i = 0; i < 60; i++) expect(limiter.take("k")).toBe(0);
    expect(limiter.take("k")).toBe(1);
    now += 1000;
    expect(limiter.take("k")).toBe(0);
    expect(limiter.take("k")).toBeGreaterThan(0);
  });
});

describe("audit log", () => {
  it("logs who changed what, with the outcome, and no secrets", async () => {
    const t = await buildTestApp({ config: { security: { allow_http: true, allow_private_networks: true } } });
    try {
      const created = await json(t.app, "POST", "/v1/endpoints", {
        key: t.adminKey,
        body: { url: "http://127.0.0.1:9/x", events: ["a.b"], secret: "whsec_c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0" },
      });
      expect(created.status).toBe(201);
      const id = created.body.data.id;
      await json(t.app, "PATCH", `/v1/endpoints/${id}`, { key: t.adminKey, body: { description: "x" } });
      await json(t.app, "DELETE", `/v1/endpoints/${id}`, { key: t.adminKey });
      await json(t.app, "GET", "/v1/endpoints", { key: t.adminKey });
      await Bun.sleep(20);
      const audit = (t.logger.lines ?? []).map((l) => JSON.parse(l)).filter((l) => l.msg === "audit");
      expect(audit.map((a) => [a.actor, a.action, a.target, a.status])).toEqual([
        ["config:0", "POST /v1/endpoints", null, 201],
        ["config:0", "PATCH /v1/endpoints/:id", id, 200],
        ["config:0", "DELETE /v1/endpoints/:id", id, 204],
      ]);
      expect(audit.every((a) => typeof a.time === "string")).toBe(true);
      expect((t.logger.lines ?? []).join("\n")).not.toContain("c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0");
    } finally {
      await t.cleanup();
    }
  });
});
