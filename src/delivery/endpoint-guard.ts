// Keeps endpoints that stop answering from taking the gateway's slots: adaptive per-endpoint concurrency and the
// circuit breaker, fed by every attempt's outcome, and the store writes their decisions need (deliveries parked
// while a circuit is open, resumed when it closes). State is in memory per process; a restart closes circuits.
import type { Clock, Timer } from "../lib/clock.ts";
import type { Logger } from "../lib/logger.ts";
import type { DeliveryQueueStore } from "../store/index.ts";
import { AdaptiveConcurrency } from "./adaptive-concurrency.ts";
import type { AttemptOutcome } from "./attempt.ts";
import { CircuitBreaker, type CircuitState, type Transition, verdictOf } from "./circuit-breaker.ts";
import type { Job } from "./lanes.ts";
import type { OperationalSink } from "./operational-events.ts";

export interface EndpointGuardOptions {
  clock: Clock;
  logger: Logger;
  store: Pick<DeliveryQueueStore, "releaseDeliveries" | "resumeDeliveries">;
  /** delivery.circuit_breaker.failures */
  failures: number;
  /** delivery.circuit_breaker.cooldown, in ms */
  cooldownMs: number;
  /** delivery.per_endpoint_concurrency */
  perEndpointConcurrency: number;
  /** Takes the queued jobs of a lane out of the dispatcher (its circuit opened). */
  withdraw(key: string): Job[];
  /** Queues jobs again (manual replays withdrawn with the others). */
  requeue(jobs: Job[]): void;
  /** The store has deliveries due at `at`. */
  wake(at: number): void;
  /** Whether an endpoint still exists (what is learned about deleted ones is dropped). */
  exists(endpointId: string): boolean;
  /** Told when a circuit opens or closes (operational events). */
  operational?: Pick<OperationalSink, "circuitOpened" | "circuitClosed">;
}

const RETRY_PARK_MS = 1000;
/** How often what is remembered about deleted endpoints is dropped. */
const SWEEP_MS = 60_000;

export class EndpointGuard {
  readonly breaker: CircuitBreaker;
  readonly limits: AdaptiveConcurrency;
  /** Parked deliveries not yet written back, by the time they are due. */
  private parking = new Map<number, string[]>();
  private parked = 0;
  private writing: Promise<void> | null = null;
  private scheduled = false;
  private retryTimer: Timer | null = null;
  private readonly startedAt: number;
  private sweptAt: number;

  constructor(private readonly o: EndpointGuardOptions) {
    this.breaker = new CircuitBreaker({ failures: o.failures, cooldownMs: o.cooldownMs });
    this.limits = new AdaptiveConcurrency(o.perEndpointConcurrency);
    this.startedAt = o.clock.now();
    this.sweptAt = this.startedAt;
  }

  /** Deliveries parked but not yet written back to the store. */
  get pendingParks(): number {
    return this.parked;
  }

  /** The dispatcher's gate: true when the job may be queued for an attempt; otherwise it is parked. */
  gate(job: Job): boolean {
    const until = this.breaker.gate(job, this.o.clock.now());
    if (until === null) return true;
    this.park(job.deliveryId, until);
    return false;
  }

  /** For a fresh delivery: null when it may be queued now, else when it is due (its endpoint's circuit is open). */
  admission(endpointId: string | null): number | null {
    return endpointId === null ? null : this.breaker.admission(endpointId, this.o.clock.now());
  }

  /**
   * Learns from an attempt of an endpoint (null: the endpoint was deleted meanwhile). Call before the attempt's
   * slot is freed. Ad-hoc targets teach nothing (one-off URLs; their fair share still bounds them).
   */
  record(job: Job, outcome: AttemptOutcome | null): void {
    const id = job.endpointId;
    if (id === null) return;
    if (outcome === null) {
      this.forget(id);
      return;
    }
    const now = this.o.clock.now();
    const verdict = verdictOf(outcome.outcome);
    this.limits.record(id, verdict);
    this.apply(id, this.breaker.record(job, verdict, now), outcome.attempt?.error ?? null);
    if (now - this.sweptAt >= SWEEP_MS) this.sweep(now);
  }

