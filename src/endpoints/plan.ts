// "Would this endpoint get this event, and if not, why?" — asked by ingest for every matching endpoint and by the
// preview route, so both give the same answer.
import type { FilterResult } from "../routing/filter.ts";
import { matchesType } from "../routing/type-index.ts";
import type { Endpoint } from "./endpoint.ts";

/** The envelope filters and transforms see (docs/api.md "Delivery"). */
export interface Envelope {
  id: string;
  type: string;
  timestamp: string;
  tenant_id: string;
  data: unknown;
}

export type DeliveryPlan =
  /** The endpoint does not take this type: no delivery at all. */
  | { kind: "unsubscribed"; reason: string }
  /** Subscribed, but the filter said no: a `skipped` delivery with this reason. */
  | { kind: "skip"; reason: string }
  /** The filter could not decide (it failed or broke its bounds): a `failed` delivery, never attempted. */
  | { kind: "fail"; reason: string }
  | { kind: "deliver" };

const DELIVER: FilterPlan = Object.freeze({ kind: "deliver" });

/** The plan for `envelope` at `endpoint`, subscription first (the preview route asks it of any endpoint). */
export function planDelivery(endpoint: Endpoint, envelope: Envelope): DeliveryPlan | Promise<DeliveryPlan> {
  if (!endpoint.events.some((pattern) => matchesType(pattern, envelope.type))) {
    return {
      kind: "unsubscribed",
      reason: `the endpoint is not subscribed to ${envelope.type} (events: ${endpoint.events.join(", ")})`,
    };
  }
  return filterPlan(endpoint, envelope);
}

export type FilterPlan = Exclude<DeliveryPlan, { kind: "unsubscribed" }>;

/**
 * The plan of an endpoint already known to be subscribed (ingest takes them from the type index); filters run here.
 * Synchronous unless the endpoint has an expression filter (then it runs in a sandbox worker), so an endpoint
 * without one costs no promise on the hot path.
 */
export function filterPlan(
  endpoint: Endpoint,
  envelope: Envelope,
  /** The envelope as JSON text, when the caller has it (expression filters send it to a worker). */
  json?: string,
): FilterPlan | Promise<FilterPlan> {
  const filter = endpoint.compiled.filter;
  if (!filter) return DELIVER;
  const verdict = filter.test(envelope, json);
  return verdict instanceof Promise ? verdict.then(planOf) : planOf(verdict);
}

function planOf(verdict: FilterResult): FilterPlan {
  if (verdict.error) return { kind: "fail", reason: `filter_error: ${verdict.reason ?? "the filter failed"}` };
  if (verdict.matched) return DELIVER;
  return { kind: "skip", reason: `filtered: ${verdict.reason ?? "the filter did not match"}` };
}
