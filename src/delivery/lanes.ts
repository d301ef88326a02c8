// The in-memory ready queue: one lane per endpoint, served round-robin under the global and per-endpoint
// concurrency caps and an optional token bucket, so one slow or rate-limited endpoint never blocks others.
import type { AttemptTrigger } from "../store/index.ts";
import type { LoadedEvent } from "./envelope.ts";

export interface Job {
  deliveryId: string;
  event: LoadedEvent;
  endpointId: string | null;
  targetUrl: string | null;
  /** Attempts made before this one. */
  attempts: number;
  /** Attempts made before the current retry run began. */
  retryBase: number;
  manual: boolean;
  trigger: AttemptTrigger;
}

class Lane {
  jobs: Job[] = [];
  head = 0;
  inFlight = 0;
  queued = false;
  tokens = 0;
  refilledAt = 0;
  blockedUntil = 0;
  constructor(readonly key: string) {}
  get length(): number {
    return this.jobs.length - this.head;
  }
  shift(): Job {
    const job = this.jobs[this.head]!;
    this.jobs[this.head++] = undefined as never;
    if (this.head > 1024 && this.head * 2 > this.jobs.length) {
      this.jobs = this.jobs.slice(this.head);
      this.head = 0;
    }
    return job;
  }
}

/** Where a rate-limited lane's tokens come from when not from its own bucket (e.g. a bucket shared by replicas). */
export interface TokenSource {
  /** Takes a token for `key` (limited to `rate` a second, `queued` jobs waiting): 0 when taken, else ms to wait. */
  take(key: string, rate: number, queued: number): number;
}

export interface LaneOptions {
  perEndpoint: number;
  /** Requests per second allowed for a lane key, or null for no limit. */
  rateOf(key: string): number | null;
  /** Tokens from elsewhere instead of each lane's own bucket. */
  tokens?: TokenSource;
  /** Milliseconds for token buckets (the engine's clock; default performance.now). */
  now?: () => number;
}

export const laneKey = (job: Pick<Job, "endpointId" | "targetUrl">) => job.endpointId ?? `url:${job.targetUrl}`;

export class Lanes {
  private lanes = new Map<string, Lane>();
  private ready: Lane[] = [];
  private readyHead = 0;
  private queuedJobs = 0;
  private running = 0;
  private readonly now: () => number;

  constructor(private readonly options: LaneOptions) {
    this.now = options.now ?? (() => performance.now());
  }

  /** Jobs waiting (not in flight). */
  get size(): number {
    return this.queuedJobs;
  }

  get inFlight(): number {
    return this.running;
  }

  push(job: Job): void {
    const key = laneKey(job);
    let lane = this.lanes.get(key);
    if (!lane) {
      lane = new Lane(key);
      this.lanes.set(key, lane);
    }
    lane.jobs.push(job);
    this.queuedJobs++;
    this.offer(lane);
  }

  /**
   * The next job to start, or null when none may start now. The caller must call `done(job)` when the
   * attempt ends. `wakeAt` reports the earliest monotonic time a rate-limited lane may go again.
   */
  next(): { job: Job | null; wakeAt: number | null } {
    let wakeAt: number | null = null;
    while (this.readyHead < this.ready.length) {
      const lane = this.ready[this.readyHead]!;
      this.ready[this.readyHead++] = undefined as never;
      lane.queued = false;
      if (lane.length === 0 || lane.inFlight >= this.options.perEndpoint) continue;
      const wait = this.takeToken(lane);
      if (wait > 0) {
        lane.blockedUntil = this.now() + wait;
        wakeAt = wakeAt === null ? lane.blockedUntil : Math.min(wakeAt, lane.blockedUntil);
        continue;
      }
      const job = lane.shift();
      this.queuedJobs--;
      lane.inFlight++;
      this.running++;
      this.offer(lane);
      this.compact();
      return { job, wakeAt };
    }
    this.compact();
    // Lanes blocked by their bucket are re-offered by `unblock` when the timer fires.
    return { job: null, wakeAt: wakeAt ?? this.earliestBlocked() };
  }

  done(job: Job): void {
    const lane = this.lanes.get(laneKey(job));
    this.running--;
    if (!lane) return;
    lane.inFlight--;
    // Rate-limited lanes stay, so their bucket is not refilled by being recreated.
    if (lane.length === 0 && lane.inFlight === 0 && this.options.rateOf(lane.key) === null) this.lanes.delete(lane.key);
    else this.offer(lane);
  }

  /** Re-offers lanes whose rate-limit wait has passed. */
  unblock(): void {
    const now = this.now();
    for (const lane of this.lanes.values()) if (lane.blockedUntil > 0 && lane.blockedUntil <= now) this.offer(lane);
  }

  /** Removes and returns every queued job (shutdown hands them back to the store). */
  drain(): Job[] {
    const out: Job[] = [];
    for (const lane of this.lanes.values()) while (lane.length > 0) out.push(lane.shift());
    this.queuedJobs = 0;
    this.ready = [];
    this.readyHead = 0;
    return out;
  }

  private offer(lane: Lane): void {
    if (lane.queued || lane.length === 0 || lane.inFlight >= this.options.perEndpoint) return;
    if (lane.blockedUntil > this.now()) return;
    lane.blockedUntil = 0;
    lane.queued = true;
    this.ready.push(lane);
  }

  private compact(): void {
    if (this.readyHead > 1024 && this.readyHead * 2 > this.ready.length) {
      this.ready = this.ready.slice(this.readyHead);
      this.readyHead = 0;
    } else if (this.readyHead === this.ready.length) {
      this.ready = [];
      this.readyHead = 0;
    }
  }

  private earliestBlocked(): number | null {
    let at: number | null = null;
    for (const lane of this.lanes.values())
      if (lane.blockedUntil > 0 && lane.length > 0)
        at = at === null ? lane.blockedUntil : Math.min(at, lane.blockedUntil);
    return at;
  }

  /** Token bucket: capacity max(1, rate), refilled continuously. Returns 0 when a token was taken, else ms to wait. */
  private takeToken(lane: Lane): number {
    const rate = this.options.rateOf(lane.key);
    if (rate === null) return 0;
    if (this.options.tokens) return this.options.tokens.take(lane.key, rate, lane.length);
    const now = this.now();
    const capacity = Math.max(1, rate);
    if (lane.refilledAt === 0) {
      lane.tokens = capacity;
      lane.refilledAt = now;
    } else {
      // A clock that went back refills nothing (it never takes tokens away).
      lane.tokens = Math.min(capacity, lane.tokens + (Math.max(0, now - lane.refilledAt) / 1000) * rate);
      lane.refilledAt = now;
    }
    if (lane.tokens >= 1) {
      lane.tokens -= 1;
      return 0;
    }
    return Math.ceil(((1 - lane.tokens) / rate) * 1000);
  }
}
