// /v1/deliveries: the delivery log with every attempt, and replays.
import { Elysia, t } from "elysia";
import { ConflictError, NotFoundError, ValidationError } from "../lib/errors.ts";
import type { DeliveryListFilter, DeliveryRecord } from "../store/index.ts";
import { canSee, type Principal, routePolicy } from "./auth.ts";
import type { ApiDeps } from "./context.ts";
import { AttemptOut, DeliveryOut, DeliveryQuery, renderAttempt, renderDelivery } from "./delivery-models.ts";
import { decodeCursor, ListEnvelope, limitOf, PageQuery, page } from "./pagination.ts";
import { parseTime } from "./time.ts";

const IdParams = t.Object({ id: t.String({ maxLength: 100 }) });

/** One line of a bulk replay: by `ids` it names the delivery; by `event_ids` also its event (id null: no event). */
interface BulkReplayResult {
  id: string | null;
  event_id?: string | null;
  result: "queued" | "not_found";
}

/** Lists deliveries visible to `principal` with the query's filters (shared with /v1/endpoints/:id/deliveries). */
export async function listDeliveries(
  { store }: Pick<ApiDeps, "store">,
  principal: Principal,
  query: {
    event_id?: string;
    event_type?: string;
    status?: DeliveryListFilter["status"];
    since?: string;
    until?: string;
    limit?: number;
    cursor?: string;
    endpoint_id?: string;
  },
) {
  const limit = limitOf(query.limit);
  const rows = await store.listDeliveries({
    tenant_id: principal.tenantId ?? undefined,
    endpoint_id: query.endpoint_id,
    event_id: query.event_id,
    event_type: query.event_type,
    status: query.status,
    since: parseTime("since", query.since),
    until: parseTime("until", query.until),
    before: decodeCursor(query.cursor) ?? undefined,
    limit: limit + 1,
  });
  return page(rows, limit, (d) => d.id, renderDelivery);
}

async function visibleDelivery(
  { store }: Pick<ApiDeps, "store">,
  principal: Principal,
  id: string,
): Promise<DeliveryRecord> {
  const d = await store.deliveryById(id);
  if (!d || !canSee(principal, d.tenant_id)) throw new NotFoundError(`Delivery ${id}`);
  return d;
}

export function deliveriesPlugin(deps: ApiDeps) {
  const { auth, store, engine } = deps;
  return new Elysia({ name: "deliveries", prefix: "/v1/deliveries", tags: ["Deliveries"] })
    .use(routePolicy(auth))
    .get("", async ({ principal, query }) => listDeliveries(deps, principal, query), {
      scope: "deliveries:read",
      query: t.Object({ endpoint_id: t.Optional(t.String({ maxLength: 100 })), ...DeliveryQuery, ...PageQuery }),
      response: ListEnvelope(DeliveryOut),
      detail: {
        summary: "List deliveries",
        description: "Newest first. Filter by endpoint, event, status and creation time.",
      },
    })
    .get(
      "/:id",
      async ({ principal, params }) => {
        const d = await visibleDelivery(deps, principal, params.id);
        const history = (await store.attemptsOf(d.id)).map(renderAttempt);
        return { data: { ...renderDelivery(d), history } };
      },
      {
        scope: "deliveries:read",
        params: IdParams,
        response: t.Object({
          data: t.Object({
            ...DeliveryOut.properties,
            history: t.Array(AttemptOut, { description: "Attempts, oldest first." }),
          }),
        }),
        detail: { summary: "Get a delivery with its attempts" },
      },
    )
    .post(
      "/:id/replay",
      async ({ principal, params, set }) => {
        await visibleDelivery(deps, principal, params.id);
        if (!(await engine.replay(params.id)))
          throw new ConflictError(`Delivery ${params.id} has an attempt in flight; replay it when it finishes.`);
        set.status = 202;
        return { data: { id: params.id, status: "delivering" } };
      },
      {
        scope: "deliveries:write",
        params: IdParams,
        response: {
          202: t.Object({ data: t.Object({ id: t.String(), status: t.String({ examples: ["delivering"] }) }) }),
        },
        detail: {
          summary: "Replay a delivery",
          description:
            "Queues a new attempt now (trigger `manual`). A manual attempt that fails is not retried. 409 while an attempt is in flight.",
        },
      },
    )
    .post(
      "/replay",
      async ({ principal, body }) => {
        if ((body.ids === undefined) === (body.event_ids === undefined))
          throw ValidationError.of([{ field: "ids", message: "send either ids or event_ids (1–100 of one of them)" }]);
        const data: BulkReplayResult[] = [];
        // An attempt already in flight counts as queued: it is happening now.
        for (const id of body.ids ?? []) {
          const d = await store.deliveryById(id);
          const found = d !== null && canSee(principal, d.tenant_id);
          if (found) await engine.replay(id);
          data.push({ id, result: found ? "queued" : "not_found" });
        }
        for (const eventId of body.event_ids ?? []) {
          const event = await store.eventById(eventId);
          if (!event || !canSee(principal, event.tenant_id)) {
            data.push({ id: null, event_id: eventId, result: "not_found" });
            continue;
          }
          for (const d of await store.deliveriesOfEvent(eventId)) {
            await engine.replay(d.id);
            data.push({ id: d.id, event_id: eventId, result: "queued" });
          }
        }
        return { data };
      },
      {
        scope: "deliveries:write",
        body: t.Object(
          {
            ids: t.Optional(
              t.Array(t.String({ maxLength: 100 }), { minItems: 1, maxItems: 100, description: "Delivery ids." }),
            ),
            event_ids: t.Optional(
              t.Array(t.String({ maxLength: 100 }), {
                minItems: 1,
                maxItems: 100,
                description: "Event ids: every delivery of each event is replayed.",
              }),
            ),
          },
          {
            additionalProperties: false,
            examples: [{ ids: ["dlv_01jd3x2v7k8m9n0p1q2r3s4t5v"] }, { event_ids: ["evt_01jd3x2v7k8m9n0p1q2r3s4t5v"] }],
          },
        ),
        response: t.Object({
          data: t.Array(
            t.Object({
              id: t.Union([t.String(), t.Null()], {
                description: "The delivery id (null for an event that was not found).",
              }),
              event_id: t.Optional(
                t.Union([t.String(), t.Null()], { description: "With event_ids: the event the line is about." }),
              ),
              result: t.Union([t.Literal("queued"), t.Literal("not_found")]),
            }),
          ),
        }),
        detail: {
          summary: "Replay deliveries in bulk",
          description:
            "Either `ids` (1–100 deliveries) or `event_ids` (1–100 events: every delivery of each). Each delivery answers queued (a new manual attempt now, not retried if it fails) or not_found; an unknown event answers one not_found entry with `id: null`.",
        },
      },
    );
}
