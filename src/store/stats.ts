// SQL for delivery statistics (GET /v1/stats, the console's charts): attempts and final statuses per time bucket.
import type { Database } from "bun:sqlite";

export interface StatsQuery {
  /** Window start (inclusive) and end (exclusive), epoch ms. */
  since: number;
  until: number;
  /** Bucket width in ms; buckets start at `since`, the last one may be cut short by `until`. */
  bucketMs: number;
  tenant_id?: string;
  endpoint_id?: string;
}

export interface StatsCounts {
  /** Attempts that succeeded (2xx, no error). */
  delivered: number;
  /** Attempts that were a delivery's last and left it failed, plus deliveries that failed without an attempt. */
  failed: number;
  /** Failed attempts after which the delivery went on (another attempt followed or is scheduled). */
  retrying: number;
  /** Deliveries a filter skipped (no attempt). */
  skipped: number;
  /** Nearest-rank median and 95th percentile of attempt durations; null without attempts. */
  p50_ms: number | null;
  p95_ms: number | null;
}

export interface StatsBucket extends StatsCounts {
  /** Bucket start, epoch ms. */
  start: number;
}

interface AttemptRow {
  b: number;
  delivered: number;
  failed: number;
  retrying: number;
  p50: number | null;
  p95: number | null;
}

interface UnattemptedRow {
  b: number;
  skipped: number;
  failed: number;
}

const SCOPE = "($tenant IS NULL OR d.tenant_id = $tenant) AND ($endpoint IS NULL OR d.endpoint_id = $endpoint)";

// Outcome of each attempt: 0 delivered, 1 failed (the delivery's last attempt, and it ended failed), 2 retrying.
// Percentiles are nearest-rank: the ceil(p·n)-th smallest duration of the bucket.
export const ATTEMPTS_SQL = `
WITH a AS (
  SELECT (a.started_at - $since) / $width AS b, a.duration_ms AS ms,
    CASE WHEN a.http_status BETWEEN 200 AND 299 AND a.error IS NULL THEN 0
         WHEN a.n = d.attempts AND d.status = 'failed' THEN 1 ELSE 2 END AS o
  FROM attempts a JOIN deliveries d ON d.id = a.delivery_id
  WHERE a.started_at >= $since AND a.started_at < $until AND ${SCOPE}
),
r AS (
  SELECT b, ms, o, row_number() OVER (PARTITION BY b ORDER BY ms) AS rn, count(*) OVER (PARTITION BY b) AS n FROM a
)
SELECT b, sum(o = 0) AS delivered, sum(o = 1) AS failed, sum(o = 2) AS retrying,
  max(CASE WHEN rn = (n + 1) / 2 THEN ms END) AS p50,
  max(CASE WHEN rn = (95 * n + 99) / 100 THEN ms END) AS p95
FROM r GROUP BY b`;

// The WHERE repeats the partial index's condition word for word so SQLite uses deliveries_unattempted.
export const UNATTEMPTED_SQL = `
SELECT (d.created_at - $since) / $width AS b, sum(d.status = 'skipped') AS skipped, sum(d.status = 'failed') AS failed
FROM deliveries d
WHERE d.attempts = 0 AND d.status IN ('skipped', 'failed') AND d.created_at >= $since AND d.created_at < $until AND ${SCOPE}
GROUP BY b`;

const empty = (): StatsCounts => ({ delivered: 0, failed: 0, retrying: 0, skipped: 0, p50_ms: null, p95_ms: null });

export function statsQueries(db: Database) {
  const attempts = db.query<AttemptRow, [Record<string, string | number | null>]>(ATTEMPTS_SQL);
  const unattempted = db.query<UnattemptedRow, [Record<string, string | number | null>]>(UNATTEMPTED_SQL);

  /** Counts per bucket index for a bucket width of `width` ms (the whole window: one bucket, the totals). */
  const count = (q: StatsQuery, width: number, n: number): StatsCounts[] => {
    const params = {
      since: q.since,
      until: q.until,
      width,
      tenant: q.tenant_id ?? null,
      endpoint: q.endpoint_id ?? null,
    };
    const out = Array.from({ length: n }, empty);
    for (const r of attempts.all(params)) {
      const c = out[r.b];
      if (!c) continue;
      c.delivered = r.delivered;
      c.failed = r.failed;
      c.retrying = r.retrying;
      c.p50_ms = r.p50;
      c.p95_ms = r.p95;
    }
    for (const r of unattempted.all(params)) {
      const c = out[r.b];
      if (!c) continue;
      c.skipped = r.skipped;
      c.failed += r.failed;
    }
    return out;
  };

  return {
    /**
     * Delivery outcomes in [since, until) per bucket of `bucketMs`, and over the whole window. Attempts count in
     * the bucket where they started; deliveries without attempts (skipped, or failed before sending) in the
     * bucket where they were created.
     */
    async deliveryStats(q: StatsQuery): Promise<{ buckets: StatsBucket[]; totals: StatsCounts }> {
      const n = Math.max(1, Math.ceil((q.until - q.since) / q.bucketMs));
      const buckets = count(q, q.bucketMs, n).map((c, i) => ({ start: q.since + i * q.bucketMs, ...c }));
      const totals = count(q, Math.max(1, q.until - q.since), 1)[0]!;
      return { buckets, totals };
    },
  };
}
