// SQL for reading every record of the store in key order and writing records as they are (copy-store): a page is
// one indexed range read, a written page one transaction. Endpoints go through endpoints.ts's own row mapping, so a
// new endpoint column is copied as soon as it is stored.
import type { Database, Statement } from "bun:sqlite";
import type { RecordStore } from "../store.ts";
import type {
  AttemptRecord,
  EventTypeRecord,
  MetaRecord,
  RecordKind,
  RecordPage,
  StoredDelivery,
  StoredEvent,
  StoreRecords,
} from "../types.ts";
import { type ApiKeyRow, apiKeyColumns, apiKeyRecord } from "./api-keys.ts";
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

const json = (v: unknown) => (v === null || v === undefined ? null : JSON.stringify(v));
const parsed = (v: unknown) => (v === null ? null : JSON.parse(v as string));

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
    fromRow: (r): EventTypeRecord => ({
      name: r.name as string,
      description: r.description as string,
      schema: parsed(r.schema_json),
      example: parsed(r.example_json),
      source: r.source as EventTypeRecord["source"],
      created_at: r.created_at as number,
    }),
    cursorOf: (r) => r.name as string,
    toParams: (t) => ({
      name: t.name,
      description: t.description,
      schema_json: json(t.schema),
      example_json: json(t.example),
      source: t.source,
      created_at: t.created_at,
    }),
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
    fromRow: (r) => apiKeyRecord(r as unknown as ApiKeyRow),
    cursorOf: (r) => r.id as string,
    toParams: (k) => apiKeyColumns(k) as unknown as Params,
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
    fromRow: (r): AttemptRecord => ({
      id: r.id as string,
      delivery_id: r.delivery_id as string,
      n: r.n as number,
      trigger: r.trigger as AttemptRecord["trigger"],
      started_at: r.started_at as number,
      duration_ms: r.duration_ms as number,
      http_status: r.http_status as number | null,
      response_headers: parsed(r.response_headers),
      response_body: r.response_body as string | null,
      body_encoding: r.body_encoding as AttemptRecord["body_encoding"],
      request_body: r.request_body as string | null,
      error_kind: r.error_kind as string | null,
      error: r.error as string | null,
    }),
    cursorOf: (r) => String(r.rowid_),
    toParams: (a) => ({
      id: a.id,
      delivery_id: a.delivery_id,
      n: a.n,
      trigger: a.trigger,
      started_at: a.started_at,
      duration_ms: a.duration_ms,
      http_status: a.http_status,
      response_headers: json(a.response_headers),
      response_body: a.response_body,
      body_encoding: a.body_encoding,
      request_body: a.request_body,
      error_kind: a.error_kind,
      error: a.error,
    }),
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
