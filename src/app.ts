// createApp(deps): the Elysia app from the api plugins. No I/O at import time; main.ts serves it.
import { Elysia } from "elysia";
import type { ApiDeps } from "./api/context.ts";
import { parseJsonBody } from "./api/body.ts";
import { renderError } from "./api/errors.ts";
import { apiKeysPlugin } from "./api/api-keys.ts";
import { opsPlugin } from "./api/ops.ts";
import { docsPlugin } from "./api/docs.ts";
import { eventTypesPlugin } from "./api/event-types.ts";
import { endpointsPlugin } from "./api/endpoints.ts";
import { endpointActionsPlugin } from "./api/endpoint-actions.ts";
import { eventsPlugin } from "./api/events.ts";
import { deliveriesPlugin } from "./api/deliveries.ts";
import { publicKeyPlugin } from "./api/public-key.ts";

const BODY_METHODS = new Set(["POST", "PUT", "PATCH", "DELETE"]);

export function createApp(deps: ApiDeps) {
  const limit = deps.config.server.max_body_bytes;
  return new Elysia({ normalize: false, aot: true })
    .onParse({ as: "global" }, ({ request }) => (BODY_METHODS.has(request.method) ? parseJsonBody(request, limit) : undefined))
    // Authenticate /v1 requests before their body is validated: no key → 401, never a 400 that reveals the shape.
    .onTransform({ as: "global" }, async ({ request, path }) => {
      if (path.startsWith("/v1/") && path !== "/v1/public-key") await deps.auth.authenticate(request.headers.get("authorization"));
    })
    .onError({ as: "global" }, ({ code, error, request }) => {
      const url = new URL(request.url);
      return renderError(code, error, { method: request.method, path: url.pathname }, deps.logger);
    })
    .use(docsPlugin(deps.version))
    .use(opsPlugin(deps))
    .use(apiKeysPlugin(deps))
    .use(eventTypesPlugin(deps))
    .use(endpointsPlugin(deps))
    .use(endpointActionsPlugin(deps))
    .use(eventsPlugin(deps))
    .use(deliveriesPlugin(deps))
    .use(publicKeyPlugin(deps));
}

export type App = ReturnType<typeof createApp>;
