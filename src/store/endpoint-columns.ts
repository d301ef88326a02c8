// The columns of an endpoint row that both stores write alike (structured fields as JSON text), by column name. Each
// store adds what its dialect spells its own way (SQLite: booleans as 0/1 and a flag for a null description).
import type { EndpointRecord } from "./types.ts";

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
