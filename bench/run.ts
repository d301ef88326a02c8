// The benchmark suite (`npm run bench`): every figure is measured in this run, next to a baseline from the
// same run on the same machine, and the table is written into bench/RESULTS.md.
//   bun bench/run.ts [--events=20000] [--only=raw,e2e,fanout,routing,idle,ingest,peer,backlog,storm,pg,micro] [--backlog=0,100000,1000000] [--rounds=3] [--binary]
import { cpus, totalmem } from "node:os";
import { fmt, type Row, table, writeResults } from "./lib/report.ts";
import { type BacklogResult, backlog } from "./scenarios/backlog.ts";
import { endToEnd, idleLatency, ingestOnly } from "./scenarios/e2e.ts";
import { bullmqPeer, redisAvailable } from "./scenarios/peer.ts";
import { hookgatePostgres, postgresPeer, postgresReachable } from "./scenarios/pg.ts";
import { rawCeiling } from "./scenarios/raw.ts";
import { retryStorm } from "./scenarios/storm.ts";

const args = new Map(process.argv.slice(2).map((a) => a.replace(/^--/, "").split("=") as [string, string]));
const N = Number(args.get("events") ?? 20_000);
const C = 64;
const only = args.has("only") ? new Set(args.get("only")!.split(",")) : null;
const want = (name: string) => only === null || only.has(name);
const binary = args.has("binary");
const backlogSizes = (args.get("backlog") ?? "0,100000,1000000").split(",").map(Number);
const rows: Row[] = [];
const log = (msg: string) => process.stderr.write(`[bench] ${msg}\n`);
const ratio = (a: number, b: number) => `${(a / b).toFixed(2)}×`;

let raw: number | null = null;
if (want("raw") || want("e2e")) {
  log(`raw ceiling: ${N} signed POSTs at concurrency ${C}`);
  raw = (await rawCeiling(N, C)).perSec;
  rows.push({ scenario: "1 raw ceiling", metric: "requests/s (client → bare receiver)", value: fmt(raw) });
}

