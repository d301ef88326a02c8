// SQL for deliveries and attempts: claims for the scheduler, batched result writes, replays and lists.
import type { Database } from "bun:sqlite";
import { attemptRecord } from "../rows.ts";
import type { AttemptRecord, ClaimedDelivery, DeliveryListFilter, DeliveryRecord, DeliveryUpdate } from "../types.ts";
import { filteredList } from "./filtered-list.ts";

interface DeliveryRow extends Omit<DeliveryRecord, "manual"> {
  manual: number;
}

const toDelivery = (r: DeliveryRow): DeliveryRecord => ({ ...r, manual: r.manual === 1 });
const toClaimed = (r: Omit<ClaimedDelivery, "manual"> & { manual: number }): ClaimedDelivery => ({
  ...r,
  manual: r.manual === 1,
});

const SELECT_DELIVERY = "SELECT d.*, e.type AS event_type FROM deliveries d JOIN events e ON e.id = d.event_id";
const CLAIM_COLUMNS = "id, event_id, endpoint_id, target_url, like_endpoint_id, attempts, retry_base, manual";

export function deliveryQueries(db: Database) {
  const claim = db.query<Omit<ClaimedDelivery, "manual"> & { manual: number }, [number, number, number]>(
    `UPDATE deliveries SET status = 'delivering', lease_until = ?1
     WHERE id IN (SELECT id FROM deliveries WHERE status = 'pending' AND next_attempt_at <= ?2 ORDER BY next_attempt_at LIMIT ?3)
     RETURNING ${CLAIM_COLUMNS}`,
  );
  const nextDue = db.query<{ t: number | null }, []>(
    "SELECT min(next_attempt_at) AS t FROM deliveries WHERE status = 'pending'",
  );
  const pending = db.query<{ n: number; t: number | null }, []>(
    "SELECT count(*) AS n, min(created_at) AS t FROM deliveries WHERE status = 'pending'",
  );
  const resetLeases = db.query(
    "UPDATE deliveries SET status = 'pending', lease_until = NULL, next_attempt_at = min(coalesce(next_attempt_at, ?1), ?1) WHERE status = 'delivering'",
  );
  const release = db.query(
    "UPDATE deliveries SET status = 'pending', lease_until = NULL, next_attempt_at = ?2 WHERE id = ?1 AND status = 'delivering'",
  );
  // `+endpoint_id` keeps the planner on the partial due index (pending rows in the window), not the endpoint's history.
  const resume = db.query(
    `UPDATE deliveries SET next_attempt_at = ?3
     WHERE status = 'pending' AND next_attempt_at > ?3 AND next_attempt_at <= ?2 AND +endpoint_id = ?1`,
  );
  const insertAttempt = db.query(
    `INSERT INTO attempts (id, delivery_id, n, trigger, started_at, duration_ms, http_status, response_headers,
       response_body, body_encoding, error_kind, error, request_body)
     SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13 WHERE EXISTS (SELECT 1 FROM deliveries WHERE id = ?2)`,
  );
  const update = db.query(
    `UPDATE deliveries SET status = ?2, attempts = ?3, next_attempt_at = ?4, lease_until = NULL,
       http_status = CASE WHEN ?8 THEN ?5 ELSE http_status END, error_kind = ?9, last_error = ?6,
       delivered_at = coalesce(?7, delivered_at) WHERE id = ?1`,
  );
  const byId = db.query<DeliveryRow, [string]>(`${SELECT_DELIVERY} WHERE d.id = ?`);
  const byEvent = db.query<DeliveryRow, [string]>(`${SELECT_DELIVERY} WHERE d.event_id = ? ORDER BY d.id`);
  const attemptsOf = db.query<Record<string, unknown>, [string]>(
    "SELECT * FROM attempts WHERE delivery_id = ? ORDER BY n, id",
  );
  const replay = db.query<Omit<ClaimedDelivery, "manual"> & { manual: number }, [string, number]>(
    `UPDATE deliveries SET status = 'delivering', lease_until = ?2, manual = 1 WHERE id = ?1 AND status != 'delivering' RETURNING ${CLAIM_COLUMNS}`,
  );
  const recover = db.query(
    `UPDATE deliveries SET status = 'pending', next_attempt_at = ?4, retry_base = attempts, manual = 0, lease_until = NULL
     WHERE endpoint_id = ?1 AND status = 'failed' AND created_at >= ?2 AND created_at < ?3`,
  );
  const failWaiting = db.query(
    `UPDATE deliveries SET status = 'failed', next_attempt_at = NULL, lease_until = NULL, error_kind = ?2, last_error = ?3
     WHERE endpoint_id = ?1 AND status = 'pending'`,
  );
  const list = filteredList<DeliveryRow>(db, SELECT_DELIVERY, "ORDER BY d.id DESC");

  const writeResultsIn = (attempts: readonly AttemptRecord[], updates: readonly DeliveryUpdate[]) => {
    for (const a of attempts) {
      insertAttempt.run(
        a.id,
        a.delivery_id,
        a.n,
        a.trigger,
        a.started_at,
        a.duration_ms,
        a.http_status,
        a.response_headers === null ? null : JSON.stringify(a.response_headers),
        a.response_body,
        a.body_encoding,
        a.error_kind,
        a.error,
        a.request_body,
      );
    }
    for (const u of updates) {
      const exchanged = u.http_status !== undefined;
      update.run(
        u.id,
        u.status,
        u.attempts,
        u.next_attempt_at,
        u.http_status ?? null,
        u.last_error,
        u.delivered_at,
        exchanged,
        u.error_kind,
      );
    }
  };

  return {
    /** Writes attempt rows and delivery updates (inside writeBatch's transaction); attempts of deleted deliveries are dropped. */
    writeResultsIn,
    /** Marks up to `limit` due pending deliveries as delivering (lease until `leaseUntil`) and returns them. */
    async claimDue(now: number, limit: number, leaseUntil: number): Promise<ClaimedDelivery[]> {
      return claim.all(leaseUntil, now, limit).map(toClaimed);
    },
    /** Earliest next_attempt_at among pending deliveries, or null when none wait. */
    async nextDueAt(): Promise<number | null> {
      return nextDue.get()?.t ?? null;
    },
    async pendingStats(): Promise<{ count: number; oldestCreatedAt: number | null }> {
      const r = pending.get();
      return { count: r?.n ?? 0, oldestCreatedAt: r?.t ?? null };
    },
    /** After a crash, deliveries left `delivering` are pending again, due at once. Returns how many. */
    async resetLeases(now: number): Promise<number> {
      return resetLeases.run(now).changes;
    },
    /** Hands a claimed delivery back (shutdown, or an endpoint that is busy) to be due at `at`. */
    async releaseDeliveries(ids: readonly string[], at: number): Promise<void> {
      db.transaction(() => {
        for (const id of ids) release.run(id, at);
      }).immediate();
    },
    /** Makes an endpoint's deliveries parked by its circuit (due in (now, until]) due now. */
    async resumeDeliveries(endpointId: string, until: number, now: number): Promise<number> {
      return resume.run(endpointId, until, now).changes;
    },
    async deliveryById(id: string): Promise<DeliveryRecord | null> {
      const r = byId.get(id);
      return r ? toDelivery(r) : null;
    },
    async deliveriesOfEvent(eventId: string): Promise<DeliveryRecord[]> {
      return byEvent.all(eventId).map(toDelivery);
    },
    async attemptsOf(deliveryId: string): Promise<AttemptRecord[]> {
      return attemptsOf.all(deliveryId).map(attemptRecord);
    },
    /** Claims one delivery for a manual attempt; null when it is missing or already delivering. */
    async claimForReplay(id: string, leaseUntil: number): Promise<ClaimedDelivery | null> {
      const row = replay.get(id, leaseUntil);
      return row ? toClaimed(row) : null;
    },
    /** Re-queues an endpoint's failed deliveries created in [since, until); each starts a new retry run. */
    async recoverFailed(endpointId: string, since: number, until: number, now: number): Promise<number> {
      return recover.run(endpointId, since, until, now).changes;
    },
    /** Fails every waiting delivery of an endpoint (it was disabled). */
    async failWaitingDeliveries(endpointId: string, errorKind: string, reason: string): Promise<number> {
      return failWaiting.run(endpointId, errorKind, reason).changes;
    },
    /** Newest first by id. */
    async listDeliveries(f: DeliveryListFilter): Promise<DeliveryRecord[]> {
      const rows = list(
        [
          ["d.tenant_id = $tenant_id", "tenant_id", f.tenant_id],
          ["d.endpoint_id = $endpoint_id", "endpoint_id", f.endpoint_id],
          ["d.event_id = $event_id", "event_id", f.event_id],
          ["e.type = $event_type", "event_type", f.event_type],
          ["d.status = $status", "status", f.status],
          ["d.created_at >= $since", "since", f.since],
          ["d.created_at < $until", "until", f.until],
          ["d.id < $before", "before", f.before],
        ],
        f.limit,
      );
      return rows.map(toDelivery);
    },
  };
}
