// What every query module of the PostgreSQL store shares: the pool, this replica's id, and the notification every
// change of endpoints or event types sends in its own transaction (so other replicas hear of it only once committed).
import type { SQL, TransactionSQL } from "bun";

/** The LISTEN/NOTIFY channel of every hookgate signal. */
export const CHANNEL = "hookgate";

export interface PgContext {
  sql: SQL;
  /** A random id of this process: the owner of the leases it takes. */
  replicaId: string;
}

export type ConfigChange = { k: "endpoint"; id: string } | { k: "event_type"; name: string };

/**
 * Bumps the config revision and notifies every replica, inside `tx` (delivered on commit, dropped on rollback).
 * The payload carries the new revision, so a replica can tell a missed notification from a stale poll.
 */
export async function announceChange(tx: TransactionSQL, replicaId: string, change: ConfigChange): Promise<void> {
  const [row] = await tx`UPDATE revisions SET value = value + 1 WHERE name = 'config' RETURNING value`;
  await tx.notify(CHANNEL, JSON.stringify({ r: replicaId, v: Number(row.value), ...change }));
}
