// What PostgreSQL adds for replicas, with two stores (two replicas) on one database: claims never overlap, leases
// are held until they run out, changes are signalled once committed, tokens are shared, locks are exclusive, and
// concurrent starts migrate once.
import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { SQL } from "bun";
import { type ClusterSignal, openPostgresStore, PgSchemaTooNewError, type Store } from "../../src/store/index.ts";
import { LOCK_NAMESPACE, LOCKS } from "../../src/store/postgres/connect.ts";
import { PG_MIGRATIONS } from "../../src/store/postgres/migrations.ts";
import { createTestDatabase, PG_AVAILABLE, pgRows, type TestDatabase } from "../helpers/postgres.ts";
import { waitFor } from "../helpers/process.ts";
import { endpointRecord, newEvent } from "../helpers/stores.ts";

const open = (db: TestDatabase) => openPostgresStore({ url: db.url, poolSize: 4, revisionPollMs: 100 });

describe.skipIf(!PG_AVAILABLE)("PostgreSQL store: two replicas on one database", () => {
  let db: TestDatabase;
  let a: Store;
  let b: Store;
  let ep: string;
  beforeAll(async () => {
    db = await createTestDatabase();
    [a, b] = await Promise.all([open(db), open(db)]);
    const e = endpointRecord();
    await a.insertEndpoint(e);
    ep = e.id;
  });
  afterAll(async () => {
    await Promise.all([a.close(), b.close()]);
    await db.drop();
  });
  /** Leaves no delivery waiting or leased. */
  const clear = () => pgRows(db.url, "DELETE FROM events");

  it("migrates once when replicas start at the same moment", async () => {
    const rows = await pgRows<{ version: number }>(db.url, "SELECT version FROM schema_migrations ORDER BY version");
    expect(rows.map((r) => r.version)).toEqual(PG_MIGRATIONS.map((m) => m.version));
  });

  it("never lets two replicas claim the same delivery", async () => {
    await clear();
    await a.writeBatch(
      Array.from({ length: 300 }, (_, i) => newEvent([ep], { at: i })),
      [],
      [],
    );
    const claimAll = async (s: Store) => {
      const ids: string[] = [];
      for (;;) {
        const got = await s.claimDue(10_000, 15, 60_000);
        if (got.length === 0) return ids;
        ids.push(...got.map((c) => c.id));
      }
    };
    const [ofA, ofB] = await Promise.all([claimAll(a), claimAll(b)]);
    expect(ofA.length + ofB.length).toBe(300);
    expect(new Set([...ofA, ...ofB]).size).toBe(300);
    expect(ofA.length).toBeGreaterThan(0);
    expect(ofB.length).toBeGreaterThan(0);
  });

  it("leaves a live lease alone, gives an expired one to another replica, and records results only by its holder", async () => {
    await clear();
    const ev = newEvent([ep], { at: 100 });
    await a.writeBatch([ev], [], []);
    const [claimed] = await a.claimDue(1_000, 10, 5_000);
    expect(claimed?.id).toBe(ev.deliveries[0]!.id);
    expect(await b.resetLeases(4_000)).toBe(0);
    expect(await b.claimDue(4_000, 10, 9_000)).toEqual([]);
    expect(await b.nextDueAt()).toBe(5_000);
    expect(await a.nextDueAt()).toBeNull();

    expect(await a.cluster!.renewLeases(8_000)).toBe(1);
    expect(await b.cluster!.renewLeases(99_000)).toBe(0);
    expect(await b.claimDue(7_000, 10, 20_000)).toEqual([]);
    const taken = await b.claimDue(8_500, 10, 20_000);
    expect(taken.map((c) => c.id)).toEqual([claimed!.id]);

    const result = (attempts: number) => ({
      id: claimed!.id,
      status: "delivered" as const,
      attempts,
      next_attempt_at: null,
      http_status: 200,
      error_kind: null,
      last_error: null,
      delivered_at: 9_000 + attempts,
    });
    await a.writeBatch([], [], [result(1)]);
    expect((await a.deliveryById(claimed!.id))?.status).toBe("delivering");
    await a.releaseDeliveries([claimed!.id], 1);
    expect((await a.deliveryById(claimed!.id))?.status).toBe("delivering");
    await b.writeBatch([], [], [result(2)]);
    expect(await a.deliveryById(claimed!.id)).toMatchObject({ status: "delivered", attempts: 2 });
  });

  it("signals endpoint and event-type changes to every replica once committed, and due times to the others", async () => {
    const heardByB: ClusterSignal[] = [];
    const heardByA: ClusterSignal[] = [];
    const offB = b.cluster!.subscribe((s) => heardByB.push(s));
    const offA = a.cluster!.subscribe((s) => heardByA.push(s));
    try {
      const e = endpointRecord();
      await a.insertEndpoint(e);
      await a.upsertEventType({
        name: "t.x",
        description: "",
        schema: null,
        example: null,
        source: "api",
        created_at: 1,
      });
      a.cluster!.announceDue(4242);
      await waitFor(() => heardByB.length >= 3, { timeoutMs: 1000, intervalMs: 5, what: "three signals" });
      expect(heardByB).toEqual([
        { kind: "endpoint", id: e.id },
        { kind: "event_type", name: "t.x" },
        { kind: "due", at: 4242 },
      ]);
      expect(heardByA.filter((s) => s.kind === "due")).toEqual([]);
      expect(heardByA).toContainEqual({ kind: "endpoint", id: e.id });
    } finally {
      offA();
      offB();
    }
  });

  it("resyncs a replica whose notification went missing (the revision moved without one)", async () => {
    const heard: ClusterSignal[] = [];
    const off = b.cluster!.subscribe((s) => heard.push(s));
    try {
      await pgRows(db.url, "UPDATE revisions SET value = value + 1 WHERE name = 'config'");
      await waitFor(() => heard.some((s) => s.kind === "resync"), { timeoutMs: 2000, what: "a resync" });
    } finally {
      off();
    }
  });

  it("shares one token bucket between replicas", async () => {
    const rate = 20;
    let granted = 0;
    const t0 = performance.now();
    const drain = async (s: Store) => {
      while (performance.now() - t0 < 1000) {
        const grant = await s.cluster!.reserveTokens("ep_shared", rate, 3);
        granted += grant.granted;
        await Bun.sleep(1);
      }
    };
    await Promise.all([drain(a), drain(b), drain(a), drain(b)]);
    const seconds = (performance.now() - t0) / 1000;
    expect(granted).toBeGreaterThanOrEqual(rate);
    expect(granted).toBeLessThanOrEqual(rate + Math.ceil(rate * seconds) + 1);
    const empty = await a.cluster!.reserveTokens("ep_shared", rate, 50);
    expect(empty.granted === 0 ? empty.retryInMs : 0).toBeLessThanOrEqual(1000 / rate + 1);
  });

  it("runs exclusively-locked work on one replica at a time", async () => {
    const spans: [number, number][] = [];
    const work = (s: Store) =>
      s.cluster!.exclusively("reconcile", async () => {
        const start = performance.now();
        await Bun.sleep(60);
        spans.push([start, performance.now()]);
      });
    await Promise.all([work(a), work(b), work(a)]);
    spans.sort((x, y) => x[0] - y[0]);
    for (let i = 1; i < spans.length; i++) expect(spans[i]![0]).toBeGreaterThanOrEqual(spans[i - 1]![1]);
  });

  it("purges on one replica at a time: a replica that finds retention running elsewhere stops", async () => {
    await clear();
    await a.writeBatch([newEvent([ep], { at: 1 }), newEvent([ep], { at: 2 })], [], []);
    const other = new SQL(db.url, { max: 1 });
    try {
      await other.begin(async (tx) => {
        await tx`SELECT pg_advisory_xact_lock(${LOCK_NAMESPACE}, ${LOCKS.retention})`;
        expect(await b.purgeEventsBefore(10, 100)).toBe(0);
      });
      expect(await b.purgeEventsBefore(10, 100)).toBe(2);
    } finally {
      await other.close();
    }
  });

  it("reconnects after its connections are dropped, and resyncs what it may have missed", async () => {
    const heard: ClusterSignal[] = [];
    const off = b.cluster!.subscribe((s) => heard.push(s));
    try {
      await pgRows(
        db.url,
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()",
      );
      await waitFor(() => heard.some((s) => s.kind === "resync"), { timeoutMs: 10_000, what: "a resync" });
      await waitFor(async () => (await b.ping()) && (await a.ping()), { timeoutMs: 10_000, what: "queries again" });
      const e = endpointRecord();
      await a.insertEndpoint(e);
      await waitFor(() => heard.some((s) => s.kind === "endpoint" && s.id === e.id), {
        timeoutMs: 2000,
        what: "signals again",
      });
    } finally {
      off();
    }
  }, 30_000);

  it("refuses a schema newer than it knows", async () => {
    await pgRows(db.url, "INSERT INTO schema_migrations (version, name, applied_at) VALUES (99, 'future', 0)");
    try {
      await expect(open(db)).rejects.toBeInstanceOf(PgSchemaTooNewError);
    } finally {
      await pgRows(db.url, "DELETE FROM schema_migrations WHERE version = 99");
    }
  });
});
