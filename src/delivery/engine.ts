// The delivery engine: admits events (one group-committed write of an event with its deliveries, then the fresh
// deliveries go straight to the dispatcher), runs attempts, records results and endpoint health, and hands stored
// work to the scheduler. The store is the truth; memory is a cache, so a crash loses nothing committed.
// See docs/architecture.md "The life of an event".
import type { EndpointRegistry } from "../endpoints/registry.ts";
import type { Logger } from "../lib/logger.ts";
import type { Cluster, NewDelivery, Store } from "../store/index.ts";
import { type AttemptContext, runAttempt } from "./attempt.ts";
import { Dispatcher } from "./dispatcher.ts";
import type { LoadedEvent } from "./envelope.ts";
import type { Job } from "./lanes.ts";
import { LeaseKeeper } from "./lease-keeper.ts";
import { EngineMetrics, renderMetrics } from "./metrics.ts";
import { OutcomeRecorder } from "./outcomes.ts";
import { Scheduler } from "./scheduler.ts";
import { SharedTokens } from "./shared-tokens.ts";
import { type AttemptReport, AttemptWaiters } from "./waiters.ts";
import { WriteBatcher } from "./write-batcher.ts";

export type { AttemptReport } from "./waiters.ts";

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
  /** Set when the delivery will never be attempted (a filter said no): its kind and reason. */
  skip: { kind: string; reason: string } | null;
}

export type Admitted =
  | { inserted: false; receipt: string | null }
  /** `attempts`: with `waitMs`, resolves with each sent delivery's first attempt (or what is known at the bound). */
  | { inserted: true; attempts: Promise<Map<string, AttemptReport>> | null };

export interface EngineOptions extends Omit<AttemptContext, "endpoint"> {
  store: Store;
  registry: Pick<EndpointRegistry, "get" | "disable" | "setFailingSince">;
  logger: Logger;
  concurrency: number;
  perEndpointConcurrency: number;
  /**
   * How long a claim lasts without renewal (delivery.lease_seconds). With replicas a dead one's claims return to the
   * others after it; on SQLite it is informational (a restart returns every lease at once).
   */
  leaseMs: number;
  /** The replicas sharing the store (null: this process alone): wake-ups, lease renewal, shared rate limits. */
  cluster: Cluster | null;
}

