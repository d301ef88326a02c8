// The benchmark suite (`npm run bench`): every figure is measured in this run, next to a baseline from the
// same run on the same machine, and the table is written into bench/RESULTS.md.
//   bun bench/run.ts [--events=20000] [--steady=100000] [--warmup=20000] [--only=raw,e2e,fanout,routing,idle,ingest,batch,peer,backlog,storm,noisy,pg,micro] [--backlog=0,100000,1000000] [--rounds=3] [--binary]
// The noisy-neighbour (`--only=noisy`, about 75 s) and PostgreSQL (`--only=pg`) scenarios write their own blocks of
// RESULTS.md.
import { cpus, loadavg, totalmem } from "node:os";
import { fmt, type Row, table, writeResults } from "./lib/report.ts";
import { type BacklogResult, backlog } from "./scenarios/backlog.ts";
import { bare202, nullForwarder } from "./scenarios/baselines.ts";
import { batchIngest, endToEnd, idleLatency, ingestOnly } from "./scenarios/e2e.ts";
import { noisyNeighbours } from "./scenarios/noisy.ts";
import { bullmqPeer, redisAvailable } from "./scenarios/peer.ts";
import { postgresSection } from "./scenarios/pg.ts";
import { rawCeiling } from "./scenarios/raw.ts";
import { retryStorm } from "./scenarios/storm.ts";

const args = new Map(process.argv.slice(2).map((a) => a.replace(/^--/, "").split("=") as [string, string]));
const N = Number(args.get("events") ?? 20_000);
// Events of the headline comparisons (raw, null forwarder, bare 202, e2e with 1 endpoint, ingest, batch): long
// enough that the JIT's late recompilations no longer dominate (see "Where the time goes" in RESULTS.md).
const S = Number(args.get("steady") ?? 100_000);
const C = 64;
// Events each server handles before it is measured (the JIT's first seconds are a one-time cost; see warmUp).
const W = Number(args.get("warmup") ?? 20_000);
const only = args.has("only") ? new Set(args.get("only")!.split(",")) : null;
const want = (name: string) => only === null || only.has(name);
const binary = args.has("binary");
const backlogSizes = (args.get("backlog") ?? "0,100000,1000000").split(",").map(Number);
const rows: Row[] = [];
const log = (msg: string) => process.stderr.write(`[bench] ${msg}\n`);
const ratio = (a: number, b: number) => `${(a / b).toFixed(2)}×`;

let raw: number | null = null;
if (want("raw") || want("e2e")) {
  log(`raw ceiling: ${S} signed POSTs at concurrency ${C}`);
  raw = (await rawCeiling(S, C)).perSec;
  rows.push({ scenario: "1 raw ceiling", metric: "requests/s (client → bare receiver)", value: fmt(raw) });
}

// The limits of a gateway, measured in this run with the same client and receiver (bench/lib/null-forwarder.ts).
let forwarder: number | null = null;
if (want("e2e")) {
  log(`null forwarder: ${S} events answered 202 and forwarded signed, nothing stored`);
  const f = await nullForwarder(S, C, W);
  forwarder = f.perSec;
  rows.push({
    scenario: "1 null forwarder",
    metric: "deliveries/s",
    value: fmt(f.perSec),
    ratio: raw ? `${ratio(f.perSec, raw)} of raw` : undefined,
  });
  rows.push({ scenario: "1 null forwarder", metric: "CPU per delivery (µs)", value: fmt(f.cpuUsPerDelivery) });
}
let bare: { perSec: number; p50: number; p99: number; cpuUsPerEvent: number } | null = null;
if (want("ingest")) {
  log(`bare 202 server: ${S} publishes parsed and answered, nothing else`);
  const b = await bare202(S, C, W);
  bare = b;
  rows.push({ scenario: "1 bare 202 server", metric: "events/s", value: fmt(b.perSec) });
  rows.push({ scenario: "1 bare 202 server", metric: "CPU per event (µs)", value: fmt(b.cpuUsPerEvent) });
  rows.push({
    scenario: "1 bare 202 server",
    metric: "publish p50 / p99 (ms)",
    value: `${fmt(b.p50, 1)} / ${fmt(b.p99, 1)}`,
  });
}

