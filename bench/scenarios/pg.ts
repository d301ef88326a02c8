// 7. PostgreSQL: hookgate end to end with 1 and 2 replicas on one PostgreSQL database, beside hookgate on SQLite and
// the PostgreSQL job queues a Node team would use instead (graphile-worker, pg-boss), all delivering the same signed
// requests to the same receiver in the same run. Each run gets a fresh database on the server of
// HOOKGATE_TEST_PG_URL (default postgres://postgres@127.0.0.1:5432/postgres), dropped afterwards.
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { SQL } from "bun";
import { eventData, publishMany, receiverStats, waitForArrivals } from "../lib/load.ts";
import { ADMIN_KEY, api, startGateway, startReceiver } from "../lib/procs.ts";
import { fmt, type Row } from "../lib/report.ts";
import { endToEnd } from "./e2e.ts";

const BENCH = new URL("..", import.meta.url).pathname;
const PEER_DIR = join(BENCH, ".peer-pg");
// The newest releases that run on Node 20 (pg-boss 11+ and graphile-worker 0.17+ need Node 22).
const PEERS = ["graphile-worker@0.16.6", "pg-boss@10.4.2"];
const ADMIN_URL = process.env.HOOKGATE_TEST_PG_URL || "postgres://postgres@127.0.0.1:5432/postgres";

/** Installs the PostgreSQL peers beside the benchmark (not project dependencies), like the BullMQ peer. */
async function ensurePeers(): Promise<void> {
  if (PEERS.every((p) => existsSync(join(PEER_DIR, "node_modules", p.split("@")[0]!, "package.json")))) return;
  mkdirSync(PEER_DIR, { recursive: true });
  writeFileSync(join(PEER_DIR, "package.json"), JSON.stringify({ name: "hookgate-bench-peer-pg", private: true }));
  const p = Bun.spawnSync(["npm", "install", "--no-package-lock", "--no-audit", "--no-fund", ...PEERS], {
    cwd: PEER_DIR,
    stdout: "inherit",
    stderr: "inherit",
  });
  if (p.exitCode !== 0) throw new Error(`npm install ${PEERS.join(" ")} failed`);
}

/** A fresh database for one run; `drop` removes it. */
async function freshDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `hookgate_bench_${randomBytes(5).toString("hex")}`;
  const admin = new SQL(ADMIN_URL, { max: 1 });
  await admin.unsafe(`CREATE DATABASE ${name}`);
  await admin.close();
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const sql = new SQL(ADMIN_URL, { max: 1 });
      await sql.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await sql.close();
    },
  };
}

export async function postgresReachable(): Promise<string | null> {
  const sql = new SQL(ADMIN_URL, { max: 1, connectionTimeout: 3 });
  try {
    await sql`SELECT 1`;
    return null;
  } catch (e) {
    return (e as Error).message;
  } finally {
    await sql.close({ timeout: 0 }).catch(() => {});
  }
}

/** hookgate on PostgreSQL with `replicas` processes, publishes spread over them: deliveries/s and publish p99. */
export async function hookgatePostgres(
  events: number,
  concurrency: number,
  replicas: number,
): Promise<{ perSec: number; publishP99: number }> {
  const db = await freshDatabase();
  const rx = await startReceiver();
  const postgres = { url: db.url, masterKey: randomBytes(32).toString("base64") };
  const gateways = [];
  try {
    for (let i = 0; i < replicas; i++) gateways.push(await startGateway({ postgres }));
    await api(gateways[0]!.url, "POST", "/v1/endpoints", { url: `${rx.url}/hook`, events: ["order.*"] });
    await Bun.sleep(200);
    const run = await publishMany(
      gateways.map((g) => g.url),
      ADMIN_KEY,
      events,
      concurrency,
    );
    if (run.sentAt.size !== events) throw new Error(`only ${run.sentAt.size}/${events} publishes accepted`);
    await waitForArrivals(rx.url, events, 600_000);
    const arrivals = Object.values((await receiverStats(rx.url, true)).arrivals!);
    const last = Math.max(...arrivals);
    return { perSec: events / ((last - run.startedAt) / 1000), publishP99: run.latencies[Math.floor(events * 0.99)]! };
  } finally {
    for (const g of gateways) await g.stop();
    for (const g of gateways) g.cleanup();
    await rx.stop();
    await db.drop();
  }
}

/** A PostgreSQL job queue peer (`graphile` or `pgboss`): deliveries/s and enqueue p50 / p99. */
export async function postgresPeer(
  queue: "graphile" | "pgboss",
  events: number,
  concurrency: number,
): Promise<{ perSec: number; addP50: number; addP99: number }> {
  await ensurePeers();
  const db = await freshDatabase();
  const rx = await startReceiver();
  const script = join(BENCH, "peer-pg.mjs");
  let worker: ReturnType<typeof Bun.spawn> | null = null;
  try {
    worker = Bun.spawn(["node", script, queue, "worker", db.url, rx.url], { stdout: "pipe", stderr: "inherit" });
    await (worker.stdout as ReadableStream).getReader().read();
    const producer = Bun.spawn(["node", script, queue, "producer", db.url, String(events), String(concurrency)], {
      stdout: "pipe",
      stderr: "inherit",
      env: { ...process.env, BENCH_EVENT_DATA: JSON.stringify(eventData(1)) },
    });
    const out = JSON.parse((await new Response(producer.stdout as ReadableStream).text()).trim());
    await waitForArrivals(rx.url, events, 900_000);
    const arrivals = Object.values((await receiverStats(rx.url, true)).arrivals!);
    const last = Math.max(...arrivals);
    return { perSec: events / ((last - out.startedAt) / 1000), addP50: out.p50, addP99: out.p99 };
  } finally {
    worker?.kill();
    await worker?.exited;
    await rx.stop();
    await db.drop();
  }
}

