// What the engine admits: an event with the deliveries ingest planned for it, and the rows and jobs an admission
// makes (a delivery settled at publish is stored as such and never attempted).
import type { NewDelivery } from "../store/index.ts";
import type { LoadedEvent } from "./envelope.ts";
import type { Job } from "./lanes.ts";
import type { AttemptReport } from "./waiters.ts";

/** An event to commit, with the deliveries ingest planned for it. */
export interface Admission {
  event: LoadedEvent;
  /** The receipt stored with its idempotency key (null without a key), answered again to a repeat. */
  receipt: string | null;
  deliveries: PlannedDelivery[];
}

export interface PlannedDelivery {
  id: string;
  endpoint_id: string | null;
  target_url: string | null;
  /** An ad-hoc target signed like this endpoint (publish `target.like_endpoint_id`). */
  like_endpoint_id: string | null;
  /**
   * Set when the delivery is decided at publish and never attempted: `skipped` (a filter said no) or `failed` (a
   * filter could not decide), with the error kind and reason recorded.
   */
  settled: { status: "skipped" | "failed"; kind: string; reason: string } | null;
}

export type Admitted =
  | { inserted: false; receipt: string | null }
  /** `attempts`: with `waitMs`, resolves with each sent delivery's first attempt (or what is known at the bound). */
  | { inserted: true; attempts: Promise<Map<string, AttemptReport>> | null };

/** The row stored for a planned delivery (pending and due now, unless it was settled at publish). */
export function newDelivery(event: LoadedEvent, d: PlannedDelivery, now: number): NewDelivery {
  return {
    id: d.id,
    event_id: event.id,
    endpoint_id: d.endpoint_id,
    tenant_id: event.tenant_id,
    target_url: d.target_url,
    like_endpoint_id: d.like_endpoint_id,
    status: d.settled ? d.settled.status : "pending",
    next_attempt_at: d.settled ? null : now,
    lease_until: null,
    error_kind: d.settled?.kind ?? null,
    last_error: d.settled?.reason ?? null,
    manual: false,
    created_at: now,
  };
}

/** The job of a fresh row for the dispatcher (its first attempt). */
export function jobOf(event: LoadedEvent, row: NewDelivery, trigger: Job["trigger"]): Job {
  return {
    deliveryId: row.id,
    event,
    endpointId: row.endpoint_id,
    targetUrl: row.target_url,
    likeEndpointId: row.like_endpoint_id,
    attempts: 0,
    retryBase: 0,
    manual: row.manual,
    trigger,
  };
}
