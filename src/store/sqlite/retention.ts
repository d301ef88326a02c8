// SQL for retention: old events go in small batches, taking their deliveries and attempts with them.
import type { Database } from "bun:sqlite";

export function retentionQueries(db: Database) {
  const oldest = db.query<{ rowid: number; created_at: number }, [number]>(
    "SELECT rowid, created_at FROM events ORDER BY rowid LIMIT ?",
  );
  const purge = db.query("DELETE FROM events WHERE rowid >= ?1 AND rowid <= ?2 AND created_at < ?3");
  return {
    /**
     * Deletes up to `limit` of the oldest events created before `cutoff` (cascade to deliveries and
     * attempts); returns how many went. Events are appended in time order, so the walk stops at the first
     * young one instead of scanning the table.
     */
    async purgeEventsBefore(cutoff: number, limit: number): Promise<number> {
      return db
        .transaction(() => {
          const rows = oldest.all(limit);
          let last = -1;
          for (const r of rows) {
            if (r.created_at >= cutoff) break;
            last = r.rowid;
          }
          return last < 0 ? 0 : purge.run(rows[0]!.rowid, last, cutoff).changes;
        })
        .immediate();
    },
  };
}
