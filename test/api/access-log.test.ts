// The access log: one JSON line per request with method, path, status and duration, never a key.
import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { withAccessLog } from "../../src/api/access-log.ts";
import { createLogger, memoryLogger } from "../../src/lib/logger.ts";
import { buildTestApp, type TestApp } from "../helpers/app.ts";
import { json } from "../helpers/http.ts";

describe("access log", () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await buildTestApp();
  });
  afterAll(() => t?.cleanup());

  const logged = () => {
    const logger = memoryLogger();
    const handler = { handle: withAccessLog((r) => t.app.handle(r), logger) };
    return { logger, handler };
  };

  it("writes method, path, status and duration", async () => {
    const { logger, handler } = logged();
    await json(handler, "GET", "/healthz");
    expect(logger.lines).toHaveLength(1);
    const line = JSON.parse(logger.lines[0]!);
    expect(line).toMatchObject({ level: "info", msg: "request", method: "GET", path: "/healthz", status: 200 });
    expect(line.duration_ms).toBeNumber();
    expect(line.duration_ms).toBeGreaterThanOrEqual(0);
    expect(Date.parse(line.time)).not.toBeNaN();
  });

  it("logs the path without the query string", async () => {
    const { logger, handler } = logged();
    await json(handler, "GET", "/v1/api-keys?limit=5", { key: t.adminKey });
    expect(JSON.parse(logger.lines[0]!)).toMatchObject({ method: "GET", path: "/v1/api-keys", status: 200 });
  });

  it("logs error statuses", async () => {
    const { logger, handler } = logged();
    await json(handler, "DELETE", "/v1/api-keys/key_x", { key: "hg_wrong" });
    await json(handler, "GET", "/missing");
    expect(logger.lines.map((l) => JSON.parse(l).status)).toEqual([401, 404]);
  });

  it("never writes the Authorization header or the key", async () => {
    const { logger, handler } = logged();
    await json(handler, "GET", "/v1/api-keys", { key: t.adminKey });
    await json(handler, "GET", "/v1/api-keys", { key: "hg_not-a-real-key-but-secret-anyway" });
    expect(logger.lines).toHaveLength(2);
    const all = logger.lines.join("\n");
    expect(all).not.toContain(t.adminKey);
    expect(all).not.toContain("hg_not-a-real-key-but-secret-anyway");
    expect(all.toLowerCase()).not.toContain("bearer");
  });

  it("redacts fields named like secrets in any log line", () => {
    const lines: string[] = [];
    const logger = createLogger({ sink: (l) => lines.push(l) });
    logger.info("x", { authorization: "Bearer abc", nested: { secret: "s", api_key: "k", password: "p" }, ok: 1 });
    expect(JSON.parse(lines[0]!)).toMatchObject({
      authorization: "[redacted]",
      nested: { secret: "[redacted]", api_key: "[redacted]", password: "[redacted]" },
      ok: 1,
    });
  });

  it("respects the level", () => {
    const lines: string[] = [];
    const logger = createLogger({ level: "warn", sink: (l) => lines.push(l) });
    logger.info("quiet");
    logger.warn("loud");
    expect(lines.map((l) => JSON.parse(l).msg)).toEqual(["loud"]);
  });
});

describe("unhandled errors", () => {
  it("are answered as a bare internal_error and logged with context", async () => {
    const t = await buildTestApp();
    try {
      const store = t.store as { apiKeyById: (id: string) => Promise<unknown> };
      store.apiKeyById = async () => {
        throw new Error("SQLITE_CORRUPT: select * from api_keys where secret = 'hunter2'");
      };
      const res = await json(t.app, "DELETE", "/v1/api-keys/key_x", { key: t.adminKey });
      expect(res.status).toBe(500);
      expect(res.body).toEqual({
        error: {
          code: "internal_error",
          message: "Something went wrong on our side; the error was logged.",
          details: [],
        },
      });
      expect(res.text).not.toContain("SQLITE");
      const logged = (t.logger.lines ?? []).map((l) => JSON.parse(l)).find((l) => l.msg === "unhandled error");
      expect(logged).toMatchObject({ level: "error", method: "DELETE", path: "/v1/api-keys/key_x" });
    } finally {
      await t.cleanup();
    }
  });
});
