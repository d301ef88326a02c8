// /console, /console/portal and their assets: served from the app itself (no CDN), with the security headers.
import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { buildTestApp, type TestApp } from "../helpers/app.ts";
import { json } from "../helpers/http.ts";

const get = (t: TestApp, path: string) => t.app.handle(new Request(`http://localhost${path}`));

describe("console routes", () => {
  let t: TestApp;
  let framed: TestApp;
  beforeAll(async () => {
    t = await buildTestApp();
    framed = await buildTestApp({
      config: { console: { frame_ancestors: ["https://app.example.com", "https://*.example.org"] } },
    });
  }, 30_000);
  afterAll(async () => {
    await t?.cleanup();
    await framed?.cleanup();
  });

  /** The asset paths a page links to. */
  const assetsOf = (html: string) => [...html.matchAll(/(?:src|href)="(\/console\/assets\/[^"]+)"/g)].map((m) => m[1]!);

  it("serves one page that loads only its own hashed assets, with no inline script or style", async () => {
    const res = await get(t, "/console");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/html; charset=utf-8");
    expect(res.headers.get("cache-control")).toBe("no-cache");
    const html = await res.text();
    expect(html).not.toMatch(/<script(?![^>]*\ssrc=)/);
    expect(html).not.toMatch(/<style|\sstyle=|\son\w+=/);
    expect(html).not.toMatch(/https?:\/\//);
    const assets = assetsOf(html);
    expect(assets.map((a) => a.replace(/\.[0-9a-f]{10}\./, ".*."))).toEqual([
      "/console/assets/icon.*.svg",
      "/console/assets/console.*.css",
      "/console/assets/console.*.js",
    ]);
    for (const path of assets) {
      const asset = await get(t, path);
      expect(asset.status).toBe(200);
      expect(asset.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
      expect(asset.headers.get("x-content-type-options")).toBe("nosniff");
      const body = await asset.text();
      // Nothing is fetched from another origin at run time (the XML namespace of the icon is a name, not a fetch).
      expect(body.replaceAll("http://www.w3.org/2000/svg", "")).not.toMatch(/(?:src|href|url)\s*[=(]\s*["']?https?:/);
    }
  });

  it("sends a strict CSP, nosniff and no-referrer with every console response; the console is never framed", async () => {
    for (const path of ["/console", "/console/", "/console/portal", "/console/assets/nope.js"]) {
      const res = await get(t, path);
      const csp = res.headers.get("content-security-policy") ?? "";
      expect(csp).toContain("default-src 'none'");
      expect(csp).toContain("script-src 'self'");
      expect(csp).toContain("style-src 'self'");
      expect(csp).toContain("connect-src 'self'");
      expect(csp).toContain("frame-ancestors 'none'");
      expect(csp).not.toContain("unsafe-inline");
      expect(res.headers.get("x-content-type-options")).toBe("nosniff");
      expect(res.headers.get("referrer-policy")).toBe("no-referrer");
    }
  });

  it("lets the origins of console.frame_ancestors frame the portal only", async () => {
    const portal = await get(framed, "/console/portal");
    expect(portal.headers.get("content-security-policy")).toContain(
      "frame-ancestors https://app.example.com https://*.example.org",
    );
    expect(portal.headers.get("x-frame-options")).toBeNull();
    const operator = await get(framed, "/console");
    expect(operator.headers.get("content-security-policy")).toContain("frame-ancestors 'none'");
    expect(operator.headers.get("x-frame-options")).toBe("DENY");
  });

  it("sends the bundle gzipped to clients that accept it", async () => {
    const html = await (await get(t, "/console")).text();
    const script = assetsOf(html).find((a) => a.endsWith(".js"))!;
    const plain = await get(t, script);
    const zipped = await t.app.handle(
      new Request(`http://localhost${script}`, { headers: { "accept-encoding": "gzip, br" } }),
    );
    expect(zipped.headers.get("content-encoding")).toBe("gzip");
    expect(zipped.headers.get("vary")).toBe("accept-encoding");
    const bytes = new Uint8Array(await zipped.arrayBuffer());
    expect(new TextDecoder().decode(Bun.gunzipSync(bytes))).toBe(await plain.text());
    expect(bytes.length).toBeLessThan(60_000);
  });

  it("answers an unknown asset with a 404 in the API's error shape", async () => {
    const res = await json(t.app, "GET", "/console/assets/console.0000000000.js");
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe("not_found");
  });

  it("is not part of the OpenAPI document", async () => {
    const doc = await json(t.app, "GET", "/docs/json");
    expect(Object.keys(doc.body.paths).filter((p) => p.startsWith("/console"))).toEqual([]);
    expect(Object.keys(doc.body.paths)).toEqual(expect.arrayContaining(["/v1/stats", "/v1/portal-sessions", "/v1/me"]));
  });
});