let e2e: number | null = null;
if (want("e2e")) {
  log(`hookgate end to end: ${N} events, 1 endpoint`);
  const r = await endToEnd({ events: N, endpoints: 1, concurrency: C, binary });
  e2e = r.deliveriesPerSec;
  rows.push({
    scenario: "2 hookgate e2e, 1 endpoint",
    metric: "deliveries/s",
    value: fmt(r.deliveriesPerSec),
    ratio: raw ? ratio(r.deliveriesPerSec, raw) : undefined,
    target: "≥ 0.70× raw",
    ok: raw ? r.deliveriesPerSec >= 0.7 * raw : null,
  });
  rows.push({
    scenario: "2 hookgate e2e, 1 endpoint",
    metric: "publish p50 / p99 (ms)",
    value: `${fmt(r.publishP50, 1)} / ${fmt(r.publishP99, 1)}`,
  });
  rows.push({
    scenario: "2 hookgate e2e, 1 endpoint",
    metric: "publish→delivery p50 / p99 (ms), saturated",
    value: `${fmt(r.latencyP50, 1)} / ${fmt(r.latencyP99, 1)}`,
  });
  rows.push({ scenario: "2 hookgate e2e, 1 endpoint", metric: "gateway peak RSS (MiB)", value: fmt(r.peakRssMiB) });
  rows.push({
    scenario: "2 hookgate e2e, 1 endpoint",
    metric: "gateway CPU per delivery (µs, all threads)",
    value: fmt(r.gatewayCpuUsPerDelivery),
  });
}
if (want("fanout")) {
  const events = Math.round(N / 10);
  log(`hookgate fan-out 10: ${events} events × 10 endpoints`);
  const r = await endToEnd({ events, endpoints: 10, concurrency: C, binary });
  rows.push({
    scenario: "2 hookgate e2e, fan-out 10",
    metric: `deliveries/s (${fmt(events)} events × 10)`,
    value: fmt(r.deliveriesPerSec),
    ratio: raw ? ratio(r.deliveriesPerSec, raw) : undefined,
  });
  rows.push({
    scenario: "2 hookgate e2e, fan-out 10",
    metric: "publish p50 / p99 (ms)",
    value: `${fmt(r.publishP50, 1)} / ${fmt(r.publishP99, 1)}`,
  });
}
if (want("routing")) {
  log(`hookgate with filter + transform: ${N} events`);
  const r = await endToEnd({
    events: N,
    endpoints: 1,
    concurrency: C,
    binary,
    shape: {
      filter: {
        all: [
          { field: "data.amount", op: "gte", value: 1 },
          { field: "data.currency", op: "equals", value: "EUR" },
        ],
      },
      transform: '{"order": data.order_id, "total": data.amount, "region": data.customer.region}',
    },
  });
  rows.push({
    scenario: "2 hookgate e2e, filter + transform",
    metric: "deliveries/s",
    value: fmt(r.deliveriesPerSec),
    ratio: e2e ? `${ratio(r.deliveriesPerSec, e2e)} of plain e2e` : undefined,
  });
}
if (want("idle")) {
  log("publish→delivery latency when not saturated (one at a time)");
  const r = await idleLatency(2000);
  rows.push({
    scenario: "2 hookgate e2e, unsaturated",
    metric: "publish→delivery p50 / p99 (ms)",
    value: `${fmt(r.p50, 2)} / ${fmt(r.p99, 2)}`,
    target: "p50 ≤ 5 ms",
    ok: r.p50 <= 5,
  });
}
if (want("ingest")) {
  log(`ingest only: ${N} publishes, no endpoint / 1 endpoint`);
  const none = await ingestOnly({ events: N, concurrency: C, withEndpoint: false });
  rows.push({
    scenario: "3 ingest, no endpoint",
    metric: "events/s (durable)",
    value: fmt(none.perSec),
    target: "≥ 20,000/s",
    ok: none.perSec >= 20_000,
  });
  rows.push({
    scenario: "3 ingest, no endpoint",
    metric: "publish p50 / p99 (ms)",
    value: `${fmt(none.p50, 1)} / ${fmt(none.p99, 1)}`,
    target: "p99 ≤ 20 ms",
    ok: none.p99 <= 20,
  });
  const one = await ingestOnly({ events: N, concurrency: C, withEndpoint: true });
  rows.push({
    scenario: "3 ingest, 1 endpoint (delivering)",
    metric: "events/s (durable)",
    value: fmt(one.perSec),
    target: "≥ 20,000/s",
    ok: one.perSec >= 20_000,
  });
  rows.push({
    scenario: "3 ingest, 1 endpoint (delivering)",
    metric: "publish p50 / p99 (ms)",
    value: `${fmt(one.p50, 1)} / ${fmt(one.p99, 1)}`,
    target: "p99 ≤ 20 ms",
    ok: one.p99 <= 20,
  });
}
if (want("peer")) {
  if (!redisAvailable()) {
    log("redis-server not found (apt-get install redis-server): skipping the BullMQ peer");
    rows.push({ scenario: "4 BullMQ peer", metric: "deliveries/s", value: "skipped: no redis-server" });
  } else {
    log(`BullMQ peer: ${N} jobs, worker concurrency ${C}`);
    const r = await bullmqPeer(N, C);
    rows.push({
      scenario: "4 BullMQ + Redis peer (Node worker)",
      metric: "deliveries/s",
      value: fmt(r.perSec),
      ratio: raw ? ratio(r.perSec, raw) : undefined,
    });
    rows.push({
      scenario: "4 BullMQ + Redis peer (Node worker)",
      metric: "queue.add p50 / p99 (ms)",
      value: `${fmt(r.addP50, 1)} / ${fmt(r.addP99, 1)}`,
    });
    if (e2e)
      rows.push({
        scenario: "2 vs 4",
        metric: "hookgate e2e ÷ BullMQ",
        value: ratio(e2e, r.perSec),
        target: "≥ 3×",
        ok: e2e >= 3 * r.perSec,
      });
  }
}
if (want("backlog")) {
  const results: BacklogResult[] = [];
  for (const size of backlogSizes) {
    log(`backlog: ${fmt(size)} pending deliveries, then ${N} publishes`);
    results.push(await backlog(size, N, C));
  }
  const base = results.find((r) => r.pending === 0);
  for (const r of results) {
    rows.push({
      scenario: `5 backlog ${fmt(r.pending)} pending`,
      metric: "ingest events/s",
      value: fmt(r.ingestPerSec),
      ratio: base ? ratio(r.ingestPerSec, base.ingestPerSec) : undefined,
      target: r.pending >= 1_000_000 ? "≥ 0.80× of 0" : undefined,
      ok: r.pending >= 1_000_000 && base ? r.ingestPerSec >= 0.8 * base.ingestPerSec : undefined,
    });
    rows.push({
      scenario: `5 backlog ${fmt(r.pending)} pending`,
      metric: "publish p99 (ms)",
      value: fmt(r.publishP99, 1),
    });
    rows.push({
      scenario: `5 backlog ${fmt(r.pending)} pending`,
      metric: "peak RSS (MiB)",
      value: fmt(r.peakRssMiB),
      target: "≤ 200 MiB",
      ok: r.peakRssMiB <= 200,
    });
    rows.push({
      scenario: `5 backlog ${fmt(r.pending)} pending`,
      metric: "restart → ready (ms)",
      value: fmt(r.restartReadyMs),
      target: r.pending >= 1_000_000 ? "≤ 5,000 ms" : undefined,
      ok: r.pending >= 1_000_000 ? r.restartReadyMs <= 5000 : undefined,
    });
  }
}
if (want("storm")) {
  const events = Math.round(N / 2);
  log(`retry storm: receiver 503 for 10 s, ${events} events`);
  const r = await retryStorm(events, C);
  rows.push({
    scenario: "6 retry storm (503 for 10 s)",
    metric: "publish p50 / p99 during the storm (ms)",
    value: `${fmt(r.publishP50DuringStorm, 1)} / ${fmt(r.publishP99DuringStorm, 1)}`,
  });
  rows.push({
    scenario: "6 retry storm (503 for 10 s)",
    metric: `delivered / all drained after`,
    value: `${fmt(r.delivered)}/${fmt(events)} in ${fmt(r.drainedAfterMs / 1000, 1)} s`,
    ok: r.delivered === events,
  });
}

