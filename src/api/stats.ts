// /v1/stats: delivery outcomes and latency per time bucket, for the console's charts and for dashboards.
import { Elysia, t } from "elysia";
import { iso } from "../lib/clock.ts";
import { ValidationError } from "../lib/errors.ts";
import { listTenant, routePolicy } from "./auth.ts";
import type { ApiDeps } from "./context.ts";
import { visibleEndpoint } from "./endpoints.ts";
import { parseTime } from "./time.ts";

const BUCKET_MS = { "1m": 60_000, "5m": 300_000, "1h": 3_600_000 } as const;
type BucketName = keyof typeof BUCKET_MS;

/** At most this many buckets per answer: a day at 1m, five days at 5m, two months at 1h. */
export const MAX_BUCKETS = 1440;

const Counts = {
  delivered: t.Integer({ description: "Attempts that succeeded (2xx)." }),
  failed: t.Integer({
    description:
      "Attempts that were their delivery's last and left it failed, plus deliveries that failed without an attempt.",
  }),
  retrying: t.Integer({ description: "Failed attempts after which the delivery went on to another attempt." }),
  skipped: t.Integer({ description: "Deliveries a filter skipped (counted when created)." }),
  p50_ms: t.Union([t.Integer(), t.Null()], { description: "Median attempt duration; null without attempts." }),
  p95_ms: t.Union([t.Integer(), t.Null()], { description: "95th percentile attempt duration (nearest rank)." }),
};

const StatsOut = t.Object({
  data: t.Object({
    since: t.String(),
    until: t.String(),
    bucket: t.String({ examples: ["1m"] }),
    buckets: t.Array(t.Object({ start: t.String({ examples: ["2026-06-06T09:00:00.000Z"] }), ...Counts })),
    totals: t.Object({
      ...Counts,
      success_rate: t.Union([t.Number(), t.Null()], {
        description: "delivered / (delivered + failed + retrying); null when nothing was attempted.",
      }),
    }),
  }),
});

const NO_COUNTS = { delivered: 0, failed: 0, retrying: 0, skipped: 0, p50_ms: null, p95_ms: null };

export function statsPlugin(deps: ApiDeps) {
  const { auth, store, clock } = deps;
  return new Elysia({ name: "stats", prefix: "/v1/stats", tags: ["Deliveries"] }).use(routePolicy(auth)).get(
    "",
    async ({ principal, query }) => {
      const bucket: BucketName = query.bucket ?? "1m";
      const width = BUCKET_MS[bucket];
      const until = parseTime("until", query.until) ?? clock.now();
      const since = parseTime("since", query.since) ?? until - 60 * width;
      if (since >= until) throw ValidationError.of([{ field: "since", message: "must be before until" }]);
      if ((until - since) / width > MAX_BUCKETS)
        throw ValidationError.of([
          {
            field: "since",
            message: `the window holds more than ${MAX_BUCKETS} buckets of ${bucket}; choose a shorter window or a larger bucket`,
          },
        ]);
      if (query.endpoint_id !== undefined) visibleEndpoint(deps, principal, query.endpoint_id);
      const tenant = listTenant(principal, query.tenant_id);
      const result =
        tenant === null
          ? {
              buckets: Array.from({ length: Math.ceil((until - since) / width) }, (_, i) => ({
                start: since + i * width,
                ...NO_COUNTS,
              })),
              totals: NO_COUNTS,
            }
          : await store.deliveryStats({
              since,
              until,
              bucketMs: width,
              tenant_id: tenant,
              endpoint_id: query.endpoint_id,
            });
      const { totals } = result;
      const attempted = totals.delivered + totals.failed + totals.retrying;
      return {
        data: {
          since: iso(since),
          until: iso(until),
          bucket,
          buckets: result.buckets.map((b) => ({ ...b, start: iso(b.start) })),
          totals: { ...totals, success_rate: attempted === 0 ? null : totals.delivered / attempted },
        },
      };
    },
    {
      scope: "deliveries:read",
      query: t.Object({
        since: t.Optional(
          t.String({ format: "date-time", description: "Window start (ISO 8601); default: 60 buckets before until." }),
        ),
        until: t.Optional(t.String({ format: "date-time", description: "Window end, exclusive; default: now." })),
        bucket: t.Optional(
          t.Union([t.Literal("1m"), t.Literal("5m"), t.Literal("1h")], { description: "Bucket width; default 1m." }),
        ),
        endpoint_id: t.Optional(t.String({ maxLength: 100, description: "Only this endpoint's deliveries." })),
        tenant_id: t.Optional(
          t.String({ maxLength: 64, description: "Only this tenant (admin keys); tenant keys see their own only." }),
        ),
      }),
      response: StatsOut,
      detail: {
        summary: "Delivery statistics",
        description: `Outcomes and attempt latency per bucket over [since, until), every bucket listed (empty ones with zeros). Attempts count in the bucket where they started; deliveries without an attempt (skipped by a filter, or failed before sending) where they were created. At most ${MAX_BUCKETS} buckets per answer (e.g. a day at 1m), else 400. Tenant keys see their own tenant only.`,
      },
    },
  );
}
