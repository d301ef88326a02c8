// The SQLite implementation of the Store interface (src/store/store.ts): one connection, statements prepared
// once at open, the hot path's writes in one immediate transaction.
import type { Database } from "bun:sqlite";
import type { Store } from "../store.ts";
import type { AttemptRecord, DeliveryUpdate, NewEvent } from "../types.ts";
import { apiKeyQueries } from "./api-keys.ts";
import { startCheckpointer } from "./checkpointer.ts";
import { deliveryQueries } from "./deliveries.ts";
import { endpointQueries } from "./endpoints.ts";
import { eventTypeQueries } from "./event-types.ts";
import { eventQueries } from "./events.ts";
import { metaQueries } from "./meta.ts";
import { type OpenOptions, openDatabase } from "./open.ts";
import { recordQueries } from "./records.ts";
import { retentionQueries } from "./retention.ts";
import { statsQueries } from "./stats.ts";

/** A Store over an open database (the caller keeps `db` only if it opened it, e.g. a test injecting faults). */
export function createSqliteStore(db: Database): Store {
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
    ...metaQueries(db),
    ...apiKeyQueries(db),
    ...eventTypeQueries(db),
    ...endpointQueries(db),
    ...events,
    ...deliveries,
    ...retentionQueries(db),
    ...statsQueries(db),
    ...recordQueries(db),
    cluster: null,
    parallelWrites: 1,
    async writeBatch(batch, attempts, updates) {
      return writeBatch.immediate(batch, attempts, updates);
    },
    async close() {
      try {
        db.run("PRAGMA wal_checkpoint(TRUNCATE)");
      } catch {
        // another connection may hold the WAL; closing still works
      }
      db.close();
    },
  };
}

/** Opens (creating and migrating if needed) the SQLite store at `options.path`. */
export function openSqliteStore(options: OpenOptions): Store {
  return createSqliteStore(openDatabase(options));
}

/**
 * The store a serving gateway opens: like openSqliteStore, with checkpoints moved to a worker thread
 * (checkpointer.ts) so the event loop's commits only append to the WAL.
 */
export async function openServingSqliteStore(options: OpenOptions, onError: (message: string) => void): Promise<Store> {
  const db = openDatabase(options);
  const store = createSqliteStore(db);
  if (options.path === ":memory:") return store;
  const checkpointer = await startCheckpointer(db, options.path, onError);
  return {
    ...store,
    async close() {
      await checkpointer.stop();
      await store.close();
    },
  };
}
