// Tenant-supplied code (JSONata filters and transforms, event-type schema validation) runs here, in a small pool of
// worker threads, never on the event loop. A task past its time bound gets its worker terminated and replaced, so
// a runaway expression is stopped, not just measured. Queued tasks are served round-robin between lanes (tenants).
import { workerEntry } from "../lib/worker-entry.ts";
import { DEFAULT_MAX_BYTES, type SandboxReply, type SandboxRequest, type SandboxTask } from "./sandbox-protocol.ts";

/**
 * A task that failed: `limit` is set when a bound (time, depth, memory) stopped it; `unavailable` when the pool
 * could not run it at all (overloaded, stopped, or its workers cannot start), which says nothing of the task.
 */
export class SandboxError extends Error {
  constructor(
    message: string,
    readonly limit: "timeout" | "depth" | "memory" | null = null,
    readonly unavailable = false,
  ) {
    super(message);
    this.name = "SandboxError";
  }
}

export interface SandboxOptions {
  /** Worker threads (default 2). */
  workers: number;
  /** Largest value a JSONata step may build or a transform may render (default 4 × 256 KiB). */
  maxBytes: number;
}

/**
 * When a task's worker is terminated: twice its budget plus 100 ms of wall time. The worker stops an evaluation
 * itself once it has used its budget (checked at every step, charging the thread's own time); termination is for
 * what a step would not give back, such as a built-in that blocks. It costs a new worker (~130 ms of CPU to
 * start), so it must not fire on tasks that a busy machine merely delayed: on a loaded host, replacing workers
 * for those would add load and fail more tasks.
 */
const killAfter = (timeoutMs: number) => timeoutMs * 2 + 100;
/**
 * How long a lane waits after one of its tasks got its worker terminated. Starting a worker costs ~130 ms of
 * CPU, so this caps what one tenant's blocking expressions can make the host spend on replacements.
 */
const PENALTY_MS = 1000;
/** Tasks waiting beyond this many are refused at once rather than queued. */
const MAX_QUEUED = 10_000;
/** Consecutive workers that die before they are ready, after which the pool stops trying. */
const MAX_START_FAILURES = 3;

interface Job {
  task: SandboxTask;
  lane: string;
  resolve(value: unknown): void;
  reject(err: SandboxError): void;
}

interface Slot {
  worker: Worker;
  ready: boolean;
  job: (Job & { id: number; timer: ReturnType<typeof setTimeout> }) | null;
}

export class SandboxPool {
  private slots: Slot[] = [];
  private lanes = new Map<string, Job[]>();
  private order: string[] = [];
  private queued = 0;
  private nextId = 1;
  private startFailures = 0;
  private broken: string | null = null;
  private readyWaiters: (() => void)[] = [];
  /** Tasks running per lane; a lane may hold at most half the workers (at least one) at a time. */
  private running = new Map<string, number>();
  /** Lanes that must wait (until the time in ms) because one of their tasks got its worker terminated. */
  private penalties = new Map<string, number>();
  private penaltyTimer: ReturnType<typeof setTimeout> | null = null;
  /** Workers terminated because a task overran its time bound (for metrics and benchmarks). */
  terminated = 0;

  constructor(private options: SandboxOptions) {}

  /** Number of worker threads the pool keeps. */
  get size(): number {
    return this.options.workers;
  }

  /** New options apply to the tasks run from now on (a smaller worker count takes effect as workers are replaced). */
  reconfigure(options: Partial<SandboxOptions>): void {
    this.options = { ...this.options, ...options };
  }

  /** Starts the workers now instead of on the first task (their start-up then never delays a task). */
  warm(): void {
    for (let n = this.slots.length; n < this.options.workers; n++) this.spawn();
  }

  /** Starts the workers and resolves once every one of them is ready (or the pool cannot start them). */
  ready(): Promise<void> {
    this.warm();
    if (this.broken || this.slots.every((s) => s.ready)) return Promise.resolve();
    return new Promise((resolve) => this.readyWaiters.push(resolve));
  }

  private wakeReadyWaiters(): void {
    if (!this.broken && !this.slots.every((s) => s.ready)) return;
    for (const resolve of this.readyWaiters.splice(0)) resolve();
  }

  /**
   * Runs `task` on a worker; resolves with the worker's value. Rejects with SandboxError when the task fails,
   * overruns its time bound (its worker is terminated), or the pool cannot take it.
   */
  run(task: Omit<SandboxTask, "maxBytes">, lane: string): Promise<unknown> {
    if (this.broken) return Promise.reject(new SandboxError(this.broken, null, true));
    if (this.queued >= MAX_QUEUED)
      return Promise.reject(new SandboxError("the sandbox is overloaded; try again", null, true));
    this.warm();
    return new Promise((resolve, reject) => {
      const job: Job = { task: { ...task, maxBytes: this.options.maxBytes }, lane, resolve, reject };
      let queue = this.lanes.get(lane);
      if (!queue) {
        queue = [];
        this.lanes.set(lane, queue);
        this.order.push(lane);
      }
      queue.push(job);
      this.queued++;
      this.dispatch();
    });
  }

  /** Terminates every worker; queued and running tasks are rejected. The pool starts afresh on the next task. */
  stop(): void {
    for (const slot of this.slots) {
      slot.worker.terminate();
      if (slot.job) {
        clearTimeout(slot.job.timer);
        slot.job.reject(new SandboxError("the sandbox was stopped", null, true));
      }
    }
    this.slots = [];
    for (const queue of this.lanes.values())
      for (const job of queue) job.reject(new SandboxError("the sandbox was stopped", null, true));
    this.lanes.clear();
    this.order = [];
    this.queued = 0;
    this.running.clear();
    this.penalties.clear();
  }

