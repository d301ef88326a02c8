// The PostgreSQL implementation of the Store interface (src/store/store.ts), for several replicas on one database:
// Bun's built-in client (a pool, plus one connection for LISTEN), the schema migrated under an advisory lock, the hot
// path's writes in one statement (batch.ts), and a Cluster (signals, locks, shared rate buckets, leases).
import { randomBytes } from "node:crypto";
import { hostname } from "node:os";
import { SQL } from "bun";
import type { Store } from "../store.ts";
import type { AttemptRecord, DeliveryUpdate, NewEvent } from "../types.ts";
import { apiKeyQueries } from "./api-keys.ts";
import { writeBatchStatement } from "./batch.ts";
import { PgCluster } from "./cluster.ts";
import { createPool, describePostgresUrl, migratePostgres, PostgresUnavailableError } from "./connect.ts";
import type { PgContext } from "./context.ts";
import { deliveryQueries } from "./deliveries.ts";
import { endpointQueries } from "./endpoints.ts";
import { eventTypeQueries } from "./event-types.ts";
import { eventQueries } from "./events.ts";
import { metaQueries } from "./meta.ts";
import { recordQueries } from "./records.ts";
import { retentionQueries } from "./retention.ts";
import { statsQueries } from "./stats.ts";

export interface PostgresOptions {
  url: string;
  /** Pool connections (the LISTEN connection comes on top). */
  poolSize: number;
  /** Background failures of the cluster signals (a notify or a poll that failed). */
  onError?: (what: string, error: unknown) => void;
  /** How often the config revision is polled as the safety net for a missed notification (ms). */
  revisionPollMs?: number;
  /** The connections' application_name (default: a gateway's); tools that must not look like one set theirs. */
  applicationName?: string;
}

/** SQLSTATEs after which the whole transaction may simply be run again. */
const RETRYABLE = new Set(["40P01", "40001"]);
const WRITE_TRIES = 3;

/** A fresh id for this process: host, pid and a random part, so an operator can tell who holds a lease. */
function newReplicaId(): string {
  return `${hostname()}:${process.pid}:${randomBytes(4).toString("hex")}`;
}

/** A Store over a pool whose schema is current; starts the cluster's LISTEN before resolving. */
async function createPostgresStore(
  sql: SQL,
  options: Omit<PostgresOptions, "url" | "poolSize"> & { poolSize?: number },
): Promise<Store> {
  const ctx: PgContext = { sql, replicaId: newReplicaId() };
  const events = eventQueries(ctx);
  const deliveries = deliveryQueries(ctx);
  const cluster = new PgCluster(ctx, { onError: options.onError, revisionPollMs: options.revisionPollMs });
  await cluster.start();
  return {
    ...metaQueries(ctx),
    ...apiKeyQueries(ctx),
    ...eventTypeQueries(ctx),
    ...endpointQueries(ctx),
    ...events,
    ...deliveries,
    ...retentionQueries(ctx),
    ...statsQueries(ctx),
    ...recordQueries(ctx),
    cluster,
    // Batches commit side by side on the pool (each waits for its own fsync), leaving connections for the rest.
    parallelWrites: Math.max(1, Math.min(4, (options.poolSize ?? 10) - 2)),
    async writeBatch(
      batch: readonly NewEvent[],
      attempts: readonly AttemptRecord[],
      updates: readonly DeliveryUpdate[],
    ) {
      for (let attempt = 1; ; attempt++) {
        try {
          return await writeBatchStatement(sql, ctx.replicaId, batch, attempts, updates);
        } catch (e) {
          if (attempt >= WRITE_TRIES || !RETRYABLE.has((e as { errno?: string }).errno ?? "")) throw e;
        }
      }
    },
    async close() {
      await cluster.close();
      await sql.close({ timeout: 5 });
    },
  };
}

/**
 * Connects, migrates (under the migration lock) and opens the store. Throws PostgresUnavailableError, naming the
 * server without its password, when the database cannot be reached.
 */
export async function openPostgresStore(options: PostgresOptions): Promise<Store> {
  const sql = createPool(options.url, options.poolSize, options.applicationName);
  try {
    await migratePostgres(sql);
    return await createPostgresStore(sql, options);
  } catch (e) {
    await sql.close({ timeout: 0 }).catch(() => {});
    if (e instanceof SQL.SQLError) throw new PostgresUnavailableError(describePostgresUrl(options.url), e);
    throw e;
  }
}

/** Applies pending migrations and closes (the `migrate` command); returns the versions applied and the current one. */
export async function migratePostgresDatabase(url: string): Promise<{ applied: number[] }> {
  const sql = createPool(url, 2);
  try {
    return { applied: await migratePostgres(sql) };
  } catch (e) {
    if (e instanceof SQL.SQLError) throw new PostgresUnavailableError(describePostgresUrl(url), e);
    throw e;
  } finally {
    await sql.close({ timeout: 0 }).catch(() => {});
  }
}
