// The hot path's one write as ONE statement: events, their deliveries, attempt rows and delivery updates travel as
// JSON parameters and are written by the parts of a single INSERT … WITH statement, which PostgreSQL commits on its
// own (no BEGIN/COMMIT round trips). Every lookup of an existing row goes through a primary-key array
// (`= ANY(ARRAY(…))`), so the plan never scans a table, however large it is or however stale its statistics are.
import type { SQL } from "bun";
import { attemptColumns } from "../rows.ts";
import type { AttemptRecord, DeliveryUpdate, InsertOutcome, NewEvent } from "../types.ts";

const BATCH = `
WITH inserted AS (
  INSERT INTO events (id, tenant_id, type, payload, idempotency_key, idempotency_response, created_at)
  SELECT id, tenant_id, type, (payload -> 0)::text, idempotency_key, idempotency_response, created_at
  FROM json_to_recordset($1::text::json) AS x(id text, tenant_id text, type text, payload json,
    idempotency_key text, idempotency_response text, created_at bigint, ord integer)
  -- keys in a fixed order, so two replicas inserting the same keys wait for each other instead of deadlocking
  ORDER BY tenant_id, idempotency_key, ord
  ON CONFLICT DO NOTHING RETURNING id
), new_deliveries AS (
  -- only the deliveries of inserted events (a repeated idempotency key brings none)
  INSERT INTO deliveries (id, event_id, endpoint_id, tenant_id, target_url, like_endpoint_id, status, next_attempt_at,
    lease_until, lease_owner, error_kind, last_error, manual, created_at)
  SELECT id, event_id, endpoint_id, tenant_id, target_url, like_endpoint_id, status, next_attempt_at, lease_until,
    CASE WHEN status = 'delivering' THEN $5 END, error_kind, last_error, manual, created_at
  FROM json_to_recordset($2::text::json) AS d(id text, event_id text, endpoint_id text, tenant_id text,
    target_url text, like_endpoint_id text, status text, next_attempt_at bigint, lease_until bigint, error_kind text,
    last_error text, manual boolean, created_at bigint)
  WHERE d.event_id IN (SELECT id FROM inserted)
), attempt_rows AS (
  SELECT * FROM json_to_recordset($3::text::json) AS a(id text, delivery_id text, n integer, trigger text,
    started_at bigint, duration_ms integer, http_status integer, response_headers text, response_body text,
    body_encoding text, error_kind text, error text, request_body text)
), new_attempts AS (
  -- attempts of deliveries deleted meanwhile are dropped
  INSERT INTO attempts (id, delivery_id, n, trigger, started_at, duration_ms, http_status, response_headers,
    response_body, body_encoding, error_kind, error, request_body)
  SELECT a.id, a.delivery_id, a.n, a.trigger, a.started_at, a.duration_ms, a.http_status, a.response_headers,
    a.response_body, a.body_encoding, a.error_kind, a.error, a.request_body
  FROM attempt_rows a
  WHERE a.delivery_id IN (SELECT id FROM deliveries WHERE id = ANY(ARRAY(SELECT delivery_id FROM attempt_rows)))
), update_rows AS (
  SELECT * FROM json_to_recordset($4::text::json) AS u(id text, status text, attempts integer,
    next_attempt_at bigint, http_status integer, exchanged boolean, error_kind text, last_error text,
    delivered_at bigint)
), updated AS (
  -- a result is recorded only by the replica holding the lease (or on a row nobody holds): a replica whose lease
  -- ran out while it attempted (stalled, partitioned) does not overwrite what the new holder does
  UPDATE deliveries d SET status = u.status, attempts = u.attempts, next_attempt_at = u.next_attempt_at,
    lease_until = NULL, lease_owner = NULL,
    http_status = CASE WHEN u.exchanged THEN u.http_status ELSE d.http_status END, error_kind = u.error_kind,
    last_error = u.last_error, delivered_at = coalesce(u.delivered_at, d.delivered_at)
  FROM update_rows u
  WHERE d.id = u.id AND d.id = ANY(ARRAY(SELECT id FROM update_rows))
    AND (d.lease_owner = $5 OR d.lease_owner IS NULL)
)
SELECT id FROM inserted`;

