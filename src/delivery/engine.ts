// The delivery engine: admits events (one group-committed write of an event with its deliveries, then the fresh
// deliveries go straight to the dispatcher), runs attempts, records results and endpoint health, and hands stored
// work to the scheduler. The store is the truth; memory is a cache, so a crash loses nothing committed. Memory and
// slots are shared fairly between endpoints; endpoints that stop answering are held back (endpoint-guard.ts).
// See docs/architecture.md "The life of an event".
import type { EndpointRegistry } from "../endpoints/registry.ts";
import type { Logger } from "../lib/logger.ts";
import type { Cluster, Store } from "../store/index.ts";
import {
  type Admission,
  type AdmissionContext,
  type Admitted,
  admitEvents,
  jobOf,
  newDelivery,
  type PlannedDelivery,
} from "./admission.ts";
import { type AttemptContext, runAttempt } from "./attempt.ts";
import { Dispatcher } from "./dispatcher.ts";
import { EndpointGuard } from "./endpoint-guard.ts";
import type { LoadedEvent } from "./envelope.ts";
import { type Job, laneKey } from "./lanes.ts";
import { LeaseKeeper } from "./lease-keeper.ts";
import { EngineMetrics, renderMetrics } from "./metrics.ts";
import type { OperationalSink } from "./operational-events.ts";
import { OutcomeRecorder } from "./outcomes.ts";
import { Scheduler } from "./scheduler.ts";
import { SharedTokens } from "./shared-tokens.ts";
import { type AttemptReport, AttemptWaiters } from "./waiters.ts";
import { WriteBatcher } from "./write-batcher.ts";

export interface EngineOptions extends Omit<AttemptContext, "endpoint"> {
  store: Store;
  registry: Pick<EndpointRegistry, "get" | "disable" | "setFailingSince" | "finishDrain" | "draining">;
  logger: Logger;
  concurrency: number;
  perEndpointConcurrency: number;
  /** delivery.circuit_breaker: consecutive unreachable attempts that open a circuit, and the time between probes. */
  circuitBreaker: { failures: number; cooldownMs: number };
  /**
   * How long a claim lasts without renewal (delivery.lease_seconds). With replicas a dead one's claims return to the
   * others after it; on SQLite it is informational (a restart returns every lease at once).
   */
  leaseMs: number;
  /** The replicas sharing the store (null: this process alone): wake-ups, lease renewal, shared rate limits. */
  cluster: Cluster | null;
  /** Told of circuit changes and exhausted deliveries (operational events). */
  operational?: OperationalSink;
}

/** With replicas, the longest the scheduler goes without looking at the store (the safety net of the signals). */
const RECHECK_MS = 5000;
/** Claims from the store leave this share of memory to fresh deliveries (so a quiet endpoint always finds room). */
const FRESH_RESERVE = 1 / 8;
/** A meta row written to learn whether the store takes writes again (readiness). */
const WRITE_CHECK = "write_check";

export class DeliveryEngine {
  readonly metrics = new EngineMetrics();
  private readonly writer: WriteBatcher;
  private readonly waiters: AttemptWaiters;
  private readonly dispatcher: Dispatcher;
  private readonly scheduler: Scheduler;
  private readonly capacity: number;
  /** Fresh deliveries admitted for memory whose commit has not finished yet. */
  private reserved = 0;
  private readonly attemptContext: AttemptContext;
  private readonly outcomes: OutcomeRecorder;
  private readonly guard: EndpointGuard;
  private readonly leases: LeaseKeeper | null;
  private readonly admission: AdmissionContext;

