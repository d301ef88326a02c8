// /docs: Swagger UI served from assets embedded in the binary (no CDN), and /docs/json: the OpenAPI document.

import { swagger } from "@elysiajs/swagger";
import { Elysia } from "elysia";
// @ts-expect-error
import css from "swagger-ui-dist/swagger-ui.css" with { type: "text" };
// @ts-expect-error -- text imports of the vendored UI; `bun build --compile` embeds them.
import bundleJs from "swagger-ui-dist/swagger-ui-bundle.js" with { type: "text" };
import { finishDocument } from "./openapi.ts";
import { ErrorModel } from "./pagination.ts";

const TAGS = [
  { name: "Events", description: "Publish events; hookgate fans each out to the subscribed endpoints." },
  { name: "Endpoints", description: "Webhook subscriptions: URL, event types, secret, signing, filter, transform." },
  {
    name: "Event types",
    description: "The catalog of event types (optional; when non-empty, only known types are accepted).",
  },
  {
    name: "Deliveries",
    description: "One delivery per event and endpoint, with every attempt logged; replay and recover.",
  },
  { name: "API keys", description: "Scoped keys for the management API." },
  { name: "Public key", description: "The gateway's Ed25519 public key for verifying v1a signatures." },
  { name: "Operations", description: "Health, readiness and metrics (no auth)." },
];

const DESCRIPTION = `hookgate is a self-hosted webhook gateway. Authenticate with \`Authorization: Bearer <api key>\`.

* Single objects are \`{"data": {...}}\`; lists are \`{"data": [...], "next_cursor": "…" | null, "has_more": bool}\`, newest first, \`limit\` 1–100 (default 20).
* Errors are \`{"error": {"code", "message", "details": [{"field", "message"}]}}\` with codes validation_error (400), unauthorized (401), forbidden (403), not_found (404), conflict / managed_by_config (409), payload_too_large (413), unsupported_media_type (415), rate_limited (429), internal_error (500), unavailable (503).
* Unknown body fields are rejected (400) so that typos do not pass silently.
* A tenant-scoped key never sees another tenant's objects: they answer 404.`;

const page = `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8" />
  <meta name="viewport" content="width=device-width, initial-scale=1" />
  <title>hookgate API</title>
  <link rel="stylesheet" href="/docs/assets/swagger-ui.css" />
</head>
<body>
  <div id="swagger-ui"></div>
  <script src="/docs/assets/swagger-ui-bundle.js"></script>
  <script>
    window.ui = SwaggerUIBundle({ url: "/docs/json", dom_id: "#swagger-ui", validatorUrl: null, deepLinking: true, persistAuthorization: true });
  </script>
</body>
</html>`;

const cached = (body: string, type: string) => () =>
  new Response(body, { headers: { "content-type": type, "cache-control": "public, max-age=86400" } });

export function docsPlugin(version: string) {
  // The swagger plugin's document, finished once (routes do not change after the app is built).
  let finished: object | null = null;
  return new Elysia({ name: "docs" })
    .model({ Error: ErrorModel })
    .onAfterHandle(({ path, response }) => {
      if (path !== "/docs/json") return;
      finished ??= finishDocument(response as Record<string, unknown>);
      return finished;
    })
    .use(
      swagger({
        provider: "swagger-ui",
        path: "/docs",
        specPath: "/docs/json",
        exclude: [/^\/docs/],
        documentation: {
          info: { title: "hookgate API", version, description: DESCRIPTION },
          tags: TAGS,
          components: {
            securitySchemes: {
              bearer: {
                type: "http",
                scheme: "bearer",
                description: "An API key: `hg_…` or an admin key from the config file.",
              },
            },
          },
          security: [{ bearer: [] }],
        },
      }),
    )
    .get("/docs", cached(page, "text/html; charset=utf-8"), { detail: { hide: true } })
    .get("/docs/assets/swagger-ui-bundle.js", cached(bundleJs as string, "text/javascript; charset=utf-8"), {
      detail: { hide: true },
    })
    .get("/docs/assets/swagger-ui.css", cached(css as string, "text/css; charset=utf-8"), { detail: { hide: true } });
}
