// Slots for attempts: jobs wait in per-endpoint lanes (lanes.ts) and start round-robin under the global and
// per-endpoint concurrency caps (shared fairly, adaptive per endpoint) and each endpoint's token bucket; a timer
// wakes lanes that wait for a token. A gate (the circuit breaker) may keep a job from its lane.
import type { Clock, Timer } from "../lib/clock.ts";
import { type Job, Lanes, type TokenSource } from "./lanes.ts";

export interface DispatcherOptions {
  clock: Clock;
  /** Attempts in flight at once, in total. */
  concurrency: number;
  perEndpoint: number;
  /** An endpoint's current cap (adaptive concurrency, at most perEndpoint). */
  limitOf?(key: string): number;
  /** False when the job must not be attempted now (its circuit is open and the gate has parked it). */
  gate?(job: Job): boolean;
  /** Requests per second allowed for a lane key (an endpoint id, or `url:…` for ad-hoc targets), or null. */
  rateOf(key: string): number | null;
  /** Tokens of rate-limited lanes from elsewhere (a bucket the replicas share) instead of each lane's own. */
  tokens?: TokenSource;
  /** Runs one attempt; the slot is freed when it settles. */
  run(job: Job): Promise<void>;
}

export class Dispatcher {
  private readonly lanes: Lanes;
  private running = true;
  private laneTimer: Timer | null = null;
  private laneTimerAt = Number.POSITIVE_INFINITY;
  private idle: (() => void)[] = [];

  constructor(private readonly o: DispatcherOptions) {
    this.lanes = new Lanes({
      perEndpoint: o.perEndpoint,
      concurrency: o.concurrency,
      limitOf: o.limitOf,
      rateOf: o.rateOf,
      tokens: o.tokens,
      now: () => o.clock.now(),
    });
  }

  /** Jobs waiting for a slot. */
  get size(): number {
    return this.lanes.size;
  }

  get inFlight(): number {
    return this.lanes.inFlight;
  }

  /** Endpoints (lanes) with jobs queued or in flight. */
  get busyLanes(): number {
    return this.lanes.busyLanes;
  }

  /** Jobs of one lane waiting for a slot. */
  queuedFor(key: string): number {
    return this.lanes.queuedFor(key);
  }

  /** Queues jobs (those the gate lets through) and starts what the caps allow. */
  push(jobs: readonly Job[]): void {
    const gate = this.o.gate;
    for (const job of jobs) if (!gate || gate(job)) this.lanes.push(job);
    this.pump();
  }

  /** Takes a lane's queued jobs out (its circuit opened); its in-flight attempts go on. */
  withdraw(key: string): Job[] {
    const jobs = this.lanes.withdraw(key);
    if (jobs.length > 0 && this.lanes.inFlight === 0 && this.lanes.size === 0) for (const f of this.idle.splice(0)) f();
    return jobs;
  }

  /** Resolves when nothing is queued or in flight. */
  whenIdle(): Promise<void> {
    if (this.lanes.inFlight === 0 && this.lanes.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.idle.push(resolve));
  }

  /** Stops starting attempts and returns the queued jobs (in-flight ones finish; see whenIdle). */
  stop(): Job[] {
    this.running = false;
    this.o.clock.clearTimeout(this.laneTimer);
    return this.lanes.drain();
  }

  private pump(): void {
    while (this.running && this.lanes.inFlight < this.o.concurrency) {
      const { job, wakeAt } = this.lanes.next();
      if (!job) {
        if (wakeAt !== null) this.armLanes(wakeAt);
        return;
      }
      void this.start(job);
    }
  }

  private async start(job: Job): Promise<void> {
    try {
      await this.o.run(job);
    } finally {
      this.lanes.done(job);
      if (this.lanes.inFlight === 0 && this.lanes.size === 0) for (const f of this.idle.splice(0)) f();
      this.pump();
    }
  }

  /** Wakes the lanes when the earliest rate-limited one may go again (re-armed for an earlier time). */
  private armLanes(at: number): void {
    if (this.laneTimer && this.laneTimerAt <= at) return;
    this.o.clock.clearTimeout(this.laneTimer);
    this.laneTimerAt = at;
    this.laneTimer = this.o.clock.setTimeout(
      () => {
        this.laneTimer = null;
        this.laneTimerAt = Number.POSITIVE_INFINITY;
        this.lanes.unblock();
        this.pump();
      },
      Math.max(1, Math.ceil(at - this.o.clock.now())),
    );
  }
}
