// The OpenAPI document as client generators and linters read it: valid 3.1, every error response declared with
// the error schema, scopes named (and the named scope is the one enforced), and request examples a gateway accepts.
import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { writeFileSync } from "node:fs";
import type { Resolver } from "../../src/delivery/ssrf-guard.ts";
import { SCOPES } from "../../src/store/index.ts";
import { buildTestApp, createApiKey, type TestApp } from "../helpers/app.ts";
import { tempDir } from "../helpers/temp.ts";

type Json = Record<string, any>;

const REDOCLY = new URL("../../node_modules/.bin/redocly", import.meta.url).pathname;
/** Deliveries to the examples' example.com resolve to loopback, which the guard refuses: nothing leaves. */
const LOCAL_DNS: Resolver = async () => ["127.0.0.1"];
const GRANTABLE = SCOPES.filter((s) => s !== "admin");

let t: TestApp;
let doc: Json;
beforeAll(async () => {
  t = await buildTestApp({ listen: true, resolver: LOCAL_DNS });
  const res = await fetch(`${t.url}/docs/json`);
  expect(res.status).toBe(200);
  doc = await res.json();
});
afterAll(() => t?.cleanup());

interface Operation {
  route: string;
  path: string;
  method: string;
  op: Json;
}

const operations = (): Operation[] =>
  Object.entries(doc.paths as Json).flatMap(([path, item]) =>
    Object.entries(item as Json).map(([method, op]) => ({
      route: `${method.toUpperCase()} ${path}`,
      path,
      method,
      op,
    })),
  );
const authenticated = (o: Operation) => o.path.startsWith("/v1/") && o.path !== "/v1/public-key";
/** A response, following its $ref into components.responses. */
const resolved = (response: Json): Json =>
  response.$ref ? { ...doc.components.responses[response.$ref.split("/").pop()], ...response } : response;

/** Calls `visit` on every schema object in the document (by walking all objects under a `schema` key). */
function eachSchema(node: unknown, visit: (schema: Json, at: string) => void, at = "#", inSchema = false): void {
  if (node === null || typeof node !== "object") return;
  if (inSchema && !Array.isArray(node)) visit(node as Json, at);
  for (const [key, value] of Object.entries(node))
    eachSchema(value, visit, `${at}/${key}`, inSchema || key === "schema" || key === "schemas");
}

