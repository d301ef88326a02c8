// The SQLite implementation of the store: one connection, statements prepared once, async methods so a
// PostgreSQL store can stand in later without touching api/ or delivery/.
import type { Database } from "bun:sqlite";
import { apiKeyQueries } from "./api-keys.ts";
import { deliveryQueries } from "./deliveries.ts";
import { endpointQueries } from "./endpoints.ts";
import { eventTypeQueries } from "./event-types.ts";
import { eventQueries } from "./events.ts";
import { metaQueries } from "./meta.ts";
import { type OpenOptions, openDatabase } from "./open.ts";
import { retentionQueries } from "./retention.ts";
import { statsQueries } from "./stats.ts";
import type { AttemptRecord, DeliveryUpdate, InsertOutcome, NewEvent } from "./types.ts";

export function createSqliteStore(db: Database) {
  const { insertEventsIn, ...events } = eventQueries(db);
  const { writeResultsIn, ...deliveries } = deliveryQueries(db);
  const writeBatch = db.transaction(
    (batch: readonly NewEvent[], attempts: readonly AttemptRecord[], updates: readonly DeliveryUpdate[]) => {
      const outcomes = insertEventsIn(batch);
      writeResultsIn(attempts, updates);
      return outcomes;
    },
  );
  return {
    db,
    ...metaQueries(db),
    ...apiKeyQueries(db),
    ...eventTypeQueries(db),
    ...endpointQueries(db),
    ...events,
    ...deliveries,
    ...retentionQueries(db),
    ...statsQueries(db),
    /**
     * One immediate transaction for everything the engine has to write at once: new events with their
     * deliveries, and attempt results. Returns the per-event outcomes: inserted, or a duplicate idempotency key with the first response.
     */
    async writeBatch(
      batch: readonly NewEvent[],
      attempts: readonly AttemptRecord[],
      updates: readonly DeliveryUpdate[],
    ): Promise<InsertOutcome[]> {
      return writeBatch.immediate(batch, attempts, updates);
    },
    async close(): Promise<void> {
      try {
        db.run("PRAGMA wal_checkpoint(TRUNCATE)");
      } catch {
        // another connection may hold the WAL; closing still works
      }
      db.close();
    },
  };
}

export type Store = ReturnType<typeof createSqliteStore>;

export function openStore(options: OpenOptions): Store {
  return createSqliteStore(openDatabase(options));
}
