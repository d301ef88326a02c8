// The SQLite implementation of the store: one connection, statements prepared once, async methods so a
// PostgreSQL store can stand in later without touching api/ or delivery/.
import type { Database } from "bun:sqlite";
import { openDatabase, type OpenOptions } from "./open.ts";
import { apiKeyQueries } from "./api-keys.ts";
import { metaQueries } from "./meta.ts";
import { eventTypeQueries } from "./event-types.ts";
import { endpointQueries } from "./endpoints.ts";
import { eventQueries } from "./events.ts";
import { deliveryQueries } from "./deliveries.ts";
import { retentionQueries } from "./retention.ts";

export function createSqliteStore(db: Database) {
  return {
    db,
    ...metaQueries(db),
    ...apiKeyQueries(db),
    ...eventTypeQueries(db),
    ...endpointQueries(db),
    ...eventQueries(db),
    ...deliveryQueries(db),
    ...retentionQueries(db),
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
