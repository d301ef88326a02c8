// Request bodies: JSON only (415), at most server.max_body_bytes (413, also when chunked), valid UTF-8 and JSON (400).
import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { buildTestApp, type TestApp } from "../helpers/app.ts";
import { buildRequest, json, readResponse, streamOf } from "../helpers/http.ts";

const LIMIT = 4096;

describe("request bodies", () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await buildTestApp({ config: { server: { max_body_bytes: LIMIT } } });
  });
  afterAll(() => t?.cleanup());

  const post = (body: unknown, headers: Record<string, string> = {}) =>
    json(t.app, "POST", "/v1/api-keys", {
      key: t.adminKey,
      body,
      headers: { "content-type": "application/json", ...headers },
    });
  /** A valid create-key body, with `padding` spaces of insignificant whitespace to reach a given size. */
  const valid = (padding = 0) => `{${" ".repeat(padding)}"name": "k", "scopes": ["events:write"]}`;

  describe("413 payload_too_large", () => {
    it("answers a content-length over the limit", async () => {
      const res = await post(valid(LIMIT));
      expect(res.status).toBe(413);
      expect(res.body).toEqual({
        error: {
          code: "payload_too_large",
          message: `The request body is larger than the limit of ${LIMIT} bytes.`,
          details: [],
        },
      });
    });

    it("answers a chunked body without content-length once it passes the limit", async () => {
      const chunks = [
        `{"name": "k", "scopes": ["events:write"],`,
        ` "pad": "${"x".repeat(1000)}`,
        "x".repeat(1000),
        "x".repeat(1000),
        "x".repeat(1000),
        "x".repeat(1000),
        `"}`,
      ];
      const request = buildRequest("POST", "/v1/api-keys", {
        key: t.adminKey,
        body: streamOf(...chunks),
        headers: { "content-type": "application/json" },
      });
      expect(request.headers.get("content-length")).toBeNull();
      const res = await readResponse(await t.app.handle(request));
      expect(res.status).toBe(413);
      expect(res.body.error.code).toBe("payload_too_large");
    });

    it("accepts a body of exactly the limit", async () => {
      const body = valid(0);
      const exact = valid(LIMIT - new TextEncoder().encode(body).byteLength);
      expect(new TextEncoder().encode(exact).byteLength).toBe(LIMIT);
      expect((await post(exact)).status).toBe(201);
    });

    it("accepts a chunked body under the limit", async () => {
      const request = buildRequest("POST", "/v1/api-keys", {
        key: t.adminKey,
        body: streamOf('{"name": "chunked",', ' "scopes": ["events:write"]}'),
        headers: { "content-type": "application/json" },
      });
      expect((await t.app.handle(request)).status).toBe(201);
    });
  });

  describe("415 unsupported_media_type", () => {
    it("answers a text/plain body", async () => {
      const res = await post(valid(), { "content-type": "text/plain" });
      expect(res.status).toBe(415);
      expect(res.body).toEqual({
        error: {
          code: "unsupported_media_type",
          message: "Send the body as JSON with content-type: application/json.",
          details: [],
        },
      });
    });

    it("answers a form body", async () => {
      expect(
        (await post("name=x&scopes=events:write", { "content-type": "application/x-www-form-urlencoded" })).status,
      ).toBe(415);
    });

    it("accepts application/json with a charset and +json types", async () => {
      expect((await post(valid(), { "content-type": "application/json; charset=utf-8" })).status).toBe(201);
      expect((await post(valid(), { "content-type": "application/merge-patch+json" })).status).toBe(201);
    });
  });

  describe("400 validation_error", () => {
    it("answers malformed JSON", async () => {
      const res = await post('{"name": "x", "scopes": [');
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe("validation_error");
      expect(res.body.error.message).toStartWith("The request body is not valid JSON");
    });

    it("answers a body that is not valid UTF-8", async () => {
      const bytes = new Uint8Array([
        ...new TextEncoder().encode('{"name": "'),
        0xff,
        0xfe,
        ...new TextEncoder().encode('", "scopes": ["events:write"]}'),
      ]);
      const res = await post(bytes);
      expect(res.status).toBe(400);
      expect(res.body).toEqual({
        error: { code: "validation_error", message: "The request body is not valid UTF-8.", details: [] },
      });
    });

    it("answers a JSON value that is not an object", async () => {
      const res = await post("[1, 2]");
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe("validation_error");
    });

    it("answers a missing body", async () => {
      const res = await json(t.app, "POST", "/v1/api-keys", { key: t.adminKey });
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe("validation_error");
    });
  });

  describe("numbers that cannot travel faithfully", () => {
    const publish = (text: string) =>
      json(t.app, "POST", "/v1/events", {
        key: t.adminKey,
        body: `{"type": "order.created", "data": ${text}}`,
        headers: { "content-type": "application/json" },
      });
    const fieldOf = (res: { body: any }) => res.body.error.details;

    it("answers 1e400 (Infinity once parsed) with 400 naming the field", async () => {
      const res = await publish('{"total": 1e400}');
      expect(res.status).toBe(400);
      expect(fieldOf(res)).toEqual([
        { field: "data.total", message: expect.stringContaining("too large to be represented") },
      ]);
    });

    it("answers a 30-digit integer with 400 naming the field and suggesting a string", async () => {
      const res = await publish('{"items": [{"id": 123456789012345678901234567890}]}');
      expect(res.status).toBe(400);
      expect(fieldOf(res)).toEqual([
        { field: "data.items[0].id", message: expect.stringContaining("send it as a string") },
      ]);
    });

    it("answers a number that underflows to 0", async () => {
      const res = await publish('{"tiny": 1e-400}');
      expect(res.status).toBe(400);
      expect(fieldOf(res)).toEqual([{ field: "data.tiny", message: expect.stringContaining("too small") }]);
    });

    it("answers an underflow written as a long fraction with a small exponent", async () => {
      const res = await publish(`{"tiny": 0.${"0".repeat(250)}1e-99}`);
      expect(res.status).toBe(400);
      expect(fieldOf(res)).toEqual([{ field: "data.tiny", message: expect.stringContaining("too small") }]);
    });

    it("accepts the largest safe integers, zero in any spelling and ordinary decimals", async () => {
      const res = await publish(
        '{"a": 9007199254740991, "b": -9007199254740991, "c": 0e-500, "d": 1.5e-300, "e": 0.1}',
      );
      expect(res.status).toBe(202);
    });
  });
});