// 7. PostgreSQL: hookgate with 1 and 2 replicas on one database, beside SQLite and graphile-worker / pg-boss.
const pgRows: Row[] = [];
if (want("pg")) {
  const problem = await postgresReachable();
  if (problem) {
    log(`PostgreSQL unreachable (${problem}): skipping the PostgreSQL scenarios (set HOOKGATE_TEST_PG_URL)`);
    pgRows.push({ scenario: "7 PostgreSQL", metric: "deliveries/s", value: "skipped: PostgreSQL unreachable" });
  } else {
    const S = "7 PostgreSQL";
    // The machine's load drifts during a run: SQLite and PostgreSQL are measured in alternating rounds, medians kept.
    const rounds = Number(args.get("rounds") ?? 3);
    const sqliteRuns: number[] = [];
    const oneRuns: { perSec: number; publishP99: number }[] = [];
    const twoRuns: { perSec: number; publishP99: number }[] = [];
    for (let round = 1; round <= rounds; round++) {
      log(
        `round ${round}/${rounds}: hookgate on SQLite, on PostgreSQL with 1 replica, with 2 replicas (${N} events each)`,
      );
      sqliteRuns.push((await endToEnd({ events: N, endpoints: 1, concurrency: C, binary })).deliveriesPerSec);
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
    pgRows.push(
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
    );
  }
}

let micro = "";
if (want("micro")) {
  for (const script of ["signing.ts", "routing.ts"]) {
    log(`micro-benchmark ${script}`);
    const p = Bun.spawnSync([process.execPath, new URL(`./${script}`, import.meta.url).pathname], {
      stdout: "pipe",
      stderr: "inherit",
    });
    micro += `\n\`bun bench/${script}\`\n\n${p.stdout.toString().trim()}\n`;
  }
}

const machine = `${cpus().length} × ${cpus()[0]?.model ?? "cpu"}, ${fmt(totalmem() / 2 ** 30)} GiB, bun ${Bun.version}, ${new Date().toISOString()}`;
const command = `bun bench/run.ts ${process.argv.slice(2).join(" ")}`.trim();
const heading = `Latest run: \`${command}\` (from \`npm run bench\`), ${N.toLocaleString("en-US")} events, concurrency ${C}; ${machine}.`;
const resultsPath = new URL("./RESULTS.md", import.meta.url).pathname;
if (rows.length > 0 || micro) {
  const block = `${heading}\n\n${table(rows)}\n${micro}`;
  console.log(block);
  if (!args.has("no-write")) writeResults(resultsPath, block);
}
if (pgRows.length > 0) {
  const block = `${heading}\n\n${table(pgRows)}\n`;
  console.log(block);
  if (!args.has("no-write")) writeResults(resultsPath, block, "pg-results");
}
