// Request and response models of /v1/events (publish, batch publish, reads) and how an event is rendered.
import { t } from "elysia";
import { MAX_BATCH } from "../delivery/ingest.ts";
import { TENANT_ID, TYPE_NAME } from "../endpoints/spec.ts";
import { iso } from "../lib/clock.ts";
import type { EventRecord } from "../store/index.ts";

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
        description:
          "Tenant whose endpoints receive it (default `default`; tenant keys always use their own). Not starting with _: the reserved tenant `_system` only receives hookgate's own operational events.",
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
    target: t.Optional(
      t.Object(
        {
          url: t.String({ maxLength: 2048, description: "Absolute URL (same rules as endpoint URLs)." }),
          like_endpoint_id: t.Optional(
            t.String({
              maxLength: 100,
              description:
                "An endpoint of the same tenant whose secret, signing scheme, headers, auth, transform and timeout this delivery uses (sent with POST, the default retry schedule and no filter). Without it the gateway Ed25519 key signs it (v1a).",
            }),
          ),
        },
        {
          additionalProperties: false,
          description:
            "Also deliver once to this URL (a per-request callback), signed like `like_endpoint_id` or with the gateway key. The delivery remembers the endpoint, so retries sign alike.",
          examples: [
            { url: "https://customer.example/callbacks/42", like_endpoint_id: "ep_01jd3x2v7k8m9n0p1q2r3s4t5v" },
          ],
        },
      ),
    ),
    target_url: t.Optional(
      t.String({
        maxLength: 2048,
        description:
          "Shorthand for `target: {url}`: deliver once to this URL, signed with the gateway Ed25519 key (v1a).",
      }),
    ),
  },
  { additionalProperties: false, examples: [{ type: "run.completed", data: { run_id: "run_123", amount: 250 } }] },
);

export const BatchIn = t.Object(
  {
    events: t.Array(PublishIn, {
      minItems: 1,
      maxItems: MAX_BATCH,
      description: `1–${MAX_BATCH} events, each as for POST /v1/events.`,
    }),
  },
  {
    additionalProperties: false,
    examples: [
      {
        events: [
          { type: "run.completed", data: { run_id: "run_1" }, idempotency_key: "run_1" },
          { type: "run.completed", data: { run_id: "run_2" }, idempotency_key: "run_2" },
        ],
      },
    ],
  },
);

const PublishedDelivery = t.Object({
  id: t.String(),
  endpoint_id: t.Union([t.String(), t.Null()]),
  status: t.String({ examples: ["pending"] }),
  http_status: t.Optional(t.Union([t.Integer(), t.Null()])),
  response_time_ms: t.Optional(t.Union([t.Integer(), t.Null()])),
  error: t.Optional(t.Union([t.String(), t.Null()])),
  response_body: t.Optional(
    t.Union([t.String(), t.Null()], { description: "`?wait=true`: the first 4 KiB of the receiver's answer." }),
  ),
  response_body_encoding: t.Optional(t.Union([t.Literal("utf8"), t.Literal("base64"), t.Null()])),
});

const Receipt = t.Object({
  id: t.String({ examples: ["evt_01jd3x2v7k8m9n0p1q2r3s4t5v"] }),
  type: t.String(),
  tenant_id: t.String(),
  created_at: t.String(),
  deliveries: t.Array(PublishedDelivery),
});

export const Published = t.Object({ data: Receipt });

export const BatchPublished = t.Object({
  data: t.Array(
    t.Object({
      ...Receipt.properties,
      replayed: t.Boolean({
        description: "True when an earlier event with the same idempotency key answered (nothing new was stored).",
      }),
    }),
  ),
});

export const EventOut = t.Object({
  id: t.String(),
  type: t.String(),
  tenant_id: t.String(),
  data: t.Unknown(),
  idempotency_key: t.Union([t.String(), t.Null()]),
  created_at: t.String(),
});

/** An event as the API shows it. */
export const renderEvent = (e: EventRecord) => ({
  id: e.id,
  type: e.type,
  tenant_id: e.tenant_id,
  data: JSON.parse(e.payload),
  idempotency_key: e.idempotency_key,
  created_at: iso(e.created_at),
});
