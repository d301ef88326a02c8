// SQL for retention: old events go in small batches, taking their deliveries and attempts with them. One replica
// purges at a time: each batch takes a transaction-scoped advisory lock, and a replica that finds it taken stops.
import { LOCK_NAMESPACE, LOCKS } from "./connect.ts";
import type { PgContext } from "./context.ts";

export function retentionQueries({ sql }: PgContext) {
  return {
    /**
     * Deletes up to `limit` of the oldest events created before `cutoff` (cascade to deliveries and attempts);
     * returns how many went, 0 when another replica is purging right now.
     */
    async purgeEventsBefore(cutoff: number, limit: number): Promise<number> {
      return sql.begin(async (tx) => {
        const [lock] = await tx`SELECT pg_try_advisory_xact_lock(${LOCK_NAMESPACE}, ${LOCKS.retention}) AS ok`;
        if (!lock.ok) return 0;
        const r = await tx`DELETE FROM events WHERE id = ANY(ARRAY(
          SELECT id FROM events WHERE created_at < ${cutoff} ORDER BY created_at LIMIT ${limit}))`;
        return r.count;
      });
    },
  };
}
