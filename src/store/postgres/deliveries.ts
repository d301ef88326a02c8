// SQL for deliveries and attempts: claims (FOR UPDATE SKIP LOCKED, so replicas never take the same row), leases
// owned by this replica, replays and lists (results are written by batch.ts).

import { attemptRecord, int, num } from "../rows.ts";
import type { AttemptRecord, ClaimedDelivery, DeliveryListFilter, DeliveryRecord } from "../types.ts";
import type { PgContext } from "./context.ts";
import { filteredQuery } from "./filtered-list.ts";

// biome-ignore lint/suspicious/noExplicitAny: rows come untyped from the driver
type Row = any;

/** A row (joined with its event's type) as a record; also copy-store's reading without the type (records.ts). */
export const toDelivery = (r: Row): DeliveryRecord => ({
  id: r.id,
  event_id: r.event_id,
  endpoint_id: r.endpoint_id,
  tenant_id: r.tenant_id,
  target_url: r.target_url,
  like_endpoint_id: r.like_endpoint_id,
  event_type: r.event_type,
  status: r.status,
  attempts: r.attempts,
  retry_base: r.retry_base,
  next_attempt_at: num(r.next_attempt_at),
  lease_until: num(r.lease_until),
  http_status: r.http_status,
  error_kind: r.error_kind,
  last_error: r.last_error,
  manual: r.manual,
  created_at: int(r.created_at),
  delivered_at: num(r.delivered_at),
});
const toClaimed = (r: Row): ClaimedDelivery => ({
  id: r.id,
  event_id: r.event_id,
  endpoint_id: r.endpoint_id,
  target_url: r.target_url,
  like_endpoint_id: r.like_endpoint_id,
  attempts: r.attempts,
  retry_base: r.retry_base,
  manual: r.manual,
});

const DELIVERY_COLUMNS = `d.id, d.event_id, d.endpoint_id, d.tenant_id, d.target_url, d.like_endpoint_id, d.status, d.attempts, d.retry_base,
  d.next_attempt_at, d.lease_until, d.http_status, d.error_kind, d.last_error, d.manual, d.created_at, d.delivered_at`;
const SELECT_DELIVERY = `SELECT ${DELIVERY_COLUMNS}, e.type AS event_type FROM deliveries d JOIN events e ON e.id = d.event_id`;
const CLAIMED = "d.id, d.event_id, d.endpoint_id, d.target_url, d.like_endpoint_id, d.attempts, d.retry_base, d.manual";
/** The ids of a JSON array parameter, as an array: `id = ANY(…)` plans as primary-key lookups. */
const IDS = "ARRAY(SELECT json_array_elements_text($1::text::json))";