  private spawn(): void {
    if (this.slots.length >= this.options.workers) return;
    const worker = new Worker(workerEntry("routing/sandbox-worker.ts"));
    // An idle pool must not keep the process alive (a CLI that built a gateway exits when it is done); a task in
    // flight still does, through its timer.
    (worker as Worker & { unref(): void }).unref();
    const slot: Slot = { worker, ready: false, job: null };
    this.slots.push(slot);
    worker.onmessage = (event: MessageEvent<SandboxReply>) => this.onReply(slot, event.data);
    worker.onerror = (event) => {
      event.preventDefault();
      this.replace(slot, `a sandbox worker failed: ${event.message}`);
    };
  }

  private onReply(slot: Slot, reply: SandboxReply): void {
    if ("ready" in reply) {
      slot.ready = true;
      this.startFailures = 0;
      this.wakeReadyWaiters();
      this.dispatch();
      return;
    }
    const job = slot.job;
    if (!job || job.id !== reply.id) return;
    clearTimeout(job.timer);
    slot.job = null;
    this.finished(job.lane);
    if ("error" in reply) job.reject(new SandboxError(reply.error, reply.limit ?? null));
    else job.resolve(reply.value);
    this.dispatch();
  }

  /** Terminates a slot's worker (failing its job with `why`) and starts another in its place. */
  private replace(slot: Slot, why: string, limit: SandboxError["limit"] = null): void {
    const index = this.slots.indexOf(slot);
    if (index === -1) return;
    slot.worker.terminate();
    if (limit === "timeout") this.terminated++;
    this.slots.splice(index, 1);
    if (slot.job) {
      clearTimeout(slot.job.timer);
      this.finished(slot.job.lane);
      if (limit === "timeout") this.penalise(slot.job.lane);
      slot.job.reject(new SandboxError(why, limit));
    } else if (!slot.ready && ++this.startFailures >= MAX_START_FAILURES) {
      this.broken = `the sandbox workers cannot start (${why})`;
      for (const queue of this.lanes.values())
        for (const job of queue) job.reject(new SandboxError(this.broken, null, true));
      this.lanes.clear();
      this.order = [];
      this.queued = 0;
      this.wakeReadyWaiters();
      return;
    }
    this.warm();
  }

  /** Makes `lane` wait PENALTY_MS before its next task. */
  private penalise(lane: string): void {
    this.penalties.set(lane, performance.now() + PENALTY_MS);
    this.dispatchAfterPenalties();
  }

  /** Dispatches again when the earliest penalty is over (one timer at a time). */
  private dispatchAfterPenalties(): void {
    if (this.penaltyTimer || this.penalties.size === 0) return;
    const earliest = Math.min(...this.penalties.values());
    this.penaltyTimer = setTimeout(
      () => {
        this.penaltyTimer = null;
        this.dispatch();
      },
      Math.max(1, earliest - performance.now() + 1),
    );
    if (this.penaltyTimer.unref) this.penaltyTimer.unref();
  }

  private waiting(lane: string, now: number): boolean {
    const until = this.penalties.get(lane);
    if (until === undefined) return false;
    if (until > now) return true;
    this.penalties.delete(lane);
    return false;
  }

  private finished(lane: string): void {
    const n = (this.running.get(lane) ?? 1) - 1;
    if (n > 0) this.running.set(lane, n);
    else this.running.delete(lane);
  }

  /**
   * Gives idle workers the next tasks, taking lanes in turn. A lane already holding half the workers waits, so
   * one tenant's tasks, however slow or however often they get their worker terminated, leave the other half
   * of the pool to everyone else; a lane whose task got its worker terminated waits PENALTY_MS.
   */
  private dispatch(): void {
    const cap = Math.max(1, Math.floor(this.options.workers / 2));
    const now = performance.now();
    for (const slot of this.slots) {
      if (!slot.ready || slot.job) continue;
      const turn = this.order.findIndex((lane) => (this.running.get(lane) ?? 0) < cap && !this.waiting(lane, now));
      if (turn === -1) {
        this.dispatchAfterPenalties();
        return;
      }
      const lane = this.order.splice(turn, 1)[0]!;
      const queue = this.lanes.get(lane)!;
      const job = queue.shift()!;
      this.queued--;
      if (queue.length > 0) this.order.push(lane);
      else this.lanes.delete(lane);
      this.running.set(lane, (this.running.get(lane) ?? 0) + 1);
      const id = this.nextId++;
      const timeoutMs = job.task.timeoutMs;
      const timer = setTimeout(
        () => this.replace(slot, `timed out after ${timeoutMs} ms`, "timeout"),
        killAfter(timeoutMs),
      );
      slot.job = { ...job, id, timer };
      slot.worker.postMessage({ ...job.task, id } satisfies SandboxRequest);
      if (timer.unref) timer.unref();
    }
  }
}

let shared: SandboxPool | null = null;
let sharedOptions: SandboxOptions = { workers: 2, maxBytes: DEFAULT_MAX_BYTES };

/** The process-wide pool that compiled filters, transforms and the event catalog use. */
export function sandbox(): SandboxPool {
  shared ??= new SandboxPool(sharedOptions);
  return shared;
}

/** Sets the shared pool's options (the composition root calls it with `server.max_body_bytes × 4`). */
export function configureSandbox(options: Partial<SandboxOptions>): void {
  sharedOptions = { ...sharedOptions, ...options };
  shared?.reconfigure(sharedOptions);
}
