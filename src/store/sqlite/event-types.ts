// SQL for the event-type catalog.
import type { Database } from "bun:sqlite";
import type { EventTypeRecord } from "../types.ts";

interface Row {
  name: string;
  description: string;
  schema_json: string | null;
  example_json: string | null;
  source: "api" | "config";
  created_at: number;
}

const toRecord = (r: Row): EventTypeRecord => ({
  name: r.name,
  description: r.description,
  schema: r.schema_json === null ? null : JSON.parse(r.schema_json),
  example: r.example_json === null ? null : JSON.parse(r.example_json),
  source: r.source,
  created_at: r.created_at,
});

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
  const params = (t: EventTypeRecord) => ({
    name: t.name,
    description: t.description,
    schema_json: t.schema === null ? null : JSON.stringify(t.schema),
    example_json: t.example === null || t.example === undefined ? null : JSON.stringify(t.example),
    source: t.source,
    created_at: t.created_at,
  });
  return {
    async listEventTypes(): Promise<EventTypeRecord[]> {
      return all.all().map(toRecord);
    },
    /** Inserts a new type; false when the name exists. */
    async insertEventType(t: EventTypeRecord): Promise<boolean> {
      return insert.run(params(t)).changes > 0;
    },
    async upsertEventType(t: EventTypeRecord): Promise<void> {
      upsert.run(params(t));
    },
    async deleteEventType(name: string): Promise<boolean> {
      return remove.run(name).changes > 0;
    },
  };
}
