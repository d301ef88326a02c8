// When stored deliveries are due: one timer armed for the earliest next_attempt_at, claims of due rows (leased) in
// batches while memory has room, and wake-ups when an admission overflows, a retry is written or a replay asks.
import type { Clock, Timer } from "../lib/clock.ts";
import type { Logger } from "../lib/logger.ts";
import type { AttemptTrigger, ClaimedDelivery, DeliveryQueueStore, EventStore } from "../store/index.ts";
import type { LoadedEvent } from "./envelope.ts";
import type { Job } from "./lanes.ts";

export interface SchedulerOptions {
  store: DeliveryQueueStore & Pick<EventStore, "eventsByIds">;
  clock: Clock;
  logger: Logger;
  /** How long a claim is leased (a restart returns every lease at once). */
  leaseMs: number;
  /** How many more deliveries memory takes now. */
  room(): number;
  /** The most memory ever takes (claims stop below half of it). */
  capacity: number;
  /** Hands claimed deliveries over for their attempts. */
  deliver(jobs: Job[]): void;
  /**
   * Look at the store at least this often even when nothing is known to be due (replicas: work another replica
   * stored or left behind may appear without a signal reaching this one). Unset: only when something is due.
   */
  recheckMs?: number;
}

const CLAIM_BATCH = 500;
/** Longest single timer; the store is re-checked at least this often (robust to clock jumps). */
const MAX_TIMER_MS = 30_000;

export class Scheduler {
  private timer: Timer | null = null;
  private armedFor = Number.POSITIVE_INFINITY;
  private polling = false;
  private pollAgain = false;
  /** The store may hold due deliveries that did not fit in memory. */
  private storeHasDue = false;
  private running = false;

  constructor(private readonly o: SchedulerOptions) {}

  get isRunning(): boolean {
    return this.running;
  }

  /** Returns leases left by a previous run to pending, then claims what is due. */
  async start(): Promise<void> {
    const reset = await this.o.store.resetLeases(this.o.clock.now());
    if (reset > 0)
      this.o.logger.warn("deliveries left in flight by a previous run are pending again", { count: reset });
    this.running = true;
    await this.poll();
  }

  stop(): void {
    this.running = false;
    this.o.clock.clearTimeout(this.timer);
    this.timer = null;
  }

  /** The store has deliveries due at `at` (an overflowing admission, a recover, a retry). */
  wake(at: number): void {
    if (at <= this.o.clock.now()) this.storeHasDue = true;
    if (at < this.armedFor) this.arm(at);
  }

  /** A slot was freed: claim more if the store has due work and memory has drained to half. */
  slotFreed(queued: number): void {
    if (this.storeHasDue && queued < this.o.capacity / 2) void this.poll();
  }

  /** Claims due deliveries while memory has room, then re-arms the timer. */
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
        const room = this.o.room();
        const batch = Math.min(room, CLAIM_BATCH);
        if (room < Math.min(CLAIM_BATCH, this.o.capacity / 2)) {
          this.storeHasDue = true;
          break;
        }
        const now = this.o.clock.now();
        const claimed = await this.o.store.claimDue(now, batch, now + this.o.leaseMs);
        this.storeHasDue = claimed.length === batch;
        if (claimed.length > 0) this.o.deliver(await this.jobsFor(claimed, "scheduled"));
        if (this.storeHasDue) this.pollAgain = true;
        // Between batches, let HTTP and finished attempts in (a large backlog would otherwise hold the event loop).
        if (this.pollAgain) await new Promise<void>((resolve) => setImmediate(resolve));
      } while (this.pollAgain && this.running);
      const next = await this.o.store.nextDueAt();
      const recheck = this.o.recheckMs === undefined ? null : this.o.clock.now() + this.o.recheckMs;
      const at = next === null ? recheck : recheck === null ? next : Math.min(next, recheck);
      if (at !== null && !this.storeHasDue) this.arm(at);
    } catch (e) {
      this.o.logger.error("claiming due deliveries failed; retrying", { error: e });
      this.arm(this.o.clock.now() + 1000);
    } finally {
      this.polling = false;
    }
  }

  /** Jobs for claimed deliveries, with their events loaded (a delivery whose event was purged is dropped). */
  async jobsFor(claimed: readonly ClaimedDelivery[], trigger: AttemptTrigger): Promise<Job[]> {
    const events = new Map<string, LoadedEvent>();
    for (const e of await this.o.store.eventsByIds([...new Set(claimed.map((c) => c.event_id))])) events.set(e.id, e);
    const jobs: Job[] = [];
    for (const c of claimed) {
      const event = events.get(c.event_id);
      if (!event) continue;
      jobs.push({
        deliveryId: c.id,
        event,
        endpointId: c.endpoint_id,
        targetUrl: c.target_url,
        likeEndpointId: c.like_endpoint_id,
        attempts: c.attempts,
        retryBase: c.retry_base,
        manual: trigger !== "scheduled" || c.manual,
        trigger,
      });
    }
    return jobs;
  }

  private arm(at: number): void {
    if (!this.running) return;
    this.o.clock.clearTimeout(this.timer);
    this.armedFor = at;
    const delay = Math.min(MAX_TIMER_MS, Math.max(0, at - this.o.clock.now()));
    this.timer = this.o.clock.setTimeout(() => {
      this.timer = null;
      this.armedFor = Number.POSITIVE_INFINITY;
      void this.poll();
    }, delay);
  }
}
