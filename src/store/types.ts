// Records the store hands out. Times are epoch milliseconds; JSON columns are already parsed.

export type Scope =
  | "admin"
  | "endpoints:read"
  | "endpoints:write"
  | "events:read"
  | "events:write"
  | "deliveries:read"
  | "deliveries:write";
export const SCOPES: readonly Scope[] = [
  "admin",
  "endpoints:read",
  "endpoints:write",
  "events:read",
  "events:write",
  "deliveries:read",
  "deliveries:write",
];

export interface ApiKeyRecord {
  id: string;
  hash: string;
  prefix: string;
  name: string;
  tenant_id: string | null;
  scopes: Scope[];
  expires_at: number | null;
  revoked_at: number | null;
  created_at: number;
}

export interface EventTypeRecord {
  name: string;
  description: string;
  schema: object | null;
  example: unknown;
  /** `system`: an operational event type (`hookgate.*`), built in, never stored. */
  source: "api" | "config" | "system";
  created_at: number;
}

/** An endpoint row; JSON columns parsed, secrets and auth still encrypted. */
export interface EndpointRecord {
  id: string;
  tenant_id: string;
  url: string;
  /** null when cleared with `description: null`. */
  description: string | null;
  events: string[];
  enabled: boolean;
  disabled_reason: "manual" | "gone" | "failing" | null;
  metadata: Record<string, string>;
  secrets_enc: string;
  signing: Record<string, unknown> & { scheme: string };
  http_method: string;
  headers: Record<string, string>;
  auth_enc: string | null;
  filter: Record<string, unknown> | null;
  transform: string | null;
  rate_limit_per_second: number | null;
  timeout_ms: number;
  retry_schedule: string[] | null;
  /** A declared egress proxy's name, `default` (follow delivery.default_proxy), or null (direct). */
  proxy: string | null;
  /** The client certificate, key and extra roots (JSON), encrypted like auth; null without mutual TLS. */
  tls_enc: string | null;
  source: "api" | "config";
  /** When the current run of failures began (null while healthy); drives auto-disable. */
  failing_since: number | null;
  /** When a drain (`DELETE ?drain=true`) began; null when not draining. */
  draining_since: number | null;
  created_at: number;
  updated_at: number;
}

export interface EndpointListFilter {
  tenant_id?: string;
  enabled?: boolean;
  after?: { created_at: number; id: string };
  limit: number;
}

export type DeliveryStatus = "pending" | "delivering" | "delivered" | "failed" | "skipped";
export type AttemptTrigger = "scheduled" | "manual" | "test";

export interface EventRecord {
  id: string;
  tenant_id: string;
  type: string;
  /** The event's `data` as compact JSON text (spliced into request bodies as is). */
  payload: string;
  idempotency_key: string | null;
  created_at: number;
}

export interface NewDelivery {
  id: string;
  event_id: string;
  endpoint_id: string | null;
  tenant_id: string;
  target_url: string | null;
  /** An ad-hoc target delivery signed like this endpoint (its secret, scheme, headers, auth, transform, timeout). */
  like_endpoint_id: string | null;
  status: "pending" | "delivering" | "skipped" | "failed";
  next_attempt_at: number | null;
  lease_until: number | null;
  /** Why it will not be attempted (a skipped delivery): its kind, e.g. `filtered`, and the text shown. */
  error_kind: string | null;
  last_error: string | null;
  manual: boolean;
  created_at: number;
}

export interface NewEvent {
  event: EventRecord;
  /** The 202 body, stored when the event has an idempotency key so a repeat can answer the same. */
  idempotency_response: string | null;
  deliveries: NewDelivery[];
}

/** Per event of a batch: inserted, or a duplicate idempotency key with the first response. */
export type InsertOutcome = { inserted: true } | { inserted: false; response: string | null };

export interface DeliveryRecord {
  id: string;
  event_id: string;
  endpoint_id: string | null;
  tenant_id: string;
  target_url: string | null;
  like_endpoint_id: string | null;
  event_type: string;
  status: DeliveryStatus;
  attempts: number;
  retry_base: number;
  next_attempt_at: number | null;
  lease_until: number | null;
  http_status: number | null;
  /** Kind of the last error (`timeout`, `http_error`, `filtered`, …); `last_error` is its text as shown. */
  error_kind: string | null;
  last_error: string | null;
  manual: boolean;
  created_at: number;
  delivered_at: number | null;
}

/** A claimed delivery with what is needed to send it. */
export interface ClaimedDelivery {
  id: string;
  event_id: string;
  endpoint_id: string | null;
  target_url: string | null;
  like_endpoint_id: string | null;
  attempts: number;
  retry_base: number;
  manual: boolean;
}

export interface AttemptRecord {
  id: string;
  delivery_id: string;
  n: number;
  trigger: AttemptTrigger;
  started_at: number;
  duration_ms: number;
  http_status: number | null;
  response_headers: Record<string, string> | null;
  response_body: string | null;
  body_encoding: "utf8" | "base64" | null;
  /** The body sent when it differs from the event envelope (a transform), first 32 KiB; null otherwise. */
  request_body: string | null;
  /** The error's kind (docs/api.md "Delivery"), or null when the receiver answered. */
  error_kind: string | null;
  /** `<kind>: <message>` as the API shows it. */
  error: string | null;
}

/** The new state of a delivery after an attempt (or after a decision that made none). */
export interface DeliveryUpdate {
  id: string;
  status: DeliveryStatus;
  attempts: number;
  next_attempt_at: number | null;
  /** The receiver's status; omitted when no HTTP exchange happened, so the last recorded one stays. */
  http_status?: number | null;
  error_kind: string | null;
  last_error: string | null;
  delivered_at: number | null;
}

export interface DeliveryListFilter {
  tenant_id?: string;
  endpoint_id?: string;
  event_id?: string;
  event_type?: string;
  status?: DeliveryStatus;
  since?: number;
  until?: number;
  before?: string;
  limit: number;
}

export interface EventListFilter {
  tenant_id?: string;
  type?: string;
  since?: number;
  until?: number;
  before?: string;
  limit: number;
}

/** A window of GET /v1/stats. */
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

/** A row of the key/value table. */
export interface MetaRecord {
  key: string;
  value: string;
}

/** An event as stored: with the receipt kept for its idempotency key (a repeat answers it). */
export interface StoredEvent extends EventRecord {
  idempotency_response: string | null;
}

/** A delivery as stored (reads join in the event's type; the row does not hold it). */
export type StoredDelivery = Omit<DeliveryRecord, "event_type">;

/** Every kind of record a store holds, as `copy-store` moves them between stores. */
export interface StoreRecords {
  meta: MetaRecord;
  event_types: EventTypeRecord;
  endpoints: EndpointRecord;
  api_keys: ApiKeyRecord;
  events: StoredEvent;
  deliveries: StoredDelivery;
  attempts: AttemptRecord;
}
export type RecordKind = keyof StoreRecords;

/** The kinds in the order they can be written: a record's parents (endpoints, events, deliveries) come first. */
export const RECORD_KINDS: readonly RecordKind[] = [
  "meta",
  "event_types",
  "endpoints",
  "api_keys",
  "events",
  "deliveries",
  "attempts",
];

/** A page of records in key order; `next` continues after its last record (null: that was the last page). */
export interface RecordPage<K extends RecordKind> {
  records: StoreRecords[K][];
  next: string | null;
}
