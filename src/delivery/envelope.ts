// An event as the engine carries it, with its envelope (docs/api.md "Delivery") built at most once and shared by all of
// its deliveries: as a value for filters and transforms, and as the default body's JSON text.
import type { Envelope } from "../endpoints/plan.ts";
import type { EventRecord } from "../store/index.ts";

export type { Envelope } from "../endpoints/plan.ts";

/**
 * An event as the engine carries it. Both forms of the envelope are built at most once per event and shared
 * by all its deliveries: `envelope` (the default body) and `envelopeValue` (ingest sets it from the parsed
 * request, so fresh events are never parsed again).
 */
export interface LoadedEvent extends EventRecord {
  envelope?: string;
  envelopeValue?: Envelope;
}

/** The envelope as a value (filters, transforms); `data` is parsed from the stored payload only once. */
export function envelopeValueOf(event: LoadedEvent): Envelope {
  event.envelopeValue ??= {
    id: event.id,
    type: event.type,
    timestamp: new Date(event.created_at).toISOString(),
    tenant_id: event.tenant_id,
    data: JSON.parse(event.payload),
  };
  return event.envelopeValue;
}

/** The default body: compact JSON `{id, type, timestamp, tenant_id, data}`, with `data` spliced in as stored. */
export function envelopeOf(event: LoadedEvent): string {
  if (event.envelope === undefined) {
    const timestamp = event.envelopeValue?.timestamp ?? new Date(event.created_at).toISOString();
    event.envelope = `{"id":${JSON.stringify(event.id)},"type":${JSON.stringify(event.type)},"timestamp":"${timestamp}","tenant_id":${JSON.stringify(event.tenant_id)},"data":${event.payload}}`;
  }
  return event.envelope;
}
