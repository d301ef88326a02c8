// Tenant isolation benchmark: `bun bench/isolation.ts [seconds-per-attack]`.
// 1. What running JSONata in the sandbox workers costs per evaluation, against evaluating it in-process.
// 2. /healthz latency (p50/p99/max, probed every 10 ms) and another tenant's publish latency while each attack of
//    issue 13 runs against a gateway process (`bun src/main.ts serve`, default config), one after another.
import { compileGuarded } from "../src/routing/jsonata-guard.ts";
import { sandbox } from "../src/routing/sandbox.ts";
import { percentile } from "./lib/load.ts";
import { ADMIN_KEY, api, startGateway, startReceiver } from "./lib/procs.ts";

const SECONDS = Number(process.argv[2] ?? 5);
const fmt = (n: number, d = 1) => (Number.isFinite(n) ? n.toFixed(d) : "n/a");

// ---- 1. cost per evaluation -------------------------------------------------------------------------------------
const envelope = {
  id: "evt_01JXAMPLE7Q3M0D4LOKWXJEK",
  type: "invoice.paid",
  timestamp: "2026-06-06T09:00:42.000Z",
  tenant_id: "acme",
  data: {
    amount: 15_000,
    region: "eu",
    customer: { name: "Zoë Ångström", email: "zoe@example.com" },
    lines: Array.from({ length: 8 }, (_, i) => ({ sku: `SKU-${1000 + i}`, qty: i + 1, unit_amount: 2500 })),
  },
};
const json = JSON.stringify(envelope);
const FILTER = "data.amount >= 100 and data.region in ['eu', 'us', 'ca']";
const TRANSFORM = '{"event_id": id, "amount": data.amount, "customer": data.customer.name, "skus": data.lines.sku}';

/** Failed evaluations (a bound broken on a busy machine) are counted, not fatal. */
let failures = 0;
const counted = (run: () => Promise<unknown>) => () => run().catch(() => failures++);

async function perEval(label: string, n: number, run: () => Promise<unknown>): Promise<string> {
  const safe = counted(run);
  for (let i = 0; i < Math.min(n, 2000); i++) await safe();
  failures = 0;
  const start = Bun.nanoseconds();
  for (let i = 0; i < n; i++) await safe();
  const us = (Bun.nanoseconds() - start) / n / 1000;
  return `| ${label} | ${fmt(us, 2)} | ${failures} |`;
}

async function perEvalConcurrent(label: string, n: number, run: () => Promise<unknown>): Promise<string> {
  const safe = counted(run);
  failures = 0;
  const start = Bun.nanoseconds();
  for (let done = 0; done < n; done += 64) await Promise.all(Array.from({ length: 64 }, safe));
  const us = (Bun.nanoseconds() - start) / n / 1000;
  return `| ${label} | ${fmt(us, 2)} | ${failures} |`;
}

await sandbox().ready();
const inFilter = compileGuarded(FILTER);
const inTransform = compileGuarded(TRANSFORM);
const pool = sandbox();
const costRows = [
  await perEval("filter, in-process (JSONata on the event loop)", 20_000, () =>
    inFilter.evaluate(envelope, { timeoutMs: 25 }),
  ),
  await perEval("filter, sandbox worker, one at a time (round trip)", 5_000, () =>
    pool.run({ op: "filter", source: FILTER, input: json, timeoutMs: 25 }, "acme"),
  ),
  await perEvalConcurrent("filter, sandbox worker, 64 in flight (throughput)", 20_000, () =>
    pool.run({ op: "filter", source: FILTER, input: json, timeoutMs: 25 }, "acme"),
  ),
  await perEval("transform, in-process", 20_000, () => inTransform.evaluate(envelope, { timeoutMs: 100 })),
  await perEval("transform, sandbox worker, one at a time", 5_000, () =>
    pool.run({ op: "transform", source: TRANSFORM, input: json, timeoutMs: 100 }, "acme"),
  ),
];
console.log(`## Cost per evaluation (envelope ${json.length} bytes, ${pool.size} workers, Bun ${Bun.version})\n`);
console.log("| case | µs / evaluation | past the bound |\n|---|---:|---:|");
for (const row of costRows) console.log(row);

// ---- 2. /healthz while each attack runs -------------------------------------------------------------------------
const receiver = await startReceiver();
const gw = await startGateway();
const post = (path: string, body: unknown, key = ADMIN_KEY, contentType = "application/json") =>
  fetch(`${gw.url}${path}`, {
    method: "POST",
    headers: { authorization: `Bearer ${key}`, "content-type": contentType },
    body: typeof body === "string" ? body : JSON.stringify(body),
  }).then(async (r) => {
    await r.arrayBuffer();
    return r.status;
  });

const endpoint = (tenant: string, type: string, extra: Record<string, unknown>) =>
  api(gw.url, "POST", "/v1/endpoints", { tenant_id: tenant, url: `${receiver.url}/in`, events: [type], ...extra });
