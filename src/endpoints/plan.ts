// "Would this endpoint get this event, and if not, why?" — asked by ingest for every matching endpoint and by the
// preview route, so both give the same answer.
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
  | { kind: "deliver" };

const DELIVER: DeliveryPlan = Object.freeze({ kind: "deliver" });

/** The plan for `envelope` at `endpoint`; filters run here (expression filters asynchronously). */
export async function planDelivery(endpoint: Endpoint, envelope: Envelope): Promise<DeliveryPlan> {
  if (!endpoint.events.some((pattern) => matchesType(pattern, envelope.type))) {
    return {
      kind: "unsubscribed",
      reason: `the endpoint is not subscribed to ${envelope.type} (events: ${endpoint.events.join(", ")})`,
    };
  }
  const filter = endpoint.compiled.filter;
  if (!filter) return DELIVER;
  const verdict = await filter.test(envelope);
  return verdict.matched
    ? DELIVER
    : { kind: "skip", reason: `filtered: ${verdict.reason ?? "the filter did not match"}` };
}
