// What replicas on one database tell each other and share: signals over LISTEN/NOTIFY (Bun's client keeps one
// dedicated connection for it and re-subscribes after a drop), a revision poll as the safety net for a missed
// notification, cluster-wide advisory locks, and the shared token buckets of per-endpoint rate limits.

import { int } from "../rows.ts";
import type { Cluster, ClusterSignal } from "../store.ts";
import { LOCK_NAMESPACE, LOCKS } from "./connect.ts";
import { CHANNEL, type PgContext } from "./context.ts";

/** How often the config revision is compared with the last notification heard (the safety net). */
const REVISION_POLL_MS = 2000;
/** Due wake-ups announced within this window go out as one notification (the earliest time). */
const DUE_COALESCE_MS = 10;

/** The database's clock in epoch milliseconds: one clock for every replica's rate buckets. */
const DB_NOW = "(extract(epoch from clock_timestamp()) * 1000)";

// Refill the bucket (capacity max(1, rate), rate tokens a second) up to now, then grant what it holds, up to $3.
const AVAILABLE = `least(greatest(1, $2::float8), b.tokens + greatest(0, ${DB_NOW} - b.refilled_at) / 1000.0 * $2::float8)`;
const RESERVE = `
  INSERT INTO rate_buckets AS b (key, tokens, refilled_at, granted)
  VALUES ($1, greatest(1, $2::float8) - least(floor(greatest(1, $2::float8)), $3::int), ${DB_NOW},
    least(floor(greatest(1, $2::float8)), $3::int))
  ON CONFLICT (key) DO UPDATE SET
    tokens = ${AVAILABLE} - least(floor(${AVAILABLE}), $3::int),
    granted = least(floor(${AVAILABLE}), $3::int),
    refilled_at = ${DB_NOW}
  RETURNING tokens, granted`;

export interface PgClusterOptions {
  /** Reports a failure of the background work (notify, poll); the work goes on. */
  onError?: (what: string, error: unknown) => void;
  revisionPollMs?: number;
}

export class PgCluster implements Cluster {
  readonly replicaId: string;
  private readonly listeners = new Set<(signal: ClusterSignal) => void>();
  private subscription: { unlisten(): Promise<void> } | null = null;
  private listening = false;
  private revisionSeen = 0;
  /** A revision the last poll found ahead of every notification heard (resync if it still is at the next poll). */
  private revisionAhead = 0;
  private poller: ReturnType<typeof setInterval> | null = null;
  private dueAt: number | null = null;
  private dueTimer: ReturnType<typeof setTimeout> | null = null;
  private dueSending: Promise<void> = Promise.resolve();
  private closed = false;

  constructor(
    private readonly ctx: PgContext,
    private readonly options: PgClusterOptions = {},
  ) {
    this.replicaId = ctx.replicaId;
  }

  /** Starts listening (resolves once the LISTEN is acknowledged) and the revision poll. */
  async start(): Promise<void> {
    const { sql } = this.ctx;
    this.revisionSeen = await this.readRevision();
    this.subscription = await sql.listen(
      CHANNEL,
      (payload) => this.receive(payload),
      () => {
        // A re-subscription after a dropped connection: notifications may have been missed meanwhile.
        if (this.listening) this.emit({ kind: "resync" });
        this.listening = true;
      },
    );
    const every = this.options.revisionPollMs ?? REVISION_POLL_MS;
    this.poller = setInterval(() => void this.pollRevision(), every);
    this.poller.unref?.();
  }