/**
 * The PostgreSQL section of the report: SQLite and PostgreSQL (1 and 2 replicas) in alternating rounds, medians
 * kept (the machine's load drifts during a run), then the two peers; targets ≥ 0.5× SQLite and ≥ 3× the better peer.
 */
export async function postgresSection(o: {
  events: number;
  concurrency: number;
  rounds: number;
  binary: boolean;
  log(message: string): void;
}): Promise<Row[]> {
  const { events: N, concurrency: C, rounds, log } = o;
  const S = "7 PostgreSQL";
  const problem = await postgresReachable();
  if (problem) {
    log(`PostgreSQL unreachable (${problem}): skipping the PostgreSQL scenarios (set HOOKGATE_TEST_PG_URL)`);
    return [{ scenario: S, metric: "deliveries/s", value: "skipped: PostgreSQL unreachable" }];
  }
  const sqliteRuns: number[] = [];
  const oneRuns: { perSec: number; publishP99: number }[] = [];
  const twoRuns: { perSec: number; publishP99: number }[] = [];
  for (let round = 1; round <= rounds; round++) {
    log(
      `round ${round}/${rounds}: hookgate on SQLite, on PostgreSQL with 1 replica, with 2 replicas (${N} events each)`,
    );
    sqliteRuns.push((await endToEnd({ events: N, endpoints: 1, concurrency: C, binary: o.binary })).deliveriesPerSec);
    oneRuns.push(await hookgatePostgres(N, C, 1));
    twoRuns.push(await hookgatePostgres(N, C, 2));
  }
  const median = <T>(xs: T[], key: (x: T) => number): T => [...xs].sort((a, b) => key(a) - key(b))[xs.length >> 1]!;
  const sqlite = median(sqliteRuns, (x) => x);
  const one = median(oneRuns, (x) => x.perSec);
  const two = median(twoRuns, (x) => x.perSec);
  const each = (xs: number[]) => xs.map((x) => fmt(x)).join(", ");
  log(
    `SQLite ${each(sqliteRuns)}; PostgreSQL 1 replica ${each(oneRuns.map((r) => r.perSec))}; 2 replicas ${each(twoRuns.map((r) => r.perSec))}`,
  );
  log(`graphile-worker peer: ${N} jobs, worker concurrency ${C}`);
  const graphile = await postgresPeer("graphile", N, C);
  log(`pg-boss peer: ${N} jobs, worker concurrency ${C}`);
  const pgboss = await postgresPeer("pgboss", N, C);
  const best = Math.max(graphile.perSec, pgboss.perSec);
  const bestName = graphile.perSec >= pgboss.perSec ? "graphile-worker" : "pg-boss";
  const ratio = (a: number, b: number) => `${(a / b).toFixed(2)}×`;
  return [
    {
      scenario: S,
      metric: `hookgate on SQLite, deliveries/s (median of ${rounds}: ${each(sqliteRuns)})`,
      value: fmt(sqlite),
    },
    {
      scenario: S,
      metric: `hookgate on PostgreSQL, 1 replica, deliveries/s (median of ${rounds}: ${each(oneRuns.map((r) => r.perSec))})`,
      value: fmt(one.perSec),
      ratio: `${ratio(one.perSec, sqlite)} of SQLite`,
      target: "≥ 0.5× SQLite",
      ok: one.perSec >= 0.5 * sqlite,
    },
    { scenario: S, metric: "hookgate on PostgreSQL, 1 replica, publish p99 (ms)", value: fmt(one.publishP99, 1) },
    {
      scenario: S,
      metric: `hookgate on PostgreSQL, 2 replicas, deliveries/s (median of ${rounds}: ${each(twoRuns.map((r) => r.perSec))})`,
      value: fmt(two.perSec),
      ratio: `${ratio(two.perSec, one.perSec)} of 1 replica`,
    },
    { scenario: S, metric: "hookgate on PostgreSQL, 2 replicas, publish p99 (ms)", value: fmt(two.publishP99, 1) },
    { scenario: S, metric: "graphile-worker 0.16 (Node worker), deliveries/s", value: fmt(graphile.perSec) },
    {
      scenario: S,
      metric: "graphile-worker addJob p50 / p99 (ms)",
      value: `${fmt(graphile.addP50, 1)} / ${fmt(graphile.addP99, 1)}`,
    },
    { scenario: S, metric: "pg-boss 10 (Node worker), deliveries/s", value: fmt(pgboss.perSec) },
    {
      scenario: S,
      metric: "pg-boss send p50 / p99 (ms)",
      value: `${fmt(pgboss.addP50, 1)} / ${fmt(pgboss.addP99, 1)}`,
    },
    {
      scenario: S,
      metric: `hookgate on PostgreSQL (1 replica) ÷ ${bestName}`,
      value: ratio(one.perSec, best),
      target: "≥ 3×",
      ok: one.perSec >= 3 * best,
    },
    {
      scenario: S,
      metric: `hookgate on PostgreSQL (2 replicas) ÷ ${bestName}`,
      value: ratio(two.perSec, best),
      target: "≥ 3×",
      ok: two.perSec >= 3 * best,
    },
  ];
}
