// Purges events (and with them deliveries and attempts) older than retention.days, in small batches with
// pauses between them, so a large purge never holds the database long enough to stall ingest.
import type { Clock, Timer } from "../lib/clock.ts";
import type { Logger } from "../lib/logger.ts";
import type { RetentionStore } from "../store/index.ts";

const BATCH = 500;
const PAUSE_MS = 20;
const EVERY_MS = 60 * 60_000;
const FIRST_AFTER_MS = 30_000;

export class Retention {
  private timer: Timer | null = null;
  private stopped = false;

  constructor(
    private readonly store: RetentionStore,
    private readonly days: number,
    private readonly clock: Clock,
    private readonly logger: Logger,
  ) {}

  start(): void {
    this.schedule(FIRST_AFTER_MS);
  }

  stop(): void {
    this.stopped = true;
    this.clock.clearTimeout(this.timer);
  }

  /** Runs one purge to completion; returns how many events went. */
  async purge(): Promise<number> {
    const cutoff = this.clock.now() - this.days * 86_400_000;
    let total = 0;
    for (;;) {
      if (this.stopped) break;
      const n = await this.store.purgeEventsBefore(cutoff, BATCH);
      total += n;
      if (n < BATCH) break;
      await Bun.sleep(PAUSE_MS);
    }
    if (total > 0) this.logger.info("retention purge", { events_deleted: total, older_than_days: this.days });
    return total;
  }

  private schedule(delay: number): void {
    if (this.stopped) return;
    this.timer = this.clock.setTimeout(async () => {
      try {
        await this.purge();
      } catch (e) {
        this.logger.error("retention purge failed", { error: e });
      }
      this.schedule(EVERY_MS);
    }, delay);
    // A real timer must not keep the process alive on its own.
    (this.timer as { unref?: () => void }).unref?.();
  }
}
