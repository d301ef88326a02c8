// Micro-benchmark of routing per published event: `bun bench/routing.ts [scale]` (scale multiplies iterations).
// Filters and type matching run for every event × endpoint, transforms for every delivery, so these are µs budgets.
import { buildTypeIndex, compileFilter, compileTransform, type FilterResult } from "../src/routing";

const SCALE = Number(process.argv[2] ?? 1);

/** A realistic ~1 KB envelope. */
const envelope = {
  id: "evt_01JXAMPLE7Q3M0D4LOKWXJEK",
  type: "invoice.paid",
  timestamp: "2026-06-06T09:00:42.000Z",
  tenant_id: "acme",
  data: {
    invoice_id: "in_1PqR2sT3uV4wX5yZ",
    amount: 15_000,
    currency: "eur",
    region: "eu",
    customer: { id: "cus_9aBcDeFgHiJk", name: "Zoë Ångström", email: "zoe@example.com", vip: true },
    lines: Array.from({ length: 8 }, (_, i) => ({
      sku: `SKU-${1000 + i}`,
      description: `Line item number ${i}`,
      qty: i + 1,
      unit_amount: 2500,
    })),
    metadata: { order_ref: "ord_77812", channel: "web", campaign: "spring-sale" },
  },
};

const tree = compileFilter({
  all: [
    { field: "data.amount", op: "gte", value: 100 },
    { field: "data.region", op: "in", value: ["eu", "us", "ca"] },
    { not: { field: "data.lines.sku", op: "equals", value: "SKU-BLOCKED" } },
  ],
});
const rejecting = compileFilter({ all: [{ field: "data.amount", op: "gte", value: 1_000_000 }] });
const expression = compileFilter({ expression: "data.amount >= 100 and data.region in ['eu', 'us', 'ca']" });
const transform = compileTransform(
  '{"event_id": id, "kind": type, "amount": data.amount, "customer": data.customer.name, "email": data.customer.email}',
);

const types = Array.from({ length: 50 }, (_, i) => `domain${i % 10}.event${i}`);
const index = buildTypeIndex(
  Array.from({ length: 1000 }, (_, i) => ({
    // 70% exact names, 25% "domainN.*" wildcards, 5% "*".
    patterns: i % 20 === 0 ? ["*"] : i % 4 === 1 ? [`domain${i % 10}.*`] : [types[i % 50], types[(i * 7) % 50]],
    value: `ep_${i}`,
  })),
);

type Row = [label: string, usPerRun: number, iterations: number];

/** Times a synchronous call (no await, so no microtask in the measurement). */
function time(label: string, iterations: number, run: () => unknown): Row {
  const n = Math.max(1, Math.round(iterations * SCALE));
  for (let i = 0; i < Math.min(n, 5000); i++) run();
  const start = Bun.nanoseconds();
  for (let i = 0; i < n; i++) run();
  return [label, (Bun.nanoseconds() - start) / n / 1000, n];
}

/** Times an async call awaited one after another, as a single delivery would. */
async function timeAsync(label: string, iterations: number, run: () => Promise<unknown>): Promise<Row> {
  const n = Math.max(1, Math.round(iterations * SCALE));
  for (let i = 0; i < Math.min(n, 2000); i++) await run();
  const start = Bun.nanoseconds();
  for (let i = 0; i < n; i++) await run();
  return [label, (Bun.nanoseconds() - start) / n / 1000, n];
}

function check(ok: boolean, what: string): void {
  if (!ok) throw new Error(`benchmark precondition failed: ${what}`);
}
check((tree.test(envelope) as FilterResult).matched, "tree filter matches");
check(!(rejecting.test(envelope) as FilterResult).matched, "rejecting filter does not match");
check((await expression.test(envelope)).matched, "expression filter matches");
check((await transform.apply(envelope)).ok, "transform applies");
check(index.match(types[3]).length > 50, "type index matches");

const rows = [
  time("(a) tree filter, 3 conditions (match)", 200_000, () => tree.test(envelope)),
  time("(a') tree filter, 1 condition (no match, with reason)", 200_000, () => rejecting.test(envelope)),
  await timeAsync("(b) expression filter (JSONata)", 20_000, async () => expression.test(envelope)),
  await timeAsync("(c) transform, pick + rename (JSONata)", 20_000, () => transform.apply(envelope)),
  time(`(d) type index, 1,000 endpoints (${index.match(types[3]).length} matched)`, 200_000, () =>
    index.match(types[3]),
  ),
];

console.log(`envelope: ${JSON.stringify(envelope).length} bytes; Bun ${Bun.version}\n`);
console.log("| case | µs / evaluation | iterations |");
console.log("|---|---:|---:|");
for (const [label, us, n] of rows) console.log(`| ${label} | ${us.toFixed(2)} | ${n} |`);
