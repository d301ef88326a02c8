// /v1/endpoints: webhook subscriptions (create, list, get, patch, delete, rotate-secret).
import { Elysia, t } from "elysia";
import type { Endpoint } from "../endpoints/endpoint.ts";
import { TYPE_NAME } from "../endpoints/spec.ts";
import { iso } from "../lib/clock.ts";
import { NotFoundError, ValidationError } from "../lib/errors.ts";
import { actingTenant, canSee, listTenant, type Principal, routePolicy } from "./auth.ts";
import type { ApiDeps } from "./context.ts";
import { EndpointIn, EndpointPatch, RotateIn } from "./endpoint-models.ts";
import { EndpointCreated, EndpointOut, RotateOut, renderEndpoint } from "./endpoint-render.ts";
import { decodeCursor, EMPTY_PAGE, ListEnvelope, limitOf, PageQuery, page } from "./pagination.ts";

const IdParams = t.Object({
  id: t.String({ maxLength: 100, description: "Endpoint id (`ep_…`, or the id of a YAML-declared endpoint)." }),
});
const One = t.Object({ data: EndpointOut });

/** The endpoint if it exists and the key may see it; otherwise 404 (never 403 across tenants). */
export function visibleEndpoint({ registry }: Pick<ApiDeps, "registry">, principal: Principal, id: string): Endpoint {
  const endpoint = registry.get(id);
  if (!endpoint || !canSee(principal, endpoint.tenant_id)) throw new NotFoundError(`Endpoint ${id}`);
  return endpoint;
}

/** The (created_at, id) a cursor continues after; a cursor of another list (or forged) is a 400 naming `cursor`. */
function positionOf(cursor: string | null): { created_at: number; id: string } | undefined {
  if (cursor === null) return undefined;
  const match = /^(\d{1,16}):(.+)$/.exec(cursor);
  if (!match)
    throw new ValidationError("cursor is not a cursor from this list.", [{ field: "cursor", message: "is invalid" }]);
  return { created_at: Number(match[1]), id: match[2]! };
}

