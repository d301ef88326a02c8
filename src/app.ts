// createApp(deps): the Elysia app from the api plugins. No I/O at import time; gateway.ts serves it.
import type { Server } from "bun";
import { Elysia } from "elysia";
import { apiKeysPlugin } from "./api/api-keys.ts";
import { parseJsonBody } from "./api/body.ts";
import { consolePlugin } from "./api/console.ts";
import type { ApiDeps } from "./api/context.ts";
import { deliveriesPlugin } from "./api/deliveries.ts";
import { docsPlugin } from "./api/docs.ts";
import { endpointActionsPlugin } from "./api/endpoint-actions.ts";
import { endpointsPlugin } from "./api/endpoints.ts";
import { renderError } from "./api/errors.ts";
import { eventTypesPlugin } from "./api/event-types.ts";
import { eventsPlugin } from "./api/events.ts";
import { RateLimitedError } from "./api/http-errors.ts";
import { mePlugin } from "./api/me.ts";
import { opsPlugin } from "./api/ops.ts";
import { portalSessionsPlugin } from "./api/portal-sessions.ts";
import { publicKeyPlugin } from "./api/public-key.ts";
import { KeyRateLimiter } from "./api/rate-limit.ts";
import { statsPlugin } from "./api/stats.ts";
import { ValidationError } from "./lib/errors.ts";

/** Everything under /v1 needs an API key, except the gateway's public key. */
const isAuthenticated = (path: string) => path.startsWith("/v1/") && path !== "/v1/public-key";

/** The client's address as the server saw it; null without a server (app.handle) or when it cannot tell. */
const addressOf = (server: Server<unknown> | null, request: Request) => server?.requestIP(request)?.address ?? null;

/** Methods that carry a body and change state (parsed as JSON; audited). */
const WRITE_METHODS = new Set(["POST", "PUT", "PATCH", "DELETE"]);
/** Publishing: not rate limited like the management API, and not audited (it is the data path). */
const PUBLISH_ROUTES = new Set(["/v1/events", "/v1/events/batch"]);

export function createApp(deps: ApiDeps) {
  const limit = deps.config.server.max_body_bytes;
  const limiter = new KeyRateLimiter(deps.config.auth.rate_limit_per_minute);
  return (
    new Elysia({ normalize: false, aot: true })
      // Authenticate /v1 requests before anything reads their body: a missing or bad key is 401 whatever the
      // body (never a 400 or 413 that reveals the route's shape); failed attempts are throttled per address.
      .onParse({ as: "global" }, async ({ request, path, server }) => {
        if (isAuthenticated(path)) await deps.auth.principalOf(request, addressOf(server, request));
        return WRITE_METHODS.has(request.method) ? parseJsonBody(request, limit) : undefined;
      })
      // Authenticate requests without a body too (once per request: a body's was checked in onParse), then
      // apply the per-key rate limit of the management API (publishing is not limited).
      .onTransform({ as: "global" }, async ({ request, path, body, server }) => {
        if (!isAuthenticated(path)) return;
        const principal = await deps.auth.principalOf(request, addressOf(server, request));
        // Elysia turns a missing body into {} for schemas without required fields, so an empty PATCH would pass.
        if (request.method === "PATCH" && body === undefined)
          throw new ValidationError("The request body is empty; PATCH needs a JSON object with the fields to change.");
        if (request.method === "POST" && PUBLISH_ROUTES.has(path)) return;
        const wait = limiter.take(principal.keyId);
        if (wait > 0) throw new RateLimitedError(wait);
      })
      // Audit log: every management change (who, what, when, outcome); never bodies, so never secrets.
      .onAfterResponse({ as: "global" }, ({ request, route, params, set, responseValue }) => {
        if (!WRITE_METHODS.has(request.method) || PUBLISH_ROUTES.has(route)) return;
        const principal = deps.auth.knownPrincipal(request);
        if (!principal) return;
        const p = params as Record<string, string> | undefined;
        deps.logger.info("audit", {
          actor: principal.keyId,
          tenant: principal.tenantId,
          action: `${request.method} ${route}`,
          target: p?.id ?? p?.name ?? null,
          status: responseValue instanceof Response ? responseValue.status : set.status,
        });
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
      .use(publicKeyPlugin(deps))
      .use(statsPlugin(deps))
      .use(portalSessionsPlugin(deps))
      .use(mePlugin(deps))
      .use(consolePlugin(deps.config))
  );
}

export type App = ReturnType<typeof createApp>;
