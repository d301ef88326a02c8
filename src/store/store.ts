// The store as the rest of hookgate sees it: a declared interface, grouped by concern so each consumer can take
// only the part it uses. src/store/sqlite/ and src/store/postgres/ implement it; src/gateway-store.ts picks one.
import type {
  ApiKeyRecord,
  AttemptRecord,
  ClaimedDelivery,
  DeliveryListFilter,
  DeliveryRecord,
  DeliveryUpdate,
  EndpointListFilter,
  EndpointRecord,
  EventListFilter,
  EventRecord,
  EventTypeRecord,
  InsertOutcome,
  NewEvent,
  RecordKind,
  RecordPage,
  StatsBucket,
  StatsCounts,
  StatsQuery,
  StoreRecords,
} from "./types.ts";

/** A small key/value table (master-key check value and similar). */
export interface MetaStore {
  getMeta(key: string): Promise<string | null>;
  putMeta(key: string, value: string): Promise<void>;
  /** Writes the value only when the key has none yet (replicas starting at once agree on the first); true if written. */
  insertMetaIfAbsent(key: string, value: string): Promise<boolean>;
  /** Removes the key; false when it had no value. */
  deleteMeta(key: string): Promise<boolean>;
  /** True when the database answers a trivial query. */
  ping(): Promise<boolean>;
}

export interface ApiKeyStore {
  insertApiKey(key: ApiKeyRecord): Promise<void>;
  apiKeyByHash(hash: string): Promise<ApiKeyRecord | null>;
  apiKeyById(id: string): Promise<ApiKeyRecord | null>;
  /** Newest first, ids strictly below `before` (null: from the newest). */
  listApiKeys(before: string | null, limit: number): Promise<ApiKeyRecord[]>;
  /** False when the key does not exist or was already revoked. */
  revokeApiKey(id: string, at: number): Promise<boolean>;
}

export interface EventTypeStore {
  /** By name. */
  listEventTypes(): Promise<EventTypeRecord[]>;
  /** Inserts a new type; false when the name exists. */
  insertEventType(type: EventTypeRecord): Promise<boolean>;
  upsertEventType(type: EventTypeRecord): Promise<void>;
  deleteEventType(name: string): Promise<boolean>;
}

export interface EndpointStore {
  insertEndpoint(endpoint: EndpointRecord): Promise<void>;
  /** Writes every column but id and created_at. */
  updateEndpoint(endpoint: EndpointRecord): Promise<void>;
  endpointById(id: string): Promise<EndpointRecord | null>;
  allEndpoints(): Promise<EndpointRecord[]>;
  /** Newest first; `after` is the (created_at, id) of the last row of the previous page. */
  listEndpoints(filter: EndpointListFilter): Promise<EndpointRecord[]>;
  /** Deletes the endpoint with its deliveries and their attempts. */
  deleteEndpoint(id: string): Promise<boolean>;
  setEndpointState(id: string, enabled: boolean, reason: string | null, at: number): Promise<void>;
  /** When the endpoint's current run of failures began (null: healthy). */
  setEndpointFailingSince(id: string, since: number | null): Promise<void>;
  /** Marks the endpoint as draining since `since` (DELETE ?drain=true). */
  setEndpointDraining(id: string, since: number): Promise<void>;
  /**
   * Deletes a draining endpoint (with its deliveries and their attempts) when none of its deliveries, nor any
   * ad-hoc delivery signed like it, is still pending or delivering; check and delete are one transaction.
   * False when it is not draining, still has open deliveries, or does not exist.
   */
  deleteDrainedEndpoint(id: string): Promise<boolean>;
}

export interface EventStore {
  /** The event of a tenant's idempotency key, with the receipt stored for it. */
  eventByIdempotencyKey(tenant: string, key: string): Promise<{ event: EventRecord; response: string | null } | null>;
  eventById(id: string): Promise<EventRecord | null>;
  eventsByIds(ids: readonly string[]): Promise<EventRecord[]>;
  /** Newest first by id. */
  listEvents(filter: EventListFilter): Promise<EventRecord[]>;
}

/** The hot path's one write: events with their deliveries, and attempt results, in one transaction. */
export interface BatchWriter {
  /** How many batches may be written at once (SQLite has one writer; PostgreSQL commits several side by side). */
  readonly parallelWrites: number;
  /**
   * Returns the outcome of each event in order: inserted, or not (its tenant already has its idempotency key;
   * the outcome then carries the first event's stored receipt). Attempts of deleted deliveries are dropped.
   */
  writeBatch(
    events: readonly NewEvent[],
    attempts: readonly AttemptRecord[],
    updates: readonly DeliveryUpdate[],
  ): Promise<InsertOutcome[]>;
}

