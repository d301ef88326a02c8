// /docs (Swagger UI from the binary, no CDN) and /docs/json (OpenAPI 3 listing every route with schemas).
import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { buildTestApp, type TestApp } from "../helpers/app.ts";
import { json } from "../helpers/http.ts";

interface Operation {
  tags?: string[];
  summary?: string;
  security?: Record<string, string[]>[];
  parameters?: { in: string; name: string; schema?: unknown }[];
  requestBody?: { content?: Record<string, { schema?: unknown }> };
  responses?: Record<string, { content?: Record<string, { schema?: unknown }> }>;
}

/** Elysia `/v1/things/:id` → OpenAPI `/v1/things/{id}`. */
const openApiPath = (path: string) => path.replace(/:([A-Za-z0-9_]+)/g, "{$1}");
/** Routes the document must describe: every route of the app except the docs and the console (pages, not API). */
const documentedRoutes = (t: TestApp) =>
  t.app.routes.filter((r) => !r.path.startsWith("/docs") && !r.path.startsWith("/console"));
const PUBLIC = new Set(["/healthz", "/readyz", "/metrics", "/v1/public-key"]);

describe("API documentation", () => {
  let t: TestApp;
  let doc: {
    openapi: string;
    info: { title: string; version: string };
    tags: { name: string }[];
    paths: Record<string, Record<string, Operation>>;
    components: any;
    security: unknown;
  };
  beforeAll(async () => {
    t = await buildTestApp();
    const res = await json(t.app, "GET", "/docs/json");
    expect(res.status).toBe(200);
    doc = res.body;
  });
  afterAll(() => t?.cleanup());

  const operations = () =>
    documentedRoutes(t).map((r) => ({
      route: `${r.method} ${r.path}`,
      route_: r,
      op: doc.paths[openApiPath(r.path)]?.[r.method.toLowerCase()],
    }));

  describe("GET /docs/json", () => {
    it("is an OpenAPI 3 document titled hookgate API with the package version", async () => {
      expect(doc.openapi).toMatch(/^3\./);
      expect(doc.info.title).toBe("hookgate API");
      const pkg = await Bun.file(new URL("../../package.json", import.meta.url)).json();
      expect(doc.info.version).toBe(pkg.version);
    });

    it("declares the bearer scheme and requires it by default", () => {
      expect(doc.components.securitySchemes.bearer).toMatchObject({ type: "http", scheme: "bearer" });
      expect(doc.security).toEqual([{ bearer: [] }]);
    });

    it("has the API's tags", () => {
      const names = doc.tags.map((tag) => tag.name);
      for (const name of ["Events", "Endpoints", "Event types", "Deliveries", "API keys", "Operations"])
        expect(names).toContain(name);
    });

    it("lists every route of the app", () => {
      const routes = documentedRoutes(t);
      expect(routes.length).toBeGreaterThanOrEqual(5);
      const missing = operations()
        .filter((o) => !o.op)
        .map((o) => o.route);
      expect(missing).toEqual([]);
    });

    it("lists no route the app does not have, and not the docs themselves", () => {
      const real = new Set(documentedRoutes(t).map((r) => `${r.method.toLowerCase()} ${openApiPath(r.path)}`));
      const listed = Object.entries(doc.paths).flatMap(([path, ops]) =>
        Object.keys(ops).map((method) => `${method} ${path}`),
      );
      expect(listed.filter((l) => !real.has(l))).toEqual([]);
      expect(Object.keys(doc.paths).filter((p) => p.startsWith("/docs"))).toEqual([]);
    });

    it("writes paths as docs/api.md does, without a trailing slash", () => {
      expect(Object.keys(doc.paths).filter((p) => p.length > 1 && p.endsWith("/"))).toEqual([]);
    });

    it("tags and summarises every operation", () => {
      const known = new Set(doc.tags.map((tag) => tag.name));
      const bad = operations()
        .filter(({ op }) => !(op?.tags ?? []).some((tag) => known.has(tag)) || typeof op?.summary !== "string")
        .map((o) => o.route);
      expect(bad).toEqual([]);
    });

    it("documents the request body schema of every route that takes one", () => {
      const withBody = operations().filter((o) => o.route_.hooks?.body);
      expect(withBody.length).toBeGreaterThan(0);
      const bad = withBody
        .filter(({ op }) => op?.requestBody?.content?.["application/json"]?.schema === undefined)
        .map((o) => o.route);
      expect(bad).toEqual([]);
    });

    it("documents a success response of every route, with a schema unless it is 204", () => {
      const bad: string[] = [];
      for (const { route, route_, op } of operations()) {
        const success = Object.keys(op?.responses ?? {}).filter((s) => /^2\d\d$/.test(s));
        if (success.length === 0) bad.push(`${route}: no 2xx response`);
        for (const status of success.filter((s) => s !== "204")) {
          const content = op?.responses?.[status]?.content ?? {};
          // /v1 answers JSON; operations routes may answer text (Prometheus metrics).
          const schema = route_.path.startsWith("/v1/")
            ? content["application/json"]?.schema
            : Object.values(content).find((c) => c.schema)?.schema;
          if (schema === undefined) bad.push(`${route}: ${status} without a schema`);
        }
      }
      expect(bad).toEqual([]);
    });

    it("documents every path parameter", () => {
      const bad: string[] = [];
      for (const { route, route_, op } of operations()) {
        const names = [...route_.path.matchAll(/:([A-Za-z0-9_]+)/g)].map((m) => m[1]).sort();
        const documented = (op?.parameters ?? [])
          .filter((p) => p.in === "path")
          .map((p) => p.name)
          .sort();
        if (JSON.stringify(names) !== JSON.stringify(documented))
          bad.push(`${route}: documents ${JSON.stringify(documented)}`);
      }
      expect(bad).toEqual([]);
    });

    it("marks only the operations routes and the public key as public", () => {
      const bad: string[] = [];
      for (const { route, route_, op } of operations()) {
        const isPublic = Array.isArray(op?.security) && op.security.length === 0;
        if (isPublic !== PUBLIC.has(route_.path)) bad.push(`${route}: ${isPublic ? "public" : "requires a key"}`);
      }
      expect(bad).toEqual([]);
    });

    it("describes the error shape as a reusable schema", () => {
      expect(doc.components.schemas.Error.properties.error.required).toEqual(["code", "message", "details"]);
    });
  });

  describe("GET /docs", () => {
    it("serves the Swagger UI page, loading only its own assets", async () => {
      const res = await t.app.handle(new Request("http://localhost/docs"));
      expect(res.status).toBe(200);
      expect(res.headers.get("content-type")).toStartWith("text/html");
      const html = await res.text();
      expect(html).toContain('src="/docs/assets/swagger-ui-bundle.js"');
      expect(html).toContain('href="/docs/assets/swagger-ui.css"');
      expect(html).toContain('url: "/docs/json"');
      expect(html).not.toMatch(/(src|href)="(https?:)?\/\//);
    });

    it("serves the embedded Swagger UI assets", async () => {
      for (const [path, type] of [
        ["/docs/assets/swagger-ui-bundle.js", "text/javascript"],
        ["/docs/assets/swagger-ui.css", "text/css"],
      ] as const) {
        const res = await t.app.handle(new Request(`http://localhost${path}`));
        expect(res.status).toBe(200);
        expect(res.headers.get("content-type")).toStartWith(type);
        expect((await res.text()).length).toBeGreaterThan(10_000);
      }
    });
  });
});

describe("API documentation: no secrets in examples", () => {
  it("shows placeholders, never a usable secret, key or token", async () => {
    const t = await buildTestApp();
    try {
      const text = await (await t.app.handle(new Request("http://localhost/docs/json"))).text();
      expect(text).not.toMatch(/whsec_[A-Za-z0-9+/]{20,}/);
      expect(text).not.toMatch(/hg_[A-Za-z0-9_-]{20,}/);
      expect(text).not.toMatch(/whsk_[A-Za-z0-9+/]{20,}/);
      expect(text).not.toContain(t.adminKey);
    } finally {
      await t.cleanup();
    }
  });
});
