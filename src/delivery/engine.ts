// The delivery engine: runs attempts from the in-memory lanes, claims due retries from the store on one
// timer, applies the retry policy's decisions, and writes results in batches. The store is the truth;
// memory is a cache, so a crash loses nothing that was committed.
import type { Config } from "../config/index.ts";
import type { Clock } from "../lib/clock.ts";
import { parseDuration } from "../lib/duration.ts";
import { newId } from "../lib/ids.ts";
import type { Logger } from "../lib/logger.ts";
import type { Ed25519Signer } from "../signing/ed25519.ts";
import {
  type AttemptTrigger,
  type ClaimedDelivery,
  type DeliveryUpdate,
  type InsertOutcome,
  KEEP_HTTP_STATUS,
  type NewEvent,
  type Store,
} from "../store/index.ts";
import type { Endpoint } from "./endpoint.ts";
import { type Job, Lanes } from "./lanes.ts";
import { EngineMetrics, renderMetrics } from "./metrics.ts";
import type { EndpointRegistry } from "./registry.ts";
import { adHocRequest, type BuiltRequest, endpointRequest, type LoadedEvent, type RequestContext } from "./request.ts";
import { decide } from "./retry-policy.ts";
import { type AttemptResult, send } from "./sender.ts";
import type { Guard } from "./ssrf-guard.ts";
import { WriteBatcher, type Written } from "./write-batcher.ts";

/** What `?wait=true` and the test route report about a delivery's attempt. */
export interface AttemptReport {
  delivery_id: string;
  status: DeliveryUpdate["status"];
  http_status: number | null;
  response_time_ms: number | null;
  error: string | null;
}

export interface EngineOptions {
  store: Store;
  registry: EndpointRegistry;
  config: Config;
  clock: Clock;
  logger: Logger;
  signer: Ed25519Signer;
  userAgent: string;
  /** Outbound auth headers (static credentials, OAuth2 tokens). */
  authHeaders: RequestContext["authHeaders"];
  /** The SSRF guard every attempt goes through (resolve, check, connect to the checked address). */
  guard: Guard;
  random?: () => number;
}

const CLAIM_BATCH = 500;
/** How long a claimed delivery is leased (informational: a restart returns every lease at once). */
export const LEASE_MS = 15 * 60_000;
/** Longest single timer; the timer re-checks the store at least this often (robust to clock jumps). */
const MAX_TIMER_MS = 30_000;

export class DeliveryEngine {
  readonly metrics = new EngineMetrics();
  private readonly lanes: Lanes;
  private readonly writer: WriteBatcher;
  private readonly scheduleMs: number[];
  private readonly disableAfterMs: number;
  private readonly maxQueued: number;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private armedFor = Number.POSITIVE_INFINITY;
  private laneTimer: ReturnType<typeof setTimeout> | null = null;
  private polling = false;
  private pollAgain = false;
  /** The store may hold due deliveries that did not fit in memory. */
  private storeHasDue = false;
  private running = false;
  private waiters = new Map<string, ((r: AttemptReport) => void)[]>();
  private idle: (() => void)[] = [];

  constructor(private readonly o: EngineOptions) {
    const d = o.config.delivery;
    this.scheduleMs = d.retry_schedule.map((s) => parseDuration(s)!);
    this.disableAfterMs = parseDuration(d.disable_after)!;
    this.maxQueued = Math.max(1000, d.concurrency * 20);
    this.lanes = new Lanes({
      perEndpoint: d.per_endpoint_concurrency,
      rateOf: (key) => (key.startsWith("url:") ? null : (o.registry.get(key)?.rate_limit_per_second ?? null)),
    });
    this.writer = new WriteBatcher(o.store, o.logger, {
      beforeCommit: (batch) => this.assignQueues(batch),
      afterCommit: (batch) => this.afterWrite(batch),
    });
  }

  /**
   * Commits a new event with its deliveries (group commit). Deliveries to send are claimed for memory
   * (status delivering, leased) while the ready queue has room; the rest wait in the store as pending.
   */
  submitEvent(item: NewEvent): Promise<InsertOutcome> {
    return this.writer.submitEvent(item);
  }

  private assignQueues(batch: NewEvent[]): void {
    let room = this.room();
    const now = this.o.clock.now();
    for (const item of batch) {
      for (const delivery of item.deliveries) {
        if (delivery.status === "skipped" || delivery.status === "failed") continue;
        delivery.next_attempt_at = now;
        if (room > 0) {
          room--;
          delivery.status = "delivering";
          delivery.lease_until = now + LEASE_MS;
        } else {
          delivery.status = "pending";
          delivery.lease_until = null;
        }
      }
    }
  }

  get isRunning(): boolean {
    return this.running;
  }

