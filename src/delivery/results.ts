// Batches attempt rows and delivery updates: everything finished in one event-loop turn is one transaction.
import type { Logger } from "../lib/logger.ts";
import type { AttemptRecord, DeliveryUpdate, Store } from "../store/index.ts";

export interface Written {
  attempt: AttemptRecord | null;
  update: DeliveryUpdate;
  /** Called once this item is committed. */
  onCommitted?: () => void;
}

const WINDOW_MS = 5;
const MAX_BATCH = 1000;

export class ResultWriter {
  private pending: Written[] = [];
  private scheduled = false;
  private flushing: Promise<void> | null = null;

  constructor(
    private readonly store: Pick<Store, "writeResults">,
    private readonly logger: Logger,
    /** Called after each committed batch (wake timers, answer waiters). */
    private readonly onWritten: (batch: Written[]) => void,
  ) {}

  add(item: Written): void {
    this.pending.push(item);
    if (this.pending.length >= MAX_BATCH) void this.flush();
    else if (!this.scheduled) {
      this.scheduled = true;
      // Results are off the delivery path, so a short window buys bigger (cheaper) transactions.
      setTimeout(() => void this.flush(), WINDOW_MS);
    }
  }

  /** Writes what is pending now; retries a failed write later so no result is dropped. */
  async flush(): Promise<void> {
    this.scheduled = false;
    if (this.flushing) await this.flushing;
    if (this.pending.length === 0) return;
    const batch = this.pending;
    this.pending = [];
    this.flushing = (async () => {
      try {
        await this.store.writeResults(
          batch.flatMap((b) => (b.attempt ? [b.attempt] : [])),
          batch.map((b) => b.update),
        );
      } catch (e) {
        this.logger.error("writing delivery results failed; will retry", { error: e, count: batch.length });
        this.pending = batch.concat(this.pending);
        if (!this.scheduled) {
          this.scheduled = true;
          setTimeout(() => void this.flush(), 1000);
        }
        return;
      }
      this.onWritten(batch);
    })();
    await this.flushing;
    this.flushing = null;
  }

  get size(): number {
    return this.pending.length;
  }
}
