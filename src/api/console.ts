// GET /console (the operator console), /console/portal (the tenant portal) and their assets, from the binary.
// Both pages are the same client of the public /v1 API; the bundle is loaded on first use, so processes that
// never serve the console (tests, CLI commands) do not build it.
import { Elysia, t } from "elysia";
import type { Config } from "../config/index.ts";
import { consoleHeaders } from "../console/headers.ts";
import { errorResponse } from "./errors.ts";

type Assets = typeof import("../console/assets.ts");
let loading: Promise<Assets> | null = null;
const assets = () => (loading ??= import("../console/assets.ts"));

const hidden = { detail: { hide: true } };

export function consolePlugin(config: Pick<Config, "console">) {
  const portalAncestors = config.console.frame_ancestors;
  const page = async (ancestors: readonly string[]) =>
    new Response((await assets()).PAGE, {
      headers: consoleHeaders("text/html; charset=utf-8", "no-cache", ancestors),
    });
  return new Elysia({ name: "console" })
    .get("/console", () => page([]), hidden)
    .get("/console/", () => page([]), hidden)
    .get("/console/portal", () => page(portalAncestors), hidden)
    .get(
      "/console/assets/:file",
      async ({ params, request }) => {
        const asset = (await assets()).ASSETS.get(params.file);
        if (!asset) {
          const missing = errorResponse(404, "not_found", `No console asset ${params.file}.`);
          for (const [k, v] of Object.entries(consoleHeaders("application/json; charset=utf-8", "no-store", [])))
            missing.headers.set(k, v);
          return missing;
        }
        // Names carry a content hash, so an asset never changes under its name.
        const headers = consoleHeaders(asset.type, "public, max-age=31536000, immutable", portalAncestors);
        headers.vary = "accept-encoding";
        if (!/\bgzip\b/.test(request.headers.get("accept-encoding") ?? ""))
          return new Response(asset.body, { headers });
        return new Response(asset.gzip, { headers: { ...headers, "content-encoding": "gzip" } });
      },
      { params: t.Object({ file: t.String({ maxLength: 100 }) }), ...hidden },
    );
}
