// One attempt of a delivery: build the request, send it, decide what happens next (retry-policy.ts), and return
// the records to write. Nothing here writes or queues; the engine applies the outcome.

import type { Endpoint } from "../endpoints/endpoint.ts";
import { utf8Prefix } from "../lib/bytes.ts";
import type { Clock } from "../lib/clock.ts";
import { newId } from "../lib/ids.ts";
import type { Ed25519Signer } from "../signing/ed25519.ts";
import type { AttemptRecord, DeliveryUpdate } from "../store/index.ts";
import type { EgressRoutes } from "./egress.ts";
import type { Job } from "./lanes.ts";
import { adHocRequest, type BuiltRequest, endpointRequest, type RequestContext } from "./request.ts";
import { type Decision, decide } from "./retry-policy.ts";
import { type AttemptResult, send } from "./sender.ts";
import type { Guard } from "./ssrf-guard.ts";

export interface AttemptContext {
  endpoint(id: string): Endpoint | undefined;
  clock: Clock;
  signer: Ed25519Signer;
  userAgent: string;
  /** Outbound auth headers (static credentials, OAuth2 tokens). */
  authHeaders: RequestContext["authHeaders"];
  /** The SSRF guard every attempt goes through (resolve, check, connect to the checked address). */
  guard: Guard;
  /** Egress proxies and client certificates of endpoints. */
  egress: EgressRoutes;
  policy: {
    scheduleMs: readonly number[];
    jitter: number;
    disableAfterMs: number;
    /** delivery.disable_after as written, for messages. */
    disableAfter: string;
    /** Timeout of ad-hoc target deliveries. */
    timeoutMs: number;
  };
  random?: () => number;
}

/** The part of a request body an attempt records (as much as of a response body). */
export const REQUEST_BODY_LIMIT = 32 * 1024;

/** What an attempt (or a decision not to make one) leaves to record. */
export interface AttemptOutcome {
  /** null when no request was made (the endpoint is disabled). */
  attempt: AttemptRecord | null;
  update: DeliveryUpdate;
  /** The delivery's own endpoint (null for an ad-hoc target). */
  endpoint: Endpoint | null;
  /** The endpoint an ad-hoc target delivery is signed like, if any (a drain may be waiting for it). */
  likeEndpointId: string | null;
  /** What the attempt says about the endpoint's health (null: nothing). */
  health: Decision["endpoint"] | null;
  durationMs: number | null;
  /** For metrics: `2xx`, `5xx`, … or an error kind; null when no request was made. */
  outcome: string | null;
  /** Why a delivery failed for good (`exhausted`: its retries are used up); null unless it failed after an attempt. */
  finalReason: Extract<Decision, { status: "failed" }>["reason"] | null;
  /** The delivery's event (operational events name it). */
  event: { id: string; type: string; tenant_id: string };
  /** An ad-hoc target's URL (null for an endpoint's delivery). */
  targetUrl: string | null;
}

/** Runs one attempt of `job`. Null when its endpoint was deleted meanwhile (its deliveries went with it). */
export async function runAttempt(job: Job, ctx: AttemptContext): Promise<AttemptOutcome | null> {
  const endpoint = job.endpointId === null ? null : ctx.endpoint(job.endpointId);
  if (job.endpointId !== null && !endpoint) return null;
  const likeId = job.likeEndpointId ?? null;
  const like = likeId === null ? undefined : ctx.endpoint(likeId);
  const now = ctx.clock.now();
  if (endpoint && !endpoint.enabled && job.trigger !== "test") {
    const reason = endpoint.disabled_reason ?? "manual";
    return notAttempted(job, endpoint, "endpoint_disabled", `the endpoint is disabled (${reason})`);
  }
  if (likeId !== null && !like)
    return notAttempted(job, null, "endpoint_deleted", `the endpoint it is sent like (${likeId}) was deleted`);
  const requestContext = { now, userAgent: ctx.userAgent, signer: ctx.signer, authHeaders: ctx.authHeaders };
  const deliveryId = job.deliveryId;
  const built: BuiltRequest = endpoint
    ? await endpointRequest(job.event, endpoint, requestContext, { deliveryId })
    : like
      ? await endpointRequest(job.event, like, requestContext, { deliveryId, url: job.targetUrl! })
      : {
          ok: true,
          request: adHocRequest(job.event, job.targetUrl!, requestContext, ctx.policy.timeoutMs, deliveryId),
          transformed: false,
        };
  const way = ctx.egress.of(endpoint ?? like ?? null);
  const error = !built.ok ? built.error : "error" in way ? way.error : null;
  const result: AttemptResult =
    built.ok && !("error" in way)
      ? await send(built.request, () => ctx.clock.now(), ctx.guard, way)
      : {
          startedAt: now,
          durationMs: 0,
          httpStatus: null,
          responseHeaders: null,
          responseBody: null,
          bodyEncoding: null,
          error,
          retryAfter: null,
        };
  const sentBody = built.ok && built.transformed ? built.request.body : null;
  return recordOf(
    job,
    endpoint ?? null,
    result,
    ctx,
    sentBody === null ? null : utf8Prefix(sentBody, REQUEST_BODY_LIMIT),
  );
}

