// What the engine admits: an event with the deliveries ingest planned for it, and the rows and jobs an admission
// makes (a delivery settled at publish is stored as such and never attempted).
import type { Clock } from "../lib/clock.ts";
import type { InsertOutcome, NewDelivery, NewEvent } from "../store/index.ts";
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

/** What admitting needs from the engine. */
export interface AdmissionContext {
  clock: Clock;
  leaseMs: number;
  /** When an endpoint's deliveries may be attempted while its circuit is open (null: now). */
  parkedUntil(endpointId: string | null): number | null;
  /** Memory has room for this fresh delivery (within its endpoint's fair share). */
  mayClaim(d: PlannedDelivery): boolean;
  /** Counts deliveries claimed for memory whose commit has not finished yet (negative: it finished). */
  reserve(n: number): void;
  /** Commits the events with their rows in one transaction (group commit). */
  write(items: NewEvent[]): Promise<InsertOutcome[]>;
  /** Counts an admitted event (metrics). */
  counted(): void;
  waitFor(deliveryIds: readonly string[], timeoutMs: number): Promise<Map<string, AttemptReport>>;
  /** Hands claimed rows to the dispatcher for their first attempt. */
  deliver(jobs: Job[]): void;
  /** Stored rows are due at `at` (told to the other replicas too). */
  wake(at: number): void;
}

/**
 * Commits events with their deliveries in one transaction and queues them: those memory has room for (each
 * endpoint up to its fair share) are claimed (leased) in the same write and attempted at once; the rest wait in the
 * store as pending, due now, or when the circuit is probed if the endpoint's circuit is open. Answers once, with
 * each event's outcome in order.
 */
export async function admitEvents(
  ctx: AdmissionContext,
  admissions: readonly Admission[],
  options: { waitMs?: number } = {},
): Promise<Admitted[]> {
  const now = ctx.clock.now();
  let claimed = 0;
  let dueAt = Number.POSITIVE_INFINITY;
  const rowsOf = admissions.map((admission) =>
    admission.deliveries.map((d) => {
      const row = newDelivery(admission.event, d, now);
      if (row.status !== "pending") return row;
      const parkedUntil = ctx.parkedUntil(d.endpoint_id);
      if (parkedUntil !== null) row.next_attempt_at = parkedUntil;
      else if (ctx.mayClaim(d)) {
        row.status = "delivering";
        row.lease_until = now + ctx.leaseMs;
        ctx.reserve(1);
        claimed++;
      }
      if (row.status === "pending") dueAt = Math.min(dueAt, row.next_attempt_at!);
      return row;
    }),
  );
  let outcomes: InsertOutcome[];
  try {
    outcomes = await ctx.write(
      admissions.map((a, i) => ({ event: a.event, idempotency_response: a.receipt, deliveries: rowsOf[i]! })),
    );
  } finally {
    ctx.reserve(-claimed);
  }
  const jobs: Job[] = [];
  const admitted = outcomes.map((outcome, i): Admitted => {
    if (!outcome.inserted) return { inserted: false, receipt: outcome.response };
    ctx.counted();
    const event = admissions[i]!.event;
    const toSend = rowsOf[i]!.filter((r) => r.status === "pending" || r.status === "delivering");
    const attempts =
      options.waitMs === undefined
        ? null
        : ctx.waitFor(
            toSend.map((r) => r.id),
            options.waitMs,
          );
    for (const r of toSend) if (r.status === "delivering") jobs.push(jobOf(event, r, "scheduled"));
    return { inserted: true, attempts };
  });
  if (jobs.length > 0) ctx.deliver(jobs);
  if (dueAt !== Number.POSITIVE_INFINITY) ctx.wake(dueAt);
  return admitted;
}
