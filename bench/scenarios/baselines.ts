// Baselines for the gateway figures, measured in the same run with the same client and receiver: the null forwarder
// (answers 202 and forwards a signed request, storing nothing: the limit of a gateway) and the bare 202 server
// (parses JSON and answers 202: the limit of ingest). bench/lib/null-forwarder.ts is both.
import { join } from "node:path";
import { percentile, publishMany, receiverStats, warmUp } from "../lib/load.ts";
import { ADMIN_KEY, type Proc, startReceiver, wrapProcess } from "../lib/procs.ts";

const SCRIPT = join(new URL("../lib/null-forwarder.ts", import.meta.url).pathname);

async function startForwarder(receiverUrl: string | null): Promise<Proc & { url: string }> {
  const proc = Bun.spawn([process.execPath, SCRIPT, receiverUrl ?? "-", ADMIN_KEY], {
    stdout: "pipe",
    stderr: "inherit",
  });
  const reader = (proc.stdout as ReadableStream<Uint8Array>).getReader();
  let text = "";
  while (!text.includes("\n")) {
    const { done, value } = await reader.read();
    if (done) break;
    text += new TextDecoder().decode(value);
  }
  reader.releaseLock();
  const { port } = JSON.parse(text.split("\n")[0]!);
  return { ...wrapProcess(proc), url: `http://127.0.0.1:${port}` };
}

/** The null forwarder end to end: deliveries/s (first publish → last arrival) and its CPU per delivery. */
export async function nullForwarder(
  n: number,
  concurrency: number,
  warmup = 0,
): Promise<{ perSec: number; cpuUsPerDelivery: number }> {
  const rx = await startReceiver();
  const fw = await startForwarder(rx.url);
  try {
    await warmUp(fw.url, ADMIN_KEY, rx.url, warmup);
    const cpu0 = fw.cpuSeconds();
    const run = await publishMany(fw.url, ADMIN_KEY, n, concurrency);
    const deadline = Date.now() + 300_000;
    while ((await receiverStats(rx.url)).unique < n) {
      if (Date.now() > deadline) throw new Error("null forwarder: not every delivery arrived");
      await Bun.sleep(10);
    }
    const arrivals = (await receiverStats(rx.url, true)).arrivals!;
    const last = Math.max(...Object.values(arrivals));
    return { perSec: n / ((last - run.startedAt) / 1000), cpuUsPerDelivery: ((fw.cpuSeconds() - cpu0) / n) * 1e6 };
  } finally {
    await fw.stop();
    await rx.stop();
  }
}

/** The bare 202 server: events/s and publish latency at `concurrency`. */
export async function bare202(
  n: number,
  concurrency: number,
  warmup = 0,
): Promise<{ perSec: number; p50: number; p99: number; cpuUsPerEvent: number }> {
  const fw = await startForwarder(null);
  try {
    await warmUp(fw.url, ADMIN_KEY, null, warmup);
    const cpu0 = fw.cpuSeconds();
    const run = await publishMany(fw.url, ADMIN_KEY, n, concurrency);
    return {
      cpuUsPerEvent: ((fw.cpuSeconds() - cpu0) / n) * 1e6,
      perSec: n / ((run.endedAt - run.startedAt) / 1000),
      p50: percentile(run.latencies, 50),
      p99: percentile(run.latencies, 99),
    };
  } finally {
    await fw.stop();
  }
}
