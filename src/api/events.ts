// /v1/events: publish (202 after the durable commit; idempotent) and read events with their deliveries.
import { Elysia, t } from "elysia";
import { MAX_BATCH, type PublishCommand, type PublishReceipt } from "../delivery/ingest.ts";
import { NotFoundError, ValidationError } from "../lib/errors.ts";
import { actingTenant, canSee, listTenant, routePolicy } from "./auth.ts";
import type { ApiDeps } from "./context.ts";
import { DeliveryOut, renderDelivery } from "./delivery-models.ts";
import { BatchIn, BatchPublished, EventOut, Published, PublishIn, renderEvent } from "./event-models.ts";
import { decodeCursor, EMPTY_PAGE, ListEnvelope, limitOf, PageQuery, page } from "./pagination.ts";
import { parseTime } from "./time.ts";

/** The publish command of a request body (the tenant and idempotency key already decided). */
function commandOf(
  body: typeof PublishIn.static,
  tenantId: string,
  idempotencyKey: string | null,
  wait: boolean,
): PublishCommand {
  if (body.target !== undefined && body.target_url !== undefined)
    throw ValidationError.of([{ field: "target_url", message: "send either target or target_url (its shorthand)" }]);
  const target =
    body.target !== undefined
      ? { url: body.target.url, likeEndpointId: body.target.like_endpoint_id, field: "target" as const }
      : body.target_url !== undefined
        ? { url: body.target_url, field: "target_url" as const }
        : undefined;
  return {
    tenantId,
    type: body.type,
    data: body.data,
    idempotencyKey,
    endpointIds: body.endpoint_ids,
    target,
    wait,
  };
}

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
        const result = await ingest.publish(
          commandOf(
            body,
            actingTenant(principal, body.tenant_id),
            idempotencyKeyOf(body.idempotency_key, request.headers.get("idempotency-key")),
            query.wait === true,
          ),
        );
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
              description:
                "Answer after the first attempt of each delivery (bounded by the endpoint timeouts), with each delivery's status, http_status, response_time_ms, error and the first 4 KiB of response_body.",
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
            "202 means the event and one delivery per matching endpoint are committed to disk. With an Idempotency-Key (header or field), a repeat in the same tenant within the retention window creates nothing and answers the first receipt (with each delivery's current status) with 200 and `Idempotent-Replayed: true`; the same key with a different request answers 409 `idempotency_key_reused`. Deliveries whose endpoint filter does not match are `skipped`; a filter that fails or breaks its bound (25 ms, memory) makes its delivery `failed` with `last_error` `filter_error: …`, without an attempt. Numbers JSON cannot carry faithfully (`1e400`, integers beyond ±(2^53 − 1)) are a 400: send them as strings. `target` adds one ad-hoc delivery to a URL, signed like `target.like_endpoint_id` or with the gateway key.",
        },
      },
    )
    .post(
      "/batch",
      async ({ principal, request, body, set }) => {
        if (request.headers.get("idempotency-key") !== null)
          throw ValidationError.of([
            { field: "Idempotency-Key", message: "is per event in a batch: set idempotency_key on each event" },
          ]);
        const commands = body.events.map((e) =>
          commandOf(e, actingTenant(principal, e.tenant_id), e.idempotency_key ?? null, false),
        );
        const results = await ingest.publishBatch(commands);
        set.status = 202;
        return { data: results.map((r) => ({ ...(r.receipt satisfies PublishReceipt), replayed: r.replayed })) };
      },
      {
        scope: "events:write",
        body: BatchIn,
        detail: {
          responses: {
            202: {
              description: "Accepted: every new event of the batch is committed to disk, in one transaction.",
              content: { "application/json": { schema: BatchPublished as never } },
            },
          },
          summary: "Publish events in a batch",
          description: `1–${MAX_BATCH} events in one request and one commit. Validation is all or nothing: any bad event answers 400 with details naming \`events[i].field\` and nothing is stored. Otherwise 202 with each event's publish answer, in order, with \`replayed\`: idempotency works per event (\`idempotency_key\` on each event; a key already used, or repeated inside the batch, answers the first event's receipt with \`replayed: true\` and creates nothing; a key reused with a different request is refused). The request body limit (server.max_body_bytes) applies to the whole batch.`,
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
        return page(rows, limit, (e) => e.id, renderEvent);
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
        return { data: { ...renderEvent(event), deliveries } };
      },
      {
        scope: "events:read",
        params: t.Object({ id: t.String({ maxLength: 100 }) }),
        response: t.Object({ data: t.Object({ ...EventOut.properties, deliveries: t.Array(DeliveryOut) }) }),
        detail: { summary: "Get an event with its deliveries" },
      },
    );
}