describe("the OpenAPI document", () => {
  it("is OpenAPI 3.1 with no error under Redocly's recommended rules", async () => {
    expect(doc.openapi).toBe("3.1.0");
    const dir = tempDir();
    try {
      writeFileSync(dir.file("openapi.json"), JSON.stringify(doc));
      const run = Bun.spawnSync(
        [REDOCLY, "lint", "--extends", "recommended", "--format", "json", dir.file("openapi.json")],
        {
          cwd: dir.path,
          env: { ...process.env, REDOCLY_TELEMETRY: "off", REDOCLY_SUPPRESS_UPDATE_NOTICE: "true" },
          stdout: "pipe",
          stderr: "pipe",
        },
      );
      const report = JSON.parse(run.stdout.toString());
      const errors = report.problems.filter((p: Json) => p.severity === "error");
      expect(errors.map((p: Json) => `${p.ruleId} ${p.location?.[0]?.pointer}: ${p.message}`)).toEqual([]);
      expect(report.totals.errors).toBe(0);
    } finally {
      dir.cleanup();
    }
  }, 60_000);

  it("has no coercion unions: integers are integers and booleans are booleans", () => {
    const unions: string[] = [];
    eachSchema(doc, (schema, at) => {
      const texts = (schema.anyOf ?? []).filter((s: Json) => s.type === "string" && s.format);
      if (texts.some((s: Json) => ["integer", "number", "boolean"].includes(s.format))) unions.push(at);
    });
    expect(unions).toEqual([]);
  });

  it("documents limit as an integer from 1 to 100 that defaults to 20", () => {
    const limits = operations().flatMap((o) => (o.op.parameters ?? []).filter((p: Json) => p.name === "limit"));
    expect(limits.length).toBeGreaterThanOrEqual(4);
    for (const limit of limits)
      expect(limit.schema).toMatchObject({ type: "integer", minimum: 1, maximum: 100, default: 20 });
  });

  it("takes request bodies as application/json only, and answers JSON (metrics: text)", () => {
    const bad: string[] = [];
    for (const { route, op } of operations()) {
      const accepted = Object.keys(op.requestBody?.content ?? { "application/json": {} });
      if (accepted.join() !== "application/json") bad.push(`${route} takes ${accepted}`);
      for (const [status, response] of Object.entries(op.responses as Json)) {
        const types = Object.keys(resolved(response).content ?? {});
        const expected = route === "GET /metrics" ? "text/plain" : "application/json";
        if (types.length > 0 && types.join() !== expected) bad.push(`${route} ${status} answers ${types}`);
      }
    }
    expect(bad).toEqual([]);
  });

  it("describes every response", () => {
    const bad = operations().flatMap(({ route, op }) =>
      Object.entries(op.responses as Json)
        .filter(([, response]) => !resolved(response).description)
        .map(([status]) => `${route} ${status}`),
    );
    expect(bad).toEqual([]);
  });

  it("declares the error responses each operation can give, with the error schema", () => {
    const bad: string[] = [];
    for (const o of operations()) {
      const params: Json[] = o.op.parameters ?? [];
      const expected = new Set<string>();
      if (params.length > 0 || o.op.requestBody) expected.add("400");
      if (o.op.requestBody) expected.add("413").add("415");
      if (params.some((p) => p.in === "path")) expected.add("404");
      if (authenticated(o)) {
        expected.add("401");
        if (o.op["x-required-scope"] !== "any") expected.add("403");
        if (o.route !== "POST /v1/events") expected.add("429");
      }
      const declared = Object.keys(o.op.responses).filter((s) => /^4\d\d$/.test(s) && s !== "409");
      if (declared.sort().join() !== [...expected].sort().join())
        bad.push(`${o.route}: ${declared} ≠ ${[...expected]}`);
      for (const status of declared) {
        const schema = resolved(o.op.responses[status]).content?.["application/json"]?.schema;
        if (schema?.$ref !== "#/components/schemas/Error") bad.push(`${o.route} ${status}: not the Error schema`);
      }
    }
    expect(bad).toEqual([]);
    expect(doc.components.schemas.Error.properties.error.required).toContain("details");
  });

  it("declares 409 where a route can conflict, saying why", () => {
    const conflicting = operations()
      .filter((o) => o.op.responses["409"])
      .map((o) => o.route);
    expect(conflicting.sort()).toEqual(
      [
        "DELETE /v1/endpoints/{id}",
        "PATCH /v1/endpoints/{id}",
        "POST /v1/endpoints/{id}/rotate-secret",
        "POST /v1/event-types",
        "DELETE /v1/event-types/{name}",
        "POST /v1/deliveries/{id}/replay",
        "POST /v1/events",
      ].sort(),
    );
    expect(resolved(doc.paths["/v1/events"].post.responses["409"]).description).toContain("idempotency_key_reused");
    const patch = doc.paths["/v1/endpoints/{id}"].patch.responses["409"];
    expect(resolved(patch).description).toContain("managed_by_config");
  });

  it("names the scope of every authenticated operation in its description", () => {
    const bad: string[] = [];
    for (const o of operations().filter(authenticated)) {
      const scope = o.op["x-required-scope"];
      if (scope !== "any" && !SCOPES.includes(scope)) bad.push(`${o.route}: x-required-scope ${scope}`);
      const named = scope === "any" ? "Any valid API key" : `\`${scope}\``;
      if (!String(o.op.description).includes(named)) bad.push(`${o.route}: description does not name ${scope}`);
    }
    expect(bad).toEqual([]);
  });

  it("declares the Idempotency-Key header and the Idempotent-Replayed answer of POST /v1/events", () => {
    const publish = doc.paths["/v1/events"].post;
    expect(publish.parameters).toContainEqual(
      expect.objectContaining({
        in: "header",
        name: "Idempotency-Key",
        schema: expect.objectContaining({ type: "string" }),
      }),
    );
    expect(publish.responses["200"].headers["Idempotent-Replayed"].schema).toEqual({ type: "string", enum: ["true"] });
    expect(publish.parameters.find((p: Json) => p.name === "wait").schema).toMatchObject({
      type: "boolean",
      default: false,
    });
  });
});

