// SQL for retention: old events go in small batches, taking their deliveries and attempts with them.
import type { Database } from "bun:sqlite";

export function retentionQueries(db: Database) {
  const purge = db.query("DELETE FROM events WHERE id IN (SELECT id FROM events WHERE created_at < ?1 LIMIT ?2)");
  return {
    /** Deletes up to `limit` events created before `cutoff` (cascade); returns how many went. */
    async purgeEventsBefore(cutoff: number, limit: number): Promise<number> {
      return db.transaction(() => purge.run(cutoff, limit).changes).immediate();
    },
  };
}
