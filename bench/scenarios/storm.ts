// 6. Retry storm: the receiver answers 503 for 10 s, then 200. Every delivery must complete, and publishing
// must stay responsive (publish p99) while the failures are retried.
import { percentile, publishMany, receiverStats } from "../lib/load.ts";
import { ADMIN_KEY, api, startGateway, startReceiver } from "../lib/procs.ts";

export async function retryStorm(
  events: number,
  concurrency: number,
): Promise<{
  publishP99DuringStorm: number;
  publishP50DuringStorm: number;
  drainedAfterMs: number;
  delivered: number;
}> {
  const rx = await startReceiver();
  // A short schedule so the storm resolves within the benchmark (the default waits 5 s, then 5 min).
  const gw = await startGateway({ yaml: ["delivery: {retry_schedule: [2s, 4s, 8s, 16s], jitter: 0.2}"] });
  try {
    await api(gw.url, "POST", "/v1/endpoints", { url: `${rx.url}/hook`, events: ["order.*"] });
    await fetch(`${rx.url}/__mode`, { method: "POST", body: JSON.stringify({ status: 503, forMs: 10_000 }) });
    const stormStart = performance.now();
    const run = await publishMany(gw.url, ADMIN_KEY, events, concurrency);
    if (run.sentAt.size !== events) throw new Error(`storm: ${run.sentAt.size}/${events} accepted`);
    const deadline = Date.now() + 180_000;
    let delivered = 0;
    for (;;) {
      delivered = (await receiverStats(rx.url)).unique;
      if (delivered >= events || Date.now() > deadline) break;
      await Bun.sleep(50);
    }
    return {
      publishP99DuringStorm: percentile(run.latencies, 99),
      publishP50DuringStorm: percentile(run.latencies, 50),
      drainedAfterMs: performance.now() - stormStart,
      delivered,
    };
  } finally {
    await gw.stop();
    await rx.stop();
    gw.cleanup();
  }
}
