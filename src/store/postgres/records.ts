// SQL for reading every record of the store in key order and writing records as they are (copy-store). A written
// page is one statement: the rows travel as one JSON parameter and json_populate_recordset gives them the table's own
// row type, so every column (also one added later) is written by name. Every kind with structured fields goes through the
// mapping the queries use (../rows.ts, deliveries.ts).
import {
  apiKeyColumns,
  apiKeyRecord,
  attemptColumns,
  attemptRecord,
  endpointColumns,
  endpointRecord,
  eventTypeColumns,
  eventTypeRecord,
  int,
} from "../rows.ts";
import type { RecordStore } from "../store.ts";
import type { RecordKind, RecordPage, StoredDelivery, StoreRecords } from "../types.ts";
import { GATEWAY_APPLICATION } from "./connect.ts";
import type { PgContext } from "./context.ts";
import { toDelivery } from "./deliveries.ts";

// biome-ignore lint/suspicious/noExplicitAny: rows come untyped from the driver
type Row = any;

interface Kind<R> {
  table: string;
  /** `WHERE … ORDER BY … LIMIT` of a page after the cursor's parameters ($1…, then the limit). */
  page: string;
  /** The cursor's parameters (null: before the first record). */
  params(after: string | null): unknown[];
  cursorOf(row: Row): string;
  fromRow(row: Row): R;
  /** The row as the table's columns (JSON text for JSON columns). */
  toRow(record: R): Record<string, unknown>;
}

/** A kind keyed by one text column. */
const byKey = <R>(table: string, key: string, fromRow: (r: Row) => R, toRow: Kind<R>["toRow"]): Kind<R> => ({
  table,
  page: `WHERE ${key} > $1 ORDER BY ${key} LIMIT $2`,
  params: (after) => [after ?? ""],
  cursorOf: (r) => r[key],
  fromRow,
  toRow,
});

const KINDS: { [K in RecordKind]: Kind<StoreRecords[K]> } = {
  meta: byKey(
    "meta",
    "key",
    (r) => ({ key: r.key, value: r.value }),
    (m) => ({ ...m }),
  ),
  event_types: byKey("event_types", "name", eventTypeRecord, eventTypeColumns),
  endpoints: byKey("endpoints", "id", endpointRecord, endpointColumns),
  api_keys: byKey("api_keys", "id", apiKeyRecord, apiKeyColumns),
  events: byKey(
    "events",
    "id",
    (r) => ({
      id: r.id,
      tenant_id: r.tenant_id,
      type: r.type,
      payload: r.payload,
      idempotency_key: r.idempotency_key,
      idempotency_response: r.idempotency_response,
      created_at: int(r.created_at),
    }),
    (e) => ({ ...e }),
  ),
  deliveries: byKey(
    "deliveries",
    "id",
    (r): StoredDelivery => {
      const { event_type: _, ...stored } = toDelivery(r);
      return stored;
    },
    (d) => ({ ...d }),
  ),
  // Attempts have no key of their own (they are read by delivery): pages follow (delivery_id, n, id), which the
  // attempts_delivery index serves.
  attempts: {
    table: "attempts",
    page: "WHERE (delivery_id, n, id) > ($1, $2, $3) ORDER BY delivery_id, n, id LIMIT $4",
    params: (after) => (after === null ? ["", -1, ""] : JSON.parse(after)),
    cursorOf: (r) => JSON.stringify([r.delivery_id, r.n, r.id]),
    fromRow: attemptRecord,
    toRow: attemptColumns,
  },
};

export function recordQueries({ sql }: PgContext): RecordStore {
  return {
    async countRecords(kind: RecordKind): Promise<number> {
      const [r] = await sql.unsafe(`SELECT count(*) AS n FROM ${KINDS[kind].table}`);
      return int(r.n);
    },
    async readRecords<K extends RecordKind>(kind: K, after: string | null, limit: number): Promise<RecordPage<K>> {
      const k = KINDS[kind] as Kind<StoreRecords[K]>;
      const rows = await sql.unsafe(`SELECT * FROM ${k.table} ${k.page}`, [...k.params(after), limit]);
      const last = rows[rows.length - 1];
      return { records: rows.map(k.fromRow), next: rows.length === limit && last ? k.cursorOf(last) : null };
    },
    async writeRecords<K extends RecordKind>(kind: K, records: readonly StoreRecords[K][]): Promise<void> {
      if (records.length === 0) return;
      const k = KINDS[kind] as Kind<StoreRecords[K]>;
      await sql.unsafe(
        `INSERT INTO ${k.table} SELECT * FROM json_populate_recordset(NULL::${k.table}, $1::text::json)`,
        [JSON.stringify(records.map(k.toRow))],
      );
    },
    async otherGateways(): Promise<number> {
      const [r] = await sql`SELECT count(*) AS n FROM pg_stat_activity
        WHERE datname = current_database() AND application_name = ${GATEWAY_APPLICATION} AND pid <> pg_backend_pid()`;
      return int(r.n);
    },
  };
}