await endpoint("victim", "victim.event", {});
await endpoint("evil", "attack.matches", { filter: { field: "data.s", op: "matches", value: "a*a*a*a*a*a*a*b" } });
await endpoint("evil", "attack.regex", { filter: { expression: "$contains(data.s, /(a+)+b/)" } });
await endpoint("evil", "attack.runaway", {
  filter: { expression: "($f := function($n){ $n > 0 ? $f($n-1) + $f($n-1) : 1 }; $f(40)) > 0" },
});
await endpoint("evil", "attack.blocking", { filter: { expression: "$count($distinct(data.list)) > 0" } });
await endpoint("evil", "attack.pad", { transform: '$pad("", 300000000)' });
const pattern = { type: "object", properties: { s: { type: "string", pattern: "a*a*a*a*a*a*a*b" } } };
await api(gw.url, "POST", "/v1/event-types", { name: "attack.pattern", schema: pattern });
await api(gw.url, "POST", "/v1/event-types", {
  name: "attack.unique",
  schema: { type: "object", properties: { list: { type: "array", uniqueItems: true } } },
});
for (const name of [
  "victim.event",
  "attack.matches",
  "attack.regex",
  "attack.runaway",
  "attack.blocking",
  "attack.pad",
])
  await api(gw.url, "POST", "/v1/event-types", { name });

const A4096 = "a".repeat(4096);
const distinct = Array.from({ length: 18_000 }, (_, i) => ({ a: i }));
const unique = Array.from({ length: 14_000 }, (_, i) => ({ n: i }));
const attacks: { name: string; send: () => Promise<number> }[] = [
  { name: "none (baseline)", send: async () => 0 },
  {
    name: "filter matches a*a*a*a*a*a*a*b, 4,096 × a",
    send: () => post("/v1/events", { type: "attack.matches", tenant_id: "evil", data: { s: A4096 } }),
  },
  {
    name: "schema pattern a*a*a*a*a*a*a*b, 4,096 × a",
    send: () => post("/v1/events", { type: "attack.pattern", tenant_id: "evil", data: { s: A4096 } }),
  },
  {
    name: "JSONata regex literal /(a+)+b/, 4,096 × a",
    send: () => post("/v1/events", { type: "attack.regex", tenant_id: "evil", data: { s: A4096 } }),
  },
  {
    name: "filter past its time bound (exponential)",
    send: () => post("/v1/events", { type: "attack.runaway", tenant_id: "evil", data: {} }),
  },
  {
    name: "filter blocked in $distinct (worker killed)",
    send: () => post("/v1/events", { type: "attack.blocking", tenant_id: "evil", data: { list: distinct } }),
  },
  {
    name: 'transform $pad("", 300000000)',
    send: () => post("/v1/events", { type: "attack.pad", tenant_id: "evil", data: {} }),
  },
  {
    name: "schema uniqueItems, 14,000 objects",
    send: () => post("/v1/events", { type: "attack.unique", tenant_id: "evil", data: { list: unique } }),
  },
  { name: "malformed body, no key", send: () => post("/v1/events", '{"type": ', "") },
  {
    name: "bad keys (throttled after 30)",
    send: () => post("/v1/events", { type: "victim.event", data: {} }, "hg_wrong"),
  },
];

const rows: string[] = [];
for (const attack of attacks) {
  let running = true;
  const statuses = new Map<number, number>();
  // Two attackers back to back, as fast as the gateway answers.
  const attackers = Array.from({ length: attack.name.startsWith("none") ? 0 : 2 }, async () => {
    while (running) {
      const status = await attack.send().catch(() => -1);
      statuses.set(status, (statuses.get(status) ?? 0) + 1);
    }
  });
  const healthz: number[] = [];
  const victim: number[] = [];
  const probe = (async () => {
    while (running) {
      const t0 = performance.now();
      await fetch(`${gw.url}/healthz`).then((r) => r.arrayBuffer());
      healthz.push(performance.now() - t0);
      await Bun.sleep(10);
    }
  })();
  const victimLoop = (async () => {
    while (running) {
      const t0 = performance.now();
      const status = await post("/v1/events", { type: "victim.event", tenant_id: "victim", data: { n: 1 } });
      if (status === 202) victim.push(performance.now() - t0);
      await Bun.sleep(50);
    }
  })();
  await Bun.sleep(SECONDS * 1000);
  running = false;
  await Promise.all([...attackers, probe, victimLoop]);
  healthz.sort((a, b) => a - b);
  victim.sort((a, b) => a - b);
  const answered = [...statuses].map(([s, n]) => `${n}×${s}`).join(", ") || "—";
  rows.push(
    `| ${attack.name} | ${answered} | ${fmt(percentile(healthz, 50))} | ${fmt(percentile(healthz, 99))} | ${fmt(healthz.at(-1) ?? Number.NaN)} | ${fmt(percentile(victim, 99))} |`,
  );
  await Bun.sleep(300);
}
console.log(`\n## /healthz under attack (${SECONDS} s each, 2 attackers, gateway process, 127.0.0.1)\n`);
console.log(
  "| attack | attacker answers | /healthz p50 ms | /healthz p99 ms | max ms | other tenant's publish p99 ms |",
);
console.log("|---|---|---:|---:|---:|---:|");
for (const row of rows) console.log(row);
console.log(`\ngateway peak RSS ${fmt(gw.peakRssMiB(), 0)} MiB`);

await gw.stop();
gw.cleanup();
await receiver.stop();
process.exit(0);
