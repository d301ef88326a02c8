// GET /v1/stats from the rows each store's SQL returns: exact counts per bucket and percentiles read from a
// histogram of attempt durations. Pure (no SQL), so SQLite and PostgreSQL answer alike.
import type { StatsBucket, StatsCounts, StatsQuery } from "./types.ts";

/** Attempts of one bucket that took `ms`: how many, how many succeeded, how many ended their delivery failed. */
export interface AttemptRow {
  b: number;
  ms: number;
  n: number;
  ok: number;
  final: number;
}

export interface UnattemptedRow {
  b: number;
  skipped: number;
  failed: number;
}

/** Nearest-rank percentile (the ceil(p·n)-th smallest) of a histogram sorted by duration. */
function percentile(histogram: readonly [ms: number, n: number][], total: number, p: number): number | null {
  if (total === 0) return null;
  const rank = Math.ceil(p * total);
  let seen = 0;
  for (const [ms, n] of histogram) {
    seen += n;
    if (seen >= rank) return ms;
  }
  return histogram[histogram.length - 1]![0];
}

const empty = (): StatsCounts => ({ delivered: 0, failed: 0, retrying: 0, skipped: 0, p50_ms: null, p95_ms: null });

/** Counts and percentiles of a set of attempt rows (one bucket, or the whole window). */
function summarise(rows: readonly AttemptRow[], into: StatsCounts): void {
  const byMs = new Map<number, number>();
  let total = 0;
  for (const r of rows) {
    into.delivered += r.ok;
    into.failed += r.final;
    into.retrying += r.n - r.ok - r.final;
    total += r.n;
    byMs.set(r.ms, (byMs.get(r.ms) ?? 0) + r.n);
  }
  const histogram = [...byMs].sort((x, y) => x[0] - y[0]);
  into.p50_ms = percentile(histogram, total, 0.5);
  into.p95_ms = percentile(histogram, total, 0.95);
}

/**
 * Delivery outcomes in [since, until) per bucket and over the whole window: attempts count in the bucket where they
 * started; deliveries without attempts (skipped, or failed before sending) in the bucket where they were created.
 */
export function assembleStats(
  q: StatsQuery,
  attemptRows: readonly AttemptRow[],
  unattemptedRows: readonly UnattemptedRow[],
): { buckets: StatsBucket[]; totals: StatsCounts } {
  const n = Math.max(1, Math.ceil((q.until - q.since) / q.bucketMs));
  const perBucket: AttemptRow[][] = Array.from({ length: n }, () => []);
  for (const r of attemptRows) perBucket[r.b]?.push(r);
  const buckets = perBucket.map((group, i) => {
    const c = { start: q.since + i * q.bucketMs, ...empty() };
    summarise(group, c);
    return c;
  });
  const totals = empty();
  summarise(attemptRows, totals);
  for (const r of unattemptedRows) {
    const c = buckets[r.b];
    if (!c) continue;
    c.skipped += r.skipped;
    c.failed += r.failed;
    totals.skipped += r.skipped;
    totals.failed += r.failed;
  }
  return { buckets, totals };
}