/** What the scheduler needs: due work, claims and leases. */
export interface DeliveryQueueStore {
  /** Marks up to `limit` due pending deliveries as delivering, leased until `leaseUntil`, and returns them. */
  claimDue(now: number, limit: number, leaseUntil: number): Promise<ClaimedDelivery[]>;
  /** Earliest next_attempt_at among pending deliveries, or null when none wait. */
  nextDueAt(): Promise<number | null>;
  /**
   * Deliveries left `delivering` by a previous run are pending again, due at once (with replicas: those whose lease
   * expired; the others are still held). Returns how many.
   */
  resetLeases(now: number): Promise<number>;
  /** Hands claimed deliveries back (shutdown, or parked by an open circuit), due at `at`. */
  releaseDeliveries(ids: readonly string[], at: number): Promise<void>;
  /**
   * An endpoint's circuit closed: its pending deliveries due after `now` but no later than `until` (parked while
   * it was open) are due at `now`. Returns how many.
   */
  resumeDeliveries(endpointId: string, until: number, now: number): Promise<number>;
  /** Claims one delivery for a manual attempt; null when it is missing or already delivering. */
  claimForReplay(id: string, leaseUntil: number): Promise<ClaimedDelivery | null>;
  /** Re-queues an endpoint's failed deliveries created in [since, until); each starts a new retry run. */
  recoverFailed(endpointId: string, since: number, until: number, now: number): Promise<number>;
  /** Fails every waiting delivery of an endpoint (it was disabled). */
  failWaitingDeliveries(endpointId: string, errorKind: string, reason: string): Promise<number>;
}

/** The delivery log as the API reads it. */
export interface DeliveryLogStore {
  deliveryById(id: string): Promise<DeliveryRecord | null>;
  deliveriesOfEvent(eventId: string): Promise<DeliveryRecord[]>;
  /** Oldest first. */
  attemptsOf(deliveryId: string): Promise<AttemptRecord[]>;
  /** Newest first by id. */
  listDeliveries(filter: DeliveryListFilter): Promise<DeliveryRecord[]>;
  pendingStats(): Promise<{ count: number; oldestCreatedAt: number | null }>;
}

/** Delivery outcomes per time bucket (GET /v1/stats). */
export interface StatsStore {
  /**
   * Outcomes in [since, until) per bucket and over the whole window. Attempts count in the bucket where they
   * started; deliveries without attempts (skipped, or failed before sending) where they were created.
   */
  deliveryStats(q: StatsQuery): Promise<{ buckets: StatsBucket[]; totals: StatsCounts }>;
}

export interface RetentionStore {
  /** Deletes up to `limit` of the oldest events created before `cutoff`, with their deliveries and attempts. */
  purgeEventsBefore(cutoff: number, limit: number): Promise<number>;
}

/**
 * Every record of a store, page by page, as it is stored (ids, times, states, encrypted secrets): what
 * `hookgate copy-store` reads from one store and writes into another, in bounded memory.
 */
export interface RecordStore {
  /** How many records of `kind` the store holds. */
  countRecords(kind: RecordKind): Promise<number>;
  /**
   * Up to `limit` records of `kind` in key order, starting after the cursor `after` (null: from the first). The
   * cursor is the previous page's `next`, opaque to the caller.
   */
  readRecords<K extends RecordKind>(kind: K, after: string | null, limit: number): Promise<RecordPage<K>>;
  /**
   * Writes records exactly as given, in one transaction, announcing nothing to replicas (the target of a copy
   * is not serving). Their parents must already be written (RECORD_KINDS order).
   */
  writeRecords<K extends RecordKind>(kind: K, records: readonly StoreRecords[K][]): Promise<void>;
  /**
   * How many gateways (other than this process) are using the store now: PostgreSQL counts serving replicas'
   * connections; SQLite answers 0 (its instance lock, beside the file, is what keeps a second process off it).
   */
  otherGateways(): Promise<number>;
}

/** What a replica hears from the others (and from its own changes, once committed). */
export type ClusterSignal =
  /** Stored deliveries are due at `at` (another replica's retry, overflow or shutdown hand-back). */
  | { kind: "due"; at: number }
  /** The endpoint was created, changed or deleted. */
  | { kind: "endpoint"; id: string }
  | { kind: "event_type"; name: string }
  /** Signals may have been missed (a dropped connection, a revision ahead of them): reload everything. */
  | { kind: "resync" };

/** Several processes (replicas) sharing one store: signals between them, locks, shared rate limits, leases. */
export interface Cluster {
  /** This process among the replicas: the owner of the leases it takes. */
  readonly replicaId: string;
  /** Calls `listener` for every signal; returns the function that unsubscribes. */
  subscribe(listener: (signal: ClusterSignal) => void): () => void;
  /** Tells the other replicas that stored deliveries are due at `at` (coalesced, fire and forget). */
  announceDue(at: number): void;
  /** Runs `fn` while holding the named cluster-wide lock (waiting for it while another replica holds it). */
  exclusively<T>(lock: "reconcile", fn: () => Promise<T>): Promise<T>;
  /**
   * Takes up to `want` tokens from the shared bucket of `key` (capacity max(1, rate), refilled at `rate` a second
   * by the database's clock). `retryInMs`: when none was granted, how long until one is there.
   */
  reserveTokens(key: string, ratePerSecond: number, want: number): Promise<{ granted: number; retryInMs: number }>;
  /** Extends every lease this replica holds to `until`; returns how many. */
  renewLeases(until: number): Promise<number>;
}

export interface Store
  extends MetaStore,
    ApiKeyStore,
    EventTypeStore,
    EndpointStore,
    EventStore,
    BatchWriter,
    DeliveryQueueStore,
    DeliveryLogStore,
    StatsStore,
    RetentionStore,
    RecordStore {
  /** Set when several processes share the store (PostgreSQL); null when one process has it alone (SQLite). */
  readonly cluster: Cluster | null;
  /** Flushes what must be flushed and closes the connection. */
  close(): Promise<void>;
}
