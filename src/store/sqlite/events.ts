// SQL for events, including the group-committed ingest batch (events + their deliveries, one transaction).
import type { Database } from "bun:sqlite";
import type { EventListFilter, EventRecord, InsertOutcome, NewEvent } from "../types.ts";
import { filteredList } from "./filtered-list.ts";

export function eventQueries(db: Database) {
  const insertEvent = db.query(
    `INSERT INTO events (id, tenant_id, type, payload, idempotency_key, idempotency_response, created_at)
     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT DO NOTHING`,
  );
  const insertDelivery = db.query(
    `INSERT INTO deliveries (id, event_id, endpoint_id, tenant_id, target_url, status, next_attempt_at, lease_until,
       error_kind, last_error, manual, created_at, like_endpoint_id)
     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)`,
  );
  const firstResponse = db.query<{ idempotency_response: string | null }, [string, string]>(
    "SELECT idempotency_response FROM events WHERE tenant_id = ? AND idempotency_key = ?",
  );
  const byIdempotency = db.query<EventRecord & { idempotency_response: string | null }, [string, string]>(
    "SELECT * FROM events WHERE tenant_id = ? AND idempotency_key = ?",
  );
  const byId = db.query<EventRecord, [string]>(
    "SELECT id, tenant_id, type, payload, idempotency_key, created_at FROM events WHERE id = ?",
  );
  const byIds = db.query<EventRecord, [string]>(
    "SELECT id, tenant_id, type, payload, idempotency_key, created_at FROM events WHERE id IN (SELECT value FROM json_each(?))",
  );
  const list = filteredList<EventRecord>(
    db,
    "SELECT id, tenant_id, type, payload, idempotency_key, created_at FROM events",
    "ORDER BY id DESC",
  );

  const insertEvents = (batch: readonly NewEvent[]): InsertOutcome[] => {
    const out: InsertOutcome[] = [];
    for (const item of batch) {
      const e = item.event;
      const changes = insertEvent.run(
        e.id,
        e.tenant_id,
        e.type,
        e.payload,
        e.idempotency_key,
        item.idempotency_response,
        e.created_at,
      ).changes;
      if (changes === 0) {
        const first = e.idempotency_key === null ? null : firstResponse.get(e.tenant_id, e.idempotency_key);
        out.push({ inserted: false, response: first?.idempotency_response ?? null });
        continue;
      }
      for (const d of item.deliveries) {
        insertDelivery.run(
          d.id,
          d.event_id,
          d.endpoint_id,
          d.tenant_id,
          d.target_url,
          d.status,
          d.next_attempt_at,
          d.lease_until,
          d.error_kind,
          d.last_error,
          d.manual ? 1 : 0,
          d.created_at,
          d.like_endpoint_id,
        );
      }
      out.push({ inserted: true });
    }
    return out;
  };

  return {
    /**
     * Writes events and their deliveries (inside writeBatch's transaction). An event whose idempotency key
     * already exists in its tenant is not written; its outcome carries the first response.
     */
    insertEventsIn: insertEvents,
    async eventByIdempotencyKey(
      tenant: string,
      key: string,
    ): Promise<{ event: EventRecord; response: string | null } | null> {
      const row = byIdempotency.get(tenant, key);
      if (!row) return null;
      const { idempotency_response, ...event } = row;
      return { event, response: idempotency_response };
    },
    async eventById(id: string): Promise<EventRecord | null> {
      return byId.get(id) ?? null;
    },
    async eventsByIds(ids: readonly string[]): Promise<EventRecord[]> {
      return ids.length === 0 ? [] : byIds.all(JSON.stringify(ids));
    },
    /** Newest first by id. */
    async listEvents(f: EventListFilter): Promise<EventRecord[]> {
      return list(
        [
          ["tenant_id = $tenant_id", "tenant_id", f.tenant_id],
          ["type = $type", "type", f.type],
          ["created_at >= $since", "since", f.since],
          ["created_at < $until", "until", f.until],
          ["id < $before", "before", f.before],
        ],
        f.limit,
      );
    },
  };
}
