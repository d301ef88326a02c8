// /v1/events: publish (202 after the durable commit; idempotent) and read events with their deliveries.
import { Elysia, t } from "elysia";
import type { PublishReceipt } from "../delivery/ingest.ts";
import { TENANT_ID, TYPE_NAME } from "../endpoints/spec.ts";
import { iso } from "../lib/clock.ts";
import { NotFoundError, ValidationError } from "../lib/errors.ts";
import type { EventRecord } from "../store/index.ts";
import { actingTenant, canSee, listTenant, routePolicy } from "./auth.ts";
import type { ApiDeps } from "./context.ts";
import { DeliveryOut, renderDelivery } from "./delivery-models.ts";
import { decodeCursor, EMPTY_PAGE, ListEnvelope, limitOf, PageQuery, page } from "./pagination.ts";
import { parseTime } from "./time.ts";

export const PublishIn = t.Object(
  {
    type: t.String({ minLength: 1, maxLength: 128, pattern: TYPE_NAME.source, examples: ["run.completed"] }),
    data: t.Record(t.String(), t.Unknown(), {
      description: "The event payload (a JSON object).",
      examples: [{ run_id: "run_123", amount: 250 }],
    }),
    tenant_id: t.Optional(
      t.String({
        pattern: TENANT_ID.source,
        description: "Tenant whose endpoints receive it (default `default`; tenant keys always use their own).",
      }),
    ),
    idempotency_key: t.Optional(
      t.String({ minLength: 1, maxLength: 255, description: "Same as the Idempotency-Key header." }),
    ),
    endpoint_ids: t.Optional(
      t.Array(t.String({ maxLength: 100 }), {
        maxItems: 100,
        description: "Only these endpoints (they must exist in the tenant).",
      }),
    ),
    target_url: t.Optional(
      t.String({
        maxLength: 2048,
        description: "Also deliver once to this URL, signed with the gateway Ed25519 key (v1a).",
      }),
    ),
  },
  { additionalProperties: false, examples: [{ type: "run.completed", data: { run_id: "run_123", amount: 250 } }] },
);

const PublishedDelivery = t.Object({
  id: t.String(),
  endpoint_id: t.Union([t.String(), t.Null()]),
  status: t.String({ examples: ["pending"] }),
  http_status: t.Optional(t.Union([t.Integer(), t.Null()])),
  response_time_ms: t.Optional(t.Union([t.Integer(), t.Null()])),
  error: t.Optional(t.Union([t.String(), t.Null()])),
});

export const Published = t.Object({
  data: t.Object({
    id: t.String({ examples: ["evt_01jd3x2v7k8m9n0p1q2r3s4t5v"] }),
    type: t.String(),
    tenant_id: t.String(),
    created_at: t.String(),
    deliveries: t.Array(PublishedDelivery),
  }),
});

export const EventOut = t.Object({
  id: t.String(),
  type: t.String(),
  tenant_id: t.String(),
  data: t.Unknown(),
  idempotency_key: t.Union([t.String(), t.Null()]),
  created_at: t.String(),
});

const render = (e: EventRecord) => ({
  id: e.id,
  type: e.type,
  tenant_id: e.tenant_id,
  data: JSON.parse(e.payload),
  idempotency_key: e.idempotency_key,
  created_at: iso(e.created_at),
});

/** The idempotency key of a publish: the header or the field (both given: they must be equal), or null. */
function idempotencyKeyOf(field: string | undefined, header: string | null): string | null {
  if (field !== undefined && header !== null && field !== header) {
    throw ValidationError.of([
      { field: "idempotency_key", message: "differs from the Idempotency-Key header; send one or make them equal" },
    ]);
  }
  return field ?? header;
}

export function eventsPlugin(deps: ApiDeps) {
  const { auth, ingest, store } = deps;
  return new Elysia({ name: "events", prefix: "/v1/events", tags: ["Events"] })
    .use(routePolicy(auth))
    .post(
      "",
      async ({ principal, request, body, query, set }) => {
        const result = await ingest.publish({
          tenantId: actingTenant(principal, body.tenant_id),
          type: body.type,
          data: body.data,
          idempotencyKey: idempotencyKeyOf(body.idempotency_key, request.headers.get("idempotency-key")),
          endpointIds: body.endpoint_ids,
          targetUrl: body.target_url,
          wait: query.wait === true,
        });
        if (result.replayed) {
          set.status = 200;
          set.headers["idempotent-replayed"] = "true";
        } else set.status = 202;
        return { data: result.receipt satisfies PublishReceipt };
      },
      {
        scope: "events:write",
        body: PublishIn,
        query: t.Object({
          wait: t.Optional(
            t.BooleanString({
              description: "Answer after the first attempt of each delivery (bounded by the endpoint timeouts).",
            }),
          ),
        }),
        // The hot route documents its answers here instead of validating them on the way out.
        detail: {
          responses: {
            202: {
              description: "Accepted: committed to disk.",
              content: { "application/json": { schema: Published as never } },
            },
            200: {
              description: "Idempotent replay of the first response (header Idempotent-Replayed: true).",
              content: { "application/json": { schema: Published as never } },
            },
          },
          summary: "Publish an event",
          description:
            "202 means the event and one delivery per matching endpoint are committed to disk. With an Idempotency-Key (header or field), a repeat in the same tenant within the retention window creates nothing and answers the first response with 200 and `Idempotent-Replayed: true`. Deliveries whose endpoint filter does not match are `skipped`; a filter that fails or breaks its bound (25 ms, memory) makes its delivery `failed` with `last_error` `filter_error: …`, without an attempt. Numbers JSON cannot carry faithfully (`1e400`, integers beyond ±(2^53 − 1)) are a 400: send them as strings.",
        },
      },
    )
    .get(
      "",
      async ({ principal, query }) => {
        const tenant = listTenant(principal, query.tenant_id);
        if (tenant === null) return EMPTY_PAGE;
        const limit = limitOf(query.limit);
        const rows = await store.listEvents({
          tenant_id: tenant,
          type: query.type,
          since: parseTime("since", query.since),
          until: parseTime("until", query.until),
          before: decodeCursor(query.cursor) ?? undefined,
          limit: limit + 1,
        });
        return page(rows, limit, (e) => e.id, render);
      },
      {
        scope: "events:read",
        query: t.Object({
          type: t.Optional(t.String({ maxLength: 128 })),
          tenant_id: t.Optional(t.String({ maxLength: 64 })),
          since: t.Optional(t.String({ format: "date-time" })),
          until: t.Optional(t.String({ format: "date-time" })),
          ...PageQuery,
        }),
        response: ListEnvelope(EventOut),
        detail: { summary: "List events", description: "Newest first." },
      },
    )
    .get(
      "/:id",
      async ({ principal, params }) => {
        const event = await store.eventById(params.id);
        if (!event || !canSee(principal, event.tenant_id)) throw new NotFoundError(`Event ${params.id}`);
        const deliveries = (await store.deliveriesOfEvent(event.id)).map(renderDelivery);
        return { data: { ...render(event), deliveries } };
      },
      {
        scope: "events:read",
        params: t.Object({ id: t.String({ maxLength: 100 }) }),
        response: t.Object({ data: t.Object({ ...EventOut.properties, deliveries: t.Array(DeliveryOut) }) }),
        detail: { summary: "Get an event with its deliveries" },
      },
    );
}
