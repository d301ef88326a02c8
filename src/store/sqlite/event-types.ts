// SQL for the event-type catalog.
import type { Database } from "bun:sqlite";
import { eventTypeColumns, eventTypeRecord } from "../rows.ts";
import type { EventTypeRecord } from "../types.ts";

interface Row {
  name: string;
  description: string;
  schema_json: string | null;
  example_json: string | null;
  source: "api" | "config";
  created_at: number;
}

export function eventTypeQueries(db: Database) {
  const all = db.query<Row, []>("SELECT * FROM event_types ORDER BY name");
  const upsert = db.query(
    `INSERT INTO event_types (name, description, schema_json, example_json, source, created_at)
     VALUES ($name, $description, $schema_json, $example_json, $source, $created_at)
     ON CONFLICT (name) DO UPDATE SET description = excluded.description, schema_json = excluded.schema_json,
       example_json = excluded.example_json, source = excluded.source`,
  );
  const insert = db.query(
    "INSERT INTO event_types (name, description, schema_json, example_json, source, created_at) VALUES ($name, $description, $schema_json, $example_json, $source, $created_at) ON CONFLICT (name) DO NOTHING",
  );
  const remove = db.query("DELETE FROM event_types WHERE name = ?");
  return {
    async listEventTypes(): Promise<EventTypeRecord[]> {
      return all.all().map(eventTypeRecord);
    },
    /** Inserts a new type; false when the name exists. */
    async insertEventType(t: EventTypeRecord): Promise<boolean> {
      return insert.run(eventTypeColumns(t)).changes > 0;
    },
    async upsertEventType(t: EventTypeRecord): Promise<void> {
      upsert.run(eventTypeColumns(t));
    },
    async deleteEventType(name: string): Promise<boolean> {
      return remove.run(name).changes > 0;
    },
  };
}
