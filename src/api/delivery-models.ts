// Models and rendering of deliveries and attempts (docs/api.md "Delivery").
import { t } from "elysia";
import { iso } from "../lib/clock.ts";
import type { AttemptRecord, DeliveryRecord } from "../store/index.ts";

const nullableIso = (ms: number | null) => (ms === null ? null : iso(ms));
const Str = t.String();
const NullStr = t.Union([t.String(), t.Null()]);
const NullInt = t.Union([t.Integer(), t.Null()]);

export const DeliveryStatus = t.Union([
  t.Literal("pending"),
  t.Literal("delivering"),
  t.Literal("delivered"),
  t.Literal("failed"),
  t.Literal("skipped"),
]);

export const DeliveryOut = t.Object(
  {
    id: t.String({ examples: ["dlv_01jd3x2v7k8m9n0p1q2r3s4t5v"] }),
    event_id: Str,
    endpoint_id: t.Union([t.String(), t.Null()], { description: "null for an ad-hoc target_url delivery." }),
    target_url: t.Union([t.String(), t.Null()], { description: "Set for ad-hoc deliveries only." }),
    like_endpoint_id: t.Union([t.String(), t.Null()], {
      description:
        "An ad-hoc delivery signed like this endpoint (publish `target.like_endpoint_id`); retries sign alike.",
    }),
    event_type: t.String({ examples: ["run.completed"] }),
    status: DeliveryStatus,
    attempts: t.Integer({ description: "Attempts made so far.", examples: [1] }),
    http_status: NullInt,
    last_error: t.Union([t.String(), t.Null()], {
      description: "Error of the last attempt, or why the delivery was skipped or stopped.",
      examples: ["timeout: the receiver did not answer in time"],
    }),
    created_at: Str,
    delivered_at: NullStr,
    next_retry_at: t.Union([t.String(), t.Null()], { description: "When the next attempt is due (pending only)." }),
  },
  { description: "One event to one endpoint, with a status and attempt count." },
);

export const AttemptOut = t.Object(
  {
    id: t.String({ examples: ["att_01jd3x2v7k8m9n0p1q2r3s4t5v"] }),
    attempt: t.Integer({ description: "1-based attempt number.", examples: [1] }),
    trigger: t.Union([t.Literal("scheduled"), t.Literal("manual"), t.Literal("test")]),
    started_at: Str,
    duration_ms: t.Integer(),
    http_status: NullInt,
    response_headers: t.Union([t.Record(t.String(), t.String()), t.Null()]),
    response_body: t.Union([t.String(), t.Null()], { description: "First 32 KiB of the response." }),
    response_body_encoding: t.Union([t.Literal("utf8"), t.Literal("base64"), t.Null()], {
      description: "base64 when the body was not valid UTF-8.",
    }),
    request_body: t.Union([t.String(), t.Null()], {
      description:
        "The body sent (first 32 KiB) when it differs from the event envelope, i.e. an endpoint transform rewrote it; null when the envelope was sent as is (or no body was sent).",
    }),
    error: t.Union([t.String(), t.Null()], {
      description:
        "Error kind and text: timeout, connection_refused, connection_reset, dns_error, tls_error, blocked_address, redirect_not_followed, transform_error, auth_error, invalid_response (not an HTTP answer), network_error, proxy_error (the egress proxy refused the tunnel, cannot be reached or is no longer declared), endpoint_deleted (an ad-hoc delivery whose like endpoint was deleted).",
    }),
  },
  { description: "One HTTP attempt of a delivery." },
);

export function renderDelivery(d: DeliveryRecord) {
  return {
    id: d.id,
    event_id: d.event_id,
    endpoint_id: d.endpoint_id,
    target_url: d.target_url,
    like_endpoint_id: d.like_endpoint_id,
    event_type: d.event_type,
    status: d.status,
    attempts: d.attempts,
    http_status: d.http_status,
    last_error: d.last_error,
    created_at: iso(d.created_at),
    delivered_at: nullableIso(d.delivered_at),
    next_retry_at: d.status === "pending" ? nullableIso(d.next_attempt_at) : null,
  };
}

export function renderAttempt(a: AttemptRecord) {
  return {
    id: a.id,
    attempt: a.n,
    trigger: a.trigger,
    started_at: iso(a.started_at),
    duration_ms: a.duration_ms,
    http_status: a.http_status,
    response_headers: a.response_headers,
    response_body: a.response_body,
    response_body_encoding: a.body_encoding,
    request_body: a.request_body,
    error: a.error,
  };
}

/** Query parameters shared by GET /v1/deliveries and GET /v1/endpoints/:id/deliveries. */
export const DeliveryQuery = {
  event_id: t.Optional(t.String({ maxLength: 100 })),
  event_type: t.Optional(t.String({ maxLength: 128, description: "Only deliveries of events of this type." })),
  status: t.Optional(DeliveryStatus),
  since: t.Optional(t.String({ format: "date-time", description: "Created at or after (ISO 8601)." })),
  until: t.Optional(t.String({ format: "date-time", description: "Created before (ISO 8601)." })),
};
