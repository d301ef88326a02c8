// Hostile input on every route (taken from app.routes, so new routes are covered): malformed, oversized, deeply
// nested or junk requests answer a 4xx in the error shape of docs/api.md, never a 500 or a stack, and change nothing stored.
import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { buildTestApp, createApiKey, sqlRows, type TestApp } from "../helpers/app.ts";
import { createEndpoint } from "../helpers/endpoints.ts";
import { buildRequest, type JsonResponse, json, readResponse, streamOf } from "../helpers/http.ts";

const LIMIT = 4096;
const TYPE = "order.created";
const BODY_METHODS = new Set(["POST", "PUT", "PATCH", "DELETE"]);
const TABLES = ["events", "deliveries", "attempts", "endpoints", "api_keys", "event_types"];
const STACK = /^\s*at\s|\bat \S+ \(|\/src\/|node_modules|\.ts:\d+/m;

interface Route {
  method: string;
  /** The pattern, e.g. /v1/endpoints/:id. */
  pattern: string;
  /** A realistic path: params filled with ids of real objects. */
  path: string;
  /** The route's body schema, if it has one. */
  body?: Record<string | symbol, unknown>;
  /** Names of its query parameters. */
  query: string[];
}

interface Fixture {
  t: TestApp;
  routes: Route[];
  /** Real ids by the path prefix of their parameter. */
  ids: Record<string, string>;
}

/** A gateway with one of each object: event type, endpoint (its filter skips every event), event, delivery, key. */
async function fixture(maxBodyBytes: number, listen = false): Promise<Fixture> {
  const t = await buildTestApp({
    listen,
    config: { server: { max_body_bytes: maxBodyBytes }, auth: { rate_limit_per_minute: 1_000_000 } },
  });
  const key = { key: t.adminKey };
  expect((await json(t.app, "POST", "/v1/event-types", { ...key, body: { name: TYPE } })).status).toBe(201);
  const endpoint = await createEndpoint(t, {
    events: [TYPE],
    filter: { all: [{ field: "data.never", op: "exists" }] },
  });
  const published = await json(t.app, "POST", "/v1/events", { ...key, body: { type: TYPE, data: { n: 1 } } });
  expect(published.body.data.deliveries[0].status).toBe("skipped");
  const apiKey = await createApiKey(t, { scopes: ["events:read"] });
  const ids: Record<string, string> = {
    "/v1/endpoints": endpoint.id,
    "/v1/events": published.body.data.id,
    "/v1/deliveries": published.body.data.deliveries[0].id,
    "/v1/api-keys": apiKey.id,
    "/v1/event-types": TYPE,
  };
  const routes = t.app.routes
    .filter((r) => !r.path.startsWith("/docs"))
    .map((r) => {
      const hooks = r.hooks as { body?: Route["body"]; query?: { properties?: object } } | undefined;
      return {
        method: r.method,
        pattern: r.path,
        path: fill(r.path, ids),
        body: hooks?.body,
        query: Object.keys(hooks?.query?.properties ?? {}),
      };
    });
  return { t, routes, ids };
}

/** The pattern with its parameter replaced by a real id (or `value`, when given). */
function fill(pattern: string, ids: Record<string, string>, value?: string): string {
  const at = pattern.indexOf("/:");
  if (at < 0) return pattern;
  return pattern.replace(/:[A-Za-z_]+/, value ?? ids[pattern.slice(0, at)] ?? "unknown_0");
}

/** Row counts and a digest of every row of the tables a write could touch. */
function snapshot(t: TestApp): Record<string, string> {
  const out: Record<string, string> = {};
  for (const table of TABLES) {
    const rows = sqlRows(t, `SELECT * FROM ${table}`);
    out[table] = `${rows.length} rows, digest ${Bun.hash(JSON.stringify(rows)).toString(16)}`;
  }
  return out;
}

/** Snapshots the store before the tests of a describe; `unchanged()` adds the last test, which compares. */
function storeGuard(fixture: () => Fixture) {
  let before: Record<string, string>;
  beforeAll(() => {
    before = snapshot(fixture().t);
  });
  return {
    /** Takes a new snapshot (after a test that writes on purpose). */
    retake: () => {
      before = snapshot(fixture().t);
    },
    unchanged: () => it("changed nothing stored", () => expect(snapshot(fixture().t)).toEqual(before)),
  };
}

/** Why `res` is not a proper client error (with `status`/`code` when given); empty when it is. */
function problemsOf(
  label: string,
  res: JsonResponse,
  expected: { status?: number | number[]; code?: string } = {},
): string[] {
  const problems: string[] = [];
  const statuses = expected.status === undefined ? null : [expected.status].flat();
  if (res.status < 400 || res.status > 499 || (statuses && !statuses.includes(res.status)))
    problems.push(`status ${res.status}${statuses ? `, expected ${statuses.join(" or ")}` : ""}`);
  if (typeof res.body?.error?.code !== "string" || typeof res.body?.error?.message !== "string")
    problems.push("no {error: {code, message}} JSON body");
  else if (expected.code && res.body.error.code !== expected.code)
    problems.push(`code ${res.body.error.code}, expected ${expected.code}`);
  if (STACK.test(res.text)) problems.push("a stack trace or source path in the body");
  return problems.length === 0 ? [] : [`${label}: ${problems.join("; ")} — ${res.text.slice(0, 200)}`];
}

const send = async (t: TestApp, request: Request) => readResponse(await t.app.handle(request));
const bytes = (...parts: (string | number[])[]) =>
  new Uint8Array(parts.flatMap((p) => (typeof p === "string" ? [...new TextEncoder().encode(p)] : p)));

describe("hostile input", () => {
  let small: Fixture;
  let big: Fixture;
  beforeAll(async () => {
    small = await fixture(LIMIT, true);
    big = await fixture(4 * 1024 * 1024);
  });
  afterAll(async () => {
    await small?.t.cleanup();
    await big?.t.cleanup();
  });

  /** Sends `make(route)` to every route that takes a body (skipping nulls); returns the problems of the answers. */
  async function everyBodyRoute(
    f: Fixture,
    make: (r: Route) => Request | null,
    expected: Parameters<typeof problemsOf>[2],
  ): Promise<string[]> {
    const problems: string[] = [];
    for (const route of f.routes.filter((r) => BODY_METHODS.has(r.method))) {
      const request = make(route);
      if (request) problems.push(...problemsOf(`${route.method} ${route.pattern}`, await send(f.t, request), expected));
    }
    return problems;
  }

  /** A request to `route` with the admin key and `body` (raw), content-type JSON unless `headers` says otherwise. */
  const to = (
    f: Fixture,
    route: Route,
    body: unknown,
    headers: Record<string, string> = { "content-type": "application/json" },
  ) => buildRequest(route.method, route.path, { key: f.t.adminKey, body, headers });

  it("finds the routes to test in app.routes: all but /docs", () => {
    expect(small.routes.length).toBeGreaterThanOrEqual(25);
    expect(small.routes.filter((r) => BODY_METHODS.has(r.method)).length).toBeGreaterThanOrEqual(13);
  });

  describe("bodies", () => {
    const store = storeGuard(() => small);

    it("answers malformed JSON with 400", async () => {
      for (const text of ['{"a":', "{'a': 1}", '{"a": 1,}', "NaN", '{"a": 1} trailing']) {
        expect(
          await everyBodyRoute(small, (r) => to(small, r, text), { status: 400, code: "validation_error" }),
        ).toEqual([]);
      }
    });

    it("answers other content types with 415", async () => {
      expect(
        await everyBodyRoute(small, (r) => to(small, r, '{"a": 1}', { "content-type": "text/plain" }), {
          status: 415,
          code: "unsupported_media_type",
        }),
      ).toEqual([]);
      expect(
        await everyBodyRoute(
          small,
          (r) => to(small, r, "a=1&b=2", { "content-type": "application/x-www-form-urlencoded" }),
          { status: 415, code: "unsupported_media_type" },
        ),
      ).toEqual([]);
      expect(
        await everyBodyRoute(small, (r) => to(small, r, "<a/>", { "content-type": "application/xml" }), {
          status: 415,
          code: "unsupported_media_type",
        }),
      ).toEqual([]);
      // Bytes carry no content-type of their own.
      expect(
        await everyBodyRoute(small, (r) => to(small, r, bytes('{"a": 1}'), {}), {
          status: 415,
          code: "unsupported_media_type",
        }),
      ).toEqual([]);
    });

    it("answers a JSON value that is not an object with 400", async () => {
      for (const text of ["[]", '[{"a": 1}]', '"text"', "42", "null", "true"]) {
        expect(
          await everyBodyRoute(small, (r) => to(small, r, text), { status: 400, code: "validation_error" }),
        ).toEqual([]);
      }
    });

    it("answers an empty body with 400 where the route needs one", async () => {
      const needsBody = (r: Route) =>
        r.method === "PATCH" || (r.body !== undefined && !(Symbol.for("TypeBox.Optional") in r.body));
      for (const body of [() => undefined, () => "", () => streamOf()]) {
        expect(
          await everyBodyRoute(small, (r) => (needsBody(r) ? to(small, r, body()) : null), {
            status: 400,
            code: "validation_error",
          }),
        ).toEqual([]);
      }
      expect(
        await everyBodyRoute(small, (r) => (needsBody(r) ? to(small, r, "  \n ") : null), {
          status: 400,
          code: "validation_error",
        }),
      ).toEqual([]);
    });

    it("answers bytes that are not UTF-8 with 400", async () => {
      for (const bad of [[0xff, 0xfe], [0xc3], [0xed, 0xa0, 0x80], [0xf8, 0x88, 0x80, 0x80, 0x80]]) {
        expect(
          await everyBodyRoute(small, (r) => to(small, r, bytes('{"name": "', bad, '"}')), {
            status: 400,
            code: "validation_error",
          }),
        ).toEqual([]);
      }
    });

    it("answers lone surrogate escapes with 400, in values and in keys", async () => {
      for (const text of [
        '{"name": "\\ud800"}',
        '{"description": "a\\udc00b"}',
        '{"data": {"x": ["\\ud83d"]}}',
        '{"metadata": {"\\udfff": "v"}}',
      ]) {
        const problems = await everyBodyRoute(small, (r) => to(small, r, text), {
          status: 400,
          code: "validation_error",
        });
        expect(problems).toEqual([]);
      }
      const res = await send(
        small.t,
        to(
          small,
          small.routes.find((r) => r.pattern === "/v1/events" && r.method === "POST")!,
          `{"type": "${TYPE}", "data": {"note": "\\ud800"}}`,
        ),
      );
      expect(res.body.error.details).toEqual([
        { field: "data.note", message: "contains an unpaired UTF-16 surrogate (such as \\ud800)" },
      ]);
    });

    it("refuses __proto__ keys and leaves Object.prototype alone", async () => {
      for (const text of [
        '{"__proto__": {"admin": true}}',
        '{"metadata": {"__proto__": "x"}}',
        '{"data": {"a": [{"__proto__": {"polluted": 1}}]}}',
      ]) {
        expect(
          await everyBodyRoute(small, (r) => to(small, r, text), { status: 400, code: "validation_error" }),
        ).toEqual([]);
      }
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
      expect(({} as Record<string, unknown>).admin).toBeUndefined();
    });

    store.unchanged();
  });

  describe("413 payload_too_large", () => {
    const store = storeGuard(() => small);
    const oversized = `{"pad": "${"x".repeat(LIMIT)}"}`;
    const expected = { status: 413, code: "payload_too_large" };

    it("answers a declared content-length over the limit", async () => {
      expect(
        await everyBodyRoute(
          small,
          (r) =>
            to(small, r, oversized, { "content-type": "application/json", "content-length": String(oversized.length) }),
          expected,
        ),
      ).toEqual([]);
      expect(
        await everyBodyRoute(
          small,
          (r) => to(small, r, "{}", { "content-type": "application/json", "content-length": "99999999999999999999" }),
          expected,
        ),
      ).toEqual([]);
    });

    it("answers a chunked body without content-length once it passes the limit", async () => {
      const chunks = () => streamOf('{"pad": "', ...Array.from({ length: 10 }, () => "x".repeat(1000)), '"}');
      expect(await everyBodyRoute(small, (r) => to(small, r, chunks()), expected)).toEqual([]);
    });

    it("answers over a real socket too, with and without content-length", async () => {
      const problems: string[] = [];
      for (const route of small.routes.filter((r) => BODY_METHODS.has(r.method))) {
        for (const [how, body] of [
          ["content-length", oversized],
          ["chunked", streamOf(oversized.slice(0, 3000), oversized.slice(3000))],
        ] as const) {
          const init = {
            method: route.method,
            body,
            headers: { authorization: `Bearer ${small.t.adminKey}`, "content-type": "application/json" },
            duplex: "half",
          };
          const res = await readResponse(await fetch(`${small.t.url}${route.path}`, init as RequestInit));
          problems.push(...problemsOf(`${route.method} ${route.pattern} (${how})`, res, expected));
        }
      }
      expect(problems).toEqual([]);
    });

    // Bun.serve's maxRequestBodySize (src/gateway.ts: max_body_bytes + 64 KiB) answers first, with an empty 413.
    it("answers a body far over the limit in the error shape too", async () => {
      const res = await readResponse(
        await fetch(`${small.t.url}/v1/events`, {
          method: "POST",
          body: "x".repeat(1_000_000),
          headers: { authorization: `Bearer ${small.t.adminKey}`, "content-type": "application/json" },
        }),
      );
      expect(problemsOf("POST /v1/events (1 MB)", res, expected)).toEqual([]);
    });

    store.unchanged();
  });

  describe("deep nesting, huge arrays and expensive schemas", () => {
    const store = storeGuard(() => big);

    it("answers 10,000 nested arrays or objects with 400 naming the nesting", async () => {
      const nested = [
        `{"data": {"x": ${"[".repeat(10_000)}${"]".repeat(10_000)}}}`,
        `{"data": ${'{"a": '.repeat(10_000)}1${"}".repeat(10_000)}}`,
        `{"x": ${"[".repeat(100_000)}${"]".repeat(100_000)}}`,
      ];
      for (const text of nested) {
        expect(await everyBodyRoute(big, (r) => to(big, r, text), { status: 400, code: "validation_error" })).toEqual(
          [],
        );
      }
      const res = await send(
        big.t,
        to(big, big.routes.find((r) => r.pattern === "/v1/events" && r.method === "POST")!, nested[0]),
      );
      expect(res.body.error.message).toBe("The request body is nested more than 64 levels deep.");
      expect(res.body.error.details).toEqual([{ field: "data", message: "is nested more than 64 levels deep" }]);
    });

    it("accepts 64 levels", async () => {
      const res = await json(big.t.app, "POST", "/v1/events", {
        key: big.t.adminKey,
        body: JSON.parse(`{"type": "${TYPE}", "data": {"x": ${"[".repeat(62)}${"]".repeat(62)}}}`),
      });
      expect(res.status).toBe(202);
      store.retake();
    });

    it("answers huge arrays and maps with 400, quickly", async () => {
      const ep = fill("/v1/endpoints/:id", big.ids);
      const many = <T>(n: number, f: (i: number) => T) => Array.from({ length: n }, (_, i) => f(i));
      const cases: [string, string, unknown, string][] = [
        ["POST", "/v1/endpoints", { url: "https://example.com/h", events: many(100_000, () => TYPE) }, "events"],
        ["POST", "/v1/endpoints", { url: "https://example.com/h", events: many(100_000, (i) => i) }, "events"],
        ["PATCH", ep, { events: many(100_000, () => "*") }, "events"],
        [
          "POST",
          "/v1/endpoints",
          {
            url: "https://example.com/h",
            events: [TYPE],
            metadata: Object.fromEntries(many(100_000, (i) => [`k${i}`, "v"])),
          },
          "metadata",
        ],
        [
          "POST",
          "/v1/endpoints",
          {
            url: "https://example.com/h",
            events: [TYPE],
            headers: Object.fromEntries(many(10_000, (i) => [`X-H${i}`, "v"])),
          },
          "headers",
        ],
        [
          "POST",
          "/v1/endpoints",
          { url: "https://example.com/h", events: [TYPE], retry_schedule: many(100_000, () => "5s") },
          "retry_schedule",
        ],
        [
          "POST",
          "/v1/endpoints",
          {
            url: "https://example.com/h",
            events: [TYPE],
            filter: { any: many(50_000, (i) => ({ field: "data.a", op: "equals", value: i })) },
          },
          "filter",
        ],
        ["POST", "/v1/deliveries/replay", { ids: many(10_000, (i) => `dlv_${i}`) }, "ids"],
        ["POST", "/v1/events", { type: TYPE, data: {}, endpoint_ids: many(100_000, () => "ep_x") }, "endpoint_ids"],
        ["POST", "/v1/api-keys", { name: "k", scopes: many(100_000, () => "events:read") }, "scopes"],
      ];
      const problems: string[] = [];
      for (const [method, path, body, field] of cases) {
        const started = performance.now();
        const res = await json(big.t.app, method, path, { key: big.t.adminKey, body });
        const ms = performance.now() - started;
        problems.push(...problemsOf(`${method} ${path} ${field}`, res, { status: 400, code: "validation_error" }));
        if (
          !(res.body?.error?.details ?? []).some(
            (d: { field: string }) =>
              d.field === field || d.field.startsWith(`${field}.`) || d.field.startsWith(`${field}[`),
          )
        )
          problems.push(`${method} ${path}: details do not name ${field}: ${res.text.slice(0, 200)}`);
        if (ms > 2000) problems.push(`${method} ${path} ${field}: took ${Math.round(ms)} ms`);
      }
      expect(problems).toEqual([]);
    });

    it("refuses event-type schemas whose regexes need backtracking, or that recurse or do not compile", async () => {
      const cases: [Record<string, unknown>, string][] = [
        [{ type: "object", properties: { a: { type: "string", pattern: "^(a)\\1$" } } }, "schema.properties.a.pattern"],
        [{ type: "array", items: [{ pattern: "(?=[0-9])x" }] }, "schema.items[0].pattern"],
        [{ type: "object", patternProperties: { "^(?<!\\w)x$": {} } }, "schema.patternProperties.^(?<!\\w)x$"],
        [{ $ref: "#" }, "schema.$ref"],
        [{ $ref: "https://example.com/schema.json" }, "schema"],
        [{ type: "nonsense" }, "schema"],
      ];
      const problems: string[] = [];
      for (const [schema, field] of cases) {
        const started = performance.now();
        const res = await json(big.t.app, "POST", "/v1/event-types", {
          key: big.t.adminKey,
          body: { name: "evil.type", schema, example: { a: `${"a".repeat(40)}!` } },
        });
        problems.push(
          ...problemsOf(`schema ${JSON.stringify(schema)}`, res, { status: 400, code: "validation_error" }),
        );
        if (res.body?.error?.details?.[0]?.field !== field)
          problems.push(`schema ${JSON.stringify(schema)}: details do not name ${field}: ${res.text.slice(0, 200)}`);
        if (performance.now() - started > 1000)
          problems.push(`schema ${JSON.stringify(schema)}: took ${Math.round(performance.now() - started)} ms`);
      }
      expect(problems).toEqual([]);
    });

    store.unchanged();
  });

  describe("header injection", () => {
    const store = storeGuard(() => small);
    const base = { url: "https://example.com/hooks", events: [TYPE] };

    it("refuses custom header values and names that would break or split the request, naming the field", async () => {
      const cases: [Record<string, unknown>, string][] = [
        [{ headers: { "X-A": "a\r\nX-Evil: 1" } }, "headers.X-A"],
        [{ headers: { "X-A": "a\nb" } }, "headers.X-A"],
        [{ headers: { "X-A": "a\rb" } }, "headers.X-A"],
        [{ headers: { "X-A": "a\u0000b" } }, "headers.X-A"],
        [{ headers: { "X-A": "a\u0001b" } }, "headers.X-A"],
        [{ headers: { "X-A": "日本" } }, "headers.X-A"],
        [{ headers: { "X Bad": "v" } }, "headers.X Bad"],
        [{ headers: { "X:Bad": "v" } }, "headers.X:Bad"],
        [{ headers: { "X-A\r\nX-Evil": "v" } }, "headers.X-A\r\nX-Evil"],
        [{ headers: { "": "v" } }, "headers."],
        [{ auth: { type: "bearer", token: "t\r\nX-Evil: 1" } }, "auth.token"],
        [{ auth: { type: "bearer", token: "tökén→" } }, "auth.token"],
        [{ auth: { type: "basic", username: "u", password: "p\r\nX-Evil: 1" } }, "auth.password"],
        [{ auth: { type: "header", name: "X-Key", value: "v\nX-Evil: 1" } }, "auth.value"],
        [{ auth: { type: "header", name: "X-Key: 1\r\nX-Evil", value: "v" } }, "auth.name"],
        [{ signing: { scheme: "hmac-sha256", signature_header: "X-Sig\r\nX-Evil: 1" } }, "signing.signature_header"],
        [{ signing: { scheme: "hmac-sha256", prefix: "sha256=\r\n" } }, "signing.prefix"],
        [{ url: "https://example.com/ho\r\noks" }, "url"],
        [{ url: "https://exa\tmple.com/hooks" }, "url"],
      ];
      const problems: string[] = [];
      for (const [fields, field] of cases) {
        for (const [method, path, body] of [
          ["POST", "/v1/endpoints", { ...base, ...fields }],
          ["PATCH", fill("/v1/endpoints/:id", small.ids), fields],
        ] as const) {
          const res = await json(small.t.app, method, path, { key: small.t.adminKey, body });
          problems.push(
            ...problemsOf(`${method} ${JSON.stringify(fields)}`, res, { status: 400, code: "validation_error" }),
          );
          if (!(res.body?.error?.details ?? []).some((d: { field: string }) => d.field === field))
            problems.push(
              `${method} ${JSON.stringify(fields)}: details do not name ${JSON.stringify(field)}: ${res.text.slice(0, 200)}`,
            );
        }
      }
      expect(problems).toEqual([]);
    });

    it("refuses an Idempotency-Key with control characters or over 255 characters, naming idempotency_key", async () => {
      const problems: string[] = [];
      for (const key of ["a\u0001b", "a\u007fb", "a\tb", "\u001b[31m", "k".repeat(256)]) {
        const res = await json(small.t.app, "POST", "/v1/events", {
          key: small.t.adminKey,
          body: { type: TYPE, data: {} },
          headers: { "idempotency-key": key },
        });
        problems.push(
          ...problemsOf(`Idempotency-Key ${JSON.stringify(key.slice(0, 20))}`, res, {
            status: 400,
            code: "validation_error",
          }),
        );
        if (res.body?.error?.details?.[0]?.field !== "idempotency_key")
          problems.push(`Idempotency-Key ${JSON.stringify(key.slice(0, 20))}: not named`);
      }
      for (const key of ["a\r\nb", "a\u0000b", ""]) {
        const res = await json(small.t.app, "POST", "/v1/events", {
          key: small.t.adminKey,
          body: { type: TYPE, data: {}, idempotency_key: key },
        });
        problems.push(
          ...problemsOf(`idempotency_key ${JSON.stringify(key)}`, res, { status: 400, code: "validation_error" }),
        );
      }
      expect(problems).toEqual([]);
    });

    it("refuses a target_url with CR/LF and answers junk Authorization headers with 401", async () => {
      const problems: string[] = [];
      const res = await json(small.t.app, "POST", "/v1/events", {
        key: small.t.adminKey,
        body: { type: TYPE, data: {}, target_url: "https://example.com/a\r\nHost: evil" },
      });
      problems.push(...problemsOf("target_url", res, { status: 400, code: "validation_error" }));
      for (const authorization of [
        `Bearer ${"x".repeat(100_000)}`,
        "Bearer a\u0001b",
        "Basic dXNlcjpwYXNz",
        "Bearer",
        `Bearer ${small.t.adminKey} extra`,
      ]) {
        const res = await json(small.t.app, "POST", "/v1/endpoints", { body: base, headers: { authorization } });
        problems.push(
          ...problemsOf(`Authorization ${authorization.slice(0, 20)}`, res, { status: 401, code: "unauthorized" }),
        );
      }
      expect(problems).toEqual([]);
    });

    store.unchanged();
  });

  describe("query strings", () => {
    const lists = () => small.routes.filter((r) => r.method === "GET" && r.query.length > 0);

    async function everyList(param: string, values: string[], field = param): Promise<string[]> {
      const problems: string[] = [];
      for (const route of lists().filter((r) => r.query.includes(param))) {
        for (const value of values) {
          const res = await json(small.t.app, "GET", `${route.path}?${param}=${value}`, { key: small.t.adminKey });
          const label = `GET ${route.pattern}?${param}=${value.slice(0, 40)}`;
          problems.push(...problemsOf(label, res, { status: 400, code: "validation_error" }));
          if (!(res.body?.error?.details ?? []).some((d: { field: string }) => d.field === field))
            problems.push(`${label}: details do not name ${field}`);
        }
      }
      return problems;
    }

    it("has list routes with limit, cursor, since/until and status to test", () => {
      expect(lists().filter((r) => r.query.includes("limit")).length).toBeGreaterThanOrEqual(5);
      expect(lists().filter((r) => r.query.includes("since")).length).toBeGreaterThanOrEqual(3);
    });

    it("answers absurd limits with 400 naming limit", async () => {
      expect(
        await everyList("limit", [
          "-1",
          "0",
          "101",
          "1e9",
          "abc",
          "NaN",
          "1.5",
          "",
          "Infinity",
          "%ff",
          "9".repeat(400),
        ]),
      ).toEqual([]);
    });

    it("answers garbage cursors with 400 naming cursor", async () => {
      const random = encodeURIComponent(
        String.fromCharCode(...Array.from({ length: 64 }, (_, i) => (i * 37 + 11) % 256)),
      );
      const huge = Buffer.from("z".repeat(10_000)).toString("base64url");
      const traversal = Buffer.from("../../etc/passwd").toString("base64url");
      expect(
        await everyList("cursor", [
          random,
          huge,
          "../../etc/passwd",
          "..%2F..%2Fetc%2Fpasswd",
          traversal,
          "%00",
          "%ff%fe",
          "AAAA",
          "====",
        ]),
      ).toEqual([]);
    });

    it("answers since/until that are not times with 400 naming them", async () => {
      const junk = ["yesterday", "2026-13-45T00:00:00Z", "0", "1e99", "%00", "2026-06-06T25:00:00Z"];
      expect(await everyList("since", junk)).toEqual([]);
      expect(await everyList("until", junk)).toEqual([]);
    });

    it("answers unknown enum values and unknown parameters with 400", async () => {
      expect(await everyList("status", ["bogus", "PENDING", "", "pending,failed"])).toEqual([]);
      expect(await everyList("enabled", ["maybe", "2", ""])).toEqual([]);
      const problems: string[] = [];
      for (const route of lists()) {
        const res = await json(small.t.app, "GET", `${route.path}?evil=1`, { key: small.t.adminKey });
        problems.push(...problemsOf(`GET ${route.pattern}?evil=1`, res, { status: 400, code: "validation_error" }));
      }
      expect(problems).toEqual([]);
    });
  });

  describe("path parameters", () => {
    const store = storeGuard(() => small);
    /** A body each route would accept, so that only the id is wrong. */
    const VALID: Record<string, unknown> = {
      "PATCH /v1/endpoints/:id": { description: "x" },
      "POST /v1/endpoints/:id/rotate-secret": {},
      "POST /v1/endpoints/:id/preview": { type: TYPE, data: {} },
      "POST /v1/endpoints/:id/recover": { since: "2026-01-01T00:00:00Z" },
    };
    const JUNK = [
      "..%2F..%2Fetc%2Fpasswd",
      "%2e%2e%2f%2e%2e%2fetc%2fpasswd",
      "..%5C..%5Cwindows",
      "%00",
      "a%00b",
      "%ff",
      "%E0%A4%A",
      "%ZZ",
      "x".repeat(10_000),
      "%F0%9F%92%A9",
      encodeURIComponent("日本語"),
      "ep_",
      "ep_0",
      `ep_${"0".repeat(40)}`,
      "evt_01",
      "dlv_",
      "key_x",
      "'%20OR%201=1--",
      "%22%3E%3Cscript%3E",
      "null",
      "undefined",
      "__proto__",
      "constructor",
      "%20",
    ];

    it("answers junk ids with 404 (or 400) in the error shape on every route with a parameter", async () => {
      const problems: string[] = [];
      for (const route of small.routes.filter((r) => r.pattern.includes("/:"))) {
        for (const id of JUNK) {
          const body = VALID[`${route.method} ${route.pattern}`];
          const res = await json(small.t.app, route.method, fill(route.pattern, small.ids, id), {
            key: small.t.adminKey,
            body,
          });
          problems.push(
            ...problemsOf(`${route.method} ${route.pattern} id=${id.slice(0, 30)}`, res, { status: [400, 404] }),
          );
        }
      }
      expect(problems).toEqual([]);
    });

    it("never lets ../ escape the route", async () => {
      const res = await json(small.t.app, "GET", "/v1/endpoints/../../etc/passwd", { key: small.t.adminKey });
      expect(problemsOf("GET /v1/endpoints/../../etc/passwd", res, { status: 404, code: "not_found" })).toEqual([]);
    });

    store.unchanged();
  });

  describe("unknown routes and wrong methods", () => {
    it("answers unknown paths with 404 not_found", async () => {
      const problems: string[] = [];
      for (const path of [
        "/",
        "/v1",
        "/v2/endpoints",
        "/v1/nope",
        "/v1/endpoints/x/y/z",
        "/v1//endpoints",
        "/%ff",
        "/v1/%00",
        "/.env",
        "/admin",
        `/${"a".repeat(10_000)}`,
      ]) {
        for (const key of [small.t.adminKey, undefined]) {
          const res = await json(small.t.app, "GET", path, { key });
          problems.push(
            ...problemsOf(`GET ${path.slice(0, 40)}${key ? "" : " (no key)"}`, res, { status: 404, code: "not_found" }),
          );
        }
      }
      expect(problems).toEqual([]);
    });

    it("answers a method a path does not have with 404 not_found, also with a body", async () => {
      const problems: string[] = [];
      const paths = [...new Set(small.routes.map((r) => r.pattern))];
      for (const pattern of paths) {
        const has = new Set(small.routes.filter((r) => r.pattern === pattern).map((r) => r.method));
        for (const method of ["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE"].filter((m) => !has.has(m))) {
          const body = method === "GET" || method === "TRACE" ? undefined : { a: 1 };
          const res = await json(small.t.app, method, fill(pattern, small.ids), { key: small.t.adminKey, body });
          problems.push(...problemsOf(`${method} ${pattern}`, res, { status: 404, code: "not_found" }));
        }
      }
      expect(problems).toEqual([]);
    });
  });

  it("logged no internal error along the way", () => {
    const lines = [...(small.t.logger.lines ?? []), ...(big.t.logger.lines ?? [])];
    expect(lines.filter((l) => /internal_error|unhandled error|response failed its schema/.test(l))).toEqual([]);
  });
});