/** The documented request examples of `o`: each body (or one request without a body) with the query examples. */
function examplesOf(o: Operation): { body?: unknown; query: string }[] {
  const query = new URLSearchParams();
  for (const p of o.op.parameters ?? [])
    if (p.in === "query" && p.example !== undefined) query.set(p.name, String(p.example));
  const q = query.size > 0 ? `?${query}` : "";
  const media = o.op.requestBody?.content?.["application/json"];
  if (!media) return [{ query: q }];
  return Object.values((media.examples ?? {}) as Json).map((e) => ({ body: e.value, query: q }));
}

/** Creating routes first (their answers give the ids for path parameters), deletions last. */
const order = (o: Operation) =>
  o.method === "delete" ? 3 : o.method === "post" && !o.path.includes("{") ? (o.path === "/v1/events" ? 1 : 0) : 2;

describe("request examples", () => {
  it("exist for every request body", () => {
    const missing = operations()
      .filter(
        (o) =>
          o.op.requestBody && Object.keys(o.op.requestBody.content["application/json"].examples ?? {}).length === 0,
      )
      .map((o) => o.route);
    expect(missing).toEqual([]);
  });

  it("are all accepted by a running gateway (no 400), in an order that creates what later ones name", async () => {
    // Path parameters take the id of what the creating examples made, by resource (`/v1/<resource>/{id}`).
    const ids: Record<string, string> = { "event-types": "run.completed" };
    const resourceOf = (path: string) => path.split("/")[2]!;
    const answered: string[] = [];
    const refused: string[] = [];
    const ops = operations()
      .filter((o) => o.path.startsWith("/v1/"))
      .sort((a, b) => order(a) - order(b));
    for (const o of ops) {
      for (const example of examplesOf(o)) {
        const path = o.path.replace(/\{\w+\}/, encodeURIComponent(ids[resourceOf(o.path)] ?? "unknown"));
        const res = await fetch(`${t.url}${path}${example.query}`, {
          method: o.method.toUpperCase(),
          headers: { authorization: `Bearer ${t.adminKey}`, "content-type": "application/json" },
          body: example.body === undefined ? undefined : JSON.stringify(example.body),
        });
        const text = await res.text();
        answered.push(`${o.route} ${res.status}`);
        if (res.status === 400 || res.status >= 500)
          refused.push(`${o.route} ${JSON.stringify(example.body)}: ${res.status} ${text}`);
        if (o.method === "post" && !o.path.includes("{") && res.status < 300) {
          const data = JSON.parse(text).data;
          ids[resourceOf(o.path)] = data.id ?? data.name;
          if (data.deliveries?.[0]) ids.deliveries = data.deliveries[0].id;
        }
      }
    }
    expect(refused).toEqual([]);
    expect(ids.deliveries).toMatch(/^dlv_/);
    // Every example reached its handler: none was refused for a missing object or a missing key.
    expect(answered.filter((a) => / (401|403|404)$/.test(a))).toEqual([]);
  }, 30_000);
});

describe("scopes", () => {
  it("are enforced as documented: the named scope passes, every other non-admin scope is refused", async () => {
    const keys = new Map<string, string>();
    const keyWith = async (scopes: string[]) => {
      const id = scopes.join();
      if (!keys.has(id)) keys.set(id, (await createApiKey(t, { scopes })).key);
      return keys.get(id)!;
    };
    const bad: string[] = [];
    for (const o of operations().filter(authenticated)) {
      const scope = o.op["x-required-scope"];
      if (scope === "any") continue;
      const example = examplesOf(o)[0]!;
      const path = o.path.replace(/\{\w+\}/g, "missing");
      const send = async (key: string) =>
        (
          await fetch(`${t.url}${path}${example.query}`, {
            method: o.method.toUpperCase(),
            headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
            body: example.body === undefined ? undefined : JSON.stringify(example.body),
          })
        ).status;
      const others = await send(await keyWith(GRANTABLE.filter((s) => s !== scope)));
      if (others !== 403) bad.push(`${o.route} without ${scope}: ${others}`);
      if (scope !== "admin") {
        const own = await send(await keyWith([scope]));
        if (own === 401 || own === 403) bad.push(`${o.route} with ${scope}: ${own}`);
      }
    }
    expect(bad).toEqual([]);
  }, 30_000);
});
