// Group commit: publishes arriving in the same event-loop turn share one transaction; each caller is
// answered only after that transaction commits.
import type { Logger } from "../lib/logger.ts";
import { UnavailableError } from "../lib/errors.ts";
import type { InsertOutcome, NewEvent, Store } from "../store/index.ts";

interface Waiting {
  item: NewEvent;
  resolve(outcome: InsertOutcome): void;
  reject(error: Error): void;
}

const MAX_BATCH = 2000;

export class GroupCommit {
  private queue: Waiting[] = [];
  private scheduled = false;
  /** Commits made and events written (benchmarks report the batching ratio). */
  commits = 0;
  written = 0;

  constructor(
    private readonly store: Pick<Store, "insertEventBatch">,
    private readonly logger: Logger,
    /** Runs synchronously just before each commit with the batch (assigns in-memory vs stored deliveries). */
    private readonly beforeCommit: (batch: NewEvent[]) => void,
  ) {}

  submit(item: NewEvent): Promise<InsertOutcome> {
    return new Promise((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  private async flush(): Promise<void> {
    this.scheduled = false;
    while (this.queue.length > 0) {
      const batch = this.queue.splice(0, MAX_BATCH);
      const items = batch.map((w) => w.item);
      let outcomes: InsertOutcome[];
      try {
        this.beforeCommit(items);
        outcomes = await this.store.insertEventBatch(items);
      } catch (e) {
        this.logger.error("committing events failed", { error: e, count: batch.length });
        const error = new UnavailableError("The event store cannot accept writes right now (e.g. disk full or read-only); nothing was stored. Retry later.");
        for (const w of batch) w.reject(error);
        continue;
      }
      this.commits++;
      this.written += batch.length;
      batch.forEach((w, i) => w.resolve(outcomes[i]!));
    }
  }
}