// LATERAL: one index lookup per key.
const FIRST_RESPONSES = `
  SELECT x.tenant_id, x.idempotency_key, e.idempotency_response
  FROM json_to_recordset($1::text::json) AS x(tenant_id text, idempotency_key text)
  CROSS JOIN LATERAL (SELECT idempotency_response FROM events
    WHERE tenant_id = x.tenant_id AND idempotency_key = x.idempotency_key) e`;

const keyOf = (tenant: string, key: string) => `${tenant}\u0000${key}`;
const str = JSON.stringify;

/**
 * The events of a batch as JSON, with each payload (the event's data, already JSON text) spliced in as the JSON it
 * is rather than escaped into a string (inside a one-element array, so that a JSON null stays the text `null`): a
 * json value gives back exactly those bytes (`(payload -> 0)::text`), and a 1 KB payload is not escaped and unescaped
 * on every write.
 */
function eventsJson(batch: readonly NewEvent[]): string {
  const parts = batch.map(
    ({ event: e, idempotency_response: r }, ord) =>
      `{"id":${str(e.id)},"tenant_id":${str(e.tenant_id)},"type":${str(e.type)},"payload":[${e.payload}],` +
      `"idempotency_key":${e.idempotency_key === null ? "null" : str(e.idempotency_key)},` +
      `"idempotency_response":${r === null ? "null" : str(r)},"created_at":${e.created_at},"ord":${ord}}`,
  );
  return `[${parts.join(",")}]`;
}

/**
 * Writes a batch in one statement (committed on its own) and returns each event's outcome: inserted, or not (its
 * tenant already has its idempotency key, committed by any replica or earlier in this batch; the outcome then
 * carries the first event's stored receipt, read after the commit).
 */
export async function writeBatchStatement(
  sql: SQL,
  replicaId: string,
  batch: readonly NewEvent[],
  attempts: readonly AttemptRecord[],
  updates: readonly DeliveryUpdate[],
): Promise<InsertOutcome[]> {
  const events = eventsJson(batch);
  const deliveries = batch.flatMap((item) => item.deliveries);
  const attemptRows = attempts.map(attemptColumns);
  // The last update of a delivery wins (as when applied one by one).
  const last = new Map<string, DeliveryUpdate>();
  for (const u of updates) last.set(u.id, u);
  const updateRows = [...last.values()].map((u) => ({
    ...u,
    http_status: u.http_status ?? null,
    exchanged: u.http_status !== undefined,
  }));
  const rows = await sql.unsafe(BATCH, [
    events,
    JSON.stringify(deliveries),
    JSON.stringify(attemptRows),
    JSON.stringify(updateRows),
    replicaId,
  ]);
  const inserted = new Set<string>(rows.map((r: { id: string }) => r.id));
  const repeated = batch.filter((item) => !inserted.has(item.event.id) && item.event.idempotency_key !== null);
  const firsts = new Map<string, string | null>();
  if (repeated.length > 0) {
    const keys = repeated.map(({ event: e }) => ({ tenant_id: e.tenant_id, idempotency_key: e.idempotency_key }));
    for (const r of await sql.unsafe(FIRST_RESPONSES, [JSON.stringify(keys)]))
      firsts.set(keyOf(r.tenant_id, r.idempotency_key), r.idempotency_response);
  }
  return batch.map(({ event: e }): InsertOutcome => {
    if (inserted.has(e.id)) return { inserted: true };
    const first = e.idempotency_key === null ? null : firsts.get(keyOf(e.tenant_id, e.idempotency_key));
    return { inserted: false, response: first ?? null };
  });
}
