// Every write of the hot path goes through here: publishes arriving in one event-loop turn and attempt
// results finished meanwhile share one transaction (group commit). A publish is answered only after the
// commit; results, being off the delivery path, may wait a few milliseconds for a bigger batch.

import { UnavailableError } from "../lib/errors.ts";
import type { Logger } from "../lib/logger.ts";
import type { AttemptRecord, DeliveryUpdate, InsertOutcome, NewEvent, Store } from "../store/index.ts";

export interface Written {
  attempt: AttemptRecord | null;
  update: DeliveryUpdate;
  /** Called once this item is committed. */
  onCommitted?: () => void;
}

interface WaitingEvent {
  item: NewEvent;
  resolve(outcome: InsertOutcome): void;
  reject(error: Error): void;
}

const RESULT_WINDOW_MS = 5;
const MAX_EVENTS = 2000;
const MAX_RESULTS = 2000;

export class WriteBatcher {
  private events: WaitingEvent[] = [];
  private results: Written[] = [];
  private immediate = false;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private flushing: Promise<void> | null = null;
  /** The last write failed: results then wait for the retry timer instead of re-flushing at once. */
  private failing = false;
  /** Counters for metrics: transactions, events and results written. */
  readonly stats = { commits: 0, events: 0, results: 0 };

  constructor(
    private readonly store: Pick<Store, "writeBatch">,
    private readonly logger: Logger,
    private readonly hooks: {
      /** Runs just before each commit with the events in it (assigns in-memory vs stored deliveries). */
      beforeCommit(batch: NewEvent[]): void;
      /** Runs after each committed batch with its results (wake timers, answer waiters). */
      afterCommit(results: Written[]): void;
    },
  ) {}

  /** Queues an event (with its deliveries); resolves after the transaction that holds it commits. */
  submitEvent(item: NewEvent): Promise<InsertOutcome> {
    return new Promise((resolve, reject) => {
      this.events.push({ item, resolve, reject });
      if (!this.immediate) {
        this.immediate = true;
        setImmediate(() => void this.flush());
      }
    });
  }

  /** Queues an attempt result; written with the next batch of events, or within a few milliseconds. */
  addResult(item: Written): void {
    this.results.push(item);
    if (this.results.length >= MAX_RESULTS && !this.failing) void this.flush();
    else if (!this.timer && !this.immediate) this.timer = setTimeout(() => void this.flush(), RESULT_WINDOW_MS);
  }

  get pendingResults(): number {
    return this.results.length;
  }

  /**
   * Writes everything queued now, in as many transactions as it takes. After a failed write the results
   * stay queued for the retry timer (they are not re-tried in a tight loop); queued publishes are answered.
   */
  async flush(): Promise<void> {
    this.immediate = false;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    while (this.flushing) await this.flushing;
    if (this.events.length === 0 && this.results.length === 0) return;
    do {
      this.flushing = this.writeOnce();
      try {
        await this.flushing;
      } finally {
        this.flushing = null;
      }
    } while (this.events.length > 0 || (this.results.length > 0 && !this.failing));
  }

  private async writeOnce(): Promise<void> {
    const events = this.events.splice(0, MAX_EVENTS);
    const results = this.results.splice(0, MAX_RESULTS);
    const items = events.map((w) => w.item);
    let outcomes: InsertOutcome[];
    try {
      this.hooks.beforeCommit(items);
      outcomes = await this.store.writeBatch(
        items,
        results.flatMap((r) => (r.attempt ? [r.attempt] : [])),
        results.map((r) => r.update),
      );
    } catch (e) {
      if (!this.failing)
        this.logger.error("writing to the store failed; publishes answer 503 and results are retried every second", {
          error: e,
          events: events.length,
          results: results.length,
        });
      this.failing = true;
      const error = new UnavailableError(
        "The event store cannot accept writes right now (e.g. disk full or read-only); nothing was stored. Retry later.",
      );
      for (const w of events) w.reject(error);
      if (results.length > 0) {
        this.results = results.concat(this.results);
        if (!this.timer) this.timer = setTimeout(() => void this.flush(), 1000);
      }
      return;
    }
    if (this.failing) this.logger.info("writing to the store works again", { results: results.length });
    this.failing = false;
    this.stats.commits++;
    this.stats.events += events.length;
    this.stats.results += results.length;
    events.forEach((w, i) => w.resolve(outcomes[i]!));
    if (results.length > 0) this.hooks.afterCommit(results);
  }
}