  constructor(private readonly o: EngineOptions) {
    const { registry, clock, cluster } = o;
    this.leases = cluster ? new LeaseKeeper(cluster, o.leaseMs, clock, o.logger) : null;
    this.capacity = Math.max(1000, o.concurrency * 20);
    this.attemptContext = { ...o, endpoint: (id) => registry.get(id) };
    this.writer = new WriteBatcher(o.store, o.logger, clock);
    this.waiters = new AttemptWaiters(clock);
    this.guard = new EndpointGuard({
      clock,
      logger: o.logger,
      store: o.store,
      ...o.circuitBreaker,
      perEndpointConcurrency: o.perEndpointConcurrency,
      withdraw: (key) => this.dispatcher.withdraw(key),
      requeue: (jobs) => this.dispatcher.push(jobs),
      wake: (at) => this.scheduler.wake(at),
      exists: (id) => registry.get(id) !== undefined,
      operational: o.operational,
    });
    this.dispatcher = new Dispatcher({
      clock,
      concurrency: o.concurrency,
      perEndpoint: o.perEndpointConcurrency,
      limitOf: (key) => this.guard.limits.limitOf(key),
      gate: (job) => this.guard.gate(job),
      rateOf: (key) => (key.startsWith("url:") ? null : (registry.get(key)?.rate_limit_per_second ?? null)),
      tokens: cluster ? new SharedTokens(cluster, o.logger) : undefined,
      run: (job) => this.run(job),
    });
    this.outcomes = new OutcomeRecorder({
      ...o,
      writer: this.writer,
      waiters: this.waiters,
      metrics: this.metrics,
      wake: (at) => this.wake(at, true),
    });
    this.admission = {
      clock,
      leaseMs: o.leaseMs,
      parkedUntil: (endpointId) => this.guard.admission(endpointId),
      // Room in memory, and the endpoint holds less than its fair share: capacity / (endpoints with work + 1).
      mayClaim: (d) =>
        this.room() > 0 &&
        this.dispatcher.queuedFor(laneKey({ endpointId: d.endpoint_id, targetUrl: d.target_url })) <
          this.capacity / (this.dispatcher.busyLanes + 1),
      reserve: (n) => {
        this.reserved += n;
      },
      write: (items) => this.writer.submitEvents(items),
      counted: () => {
        this.metrics.eventsIngested++;
      },
      waitFor: (ids, ms) => this.waiters.waitFor(ids, ms),
      deliver: (jobs) => this.dispatcher.push(jobs),
      wake: (at) => this.wake(at, true),
    };
    this.scheduler = new Scheduler({
      store: o.store,
      clock,
      logger: o.logger,
      leaseMs: o.leaseMs,
      // Replicas: a dead one's expired leases and work stored without a signal are found within this.
      recheckMs: cluster ? Math.min(RECHECK_MS, o.leaseMs) : undefined,
      capacity: this.capacity,
      room: () => Math.max(0, this.room() - Math.floor(this.capacity * FRESH_RESERVE)),
      deliver: (jobs) => this.dispatcher.push(jobs),
    });
  }

  get isRunning(): boolean {
    return this.scheduler.isRunning;
  }

  /** Whether the store takes writes; while they fail, a small write checks whether they work again. */
  writesWork(): Promise<boolean> {
    return this.writer.checkWrites(() => this.o.store.putMeta(WRITE_CHECK, String(this.o.clock.now())));
  }

  /** An endpoint's circuit as reads show it (kept in memory by this process). */
  circuitOf(endpoint: { id: string; created_at: number }) {
    return this.guard.circuitOf(endpoint);
  }

  /**
   * Stored deliveries are due at `at`: the scheduler looks then. `announce`: tell the other replicas too (a retry
   * written here, an admission that did not fit in memory), so any of them may take the work.
   */
  wake(at: number, announce = false): void {
    this.scheduler.wake(at);
    if (announce) this.o.cluster?.announceDue(at);
  }

  /**
   * Returns crashed leases to pending and starts claiming due work; removes the draining endpoints that have
   * nothing left to deliver (a drain survives a restart).
   */
  async start(): Promise<void> {
    await this.scheduler.start();
    this.leases?.start();
    for (const id of this.o.registry.draining()) await this.o.registry.finishDrain(id);
  }

  /**
   * Commits events with their deliveries in one transaction (group commit; a batch publish is all or none) and
   * queues them: those memory has room for (each endpoint up to its fair share) are claimed (leased) in the same
   * write and attempted at once; the rest wait in the store as pending, due now, or when its circuit is probed if
   * the endpoint's circuit is open. Answers once, with each event's outcome in order.
   */
  admit(admissions: readonly Admission[], options: { waitMs?: number } = {}): Promise<Admitted[]> {
    return admitEvents(this.admission, admissions, options);
  }

