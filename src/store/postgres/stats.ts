// SQL for delivery statistics on PostgreSQL (GET /v1/stats): the same rows as the SQLite queries, assembled by
// src/store/stats-summary.ts.
import { type AttemptRow, assembleStats, type UnattemptedRow } from "../stats-summary.ts";
import type { StatsBucket, StatsCounts, StatsQuery } from "../types.ts";
import type { PgContext } from "./context.ts";

// $1 since, $2 until, $3 bucket width, $4 tenant or null, $5 endpoint or null. Tenant and endpoint are looked up
// per attempt only when asked for, so the common case reads attempts alone through attempts_started.
const ATTEMPTS = `
SELECT b, ms, count(*) AS n, sum(CASE WHEN ok THEN 1 ELSE 0 END) AS ok,
  sum(CASE WHEN NOT ok AND coalesce((SELECT d.status = 'failed' AND d.attempts = x.attempt FROM deliveries d
    WHERE d.id = x.delivery_id), false) THEN 1 ELSE 0 END) AS final
FROM (
  SELECT (a.started_at - $1::bigint) / $3::bigint AS b, a.duration_ms AS ms, a.delivery_id, a.n AS attempt,
    coalesce(a.http_status BETWEEN 200 AND 299 AND a.error IS NULL, false) AS ok
  FROM attempts a
  WHERE a.started_at >= $1::bigint AND a.started_at < $2::bigint
    AND ($4::text IS NULL OR (SELECT d.tenant_id FROM deliveries d WHERE d.id = a.delivery_id) = $4::text)
    AND ($5::text IS NULL OR (SELECT d.endpoint_id FROM deliveries d WHERE d.id = a.delivery_id) = $5::text)
) x
GROUP BY b, ms`;

// The WHERE repeats the partial index's condition so the planner uses deliveries_unattempted.
const UNATTEMPTED = `
SELECT (d.created_at - $1::bigint) / $3::bigint AS b, sum(CASE WHEN d.status = 'skipped' THEN 1 ELSE 0 END) AS skipped,
  sum(CASE WHEN d.status = 'failed' THEN 1 ELSE 0 END) AS failed
FROM deliveries d
WHERE d.attempts = 0 AND d.status IN ('skipped', 'failed') AND d.created_at >= $1::bigint AND d.created_at < $2::bigint
  AND ($4::text IS NULL OR d.tenant_id = $4::text) AND ($5::text IS NULL OR d.endpoint_id = $5::text)
GROUP BY b`;

// biome-ignore lint/suspicious/noExplicitAny: rows come untyped from the driver (bigint sums as strings)
const numbers = (r: any) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, Number(v)]));

export function statsQueries({ sql }: PgContext) {
  return {
    async deliveryStats(q: StatsQuery): Promise<{ buckets: StatsBucket[]; totals: StatsCounts }> {
      const params = [q.since, q.until, q.bucketMs, q.tenant_id ?? null, q.endpoint_id ?? null];
      const [attempts, unattempted] = await Promise.all([
        sql.unsafe(ATTEMPTS, params),
        sql.unsafe(UNATTEMPTED, params),
      ]);
      return assembleStats(
        q,
        attempts.map(numbers) as unknown as AttemptRow[],
        unattempted.map(numbers) as unknown as UnattemptedRow[],
      );
    },
  };
}
