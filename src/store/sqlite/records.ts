// SQL for reading every record of the store in key order and writing records as they are (copy-store): a page is
// one indexed range read, a written page one transaction. Every kind with structured fields goes through the mapping
// the queries use (../rows.ts, endpoints.ts), so a new column is copied as soon as it is stored.
import type { Database, Statement } from "bun:sqlite";
import {
  apiKeyColumns,
  apiKeyRecord,
  attemptColumns,
  attemptRecord,
  eventTypeColumns,
  eventTypeRecord,
} from "../rows.ts";
import type { RecordStore } from "../store.ts";
import type { MetaRecord, RecordKind, RecordPage, StoredDelivery, StoredEvent, StoreRecords } from "../types.ts";
import { type Row as EndpointRow, toParams as endpointParams, toRecord as endpointRecord } from "./endpoints.ts";

type Params = Record<string, string | number | null>;

interface Kind<R> {
  /** The table, and its key in the order pages follow. */
  table: string;
  key: string;
  /** Columns to read (the key first when it is not a column, e.g. rowid). */
  select: string;
  fromRow(row: Params): R;
  /** The cursor after a row (its key as text). */
  cursorOf(row: Params): string;
  /** Named parameters of the INSERT (their names are the columns). */
  toParams(record: R): Params;
}

const KINDS: { [K in RecordKind]: Kind<StoreRecords[K]> } = {
  meta: {
    table: "meta",
    key: "key",
    select: "key, value",
    fromRow: (r) => r as unknown as MetaRecord,
    cursorOf: (r) => r.key as string,
    toParams: (m) => ({ key: m.key, value: m.value }),
  },
  event_types: {
    table: "event_types",
    key: "name",
    select: "*",
    fromRow: eventTypeRecord,
    cursorOf: (r) => r.name as string,
    toParams: eventTypeColumns,
  },
  endpoints: {
    table: "endpoints",
    key: "id",
    select: "*",
    fromRow: (r) => endpointRecord(r as unknown as EndpointRow),
    cursorOf: (r) => r.id as string,
    toParams: (e) => endpointParams(e) as Params,
  },
  api_keys: {
    table: "api_keys",
    key: "id",
    select: "*",
    fromRow: apiKeyRecord,
    cursorOf: (r) => r.id as string,
    toParams: apiKeyColumns,
  },
  events: {
    table: "events",
    key: "id",
    select: "id, tenant_id, type, payload, idempotency_key, idempotency_response, created_at",
    fromRow: (r) => r as unknown as StoredEvent,
    cursorOf: (r) => r.id as string,
    toParams: (e) => ({
      id: e.id,
      tenant_id: e.tenant_id,
      type: e.type,
      payload: e.payload,
      idempotency_key: e.idempotency_key,
      idempotency_response: e.idempotency_response,
      created_at: e.created_at,
    }),
  },
  deliveries: {
    table: "deliveries",
    key: "id",
    select: `id, event_id, endpoint_id, tenant_id, target_url, like_endpoint_id, status, attempts, retry_base,
      next_attempt_at, lease_until, http_status, error_kind, last_error, manual, created_at, delivered_at`,
    fromRow: (r): StoredDelivery => ({ ...(r as unknown as Omit<StoredDelivery, "manual">), manual: r.manual === 1 }),
    cursorOf: (r) => r.id as string,
    toParams: (d) => ({
      id: d.id,
      event_id: d.event_id,
      endpoint_id: d.endpoint_id,
      tenant_id: d.tenant_id,
      target_url: d.target_url,
      like_endpoint_id: d.like_endpoint_id,
      status: d.status,
      attempts: d.attempts,
      retry_base: d.retry_base,
      next_attempt_at: d.next_attempt_at,
      lease_until: d.lease_until,
      http_status: d.http_status,
      error_kind: d.error_kind,
      last_error: d.last_error,
      manual: d.manual ? 1 : 0,
      created_at: d.created_at,
      delivered_at: d.delivered_at,
    }),
  },
  // Attempts have no key of their own (they are read by delivery): pages follow the rowid, i.e. insertion order.
  attempts: {
    table: "attempts",
    key: "rowid",
    select: `rowid AS rowid_, id, delivery_id, n, trigger, started_at, duration_ms, http_status, response_headers,
      response_body, body_encoding, request_body, error_kind, error`,
    fromRow: attemptRecord,
    cursorOf: (r) => String(r.rowid_),
    toParams: attemptColumns,
  },
};

/** The INSERT of a kind, its columns those its toParams gives (db.query caches the statement by its text). */
function insertFor(db: Database, kind: RecordKind, sample: Params): Statement {
  const columns = Object.keys(sample);
  return db.query(
    `INSERT INTO ${KINDS[kind].table} (${columns.join(", ")}) VALUES (${columns.map((c) => `$${c}`).join(", ")})`,
  );
}

/** A page of a kind after a key (db.query caches the statement by its text). */
function readFor(db: Database, kind: RecordKind): Statement<Params, [string | number, number]> {
  const { table, key, select } = KINDS[kind];
  return db.query(`SELECT ${select} FROM ${table} WHERE ${key} > ? ORDER BY ${key} LIMIT ?`);
}

export function recordQueries(db: Database): RecordStore {
  return {
    async countRecords(kind: RecordKind): Promise<number> {
      return db.query<{ n: number }, []>(`SELECT count(*) AS n FROM ${KINDS[kind].table}`).get()?.n ?? 0;
    },
    async readRecords<K extends RecordKind>(kind: K, after: string | null, limit: number): Promise<RecordPage<K>> {
      const k = KINDS[kind] as Kind<StoreRecords[K]>;
      const from = kind === "attempts" ? Number(after ?? 0) : (after ?? "");
      const rows = readFor(db, kind).all(from, limit);
      const last = rows[rows.length - 1];
      return { records: rows.map(k.fromRow), next: rows.length === limit && last ? k.cursorOf(last) : null };
    },
    async writeRecords<K extends RecordKind>(kind: K, records: readonly StoreRecords[K][]): Promise<void> {
      if (records.length === 0) return;
      const k = KINDS[kind] as Kind<StoreRecords[K]>;
      const rows = records.map(k.toParams);
      const insert = insertFor(db, kind, rows[0]!);
      db.transaction(() => {
        for (const row of rows) insert.run(row);
      }).immediate();
    },
    async otherGateways(): Promise<number> {
      return 0;
    },
  };
}