/** A delivery that ends without a request (its endpoint is disabled, or the one it is sent like is gone). */
function notAttempted(
  job: Job,
  endpoint: Endpoint | null,
  kind: "endpoint_disabled" | "endpoint_deleted",
  why: string,
): AttemptOutcome {
  return {
    attempt: null,
    update: {
      id: job.deliveryId,
      status: "failed",
      attempts: job.attempts,
      next_attempt_at: null,
      error_kind: kind,
      last_error: `${kind}: ${why}`,
      delivered_at: null,
    },
    endpoint,
    likeEndpointId: job.likeEndpointId ?? null,
    health: null,
    durationMs: null,
    outcome: null,
    finalReason: null,
    event: eventOf(job),
    targetUrl: job.targetUrl ?? null,
  };
}

const eventOf = (job: Job) => ({ id: job.event.id, type: job.event.type, tenant_id: job.event.tenant_id });

/** The attempt row and the delivery's next state, as the retry policy decides. */
function recordOf(
  job: Job,
  endpoint: Endpoint | null,
  r: AttemptResult,
  ctx: AttemptContext,
  requestBody: string | null,
): AttemptOutcome {
  const n = job.attempts + 1;
  const now = ctx.clock.now();
  const { policy } = ctx;
  const decision = decide({
    outcome: { httpStatus: r.httpStatus, error: r.error?.kind ?? null, retryAfter: r.retryAfter },
    attemptInRun: n - job.retryBase,
    scheduleMs: endpoint?.compiled.scheduleMs ?? policy.scheduleMs,
    jitter: policy.jitter,
    now,
    manual: job.manual,
    failingSince: endpoint?.failing_since ?? null,
    disableAfterMs: policy.disableAfterMs,
    random: ctx.random,
  });
  const error = r.error ? `${r.error.kind}: ${r.error.message}` : null;
  const delivered = decision.status === "delivered";
  const errorKind = r.error ? r.error.kind : delivered ? null : "http_error";
  let lastError = error ?? (delivered ? null : `HTTP ${r.httpStatus}`);
  if (decision.status === "failed" && decision.reason === "endpoint_failing")
    lastError = `${lastError}; endpoint disabled after failing for ${policy.disableAfter}`;
  return {
    attempt: {
      id: newId("att"),
      delivery_id: job.deliveryId,
      n,
      trigger: job.trigger,
      started_at: r.startedAt,
      duration_ms: r.durationMs,
      http_status: r.httpStatus,
      response_headers: r.responseHeaders,
      response_body: r.responseBody,
      body_encoding: r.bodyEncoding,
      request_body: requestBody,
      error_kind: r.error?.kind ?? null,
      error,
    },
    update: {
      id: job.deliveryId,
      status: decision.status,
      attempts: n,
      next_attempt_at: decision.status === "pending" ? decision.nextAttemptAt : null,
      http_status: r.httpStatus,
      error_kind: errorKind,
      last_error: lastError,
      delivered_at: delivered ? now : null,
    },
    endpoint,
    likeEndpointId: job.likeEndpointId ?? null,
    health: endpoint ? decision.endpoint : null,
    durationMs: r.durationMs,
    outcome: r.error ? r.error.kind : `${Math.floor((r.httpStatus ?? 0) / 100)}xx`,
    finalReason: decision.status === "failed" ? decision.reason : null,
    event: eventOf(job),
    targetUrl: job.targetUrl ?? null,
  };
}
