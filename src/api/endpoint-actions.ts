// /v1/endpoints/:id/{test,preview,recover,deliveries}: operating an endpoint rather than editing it.
import { Elysia, t } from "elysia";
import { envelopeValueOf, type LoadedEvent } from "../delivery/envelope.ts";
import { endpointRequest, staticAuthHeaders } from "../delivery/request.ts";
import type { Endpoint } from "../endpoints/endpoint.ts";
import { refuseDraining } from "../endpoints/endpoint.ts";
import { planDelivery } from "../endpoints/plan.ts";
import { TYPE_NAME } from "../endpoints/spec.ts";
import { ValidationError } from "../lib/errors.ts";
import { newId } from "../lib/ids.ts";
import { signatureValueHeader } from "../lib/signature-headers.ts";
import { routePolicy } from "./auth.ts";
import type { ApiDeps } from "./context.ts";
import { listDeliveries } from "./deliveries.ts";
import { DeliveryOut, DeliveryQuery } from "./delivery-models.ts";
import { visibleEndpoint } from "./endpoints.ts";
import { ListEnvelope, PageQuery } from "./pagination.ts";
import { isSensitiveHeader, REDACTED } from "./redact.ts";
import { parseTime } from "./time.ts";

const IdParams = t.Object({ id: t.String({ maxLength: 100 }) });

/** What a preview shows instead of a signature: a key that may only read must not get one for a body it chose. */
const SIGNATURE_PLACEHOLDER = "<computed when sent>";

/** Auth headers for a preview: credentials "****" (the scheme word kept), and no OAuth2 token is fetched. */
function previewAuthHeaders(endpoint: Endpoint): Record<string, string> {
  const fixed = staticAuthHeaders(endpoint);
  if (fixed === null)
    return {
      authorization: `Bearer (token from ${endpoint.auth && "token_url" in endpoint.auth ? endpoint.auth.token_url : "token_url"})`,
    };
  return Object.fromEntries(
    Object.entries(fixed).map(([k, v]) => [
      k,
      k.toLowerCase() === "authorization" ? `${v.split(" ")[0]} ${REDACTED}` : REDACTED,
    ]),
  );
}

/** The request headers as a preview shows them: the signature as a placeholder, sensitive custom headers "****". */
function previewHeaders(endpoint: Endpoint, headers: Record<string, string>): Record<string, string> {
  const signature = signatureValueHeader(endpoint.signing);
  const custom = new Set(Object.keys(endpoint.headers).map((name) => name.toLowerCase()));
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    const lower = name.toLowerCase();
    if (lower === signature) out[name] = SIGNATURE_PLACEHOLDER;
    else if (custom.has(lower) && isSensitiveHeader(name)) out[name] = REDACTED;
    else out[name] = value;
  }
  return out;
}