  /** Returns crashed leases to pending and starts the timer. */
  async start(): Promise<void> {
    const reset = await this.o.store.resetLeases(this.o.clock.now());
    if (reset > 0)
      this.o.logger.warn("deliveries left in flight by a previous run are pending again", { count: reset });
    this.running = true;
    await this.poll();
  }

  /** How many fresh deliveries the in-memory queue takes now; the rest wait in the store. */
  private room(): number {
    return this.running ? Math.max(0, this.maxQueued - this.lanes.size) : 0;
  }

  /** Queues freshly committed deliveries for their first attempt (no store round trip). */
  enqueue(jobs: readonly Job[]): void {
    for (const job of jobs) this.lanes.push(job);
    this.pump();
  }

  /** Tells the engine the store has deliveries due at `at` (a fresh overflow, a recover, a retry). */
  wake(at: number): void {
    if (at <= this.o.clock.now()) this.storeHasDue = true;
    if (at < this.armedFor) this.arm(at);
  }

  /** Claims due deliveries from the store while memory has room, then re-arms the timer. */
  async poll(): Promise<void> {
    if (!this.running) return;
    if (this.polling) {
      this.pollAgain = true;
      return;
    }
    this.polling = true;
    try {
      do {
        this.pollAgain = false;
        const room = this.maxQueued - this.lanes.size;
        if (room < Math.min(CLAIM_BATCH, this.maxQueued / 2)) {
          this.storeHasDue = true;
          break;
        }
        const now = this.o.clock.now();
        const claimed = await this.o.store.claimDue(now, Math.min(room, CLAIM_BATCH), now + LEASE_MS);
        this.storeHasDue = claimed.length === Math.min(room, CLAIM_BATCH);
        if (claimed.length > 0) this.enqueue(await this.jobsFor(claimed, "scheduled"));
        if (this.storeHasDue) this.pollAgain = true;
      } while (this.pollAgain && this.running);
      const next = await this.o.store.nextDueAt();
      if (next !== null && !this.storeHasDue) this.arm(next);
    } catch (e) {
      this.o.logger.error("claiming due deliveries failed; retrying", { error: e });
      this.arm(this.o.clock.now() + 1000);
    } finally {
      this.polling = false;
    }
  }

  private arm(at: number): void {
    if (!this.running) return;
    if (this.timer) clearTimeout(this.timer);
    this.armedFor = at;
    const delay = Math.min(MAX_TIMER_MS, Math.max(0, at - this.o.clock.now()));
    this.timer = setTimeout(() => {
      this.timer = null;
      this.armedFor = Number.POSITIVE_INFINITY;
      void this.poll();
    }, delay);
  }

  private async jobsFor(claimed: readonly ClaimedDelivery[], trigger: AttemptTrigger): Promise<Job[]> {
    const events = new Map<string, LoadedEvent>();
    for (const e of await this.o.store.eventsByIds([...new Set(claimed.map((c) => c.event_id))])) events.set(e.id, e);
    const jobs: Job[] = [];
    for (const c of claimed) {
      const event = events.get(c.event_id);
      if (!event) continue; // purged by retention while waiting
      jobs.push({
        deliveryId: c.id,
        event,
        endpointId: c.endpoint_id,
        targetUrl: c.target_url,
        attempts: c.attempts,
        retryBase: c.retry_base,
        manual: trigger !== "scheduled" || c.manual,
        trigger,
      });
    }
    return jobs;
  }

  /** Starts as many queued jobs as the caps allow. */
  private pump(): void {
    while (this.running || this.lanes.inFlight > 0) {
      if (this.lanes.inFlight >= this.o.config.delivery.concurrency) return;
      const { job, wakeAt } = this.lanes.next();
      if (!job) {
        if (wakeAt !== null) this.armLanes(wakeAt);
        return;
      }
      void this.run(job);
    }
  }

  private laneTimerAt = Number.POSITIVE_INFINITY;

  /** Wakes the lanes when the earliest rate-limited one may go again (re-armed for an earlier time). */
  private armLanes(at: number): void {
    if (this.laneTimer && this.laneTimerAt <= at) return;
    if (this.laneTimer) clearTimeout(this.laneTimer);
    this.laneTimerAt = at;
    this.laneTimer = setTimeout(
      () => {
        this.laneTimer = null;
        this.laneTimerAt = Number.POSITIVE_INFINITY;
        this.lanes.unblock();
        this.pump();
      },
      Math.max(1, Math.ceil(at - performance.now())),
    );
  }

