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
