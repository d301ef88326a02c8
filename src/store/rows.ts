// How the records of the store map to table columns where both backends spell them alike: structured fields as JSON
// text, numbers as numbers (PostgreSQL returns int8 as a string, hence Number). Each store adds only what its dialect
// spells its own way (SQLite: booleans as 0/1 and a flag for a null description). The stores' queries and copy-store
// (records.ts) use the same mappings, so a column added here is written, read and copied alike.
import type { ApiKeyRecord, AttemptRecord, EndpointRecord, EventTypeRecord } from "./types.ts";

// biome-ignore lint/suspicious/noExplicitAny: rows come untyped from the drivers
type Row = any;

/** A number column (an int8 arrives from PostgreSQL as a string); null stays null. */
export const num = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));

/** Same, for columns that are never null. */
export const int = (v: unknown): number => Number(v);

/** Parses a JSON text column; null stays null. */
export const parseOrNull = (s: string | null) => (s === null ? null : JSON.parse(s));

/** A value as JSON text for its column; null and undefined are NULL. */
export const jsonOrNull = (v: unknown) => (v === null || v === undefined ? null : JSON.stringify(v));

export const endpointColumns = (e: EndpointRecord) => ({
  id: e.id,
  tenant_id: e.tenant_id,
  url: e.url,
  description: e.description,
  events_json: JSON.stringify(e.events),
  enabled: e.enabled,
  disabled_reason: e.disabled_reason,
  metadata_json: JSON.stringify(e.metadata),
  secrets_enc: e.secrets_enc,
  signing_json: JSON.stringify(e.signing),
  http_method: e.http_method,
  headers_json: JSON.stringify(e.headers),
  auth_enc: e.auth_enc,
  filter_json: e.filter === null ? null : JSON.stringify(e.filter),
  transform: e.transform,
  rate_limit: e.rate_limit_per_second,
  timeout_ms: e.timeout_ms,
  retry_schedule_json: e.retry_schedule === null ? null : JSON.stringify(e.retry_schedule),
  source: e.source,
  failing_since: e.failing_since,
  draining_since: e.draining_since,
  proxy: e.proxy,
  tls_enc: e.tls_enc,
  created_at: e.created_at,
  updated_at: e.updated_at,
});

export const endpointRecord = (r: Row): EndpointRecord => ({
  id: r.id,
  tenant_id: r.tenant_id,
  url: r.url,
  description: r.description,
  events: JSON.parse(r.events_json),
  enabled: r.enabled,
  disabled_reason: r.disabled_reason,
  metadata: JSON.parse(r.metadata_json),
  secrets_enc: r.secrets_enc,
  signing: JSON.parse(r.signing_json),
  http_method: r.http_method,
  headers: JSON.parse(r.headers_json),
  auth_enc: r.auth_enc,
  filter: parseOrNull(r.filter_json),
  transform: r.transform,
  rate_limit_per_second: num(r.rate_limit),
  timeout_ms: int(r.timeout_ms),
  retry_schedule: parseOrNull(r.retry_schedule_json),
  source: r.source,
  failing_since: num(r.failing_since),
  draining_since: num(r.draining_since),
  proxy: r.proxy,
  tls_enc: r.tls_enc,
  created_at: int(r.created_at),
  updated_at: int(r.updated_at),
});

export const apiKeyColumns = (k: ApiKeyRecord) => ({
  id: k.id,
  hash: k.hash,
  prefix: k.prefix,
  name: k.name,
  tenant_id: k.tenant_id,
  scopes_json: JSON.stringify(k.scopes),
  expires_at: k.expires_at,
  revoked_at: k.revoked_at,
  created_at: k.created_at,
});

export const apiKeyRecord = (r: Row): ApiKeyRecord => ({
  id: r.id,
  hash: r.hash,
  prefix: r.prefix,
  name: r.name,
  tenant_id: r.tenant_id,
  scopes: JSON.parse(r.scopes_json),
  expires_at: num(r.expires_at),
  revoked_at: num(r.revoked_at),
  created_at: int(r.created_at),
});

export const eventTypeColumns = (t: EventTypeRecord) => ({
  name: t.name,
  description: t.description,
  schema_json: jsonOrNull(t.schema),
  example_json: jsonOrNull(t.example),
  source: t.source,
  created_at: t.created_at,
});

export const eventTypeRecord = (r: Row): EventTypeRecord => ({
  name: r.name,
  description: r.description,
  schema: parseOrNull(r.schema_json),
  example: parseOrNull(r.example_json),
  source: r.source,
  created_at: int(r.created_at),
});

export const attemptColumns = (a: AttemptRecord) => ({
  id: a.id,
  delivery_id: a.delivery_id,
  n: a.n,
  trigger: a.trigger,
  started_at: a.started_at,
  duration_ms: a.duration_ms,
  http_status: a.http_status,
  response_headers: jsonOrNull(a.response_headers),
  response_body: a.response_body,
  body_encoding: a.body_encoding,
  request_body: a.request_body,
  error_kind: a.error_kind,
  error: a.error,
});

export const attemptRecord = (r: Row): AttemptRecord => ({
  id: r.id,
  delivery_id: r.delivery_id,
  n: r.n,
  trigger: r.trigger,
  started_at: int(r.started_at),
  duration_ms: r.duration_ms,
  http_status: r.http_status,
  response_headers: parseOrNull(r.response_headers),
  response_body: r.response_body,
  body_encoding: r.body_encoding,
  request_body: r.request_body,
  error_kind: r.error_kind,
  error: r.error,
});
