// Both store backends behind one opener, so the store contract suite runs the same tests against SQLite (a temp
// file) and PostgreSQL (a database of its own, dropped afterwards), and records to fill them with.
import { newId } from "../../src/lib/ids.ts";
import { openPostgresStore, openSqliteStore, type Store } from "../../src/store/index.ts";
import type { EndpointRecord, NewDelivery, NewEvent } from "../../src/store/types.ts";
import { createTestDatabase, PG_AVAILABLE } from "./postgres.ts";
import { tempDir } from "./temp.ts";

export interface OpenedTestStore {
  store: Store;
  /** Closes the store and removes its file or database. */
  cleanup(): Promise<void>;
}

export interface Backend {
  name: "sqlite" | "postgres";
  /** False when the backend's server is unreachable outside CI (the suite is skipped, saying why). */
  available: boolean;
  open(): Promise<OpenedTestStore>;
}

export const BACKENDS: Backend[] = [
  {
    name: "sqlite",
    available: true,
    async open() {
      const dir = tempDir();
      const store = openSqliteStore({ path: dir.file("hookgate.db"), synchronous: "normal" });
      return {
        store,
        async cleanup() {
          await store.close();
          dir.cleanup();
        },
      };
    },
  },
  {
    name: "postgres",
    available: PG_AVAILABLE,
    async open() {
      const db = await createTestDatabase();
      const store = await openPostgresStore({ url: db.url, poolSize: 4 });
      return {
        store,
        async cleanup() {
          await store.close();
          await db.drop();
        },
      };
    },
  },
];

/** An endpoint record with plausible values; `over` replaces fields. */
export function endpointRecord(over: Partial<EndpointRecord> = {}): EndpointRecord {
  return {
    id: newId("ep"),
    tenant_id: "default",
    url: "https://example.com/hook",
    description: "",
    events: ["order.*"],
    enabled: true,
    disabled_reason: null,
    metadata: {},
    secrets_enc: "v1.sealed",
    signing: { scheme: "standard-webhooks" },
    http_method: "POST",
    headers: {},
    auth_enc: null,
    filter: null,
    transform: null,
    rate_limit_per_second: null,
    timeout_ms: 10_000,
    retry_schedule: null,
    source: "api",
    failing_since: null,
    draining_since: null,
    proxy: "default",
    tls_enc: null,
    created_at: 1_000,
    updated_at: 1_000,
    ...over,
  };
}

/** A new event for `writeBatch` with one delivery per endpoint id (pending, due at `at`). */
export function newEvent(
  endpointIds: readonly string[],
  o: {
    at?: number;
    tenant?: string;
    key?: string | null;
    receipt?: string | null;
    delivery?: Partial<NewDelivery>;
  } = {},
): NewEvent {
  const at = o.at ?? 1_000;
  const id = newId("evt");
  const tenant = o.tenant ?? "default";
  return {
    event: {
      id,
      tenant_id: tenant,
      type: "order.created",
      payload: '{"n":1}',
      idempotency_key: o.key ?? null,
      created_at: at,
    },
    idempotency_response: o.receipt ?? null,
    deliveries: endpointIds.map((endpoint_id) => ({
      id: newId("dlv"),
      event_id: id,
      endpoint_id,
      tenant_id: tenant,
      target_url: null,
      like_endpoint_id: null,
      status: "pending",
      next_attempt_at: at,
      lease_until: null,
      error_kind: null,
      last_error: null,
      manual: false,
      created_at: at,
      ...o.delivery,
    })),
  };
}
