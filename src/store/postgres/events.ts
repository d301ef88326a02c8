// SQL for events, including the group-committed ingest batch (events + their deliveries in one transaction).
// A batch travels as JSON parameters (json_to_recordset), so its events and deliveries are one statement whatever
// the batch's size.
import type { TransactionSQL } from "bun";
import type { EventListFilter, EventRecord, InsertOutcome, NewEvent } from "../types.ts";
import { int, type PgContext } from "./context.ts";
import { filteredQuery } from "./filtered-list.ts";

const EVENT_COLUMNS = "id, tenant_id, type, payload, idempotency_key, created_at";

// biome-ignore lint/suspicious/noExplicitAny: rows come untyped from the driver
const toEvent = (r: any): EventRecord => ({
  id: r.id,
  tenant_id: r.tenant_id,
  type: r.type,
  payload: r.payload,
  idempotency_key: r.idempotency_key,
  created_at: int(r.created_at),
});

// Events and their deliveries in one statement: deliveries are inserted for the events that were (an event whose
// idempotency key exists is not, and brings no deliveries). Keys go in a fixed order, so two replicas inserting
// the same keys wait for each other instead of deadlocking.
const INSERT_EVENTS = `
  WITH inserted AS (
    INSERT INTO events (id, tenant_id, type, payload, idempotency_key, idempotency_response, created_at)
    SELECT id, tenant_id, type, payload, idempotency_key, idempotency_response, created_at
    FROM json_to_recordset($1::text::json) AS x(id text, tenant_id text, type text, payload text,
      idempotency_key text, idempotency_response text, created_at bigint, ord integer)
    ORDER BY tenant_id, idempotency_key, ord
    ON CONFLICT DO NOTHING RETURNING id
  ), deliveries AS (
    INSERT INTO deliveries (id, event_id, endpoint_id, tenant_id, target_url, status, next_attempt_at, lease_until,
      lease_owner, error_kind, last_error, manual, created_at)
    SELECT id, event_id, endpoint_id, tenant_id, target_url, status, next_attempt_at, lease_until,
      CASE WHEN status = 'delivering' THEN $3 END, error_kind, last_error, manual, created_at
    FROM json_to_recordset($2::text::json) AS d(id text, event_id text, endpoint_id text, tenant_id text,
      target_url text, status text, next_attempt_at bigint, lease_until bigint, error_kind text, last_error text,
      manual boolean, created_at bigint)
    WHERE d.event_id IN (SELECT id FROM inserted)
  )
  SELECT id FROM inserted`;

// LATERAL: one index lookup per key, whatever the planner believes about the table's size.
const FIRST_RESPONSES = `
  SELECT x.tenant_id, x.idempotency_key, e.idempotency_response
  FROM json_to_recordset($1::text::json) AS x(tenant_id text, idempotency_key text)
  CROSS JOIN LATERAL (SELECT idempotency_response FROM events
    WHERE tenant_id = x.tenant_id AND idempotency_key = x.idempotency_key) e`;

const keyOf = (tenant: string, key: string) => `${tenant}\u0000${key}`;

export function eventQueries({ sql, replicaId }: PgContext) {
  /**
   * Writes events and their deliveries inside `tx`: the statement is sent at once (pipelined with the batch's other
   * writes); awaiting the result gives the outcomes. An event whose idempotency key already exists in its tenant
   * (committed by any replica, or earlier in this batch) is not written; its outcome carries the first response.
   */
  const insertEventsIn = (tx: TransactionSQL, batch: readonly NewEvent[]): Promise<InsertOutcome[]> => {
    if (batch.length === 0) return Promise.resolve([]);
    const rows = batch.map(({ event: e, idempotency_response }, ord) => ({ ...e, idempotency_response, ord }));
    const deliveries = batch.flatMap((item) => item.deliveries);
    const insert = tx.unsafe(INSERT_EVENTS, [JSON.stringify(rows), JSON.stringify(deliveries), replicaId]);
    return insert.then(async (result) => {
      const inserted = new Set<string>(result.map((r: { id: string }) => r.id));
      const repeated = batch.filter((item) => !inserted.has(item.event.id) && item.event.idempotency_key !== null);
      const firsts = new Map<string, string | null>();
      if (repeated.length > 0) {
        const keys = repeated.map(({ event: e }) => ({ tenant_id: e.tenant_id, idempotency_key: e.idempotency_key }));
        for (const r of await tx.unsafe(FIRST_RESPONSES, [JSON.stringify(keys)]))
          firsts.set(keyOf(r.tenant_id, r.idempotency_key), r.idempotency_response);
      }
      return batch.map(({ event: e }): InsertOutcome => {
        if (inserted.has(e.id)) return { inserted: true };
        const first = e.idempotency_key === null ? null : firsts.get(keyOf(e.tenant_id, e.idempotency_key));
        return { inserted: false, response: first ?? null };
      });
    });
  };

  return {
    insertEventsIn,
    async eventByIdempotencyKey(
      tenant: string,
      key: string,
    ): Promise<{ event: EventRecord; response: string | null } | null> {
      const [r] = await sql`SELECT * FROM events WHERE tenant_id = ${tenant} AND idempotency_key = ${key}`;
      return r ? { event: toEvent(r), response: r.idempotency_response } : null;
    },
    async eventById(id: string): Promise<EventRecord | null> {
      const [r] = await sql.unsafe(`SELECT ${EVENT_COLUMNS} FROM events WHERE id = $1`, [id]);
      return r ? toEvent(r) : null;
    },
    async eventsByIds(ids: readonly string[]): Promise<EventRecord[]> {
      if (ids.length === 0) return [];
      const rows = await sql.unsafe(
        `SELECT ${EVENT_COLUMNS} FROM events WHERE id = ANY(ARRAY(SELECT json_array_elements_text($1::text::json)))`,
        [JSON.stringify(ids)],
      );
      return rows.map(toEvent);
    },
    /** Newest first by id. */
    async listEvents(f: EventListFilter): Promise<EventRecord[]> {
      const [text, params] = filteredQuery(
        `SELECT ${EVENT_COLUMNS} FROM events`,
        "ORDER BY id DESC",
        [
          ["tenant_id = ?", f.tenant_id],
          ["type = ?", f.type],
          ["created_at >= ?", f.since],
          ["created_at < ?", f.until],
          ["id < ?", f.before],
        ],
        f.limit,
      );
      return (await sql.unsafe(text, params)).map(toEvent);
    },
  };
}