  /** The circuit as endpoint reads show it (`since`: the last change, or when the endpoint or process started). */
  circuitOf(endpoint: { id: string; created_at: number }): { state: CircuitState; since: number } {
    return this.breaker.view(endpoint.id, Math.max(endpoint.created_at, this.startedAt));
  }

  /**
   * Endpoints by circuit state, and openings since start, for /metrics: `endpoints` is how many exist (those
   * without an open or half-open circuit are closed); circuits of endpoints that no longer exist are dropped.
   */
  circuitGauges(endpoints: number): { closed: number; open: number; half_open: number; openings: number } {
    this.sweep(this.o.clock.now());
    const { open, half_open } = this.breaker.counts();
    return { closed: Math.max(0, endpoints - open - half_open), open, half_open, openings: this.breaker.openings };
  }

  /** Writes every parked delivery back and stops retrying (shutdown). */
  async close(): Promise<void> {
    await this.flush();
    this.o.clock.clearTimeout(this.retryTimer);
    this.retryTimer = null;
  }

  /** Writes every parked delivery back (tests wait for it through the engine's settle). */
  async flush(): Promise<void> {
    while (this.writing) await this.writing;
    if (this.parking.size === 0) return;
    this.writing = this.writeParked();
    try {
      await this.writing;
    } finally {
      this.writing = null;
    }
  }

  private apply(endpointId: string, t: Transition, lastError: string | null): void {
    if (t === null) return;
    const { logger, clock } = this.o;
    if (t.kind === "opened") {
      this.o.operational?.circuitOpened(endpointId, lastError);
      logger.warn("endpoint circuit opened: its attempts time out or cannot connect; deliveries wait for a probe", {
        endpoint_id: endpointId,
        probe_in_ms: this.o.cooldownMs,
      });
      const requeue: Job[] = [];
      for (const job of this.o.withdraw(endpointId)) if (this.gate(job)) requeue.push(job);
      if (requeue.length > 0) this.o.requeue(requeue);
    } else if (t.kind === "reopened") {
      logger.info("endpoint circuit probe failed; the circuit stays open", { endpoint_id: endpointId });
    } else {
      logger.info("endpoint circuit closed: the endpoint answers again", { endpoint_id: endpointId });
      this.o.operational?.circuitClosed(endpointId);
      if (t.parkedUntil === 0) return;
      // Parked deliveries are written first, so the resume moves every one of them.
      void this.flush()
        .then(() => this.o.store.resumeDeliveries(endpointId, t.parkedUntil, clock.now()))
        .then((n) => {
          if (n > 0) this.o.wake(clock.now());
        })
        .catch((e) =>
          logger.error("resuming the deliveries of a closed circuit failed; they wait until their time", {
            endpoint_id: endpointId,
            error: e,
          }),
        );
    }
  }

  private forget(endpointId: string): void {
    this.limits.forget(endpointId);
    this.breaker.forget(endpointId);
  }

  /** Drops what is remembered about endpoints that no longer exist. */
  private sweep(now: number): void {
    this.sweptAt = now;
    for (const id of [...this.breaker.endpointIds(), ...this.limits.keys()]) if (!this.o.exists(id)) this.forget(id);
  }

  private park(deliveryId: string, until: number): void {
    const ids = this.parking.get(until);
    if (ids) ids.push(deliveryId);
    else this.parking.set(until, [deliveryId]);
    this.parked++;
    if (this.scheduled || this.retryTimer) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      void this.flush();
    });
  }

  private async writeParked(): Promise<void> {
    const batch = this.parking;
    this.parking = new Map();
    for (const [until, ids] of batch) {
      try {
        await this.o.store.releaseDeliveries(ids, until);
        this.parked -= ids.length;
        this.o.wake(until);
      } catch (e) {
        this.o.logger.error("parking deliveries of an open circuit failed; retrying", { count: ids.length, error: e });
        const again = this.parking.get(until);
        this.parking.set(until, again ? ids.concat(again) : ids);
        this.retryTimer ??= this.o.clock.setTimeout(() => {
          this.retryTimer = null;
          void this.flush();
        }, RETRY_PARK_MS);
      }
    }
  }
}