export function endpointActionsPlugin(deps: ApiDeps) {
  const { auth, ingest, engine, clock, signer, version } = deps;
  return new Elysia({ name: "endpoint-actions", prefix: "/v1/endpoints", tags: ["Endpoints"] })
    .use(routePolicy(auth))
    .post(
      "/:id/test",
      async ({ principal, params }) => {
        const endpoint = visibleEndpoint(deps, principal, params.id);
        refuseDraining(endpoint, "sent a test event");
        const report = await ingest.sendTest(endpoint);
        return {
          data: {
            delivered: report?.status === "delivered",
            http_status: report?.http_status ?? null,
            response_time_ms: report?.response_time_ms ?? null,
            error: report ? (report.status === "delivered" ? null : report.error) : "timeout: no answer in time",
          },
        };
      },
      {
        scope: "endpoints:write",
        params: IdParams,
        response: t.Object({
          data: t.Object({
            delivered: t.Boolean(),
            http_status: t.Union([t.Integer(), t.Null()]),
            response_time_ms: t.Union([t.Integer(), t.Null()]),
            error: t.Union([t.String(), t.Null()]),
          }),
        }),
        detail: {
          summary: "Send a test event",
          description:
            "Sends one `webhook.test` event now and answers with the outcome; recorded as an attempt with trigger `test`, never retried. Works on paused endpoints too.",
        },
      },
    )
    .post(
      "/:id/preview",
      async ({ principal, params, body }) => {
        const endpoint = visibleEndpoint(deps, principal, params.id);
        const now = clock.now();
        const event: LoadedEvent = {
          id: newId("evt"),
          tenant_id: endpoint.tenant_id,
          type: body.type,
          payload: JSON.stringify(body.data),
          idempotency_key: null,
          created_at: now,
        };
        const nothing = { method: null, url: null, headers: null, body: null };
        const plan = await planDelivery(endpoint, envelopeValueOf(event));
        if (plan.kind !== "deliver") return { data: { matched: false, reason: plan.reason, ...nothing } };
        // A delivery id for `signing.id_value: delivery`: each real delivery gets its own.
        const built = await endpointRequest(
          event,
          endpoint,
          { now, userAgent: `hookgate/${version}`, signer, authHeaders: previewAuthHeaders },
          { deliveryId: newId("dlv") },
        );
        if (!built.ok)
          return { data: { matched: true, reason: `${built.error.kind}: ${built.error.message}`, ...nothing } };
        const r = built.request;
        return {
          data: {
            matched: true,
            reason:
              endpoint.draining_since !== null
                ? "the endpoint is draining (being deleted); it gets no new deliveries"
                : endpoint.enabled
                  ? null
                  : `the endpoint is disabled (${endpoint.disabled_reason ?? "manual"}); nothing would be sent now`,
            method: r.method,
            url: r.url,
            headers: previewHeaders(endpoint, r.headers),
            body: r.body,
          },
        };
      },
      {
        scope: "endpoints:read",
        params: IdParams,
        body: t.Object(
          {
            type: t.String({ maxLength: 128, pattern: TYPE_NAME.source, examples: ["run.completed"] }),
            data: t.Record(t.String(), t.Unknown(), { examples: [{ run_id: "run_123", amount: 250 }] }),
          },
          { additionalProperties: false },
        ),
        response: t.Object({
          data: t.Object({
            matched: t.Boolean(),
            reason: t.Union([t.String(), t.Null()]),
            method: t.Union([t.String(), t.Null()]),
            url: t.Union([t.String(), t.Null()]),
            headers: t.Union([t.Record(t.String(), t.String()), t.Null()]),
            body: t.Union([t.String(), t.Null()]),
          }),
        }),
        detail: {
          summary: "Preview a delivery (dry run)",
          description:
            'Whether an event {type, data} would be delivered to this endpoint (and why not, e.g. which filter condition failed), and the exact method, URL, headers and body (null for GET, HEAD and OPTIONS; the transform\'s result when there is one). The signature header reads "<computed when sent>" (never a signature value); credentials and sensitive custom headers read "****". With `signing.id_value: delivery` the id is a fresh delivery id, as each real delivery gets its own. Nothing is sent or stored.',
        },
      },
    )
    .post(
      "/:id/recover",
      async ({ principal, params, body }) => {
        visibleEndpoint(deps, principal, params.id);
        const since = parseTime("since", body.since)!;
        const until = parseTime("until", body.until) ?? clock.now();
        if (since >= until) throw ValidationError.of([{ field: "since", message: "must be before until" }]);
        return { data: { requeued: await engine.recover(params.id, since, until) } };
      },
      {
        scope: "deliveries:write",
        params: IdParams,
        body: t.Object(
          { since: t.String({ format: "date-time" }), until: t.Optional(t.String({ format: "date-time" })) },
          { additionalProperties: false },
        ),
        response: t.Object({ data: t.Object({ requeued: t.Integer() }) }),
        detail: {
          summary: "Recover failed deliveries",
          description:
            "Re-queues the endpoint's failed deliveries created in [since, until) (until defaults to now); each starts a fresh run of the retry schedule.",
        },
      },
    )
    .get(
      "/:id/deliveries",
      async ({ principal, params, query }) => {
        visibleEndpoint(deps, principal, params.id);
        return listDeliveries(deps, principal, { ...query, endpoint_id: params.id });
      },
      {
        scope: "deliveries:read",
        params: IdParams,
        query: t.Object({ ...DeliveryQuery, ...PageQuery }),
        response: ListEnvelope(DeliveryOut),
        detail: { summary: "List an endpoint's deliveries", description: "Same filters as GET /v1/deliveries." },
      },
    );
}