  private async run(job: Job): Promise<void> {
    try {
      await this.attempt(job);
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
          http_status: null,
          last_error: "internal_error",
          delivered_at: null,
        },
      });
    } finally {
      this.lanes.done(job);
      if (this.lanes.inFlight === 0 && this.lanes.size === 0) for (const f of this.idle.splice(0)) f();
      this.pump();
      if (this.storeHasDue && this.lanes.size < this.maxQueued / 2) void this.poll();
    }
  }

  /** One attempt: build, send, decide, record. */
  private async attempt(job: Job): Promise<void> {
    const endpoint = job.endpointId === null ? null : this.o.registry.get(job.endpointId);
    if (job.endpointId !== null && !endpoint) return; // deleted: its deliveries went with it
    const now = this.o.clock.now();
    if (endpoint && !endpoint.enabled && job.trigger !== "test") {
      this.finish(
        job,
        null,
        {
          id: job.deliveryId,
          status: "failed",
          attempts: job.attempts,
          next_attempt_at: null,
          http_status: KEEP_HTTP_STATUS,
          last_error: `endpoint_disabled: the endpoint is disabled (${endpoint.disabled_reason ?? "manual"})`,
          delivered_at: null,
        },
        null,
      );
      return;
    }
    const ctx = { now, userAgent: this.o.userAgent, signer: this.o.signer, authHeaders: this.o.authHeaders };
    const built: BuiltRequest = endpoint
      ? await endpointRequest(job.event, endpoint, ctx)
      : { ok: true, request: adHocRequest(job.event, job.targetUrl!, ctx, this.o.config.delivery.timeout_ms) };
    const result: AttemptResult = built.ok
      ? await send(built.request, () => this.o.clock.now(), this.o.guard)
      : {
          startedAt: now,
          durationMs: 0,
          httpStatus: null,
          responseHeaders: null,
          responseBody: null,
          bodyEncoding: null,
          error: built.error,
          retryAfter: null,
        };
    await this.record(job, endpoint ?? null, result);
  }

  private async record(job: Job, endpoint: Endpoint | null, r: AttemptResult): Promise<void> {
    const n = job.attempts + 1;
    const now = this.o.clock.now();
    const decision = decide({
      outcome: { httpStatus: r.httpStatus, error: r.error?.kind ?? null, retryAfter: r.retryAfter },
      attemptInRun: n - job.retryBase,
      scheduleMs: endpoint?.compiled.scheduleMs ?? this.scheduleMs,
      jitter: this.o.config.delivery.jitter,
      now,
      manual: job.manual,
      failingSince: endpoint?.failing_since ?? null,
      disableAfterMs: this.disableAfterMs,
      random: this.o.random,
    });
    const error = r.error ? `${r.error.kind}: ${r.error.message}` : null;
    const lastError = error ?? (decision.status === "delivered" ? null : `HTTP ${r.httpStatus}`);
    const attempt = {
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
      error,
    };
    const update: DeliveryUpdate = {
      id: job.deliveryId,
      status: decision.status,
      attempts: n,
      next_attempt_at: decision.status === "pending" ? decision.nextAttemptAt : null,
      http_status: r.httpStatus,
      last_error:
        decision.status === "failed" && decision.reason === "endpoint_failing"
          ? `${lastError}; endpoint disabled after failing for ${this.o.config.delivery.disable_after}`
          : lastError,
      delivered_at: decision.status === "delivered" ? now : null,
    };
    this.metrics.countAttempt(r.error ? r.error.kind : `${Math.floor((r.httpStatus ?? 0) / 100)}xx`, r.durationMs);
    this.finish(job, attempt, update, r.durationMs);
    if (endpoint) {
      // The attempt's result is already queued; failing to record the endpoint's health must not undo it.
      try {
        await this.applyEndpointHealth(endpoint, decision.endpoint, now);
      } catch (e) {
        this.o.logger.error("updating endpoint health failed", { endpoint_id: endpoint.id, error: e });
      }
    }
  }

  private finish(job: Job, attempt: Written["attempt"], update: DeliveryUpdate, durationMs: number | null): void {
    if (update.status !== "pending") this.metrics.countFinal(update.status);
    const waiting = this.waiters.get(job.deliveryId);
    let onCommitted: (() => void) | undefined;
    if (waiting) {
      this.waiters.delete(job.deliveryId);
      const report: AttemptReport = {
        delivery_id: job.deliveryId,
        status: update.status,
        http_status: update.http_status === KEEP_HTTP_STATUS ? null : update.http_status,
        response_time_ms: durationMs,
        error: attempt?.error ?? update.last_error,
      };
      onCommitted = () => waiting.forEach((w) => w(report));
    }
    this.writer.addResult({ attempt, update, onCommitted });
  }

  private afterWrite(batch: Written[]): void {
    for (const { update, onCommitted } of batch) {
      if (update.status === "pending" && update.next_attempt_at !== null) this.wake(update.next_attempt_at);
      onCommitted?.();
    }
  }

  private async applyEndpointHealth(
    endpoint: Endpoint,
    verdict: "healthy" | "failing" | "disable_gone" | "disable_failing",
    now: number,
  ): Promise<void> {
    const { registry, store } = this.o;
    if (verdict === "healthy") return registry.setFailingSince(endpoint.id, null);
    if (endpoint.failing_since === null) await registry.setFailingSince(endpoint.id, now);
    if (verdict === "disable_gone" || verdict === "disable_failing") {
      const reason = verdict === "disable_gone" ? "gone" : "failing";
      await registry.disable(endpoint.id, reason);
      const failed = await store.failWaitingDeliveries(
        endpoint.id,
        `endpoint_disabled: the endpoint was disabled (${reason})`,
      );
      if (failed > 0)
        this.o.logger.info("waiting deliveries of a disabled endpoint failed", {
          endpoint_id: endpoint.id,
          count: failed,
        });
    }
  }

  /** Resolves with each delivery's first attempt report (for ?wait=true), or times out with what is known. */
  waitForAttempts(deliveryIds: readonly string[], timeoutMs: number): Promise<Map<string, AttemptReport>> {
    const out = new Map<string, AttemptReport>();
    if (deliveryIds.length === 0) return Promise.resolve(out);
    return new Promise((resolve) => {
      let left = deliveryIds.length;
      const callbacks = new Map<string, (r: AttemptReport) => void>();
      const timer = setTimeout(() => {
        // Give up: forget our callbacks so they do not pile up.
        for (const [id, cb] of callbacks) {
          const rest = (this.waiters.get(id) ?? []).filter((w) => w !== cb);
          if (rest.length > 0) this.waiters.set(id, rest);
          else this.waiters.delete(id);
        }
        resolve(out);
      }, timeoutMs);
      for (const id of deliveryIds) {
        const cb = (report: AttemptReport) => {
          out.set(id, report);
          callbacks.delete(id);
          if (--left === 0) {
            clearTimeout(timer);
            resolve(out);
          }
        };
        callbacks.set(id, cb);
        const list = this.waiters.get(id) ?? [];
        list.push(cb);
        this.waiters.set(id, list);
      }
    });
  }

  /**
   * Registers interest in a delivery's next attempt before it is queued (so a fast attempt is not missed).
   * Returns the promise of its report.
   */
  expect(deliveryId: string, timeoutMs: number): Promise<AttemptReport | null> {
    return this.waitForAttempts([deliveryId], timeoutMs).then((m) => m.get(deliveryId) ?? null);
  }

  /** Claims a delivery for a manual attempt now (not retried if it fails). False when missing or in flight. */
  async replay(deliveryId: string): Promise<boolean> {
    const now = this.o.clock.now();
    const claimed = await this.o.store.claimForReplay(deliveryId, now + LEASE_MS);
    if (!claimed) return false;
    this.enqueue(await this.jobsFor([claimed], "manual"));
    return true;
  }

  /** Runs one attempt of a claimed delivery immediately, outside the lanes (the endpoint test route). */
  async attemptNow(job: Job, timeoutMs: number): Promise<AttemptReport | null> {
    const report = this.expect(job.deliveryId, timeoutMs);
    await this.attempt(job);
    return report;
  }

  prometheus(gauges: { pending: number; oldestPendingSeconds: number }): string {
    return renderMetrics(this.metrics, {
      writes: this.writer.stats,
      readyQueue: this.lanes.size,
      inFlight: this.lanes.inFlight,
      ...gauges,
    });
  }

  /**
   * Stops claiming and starting attempts, waits for in-flight ones (at most `graceMs`), writes all
   * results, and hands queued deliveries back to the store as pending.
   */
  async stop(graceMs: number): Promise<void> {
    this.running = false;
    if (this.timer) clearTimeout(this.timer);
    if (this.laneTimer) clearTimeout(this.laneTimer);
    const queued = this.lanes.drain();
    if (this.lanes.inFlight > 0) {
      await Promise.race([new Promise<void>((r) => this.idle.push(r)), Bun.sleep(graceMs)]);
    }
    await this.writer.flush();
    if (queued.length > 0)
      await this.o.store.releaseDeliveries(
        queued.map((j) => j.deliveryId),
        this.o.clock.now(),
      );
  }

  /** For tests and benchmarks: resolves when nothing is queued or in flight and all results are written. */
  async settle(): Promise<void> {
    while (this.lanes.inFlight > 0 || this.lanes.size > 0 || this.writer.pendingResults > 0) {
      if (this.lanes.inFlight > 0 || this.lanes.size > 0) await new Promise<void>((r) => this.idle.push(r));
      await this.writer.flush();
    }
  }
}
