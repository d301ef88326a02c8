// The in-memory ready queue: one lane per endpoint, served round-robin under the global and per-endpoint
// concurrency caps and an optional token bucket, so one slow or rate-limited endpoint never blocks others.
// Slots are shared fairly: past its fair share a lane only takes slots while a reserve stays free for others.
import type { AttemptTrigger } from "../store/index.ts";
import type { LoadedEvent } from "./envelope.ts";

export interface Job {
  deliveryId: string;
  event: LoadedEvent;
  endpointId: string | null;
  targetUrl: string | null;
  /** An ad-hoc target signed like this endpoint (null: the gateway key signs it). */
  likeEndpointId?: string | null;
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
  /**
   * The global cap on attempts in flight. When set, slots are shared fairly: a lane may always use up to
   * concurrency / (lanes with work + 1) slots, and more only while a reserve of concurrency / 16 stays free.
   */
  concurrency?: number;
  /** A lane's own cap (adaptive per-endpoint concurrency); default `perEndpoint`. */
  limitOf?(key: string): number;
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
  /** Lanes with jobs queued or in flight. */
  private busy = 0;
  /** Lanes held back by their fair share: offered again whenever a slot frees. */
  private overShare = new Set<Lane>();
  private readonly reserve: number;
  private readonly now: () => number;

  constructor(private readonly options: LaneOptions) {
    this.now = options.now ?? (() => performance.now());
    this.reserve = Math.ceil((options.concurrency ?? 0) / 16);
  }

  /** Jobs waiting (not in flight). */
  get size(): number {
    return this.queuedJobs;
  }

  get inFlight(): number {
    return this.running;
  }

  /** Lanes with jobs queued or in flight. */
  get busyLanes(): number {
    return this.busy;
  }

  /** Jobs of one lane waiting (not in flight). */
  queuedFor(key: string): number {
    return this.lanes.get(key)?.length ?? 0;
  }

  push(job: Job): void {
    const key = laneKey(job);
    let lane = this.lanes.get(key);
    if (!lane) {
      lane = new Lane(key);
      this.lanes.set(key, lane);
    }
    if (lane.length === 0 && lane.inFlight === 0) this.busy++;
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
      if (lane.length === 0) continue;
      const may = this.mayStart(lane);
      if (may === "over_share") this.overShare.add(lane);
      if (may !== "yes") continue;
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
    if (lane) {
      lane.inFlight--;
      if (lane.length === 0 && lane.inFlight === 0) {
        this.busy--;
        // Rate-limited lanes stay, so their bucket is not refilled by being recreated.
        if (this.options.rateOf(lane.key) === null) this.lanes.delete(lane.key);
      } else this.offer(lane);
    }
    // A freed slot (and maybe a larger share) may let lanes held back by their share go again.
    if (this.overShare.size > 0) {
      const held = [...this.overShare];
      this.overShare.clear();
      for (const l of held) this.offer(l);
    }
  }

  /** Re-offers lanes whose rate-limit wait has passed. */
  unblock(): void {
    const now = this.now();
    for (const lane of this.lanes.values()) if (lane.blockedUntil > 0 && lane.blockedUntil <= now) this.offer(lane);
  }

  /** Removes and returns every queued job (shutdown hands them back to the store). */
  drain(): Job[] {
    const out: Job[] = [];
    for (const lane of this.lanes.values()) out.push(...this.takeQueued(lane));
    this.ready = [];
    this.readyHead = 0;
    return out;
  }

  /** Removes and returns the queued jobs of one lane, oldest first (its in-flight jobs go on). */
  withdraw(key: string): Job[] {
    const lane = this.lanes.get(key);
    return lane ? this.takeQueued(lane) : [];
  }

  private takeQueued(lane: Lane): Job[] {
    const out: Job[] = [];
    while (lane.length > 0) out.push(lane.shift());
    if (out.length > 0 && lane.inFlight === 0) this.busy--;
    this.queuedJobs -= out.length;
    this.overShare.delete(lane);
    return out;
  }

  /** Whether a lane may start a job now: under its own cap, and within its fair share or with the reserve free. */
  private mayStart(lane: Lane): "yes" | "at_limit" | "over_share" {
    if (lane.inFlight >= (this.options.limitOf?.(lane.key) ?? this.options.perEndpoint)) return "at_limit";
    const total = this.options.concurrency;
    if (total === undefined || lane.inFlight < Math.max(1, Math.floor(total / (this.busy + 1)))) return "yes";
    return total - this.running > this.reserve ? "yes" : "over_share";
  }

  private offer(lane: Lane): void {
    if (lane.queued || lane.length === 0) return;
    const may = this.mayStart(lane);
    if (may === "over_share") this.overShare.add(lane);
    if (may !== "yes") return;
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