  /**
   * Commits a one-delivery event and attempts it now, outside the queues and whatever the endpoint's state
   * (the endpoint test route); recorded with trigger `test`, never retried. Null when no report came in time.
   */
  async attemptNow(event: LoadedEvent, delivery: PlannedDelivery, timeoutMs: number): Promise<AttemptReport | null> {
    const now = this.o.clock.now();
    const row = {
      ...newDelivery(event, delivery, now),
      status: "delivering" as const,
      lease_until: now + this.o.leaseMs,
      manual: true,
    };
    await this.writer.submitEvent({ event, idempotency_response: null, deliveries: [row] });
    const report = this.waiters.waitFor([row.id], timeoutMs);
    await this.run(jobOf(event, row, "test"));
    return (await report).get(row.id) ?? null;
  }

  /** Claims a delivery for a manual attempt now (not retried if it fails). False when missing or in flight. */
  async replay(deliveryId: string): Promise<boolean> {
    const claimed = await this.o.store.claimForReplay(deliveryId, this.o.clock.now() + this.o.leaseMs);
    if (!claimed) return false;
    this.dispatcher.push(await this.scheduler.jobsFor([claimed], "manual"));
    return true;
  }

  /** Re-queues an endpoint's failed deliveries created in [since, until); returns how many. */
  async recover(endpointId: string, since: number, until: number): Promise<number> {
    const now = this.o.clock.now();
    const requeued = await this.o.store.recoverFailed(endpointId, since, until, now);
    if (requeued > 0) this.wake(now, true);
    return requeued;
  }

  /** Claims what is due now (tests call it after moving their clock). */
  poll(): Promise<void> {
    return this.scheduler.poll();
  }

  /** `endpoints`: how many endpoints exist (those without an open or half-open circuit count as closed). */
  prometheus(gauges: { pending: number; oldestPendingSeconds: number; endpoints: number }): string {
    const { endpoints, ...store } = gauges;
    return renderMetrics(this.metrics, {
      writes: this.writer.stats,
      readyQueue: this.dispatcher.size,
      inFlight: this.dispatcher.inFlight,
      circuits: this.guard.circuitGauges(endpoints),
      ...store,
    });
  }

  /**
   * Stops claiming and starting attempts, waits for in-flight ones (at most `graceMs` of real time), writes all
   * results, and hands queued deliveries back to the store as pending.
   */
  async stop(graceMs: number): Promise<void> {
    this.scheduler.stop();
    const queued = this.dispatcher.stop();
    // Queued (claimed, not started) deliveries go back at once, so other replicas can take them while ours finish.
    if (queued.length > 0) {
      const now = this.o.clock.now();
      try {
        await this.o.store.releaseDeliveries(
          queued.map((j) => j.deliveryId),
          now,
        );
        this.o.cluster?.announceDue(now);
      } catch (e) {
        this.o.logger.error("handing queued deliveries back failed; they return when their lease ends", { error: e });
      }
    }
    if (this.dispatcher.inFlight > 0) await Promise.race([this.dispatcher.whenIdle(), Bun.sleep(graceMs)]);
    await this.writer.flush();
    await this.guard.close();
    this.leases?.stop();
  }

  /** For tests and benchmarks: resolves when nothing is queued or in flight and all results are written. */
  async settle(): Promise<void> {
    while (
      this.dispatcher.inFlight > 0 ||
      this.dispatcher.size > 0 ||
      this.writer.pendingResults > 0 ||
      this.guard.pendingParks > 0
    ) {
      await this.dispatcher.whenIdle();
      await this.writer.flush();
      await this.guard.flush();
    }
  }

  /** How many more deliveries memory takes now. */
  private room(): number {
    return this.scheduler.isRunning ? Math.max(0, this.capacity - this.dispatcher.size - this.reserved) : 0;
  }

  private async run(job: Job): Promise<void> {
    try {
      const outcome = await runAttempt(job, this.attemptContext);
      this.guard.record(job, outcome);
      if (outcome) await this.outcomes.record(outcome);
    } catch (e) {
      this.outcomes.crashed(job, e);
    } finally {
      this.scheduler.slotFreed(this.dispatcher.size);
    }
  }
}