/** With replicas, the longest the scheduler goes without looking at the store (the safety net of the signals). */
const RECHECK_MS = 5000;

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
  private readonly leases: LeaseKeeper | null;

  constructor(private readonly o: EngineOptions) {
    const { registry, clock, cluster } = o;
    this.leases = cluster ? new LeaseKeeper(cluster, o.leaseMs, clock, o.logger) : null;
    this.capacity = Math.max(1000, o.concurrency * 20);
    this.attemptContext = { ...o, endpoint: (id) => registry.get(id) };
    this.writer = new WriteBatcher(o.store, o.logger, clock);
    this.waiters = new AttemptWaiters(clock);
    this.dispatcher = new Dispatcher({
      clock,
      concurrency: o.concurrency,
      perEndpoint: o.perEndpointConcurrency,
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
    this.scheduler = new Scheduler({
      store: o.store,
      clock,
      logger: o.logger,
      leaseMs: o.leaseMs,
      // Replicas: a dead one's expired leases and work stored without a signal are found within this.
      recheckMs: cluster ? Math.min(RECHECK_MS, o.leaseMs) : undefined,
      capacity: this.capacity,
      room: () => this.room(),
      deliver: (jobs) => this.dispatcher.push(jobs),
    });
  }

  get isRunning(): boolean {
    return this.scheduler.isRunning;
  }

  /** True while the store refuses writes. */
  get writesFailing(): boolean {
    return this.writer.writesFailing;
  }

  /** Returns crashed leases to pending and starts claiming due work (and, with replicas, renewing leases). */
  async start(): Promise<void> {
    await this.scheduler.start();
    this.leases?.start();
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
   * Commits an event with its deliveries (group commit) and queues them: those memory has room for are claimed
   * (leased) in the same write and attempted at once; the rest wait in the store as pending.
   */
  async admit(admission: Admission, options: { waitMs?: number } = {}): Promise<Admitted> {
    const now = this.o.clock.now();
    let claimed = 0;
    const rows = admission.deliveries.map((d) => {
      const row = this.newDelivery(admission.event, d, now);
      if (row.status === "pending" && this.room() > 0) {
        row.status = "delivering";
        row.lease_until = now + this.o.leaseMs;
        this.reserved++;
        claimed++;
      }
      return row;
    });
    let outcome: Awaited<ReturnType<WriteBatcher["submitEvent"]>>;
    try {
      outcome = await this.writer.submitEvent({
        event: admission.event,
        idempotency_response: admission.receipt,
        deliveries: rows,
      });
    } finally {
      this.reserved -= claimed;
    }
    if (!outcome.inserted) return { inserted: false, receipt: outcome.response };
    this.metrics.eventsIngested++;
    const toSend = rows.filter((r) => r.status !== "skipped");
    const attempts =
      options.waitMs === undefined
        ? null
        : this.waiters.waitFor(
            toSend.map((r) => r.id),
            options.waitMs,
          );
    const jobs: Job[] = [];
    for (const r of toSend) if (r.status === "delivering") jobs.push(this.jobOf(admission.event, r, "scheduled"));
    if (jobs.length > 0) this.dispatcher.push(jobs);
    if (jobs.length < toSend.length) this.wake(now, true);
    return { inserted: true, attempts };
  }

  /**
   * Commits a one-delivery event and attempts it now, outside the queues and whatever the endpoint's state
   * (the endpoint test route); recorded with trigger `test`, never retried. Null when no report came in time.
   */
  async attemptNow(event: LoadedEvent, delivery: PlannedDelivery, timeoutMs: number): Promise<AttemptReport | null> {
    const now = this.o.clock.now();
    const row = {
      ...this.newDelivery(event, delivery, now),
      status: "delivering" as const,
      lease_until: now + this.o.leaseMs,
      manual: true,
    };
    await this.writer.submitEvent({ event, idempotency_response: null, deliveries: [row] });
    const report = this.waiters.waitFor([row.id], timeoutMs);
    await this.run(this.jobOf(event, row, "test"));
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

  prometheus(gauges: { pending: number; oldestPendingSeconds: number }): string {
    return renderMetrics(this.metrics, {
      writes: this.writer.stats,
      readyQueue: this.dispatcher.size,
      inFlight: this.dispatcher.inFlight,
      ...gauges,
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
    this.leases?.stop();
  }

  /** For tests and benchmarks: resolves when nothing is queued or in flight and all results are written. */
  async settle(): Promise<void> {
    while (this.dispatcher.inFlight > 0 || this.dispatcher.size > 0 || this.writer.pendingResults > 0) {
      await this.dispatcher.whenIdle();
      await this.writer.flush();
    }
  }

  /** How many more deliveries memory takes now. */
  private room(): number {
    return this.scheduler.isRunning ? Math.max(0, this.capacity - this.dispatcher.size - this.reserved) : 0;
  }

  private newDelivery(event: LoadedEvent, d: PlannedDelivery, now: number): NewDelivery {
    return {
      id: d.id,
      event_id: event.id,
      endpoint_id: d.endpoint_id,
      tenant_id: event.tenant_id,
      target_url: d.target_url,
      status: d.skip ? "skipped" : "pending",
      next_attempt_at: d.skip ? null : now,
      lease_until: null,
      error_kind: d.skip?.kind ?? null,
      last_error: d.skip?.reason ?? null,
      manual: false,
      created_at: now,
    };
  }

  private jobOf(event: LoadedEvent, row: NewDelivery, trigger: Job["trigger"]): Job {
    return {
      deliveryId: row.id,
      event,
      endpointId: row.endpoint_id,
      targetUrl: row.target_url,
      attempts: 0,
      retryBase: 0,
      manual: row.manual,
      trigger,
    };
  }

  private async run(job: Job): Promise<void> {
    try {
      const outcome = await runAttempt(job, this.attemptContext);
      if (outcome) await this.outcomes.record(outcome);
    } catch (e) {
      this.o.logger.error("delivery attempt crashed; the delivery will be retried", {
        delivery_id: job.deliveryId,
        error: e,
      });
      this.writer.addResult({
        attempt: null,
        update: {
          id: job.deliveryId,
          status: "pending",
          attempts: job.attempts,
          next_attempt_at: this.o.clock.now() + 5000,
          error_kind: "internal_error",
          last_error: "internal_error",
          delivered_at: null,
        },
      });
    } finally {
      this.scheduler.slotFreed(this.dispatcher.size);
    }
  }
}
