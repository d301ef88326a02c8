// Operations routes (no auth) and the shape of answers to unknown routes.
import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { buildTestApp, type TestApp } from "../helpers/app.ts";
import { json } from "../helpers/http.ts";

describe("operations", () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await buildTestApp();
  });
  afterAll(() => t?.cleanup());

  it("GET /healthz answers 200 {status: ok} without a key", async () => {
    const res = await json(t.app, "GET", "/healthz");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toStartWith("application/json");
    expect(res.body).toEqual({ status: "ok" });
  });

  it("GET /readyz answers 200 while the store answers", async () => {
    const res = await json(t.app, "GET", "/readyz");
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: "ok" });
  });

  it("GET /readyz answers 503 once the gateway is stopping", async () => {
    const own = await buildTestApp();
    await own.gateway.stop();
    const res = await json(own.app, "GET", "/readyz");
    expect(res.status).toBe(503);
    expect(res.body.status).not.toBe("ok");
    await own.cleanup();
  });

  it("answers an unknown route with a 404 JSON error", async () => {
    for (const [method, path] of [
      ["GET", "/nope"],
      ["POST", "/v1/nothing-here"],
      ["GET", "/v1"],
    ] as const) {
      const res = await json(t.app, method, path);
      expect(res.status).toBe(404);
      expect(res.headers.get("content-type")).toStartWith("application/json");
      expect(res.body).toEqual({ error: { code: "not_found", message: `No route ${method} ${path}.`, details: [] } });
    }
  });
});
