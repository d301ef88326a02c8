// SQL for events as the API reads them (the ingest batch that writes them is batch.ts).

import { int } from "../rows.ts";
import type { EventListFilter, EventRecord } from "../types.ts";
import type { PgContext } from "./context.ts";
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

export function eventQueries({ sql }: PgContext) {
  return {
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
