// Every write of the hot path goes through here: events admitted in one event-loop turn and attempt results
// finished meanwhile share one transaction (group commit). An admission is answered only after its commit;
// results, being off the delivery path, may wait a few milliseconds for a bigger batch.
import type { Clock, Timer } from "../lib/clock.ts";
import { UnavailableError } from "../lib/errors.ts";
import type { Logger } from "../lib/logger.ts";
import type { AttemptRecord, BatchWriter, DeliveryUpdate, InsertOutcome, NewEvent } from "../store/index.ts";

export interface Written {
  attempt: AttemptRecord | null;
  update: DeliveryUpdate;
  /** Called once this result is committed. */
  onCommitted?: () => void;
}

/** Events submitted together: always written in the same transaction (a batch publish is all or nothing). */
interface WaitingEvents {
  items: readonly NewEvent[];
  resolve(outcomes: InsertOutcome[]): void;
  reject(error: Error): void;
}

const RESULT_WINDOW_MS = 5;
const RETRY_AFTER_FAILURE_MS = 1000;
const MAX_EVENTS = 2000;
const MAX_RESULTS = 2000;

export class WriteBatcher {
  private events: WaitingEvents[] = [];
  private results: Written[] = [];
  private immediate = false;
  private timer: Timer | null = null;
  /** Batches being written (at most the store's parallelWrites). */
  private readonly writing = new Set<Promise<void>>();
  /** The last write failed: results then wait for the retry timer instead of re-flushing at once. */
  private failing = false;
  /** Counters for metrics: transactions, events and results written. */
  readonly stats = { commits: 0, events: 0, results: 0 };

  constructor(
    private readonly store: BatchWriter,
    private readonly logger: Logger,
    private readonly clock: Clock,
  ) {}

  /** True while the store refuses writes (the last write failed). */
  get writesFailing(): boolean {
    return this.failing;
  }

  /**
   * False while the store refuses writes (the last write failed). Then it tries again now: the queued results
   * if there are any, else `probe` (a small write of its own), so the answer turns true once a write succeeds.
   */
  async checkWrites(probe: () => Promise<void>): Promise<boolean> {
    if (!this.failing) return true;
    if (this.results.length > 0) {
      await this.flush();
      return !this.failing;
    }
    try {
      await probe();
    } catch {
      return false;
    }
    this.failing = false;
    return true;
  }

  /** Queues an event (with its deliveries); resolves after the transaction that holds it commits. */
  async submitEvent(item: NewEvent): Promise<InsertOutcome> {
    return (await this.submitEvents([item]))[0]!;
  }

  /**
   * Queues events that must commit together (a batch publish): they share one transaction, with whatever else
   * this event-loop turn brings. Resolves with each event's outcome, in order, after that commit.
   */
  submitEvents(items: readonly NewEvent[]): Promise<InsertOutcome[]> {
    return new Promise((resolve, reject) => {
      this.events.push({ items, resolve, reject });
      this.flushSoon();
    });
  }

  /** Writes what is queued at the end of this event-loop turn (group commit). */
  private flushSoon(): void {
    if (this.immediate) return;
    this.immediate = true;
    setImmediate(() => void this.flush());
  }

  /**
   * Queues an attempt result; written with the next batch of events, or within a few milliseconds. `urgent`
   * (someone waits for it) writes it in this event-loop turn's batch instead.
   */
  addResult(item: Written, urgent = false): void {
    this.results.push(item);
    if (this.failing) {
      if (!this.timer) this.arm(RETRY_AFTER_FAILURE_MS);
    } else if (this.results.length >= MAX_RESULTS) void this.flush();
    else if (urgent) this.flushSoon();
    else if (!this.timer && !this.immediate) this.arm(RESULT_WINDOW_MS);
  }

  get pendingResults(): number {
    return this.results.length;
  }

  /**
   * Writes everything queued now, in as many transactions as it takes (up to the store's parallelWrites at once),
   * and resolves when none is left in flight. After a failed write the results stay queued for the retry timer
   * (they are not re-tried in a tight loop); queued admissions are refused.
   */
  async flush(): Promise<void> {
    this.immediate = false;
    this.clock.clearTimeout(this.timer);
    this.timer = null;
    const parallel = Math.max(1, this.store.parallelWrites);
    // Each flush tries the store once even while it is failing (that is how the retry timer finds it working again).
    let tried = false;
    for (;;) {
      while (
        this.writing.size < parallel &&
        (this.events.length > 0 || (this.results.length > 0 && (!tried || !this.failing)))
      ) {
        tried = true;
        const write: Promise<void> = this.writeOnce().finally(() => this.writing.delete(write));
        this.writing.add(write);
      }
      if (this.writing.size === 0) return;
      await Promise.race(this.writing);
    }
  }

  private arm(ms: number): void {
    this.timer = this.clock.setTimeout(() => {
      this.timer = null;
      void this.flush();
    }, ms);
  }

  /** Submissions that fit in one transaction (whole submissions only; at least the first, however large). */
  private takeEvents(): WaitingEvents[] {
    let count = 0;
    let n = 0;
    while (n < this.events.length && (n === 0 || count + this.events[n]!.items.length <= MAX_EVENTS))
      count += this.events[n++]!.items.length;
    return this.events.splice(0, n);
  }

  private async writeOnce(): Promise<void> {
    const events = this.takeEvents();
    const results = this.results.splice(0, MAX_RESULTS);
    let outcomes: InsertOutcome[];
    try {
      outcomes = await this.store.writeBatch(
        events.flatMap((w) => w.items),
        results.flatMap((r) => (r.attempt ? [r.attempt] : [])),
        results.map((r) => r.update),
      );
    } catch (e) {
      if (!this.failing)
        this.logger.error("writing to the store failed; publishes answer 503 and results are retried every second", {
          error: e,
          events: events.reduce((n, w) => n + w.items.length, 0),
          results: results.length,
        });
      this.failing = true;
      const error = new UnavailableError(
        "The event store cannot accept writes right now (e.g. disk full or read-only); nothing was stored. Retry later.",
      );
      for (const w of events) w.reject(error);
      if (results.length > 0) {
        this.results = results.concat(this.results);
        if (!this.timer) this.arm(RETRY_AFTER_FAILURE_MS);
      }
      return;
    }
    if (this.failing) this.logger.info("writing to the store works again", { results: results.length });
    this.failing = false;
    this.stats.commits++;
    let at = 0;
    for (const w of events) {
      w.resolve(outcomes.slice(at, at + w.items.length));
      at += w.items.length;
    }
    this.stats.events += at;
    this.stats.results += results.length;
    for (const r of results) r.onCommitted?.();
  }
}
