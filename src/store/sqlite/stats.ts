// SQL for delivery statistics (GET /v1/stats, the console's charts): attempts and final statuses per time bucket.
import type { Database } from "bun:sqlite";
import { type AttemptRow, assembleStats, type UnattemptedRow } from "../stats-summary.ts";
import type { StatsBucket, StatsCounts, StatsQuery } from "../types.ts";

// Tenant and endpoint are looked up only when asked for (SQLite stops at `$x IS NULL`), so the common case reads
// attempts alone through attempts_started.
const ATTEMPT_SCOPE = `($tenant IS NULL OR (SELECT d.tenant_id FROM deliveries d WHERE d.id = a.delivery_id) = $tenant)
  AND ($endpoint IS NULL OR (SELECT d.endpoint_id FROM deliveries d WHERE d.id = a.delivery_id) = $endpoint)`;

// Attempts grouped by bucket and duration: exact counts, and the duration histogram the percentiles are read
// from. A failed attempt is `final` when it was its delivery's last and left it failed (looked up for failed
// attempts only); the other failed attempts were retried.
export const ATTEMPTS_SQL = `
SELECT b, ms, count(*) AS n, sum(ok) AS ok, sum(NOT ok AND coalesce(
    (SELECT d.status = 'failed' AND d.attempts = x.attempt FROM deliveries d WHERE d.id = x.delivery_id), 0)) AS final
FROM (
  SELECT (a.started_at - $since) / $width AS b, a.duration_ms AS ms, a.delivery_id, a.n AS attempt,
    coalesce(a.http_status BETWEEN 200 AND 299 AND a.error IS NULL, 0) AS ok
  FROM attempts a
  WHERE a.started_at >= $since AND a.started_at < $until AND ${ATTEMPT_SCOPE}
) x
GROUP BY b, ms`;

const SCOPE = "($tenant IS NULL OR d.tenant_id = $tenant) AND ($endpoint IS NULL OR d.endpoint_id = $endpoint)";

// The WHERE repeats the partial index's condition word for word so SQLite uses deliveries_unattempted.
export const UNATTEMPTED_SQL = `
SELECT (d.created_at - $since) / $width AS b, sum(d.status = 'skipped') AS skipped, sum(d.status = 'failed') AS failed
FROM deliveries d
WHERE d.attempts = 0 AND d.status IN ('skipped', 'failed') AND d.created_at >= $since AND d.created_at < $until AND ${SCOPE}
GROUP BY b`;

export function statsQueries(db: Database) {
  const attempts = db.query<AttemptRow, [Record<string, string | number | null>]>(ATTEMPTS_SQL);
  const unattempted = db.query<UnattemptedRow, [Record<string, string | number | null>]>(UNATTEMPTED_SQL);

  return {
    /**
     * Delivery outcomes in [since, until) per bucket of `bucketMs`, and over the whole window. Attempts count in
     * the bucket where they started; deliveries without attempts (skipped, or failed before sending) in the
     * bucket where they were created.
     */
    async deliveryStats(q: StatsQuery): Promise<{ buckets: StatsBucket[]; totals: StatsCounts }> {
      const params = {
        since: q.since,
        until: q.until,
        width: q.bucketMs,
        tenant: q.tenant_id ?? null,
        endpoint: q.endpoint_id ?? null,
      };
      return assembleStats(q, attempts.all(params), unattempted.all(params));
    },
  };
}