export function endpointsPlugin(deps: ApiDeps) {
  const { auth, registry, engine } = deps;
  const render = (e: Endpoint) => renderEndpoint(e, engine.circuitOf(e));
  return new Elysia({ name: "endpoints", prefix: "/v1/endpoints", tags: ["Endpoints"] })
    .use(routePolicy(auth))
    .post(
      "",
      async ({ principal, body, set }) => {
        const tenant = actingTenant(principal, typeof body.tenant_id === "string" ? body.tenant_id : undefined);
        const { endpoint, secret } = await registry.create({ ...body, tenant_id: tenant });
        set.status = 201;
        return { data: { ...render(endpoint), secret } };
      },
      {
        scope: "endpoints:write",
        body: EndpointIn,
        response: { 201: EndpointCreated },
        detail: {
          summary: "Create an endpoint",
          description:
            "Registers a URL for event types. The full `secret` is returned only here and on rotate-secret; reads mask it.",
        },
      },
    )
    .get(
      "",
      async ({ principal, query }) => {
        const limit = limitOf(query.limit);
        const tenant = listTenant(principal, query.tenant_id);
        if (tenant === null) return EMPTY_PAGE;
        const after = positionOf(decodeCursor(query.cursor));
        // With event_type: the endpoints that receive it, all enabled ones (so enabled=false finds none).
        const rows =
          query.event_type === undefined
            ? await registry.list({ tenant_id: tenant, enabled: query.enabled, after, limit: limit + 1 })
            : query.enabled === false
              ? []
              : registry.receivers(tenant, query.event_type, after, limit + 1);
        return page(rows, limit, (e) => `${e.created_at}:${e.id}`, render);
      },
      {
        scope: "endpoints:read",
        query: t.Object({
          tenant_id: t.Optional(t.String({ maxLength: 64 })),
          enabled: t.Optional(t.BooleanString()),
          event_type: t.Optional(
            t.String({
              maxLength: 128,
              pattern: TYPE_NAME.source,
              description:
                "Only the endpoints that would receive an event of this type now: subscribed to it exactly or by a wildcard (`run.*`, `*`), enabled and not draining.",
              examples: ["run.completed"],
            }),
          ),
          ...PageQuery,
        }),
        response: ListEnvelope(EndpointOut),
        detail: {
          summary: "List endpoints",
          description:
            "Newest first, secrets masked. Admin keys may filter by tenant_id; tenant keys see only their tenant. `event_type` lists the endpoints that would receive that type (wildcards included).",
        },
      },
    )
    .get(
      "/:id",
      async ({ principal, params }) => {
        return { data: render(visibleEndpoint(deps, principal, params.id)) };
      },
      {
        scope: "endpoints:read",
        params: IdParams,
        response: One,
        detail: { summary: "Get an endpoint", description: "The secret and outbound credentials are masked." },
      },
    )
    .patch(
      "/:id",
      async ({ principal, params, body }) => {
        visibleEndpoint(deps, principal, params.id);
        return { data: render(await registry.update(params.id, body)) };
      },
      {
        scope: "endpoints:write",
        params: IdParams,
        body: EndpointPatch,
        response: One,
        detail: {
          summary: "Update an endpoint",
          description:
            "Only given fields change; `null` clears optional fields. `enabled: true` also clears a gone/failing disable. YAML-declared endpoints answer 409 managed_by_config.",
        },
      },
    )
    .delete(
      "/:id",
      async ({ principal, params, query, set }) => {
        visibleEndpoint(deps, principal, params.id);
        if (query.drain === true) {
          const draining = await registry.drain(params.id);
          if (draining) {
            set.status = 202;
            return { data: render(draining) };
          }
        } else await registry.remove(params.id);
        return new Response(null, { status: 204 });
      },
      {
        scope: "endpoints:write",
        query: t.Object({
          drain: t.Optional(
            t.BooleanString({
              description:
                "Let pending deliveries finish first: no new deliveries from now on, the pending ones are still attempted until each ends, then the endpoint and its history are removed.",
            }),
          ),
        }),
        response: {
          202: t.Object({ data: EndpointOut }, { description: "Draining: the endpoint with status `draining`." }),
          204: t.Void({ description: "Done; no body." }),
        },
        params: IdParams,
        detail: {
          summary: "Delete an endpoint",
          description:
            "Removes the endpoint with its deliveries and attempts; a later GET is 404. With `drain=true` and deliveries still pending, answers 202 with the endpoint (status `draining`): it gets no new deliveries, the pending ones are still attempted (retries included) until each ends, then it is removed with its history; until then reads show `status: draining` and PATCH answers 409. With nothing pending it is removed at once (204). A drain survives a restart; a DELETE without drain removes a draining endpoint at once.",
        },
      },
    )
    .post(
      "/:id/rotate-secret",
      async ({ principal, params, body }) => {
        visibleEndpoint(deps, principal, params.id);
        const input = body ?? {};
        const rotated = await registry.rotateSecret(params.id, input.secret, input.grace_period_seconds ?? 86_400);
        return {
          data: { secret: rotated.secret, previous_secret_expires_at: iso(rotated.previous_secret_expires_at) },
        };
      },
      {
        scope: "endpoints:write",
        params: IdParams,
        body: t.Optional(RotateIn),
        response: RotateOut,
        detail: {
          summary: "Rotate the signing secret",
          description:
            "The new secret signs from now on; the previous one also signs until previous_secret_expires_at (grace period, default 24 h, max 7 d). standard-webhooks signs with up to 5 live secrets (one `v1,` signature each); timestamped-hmac with the current one and the newest previous one (`v1old=`): a second rotation inside the grace period ends the older previous secret.",
        },
      },
    );
}