let e2e: number | null = null;
if (want("e2e")) {
  log(`hookgate end to end: ${S} events, 1 endpoint`);
  const r = await endToEnd({ events: S, endpoints: 1, concurrency: C, binary, warmup: W });
  e2e = r.deliveriesPerSec;
  rows.push({
    scenario: "2 hookgate e2e, 1 endpoint",
    metric: "deliveries/s",
    value: fmt(r.deliveriesPerSec),
    ratio: forwarder ? `${ratio(r.deliveriesPerSec, forwarder)} of null forwarder` : undefined,
    target: "≥ 0.70× null forwarder",
    ok: forwarder ? r.deliveriesPerSec >= 0.7 * forwarder : null,
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
    target: "≤ 150 µs",
    ok: r.gatewayCpuUsPerDelivery <= 150,
  });
}
if (want("fanout")) {
  const events = Math.round(N / 10);
  log(`hookgate fan-out 10: ${events} events × 10 endpoints`);
  const r = await endToEnd({ events, endpoints: 10, concurrency: C, binary, warmup: Math.ceil(W / 10) });
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
    warmup: W,
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
  log(`ingest only: ${S} publishes, no endpoint / 1 endpoint`);
  const none = await ingestOnly({ events: S, concurrency: C, withEndpoint: false, warmup: W });
  rows.push({
    scenario: "3 ingest, no endpoint",
    metric: "events/s (durable)",
    value: fmt(none.perSec),
    ratio: bare ? `${ratio(none.perSec, bare.perSec)} of bare 202` : undefined,
    target: "≥ 0.80× bare 202",
    ok: bare ? none.perSec >= 0.8 * bare.perSec : null,
  });
  rows.push({
    scenario: "3 ingest, no endpoint",
    metric: "gateway CPU per event (µs)",
    value: fmt(none.cpuUsPerEvent),
  });
  rows.push({
    scenario: "3 ingest, no endpoint",
    metric: "publish p50 / p99 (ms)",
    value: `${fmt(none.p50, 1)} / ${fmt(none.p99, 1)}`,
    target: "p99 ≤ 20 ms",
    ok: none.p99 <= 20,
  });
  const one = await ingestOnly({ events: S, concurrency: C, withEndpoint: true, warmup: W });
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
if (want("batch")) {
  const events = S;
  log(`batch ingest: ${events} events in batches of 100, 8 requests in flight, no endpoint`);
  const r = await batchIngest({ events, size: 100, concurrency: 8, warmup: W });
  rows.push({
    scenario: "3 batch ingest, 100 per request",
    metric: "events/s (durable), 8 requests in flight",
    value: fmt(r.perSec),
    target: "≥ 50,000/s",
    ok: r.perSec >= 50_000,
  });
  rows.push({
    scenario: "3 batch ingest, 100 per request",
    metric: "request p50 / p99 (ms)",
    value: `${fmt(r.p50, 1)} / ${fmt(r.p99, 1)}`,
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

const noisyRows: Row[] = [];
if (want("noisy")) {
  const load = () => loadavg()[0]!.toFixed(1);
  log("noisy neighbours baseline: the healthy endpoint alone, 20 events/s for 20 s");
  const loadBefore = load();
  const base = await noisyNeighbours(20, 0);
  log("noisy neighbours: 10 black holes + 1 healthy endpoint, 20 events/s each for 60 s (default config)");
  const r = await noisyNeighbours(60);
  const opened = r.openedAfterS.filter((s): s is number => s !== null);
  const latency = (x: typeof r) =>
    `${fmt(x.healthy.p50, 1)} / ${fmt(x.healthy.p95, 1)} / ${fmt(x.healthy.p99, 1)} / ${fmt(x.healthy.max, 1)}`;
  const healthz = (x: typeof r) =>
    `${fmt(x.healthz.p50, 1)} / ${fmt(x.healthz.p99, 1)} / ${fmt(x.healthz.max, 1)} (${fmt(x.healthz.probes)} probes)`;
  const scenario = "7 noisy neighbours";
  const baseline = "7 baseline: healthy alone (20 s)";
  noisyRows.push(
    { scenario: baseline, metric: "healthy publish→arrival p50 / p95 / p99 / max (ms)", value: latency(base) },
    { scenario: baseline, metric: "/healthz p50 / p99 / max (ms)", value: healthz(base) },
    {
      scenario,
      metric: "healthy publish→arrival p50 / p95 / p99 / max (ms)",
      value: latency(r),
      target: "p95 ≤ 1,000 ms",
      ok: r.healthy.p95 <= 1000,
    },
    {
      scenario,
      metric: "healthy deliveries arrived",
      value: `${fmt(r.healthy.delivered)}/${fmt(r.healthy.published)}`,
      ok: r.healthy.delivered === r.healthy.published,
    },
    {
      scenario,
      metric: "/healthz p50 / p99 / max (ms) while it runs",
      value: healthz(r),
      target: "p99 ≤ 100 ms",
      ok: r.healthz.p99 <= 100,
    },
    {
      scenario,
      metric: "black-hole circuits open; first publish → open (s)",
      value: `${opened.length}/${r.openedAfterS.length}; ${fmt(Math.min(...opened), 1)}–${fmt(Math.max(...opened), 1)}`,
      target: "all, ≤ 45 s",
      ok: opened.length === r.openedAfterS.length && Math.max(...opened) <= 45,
    },
    {
      scenario,
      metric: "publish p50 / p99 (ms), all 11 endpoints",
      value: `${fmt(r.publish.p50, 1)} / ${fmt(r.publish.p99, 1)}${r.publish.non202 ? `, ${fmt(r.publish.non202)} not 202` : ""}`,
    },
    { scenario, metric: "gateway peak RSS (MiB)", value: fmt(r.peakRssMiB) },
    { scenario, metric: "machine load average (1 min), before / after", value: `${loadBefore} / ${load()}` },
  );
  log(`circuit metrics at the end: ${r.circuitMetrics}`);
}

// 7. PostgreSQL: hookgate with 1 and 2 replicas on one database, beside SQLite and graphile-worker / pg-boss.
const pgRows: Row[] = want("pg")
  ? await postgresSection({ events: N, concurrency: C, rounds: Number(args.get("rounds") ?? 3), binary, log })
  : [];

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
const heading = `Latest run: \`${command}\` (from \`npm run bench\`), ${S.toLocaleString("en-US")} events for raw, null forwarder, bare 202, e2e 1 endpoint, ingest and batch (${N.toLocaleString("en-US")} for the rest), each server warmed up with ${W.toLocaleString("en-US")} events first; concurrency ${C}; ${machine}.`;
const resultsPath = new URL("./RESULTS.md", import.meta.url).pathname;
if (rows.length > 0 || micro) {
  const block = `${heading}\n\n${table(rows)}\n${micro}`;
  console.log(block);
  if (!args.has("no-write")) writeResults(resultsPath, block);
}
if (noisyRows.length > 0) {
  const from = only === null ? "npm run bench" : "npm run bench -- --only=noisy";
  const block = `Latest run: \`${command}\` (from \`${from}\`); ${machine}.\n\n${table(noisyRows)}\n`;
  console.log(block);
  if (!args.has("no-write")) writeResults(resultsPath, block, "noisy");
}
if (pgRows.length > 0) {
  const block = `${heading}\n\n${table(pgRows)}\n`;
  console.log(block);
  if (!args.has("no-write")) writeResults(resultsPath, block, "pg-results");
}
