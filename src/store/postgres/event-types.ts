// SQL for the event-type catalog. Every change notifies the other replicas in its own transaction.
import type { EventTypeRecord } from "../types.ts";
import { announceChange, int, type PgContext, parseOrNull } from "./context.ts";

// biome-ignore lint/suspicious/noExplicitAny: rows come untyped from the driver
const toRecord = (r: any): EventTypeRecord => ({
  name: r.name,
  description: r.description,
  schema: parseOrNull(r.schema_json),
  example: parseOrNull(r.example_json),
  source: r.source,
  created_at: int(r.created_at),
});

const params = (t: EventTypeRecord) =>
  [
    t.name,
    t.description,
    t.schema === null ? null : JSON.stringify(t.schema),
    t.example === null || t.example === undefined ? null : JSON.stringify(t.example),
    t.source,
    t.created_at,
  ] as const;

const INSERT =
  "INSERT INTO event_types (name, description, schema_json, example_json, source, created_at) VALUES ($1, $2, $3, $4, $5, $6)";

export function eventTypeQueries({ sql, replicaId }: PgContext) {
  return {
    async listEventTypes(): Promise<EventTypeRecord[]> {
      return (await sql`SELECT * FROM event_types ORDER BY name`).map(toRecord);
    },
    /** Inserts a new type; false when the name exists. */
    async insertEventType(t: EventTypeRecord): Promise<boolean> {
      return sql.begin(async (tx) => {
        const rows = await tx.unsafe(`${INSERT} ON CONFLICT (name) DO NOTHING RETURNING name`, [...params(t)]);
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
          [...params(t)],
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
