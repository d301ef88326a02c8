// 2 and 3. hookgate end to end (publish → delivered at the receiver) and ingest only.
import { percentile, publishBatches, publishMany, receiverStats, waitForArrivals, warmUp } from "../lib/load.ts";
import { ADMIN_KEY, api, startGateway, startReceiver, threadCpuOf } from "../lib/procs.ts";

export interface EndToEnd {
  deliveriesPerSec: number;
  publishP50: number;
  publishP99: number;
  latencyP50: number;
  latencyP99: number;
  peakRssMiB: number;
  gatewayCpuUsPerDelivery: number;
}

export interface EndpointShape {
  filter?: unknown;
  transform?: string;
}

/**
 * Publishes `events` events at `concurrency` to a gateway with `endpoints` endpoints on one receiver and
 * measures until `events × endpoints` deliveries arrived (time from the first publish).
 */
export async function endToEnd(options: {
  events: number;
  endpoints: number;
  concurrency: number;
  shape?: EndpointShape;
  binary?: boolean;
  /** Events published (and delivered) before measuring. */
  warmup?: number;
}): Promise<EndToEnd> {
  const rx = await startReceiver();
  const gw = await startGateway({ binary: options.binary });
  try {
    for (let i = 0; i < options.endpoints; i++) {
      await api(gw.url, "POST", "/v1/endpoints", {
        url: `${rx.url}/hook/${i}`,
        events: ["order.*", "warmup.*"],
        ...options.shape,
      });
    }
    await warmUp(gw.url, ADMIN_KEY, rx.url, options.warmup ?? 0, options.endpoints);
    const cpu0 = gw.cpuSeconds();
    const threads0 = threadCpuOf(gw.pid);
    const run = await publishMany(gw.url, ADMIN_KEY, options.events, options.concurrency);
    const expected = options.events * options.endpoints;
    // The receiver records the first arrival per webhook-id; with fan-out the id repeats, so count all.
    const deadline = Date.now() + 600_000;
    for (;;) {
      const s = await receiverStats(rx.url);
      if ((options.endpoints === 1 ? s.unique : s.count) >= expected) break;
      if (Date.now() > deadline) throw new Error(`only ${s.count}/${expected} deliveries arrived`);
      await Bun.sleep(10);
    }
    const endAt = performance.timeOrigin + performance.now();
    await reportThreads(gw, threads0, expected);
    const stats = await receiverStats(rx.url, true);
    const arrivals = stats.arrivals!;
    const last = options.endpoints === 1 ? Math.max(...Object.values(arrivals)) : endAt;
    const latencies = [...run.sentAt]
      .filter(([id]) => arrivals[id] !== undefined)
      .map(([id, t]) => arrivals[id]! - t)
      .sort((a, b) => a - b);
    return {
      deliveriesPerSec: expected / ((last - run.startedAt) / 1000),
      publishP50: percentile(run.latencies, 50),
      publishP99: percentile(run.latencies, 99),
      latencyP50: percentile(latencies, 50),
      latencyP99: percentile(latencies, 99),
      peakRssMiB: gw.peakRssMiB(),
      gatewayCpuUsPerDelivery: ((gw.cpuSeconds() - cpu0) / expected) * 1e6,
    };
  } finally {
    await gw.stop();
    await rx.stop();
    gw.cleanup();
  }
}

/**
 * BENCH_THREADS=1: prints the gateway's CPU per event by thread since `before` (event loop, HTTP client, JIT, GC
 * helpers, workers) and its store's write counters.
 */
async function reportThreads(
  gw: { pid: number; url: string },
  before: Record<string, number>,
  events: number,
): Promise<void> {
  if (!process.env.BENCH_THREADS) return;
  const per = Object.entries(threadCpuOf(gw.pid))
    .map(([name, s]) => [name, ((s - (before[name] ?? 0)) / events) * 1e6] as const)
    .filter(([, us]) => us >= 1)
    .sort((a, b) => b[1] - a[1]);
  const metrics = await (await fetch(`${gw.url}/metrics`)).text();
  const store = metrics.split("\n").filter((l) => l.startsWith("hookgate_store_"));
  process.stderr.write(
    `[bench] gateway CPU µs per event by thread: ${per.map(([n, us]) => `${n} ${us.toFixed(0)}`).join(", ")}\n` +
      `[bench] gateway store writes (with the warm-up): ${store.join("; ")}\n`,
  );
}

/** Unsaturated publish → delivery latency: one event at a time, so nothing queues. */
export async function idleLatency(samples: number): Promise<{ p50: number; p99: number }> {
  const rx = await startReceiver();
  const gw = await startGateway();
  try {
    await api(gw.url, "POST", "/v1/endpoints", { url: `${rx.url}/hook`, events: ["order.*"] });
    const run = await publishMany(gw.url, ADMIN_KEY, samples, 1);
    await waitForArrivals(rx.url, samples);
    const arrivals = (await receiverStats(rx.url, true)).arrivals!;
    const latencies = [...run.sentAt].map(([id, t]) => arrivals[id]! - t).sort((a, b) => a - b);
    return { p50: percentile(latencies, 50), p99: percentile(latencies, 99) };
  } finally {
    await gw.stop();
    await rx.stop();
    gw.cleanup();
  }
}

/** Publishes with no matching endpoint, or with one endpoint on a live receiver; events/s and latency. */
export async function ingestOnly(options: {
  events: number;
  concurrency: number;
  withEndpoint: boolean;
  warmup?: number;
}): Promise<{ perSec: number; p50: number; p99: number; cpuUsPerEvent: number }> {
  const rx = options.withEndpoint ? await startReceiver() : null;
  const gw = await startGateway();
  try {
    if (rx) await api(gw.url, "POST", "/v1/endpoints", { url: `${rx.url}/hook`, events: ["order.*", "warmup.*"] });
    await warmUp(gw.url, ADMIN_KEY, rx?.url ?? null, options.warmup ?? 0);
    const threads0 = threadCpuOf(gw.pid);
    const cpu0 = gw.cpuSeconds();
    const run = await publishMany(gw.url, ADMIN_KEY, options.events, options.concurrency);
    const cpuUsPerEvent = ((gw.cpuSeconds() - cpu0) / options.events) * 1e6;
    await reportThreads(gw, threads0, options.events);
    if (run.sentAt.size !== options.events) throw new Error(`ingest: ${run.sentAt.size}/${options.events} accepted`);
    return {
      cpuUsPerEvent,
      perSec: options.events / ((run.endedAt - run.startedAt) / 1000),
      p50: percentile(run.latencies, 50),
      p99: percentile(run.latencies, 99),
    };
  } finally {
    await gw.stop();
    await rx?.stop();
    gw.cleanup();
  }
}

/** Batch publish (POST /v1/events/batch) with no endpoint: durable events/s and the answer times of the batches. */
export async function batchIngest(options: {
  events: number;
  size: number;
  concurrency: number;
  warmup?: number;
}): Promise<{ perSec: number; p50: number; p99: number }> {
  const gw = await startGateway();
  try {
    await warmUp(gw.url, ADMIN_KEY, null, options.warmup ?? 0);
    if ((options.warmup ?? 0) > 0) await publishBatches(gw.url, ADMIN_KEY, options.warmup!, options.size, 8);
    return await publishBatches(gw.url, ADMIN_KEY, options.events, options.size, options.concurrency);
  } finally {
    await gw.stop();
    gw.cleanup();
  }
}