export function deliveryQueries({ sql, replicaId }: PgContext) {
  /** Returns deliveries whose lease expired (their replica died or stalled) to pending, due at once. */
  const expireLeases = async (now: number): Promise<number> => {
    const r = await sql`UPDATE deliveries SET status = 'pending', lease_until = NULL, lease_owner = NULL,
      next_attempt_at = least(coalesce(next_attempt_at, ${now}), ${now})
      WHERE status = 'delivering' AND lease_until < ${now}`;
    return r.count;
  };

  return {
    /** Claims up to `limit` due deliveries (expired leases first return to pending); other replicas' locks are skipped. */
    async claimDue(now: number, limit: number, leaseUntil: number): Promise<ClaimedDelivery[]> {
      await expireLeases(now);
      const rows = await sql`UPDATE deliveries d SET status = 'delivering', lease_until = ${leaseUntil},
          lease_owner = ${replicaId}
        WHERE d.id = ANY(ARRAY(SELECT id FROM deliveries WHERE status = 'pending' AND next_attempt_at <= ${now}
              ORDER BY next_attempt_at LIMIT ${limit} FOR UPDATE SKIP LOCKED))
        RETURNING ${sql.unsafe(CLAIMED)}`;
      return rows.map(toClaimed);
    },
    /** Earliest time something may be claimed: a pending delivery's due time, or another replica's lease end. */
    async nextDueAt(): Promise<number | null> {
      const [r] = await sql`SELECT least(
          (SELECT min(next_attempt_at) FROM deliveries WHERE status = 'pending'),
          (SELECT min(lease_until) FROM deliveries WHERE status = 'delivering' AND lease_owner IS DISTINCT FROM ${replicaId})
        ) AS t`;
      return num(r.t);
    },
    async pendingStats(): Promise<{ count: number; oldestCreatedAt: number | null }> {
      const [r] = await sql`SELECT count(*) AS n, min(created_at) AS t FROM deliveries WHERE status = 'pending'`;
      return { count: int(r.n), oldestCreatedAt: num(r.t) };
    },
    /**
     * Deliveries left `delivering` by replicas that are gone (their lease expired) are pending again, due at once.
     * Leases other replicas still hold are left alone. Returns how many.
     */
    async resetLeases(now: number): Promise<number> {
      return expireLeases(now);
    },
    /** Hands claimed deliveries back (shutdown), due at `at`. */
    async releaseDeliveries(ids: readonly string[], at: number): Promise<void> {
      if (ids.length === 0) return;
      await sql.unsafe(
        `UPDATE deliveries SET status = 'pending', lease_until = NULL, lease_owner = NULL, next_attempt_at = $2
         WHERE id = ANY(${IDS}) AND status = 'delivering' AND lease_owner = $3`,
        [JSON.stringify(ids), at, replicaId],
      );
    },
    /** Makes an endpoint's deliveries parked by its circuit (due in (now, until]) due now. */
    async resumeDeliveries(endpointId: string, until: number, now: number): Promise<number> {
      const r = await sql`UPDATE deliveries SET next_attempt_at = ${now}
        WHERE status = 'pending' AND next_attempt_at > ${now} AND next_attempt_at <= ${until}
          AND endpoint_id = ${endpointId}`;
      return r.count;
    },
    async deliveryById(id: string): Promise<DeliveryRecord | null> {
      const [r] = await sql.unsafe(`${SELECT_DELIVERY} WHERE d.id = $1`, [id]);
      return r ? toDelivery(r) : null;
    },
    async deliveriesOfEvent(eventId: string): Promise<DeliveryRecord[]> {
      return (await sql.unsafe(`${SELECT_DELIVERY} WHERE d.event_id = $1 ORDER BY d.id`, [eventId])).map(toDelivery);
    },
    async attemptsOf(deliveryId: string): Promise<AttemptRecord[]> {
      return (await sql`SELECT * FROM attempts WHERE delivery_id = ${deliveryId} ORDER BY n, id`).map(attemptRecord);
    },
    /** Claims one delivery for a manual attempt; null when it is missing or already delivering. */
    async claimForReplay(id: string, leaseUntil: number): Promise<ClaimedDelivery | null> {
      const [r] = await sql`UPDATE deliveries d SET status = 'delivering', lease_until = ${leaseUntil},
          lease_owner = ${replicaId}, manual = true
        WHERE d.id = ${id} AND d.status <> 'delivering' RETURNING ${sql.unsafe(CLAIMED)}`;
      return r ? toClaimed(r) : null;
    },
    /** Re-queues an endpoint's failed deliveries created in [since, until); each starts a new retry run. */
    async recoverFailed(endpointId: string, since: number, until: number, now: number): Promise<number> {
      const r = await sql`UPDATE deliveries SET status = 'pending', next_attempt_at = ${now}, retry_base = attempts,
          manual = false, lease_until = NULL, lease_owner = NULL
        WHERE endpoint_id = ${endpointId} AND status = 'failed' AND created_at >= ${since} AND created_at < ${until}`;
      return r.count;
    },
    /** Fails every waiting delivery of an endpoint (it was disabled). */
    async failWaitingDeliveries(endpointId: string, errorKind: string, reason: string): Promise<number> {
      const r = await sql`UPDATE deliveries SET status = 'failed', next_attempt_at = NULL, lease_until = NULL,
          lease_owner = NULL, error_kind = ${errorKind}, last_error = ${reason}
        WHERE endpoint_id = ${endpointId} AND status = 'pending'`;
      return r.count;
    },
    /** Newest first by id. */
    async listDeliveries(f: DeliveryListFilter): Promise<DeliveryRecord[]> {
      const [text, params] = filteredQuery(
        SELECT_DELIVERY,
        "ORDER BY d.id DESC",
        [
          ["d.tenant_id = ?", f.tenant_id],
          ["d.endpoint_id = ?", f.endpoint_id],
          ["d.event_id = ?", f.event_id],
          ["e.type = ?", f.event_type],
          ["d.status = ?", f.status],
          ["d.created_at >= ?", f.since],
          ["d.created_at < ?", f.until],
          ["d.id < ?", f.before],
        ],
        f.limit,
      );
      return (await sql.unsafe(text, params)).map(toDelivery);
    },
  };
}
