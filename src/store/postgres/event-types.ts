// SQL for the event-type catalog. Every change notifies the other replicas in its own transaction.

import { eventTypeColumns, eventTypeRecord } from "../rows.ts";
import type { EventTypeRecord } from "../types.ts";
import { announceChange, type PgContext } from "./context.ts";

const COLUMNS = Object.keys(eventTypeColumns({} as EventTypeRecord));
const INSERT = `INSERT INTO event_types (${COLUMNS.join(", ")}) VALUES (${COLUMNS.map((_, i) => `$${i + 1}`).join(", ")})`;
const params = (t: EventTypeRecord) => Object.values(eventTypeColumns(t));

export function eventTypeQueries({ sql, replicaId }: PgContext) {
  return {
    async listEventTypes(): Promise<EventTypeRecord[]> {
      return (await sql`SELECT * FROM event_types ORDER BY name`).map(eventTypeRecord);
    },
    /** Inserts a new type; false when the name exists. */
    async insertEventType(t: EventTypeRecord): Promise<boolean> {
      return sql.begin(async (tx) => {
        const rows = await tx.unsafe(`${INSERT} ON CONFLICT (name) DO NOTHING RETURNING name`, params(t));
        if (rows.length === 0) return false;
        await announceChange(tx, replicaId, { k: "event_type", name: t.name });
        return true;
      });
    },
    async upsertEventType(t: EventTypeRecord): Promise<void> {
      await sql.begin(async (tx) => {
        await tx.unsafe(
          `${INSERT} ON CONFLICT (name) DO UPDATE SET description = excluded.description, schema_json = excluded.schema_json,
             example_json = excluded.example_json, source = excluded.source`,
          params(t),
        );
        await announceChange(tx, replicaId, { k: "event_type", name: t.name });
      });
    },
    async deleteEventType(name: string): Promise<boolean> {
      return sql.begin(async (tx) => {
        const r = await tx`DELETE FROM event_types WHERE name = ${name}`;
        if (r.count === 0) return false;
        await announceChange(tx, replicaId, { k: "event_type", name });
        return true;
      });
    },
  };
}
