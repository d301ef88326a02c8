// Batch publish against single publishes, through a real gateway process over HTTP (no endpoint, so only ingest
// and the commit are measured): `bun bench/batch.ts [events]`. Prints events/s and the p50/p99 answer times.
// Events are ~880 bytes, so 250 is about the most that fits the default 256 KiB request limit.
import { percentile, publishBatches, publishMany, warmUp } from "./lib/load.ts";
import { ADMIN_KEY, startGateway } from "./lib/procs.ts";

const N = Number(process.argv[2] ?? 20_000);
const rows: string[] = ["| how | events/s | p50 ms | p99 ms |", "|---|---|---|---|"];
const fmt = (r: { perSec: number; p50: number; p99: number }) =>
  `${Math.round(r.perSec).toLocaleString("en")} | ${r.p50.toFixed(1)} | ${r.p99.toFixed(1)}`;

for (const run of [
  { label: "single publishes, 64 in flight", go: (url: string) => publishMany(url, ADMIN_KEY, N, 64) },
  { label: "batches of 100, 8 in flight", go: (url: string) => publishBatches(url, ADMIN_KEY, N, 100, 8) },
  { label: "batches of 250, 8 in flight", go: (url: string) => publishBatches(url, ADMIN_KEY, N, 250, 8) },
]) {
  const gw = await startGateway();
  try {
    await warmUp(gw.url, ADMIN_KEY, null, 5000);
    await publishBatches(gw.url, ADMIN_KEY, 20_000, 100, 8);
    const r = await run.go(gw.url);
    const summary =
      "perSec" in r
        ? r
        : {
            perSec: r.sentAt.size / ((r.endedAt - r.startedAt) / 1000),
            p50: percentile(r.latencies, 50),
            p99: percentile(r.latencies, 99),
          };
    rows.push(`| ${run.label} | ${fmt(summary)} |`);
  } finally {
    await gw.stop();
    gw.cleanup();
  }
}
console.log(`${N} events, no endpoint (after a warm-up of 5,000 single and 20,000 batched)\n${rows.join("\n")}`);