  subscribe(listener: (signal: ClusterSignal) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  announceDue(at: number): void {
    if (this.closed) return;
    this.dueAt = this.dueAt === null ? at : Math.min(this.dueAt, at);
    if (this.dueTimer) return;
    this.dueTimer = setTimeout(() => {
      this.dueTimer = null;
      const due = this.dueAt;
      this.dueAt = null;
      if (due === null) return;
      this.dueSending = this.ctx.sql
        .notify(CHANNEL, JSON.stringify({ r: this.replicaId, k: "due", at: due }))
        .catch((e) => this.options.onError?.("announcing due deliveries", e));
    }, DUE_COALESCE_MS);
  }

  async exclusively<T>(lock: "reconcile", fn: () => Promise<T>): Promise<T> {
    const conn = await this.ctx.sql.reserve();
    try {
      await conn`SELECT pg_advisory_lock(${LOCK_NAMESPACE}, ${LOCKS[lock]})`;
      try {
        return await fn();
      } finally {
        await conn`SELECT pg_advisory_unlock(${LOCK_NAMESPACE}, ${LOCKS[lock]})`;
      }
    } finally {
      conn.release();
    }
  }

  async renewLeases(until: number): Promise<number> {
    const r = await this.ctx.sql`UPDATE deliveries SET lease_until = ${until}
      WHERE status = 'delivering' AND lease_owner = ${this.replicaId}`;
    return r.count;
  }

  async reserveTokens(
    key: string,
    ratePerSecond: number,
    want: number,
  ): Promise<{ granted: number; retryInMs: number }> {
    const [r] = await this.ctx.sql.unsafe(RESERVE, [key, ratePerSecond, Math.max(1, Math.floor(want))]);
    const granted = int(r.granted);
    const tokens = Number(r.tokens);
    return { granted, retryInMs: granted > 0 ? 0 : Math.max(1, Math.ceil(((1 - tokens) / ratePerSecond) * 1000)) };
  }

  /** Stops listening and polling; a due wake-up still queued is sent first. */
  async close(): Promise<void> {
    if (this.dueTimer) {
      clearTimeout(this.dueTimer);
      this.dueTimer = null;
      if (this.dueAt !== null) {
        const at = this.dueAt;
        this.dueAt = null;
        await this.ctx.sql
          .notify(CHANNEL, JSON.stringify({ r: this.replicaId, k: "due", at }))
          .catch((e) => this.options.onError?.("announcing due deliveries", e));
      }
    }
    this.closed = true;
    await this.dueSending;
    if (this.poller) clearInterval(this.poller);
    this.listeners.clear();
    await this.subscription?.unlisten().catch(() => {});
  }

  private receive(payload: string): void {
    let m: { r?: string; k?: string; v?: number; id?: string; name?: string; at?: number };
    try {
      m = JSON.parse(payload);
    } catch {
      return;
    }
    if (typeof m.v === "number" && m.v > this.revisionSeen) this.revisionSeen = m.v;
    if (m.k === "due" && typeof m.at === "number") {
      // This replica's own wake-ups already reached its scheduler.
      if (m.r !== this.replicaId) this.emit({ kind: "due", at: m.at });
    } else if (m.k === "endpoint" && typeof m.id === "string") this.emit({ kind: "endpoint", id: m.id });
    else if (m.k === "event_type" && typeof m.name === "string") this.emit({ kind: "event_type", name: m.name });
  }

  private async pollRevision(): Promise<void> {
    if (this.closed) return;
    try {
      const revision = await this.readRevision();
      // A notification may still be on its way: only a revision ahead at two polls in a row means one was missed.
      if (this.revisionAhead > this.revisionSeen) {
        this.revisionSeen = Math.max(this.revisionAhead, revision);
        this.revisionAhead = 0;
        this.emit({ kind: "resync" });
      } else this.revisionAhead = revision > this.revisionSeen ? revision : 0;
    } catch (e) {
      this.options.onError?.("polling the config revision", e);
    }
  }

  private async readRevision(): Promise<number> {
    const [r] = await this.ctx.sql`SELECT value FROM revisions WHERE name = 'config'`;
    return int(r.value);
  }

  private emit(signal: ClusterSignal): void {
    for (const listener of this.listeners) {
      try {
        listener(signal);
      } catch (e) {
        this.options.onError?.(`handling the cluster signal ${signal.kind}`, e);
      }
    }
  }
}
