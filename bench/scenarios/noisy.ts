// 7. Noisy neighbours: 10 endpoints that accept connections and never answer (timeout_ms 30000) beside one
// healthy endpoint, each sent 20 events/s for 60 s, on the default config. Measures the healthy endpoint's
// publish → arrival latency, /healthz latency meanwhile, and when each black hole's circuit opened. With
// `holes: 0` it is the same run's baseline: the healthy endpoint alone.
import { now, percentile, receiverStats } from "../lib/load.ts";
import { ADMIN_KEY, api, startBlackHoles, startGateway, startReceiver } from "../lib/procs.ts";

export interface NoisyResult {
  healthy: { published: number; delivered: number; p50: number; p95: number; p99: number; max: number };
  healthz: { probes: number; p50: number; p99: number; max: number };
  publish: { p50: number; p99: number; non202: number };
  /** Seconds from each black hole's first publish to its circuit's `since` (null: never seen open). */
  openedAfterS: (number | null)[];
  circuitMetrics: string;
  peakRssMiB: number;
}

const RATE = 20;

/** Publishes one event and resolves with its id (null unless 202) and how long the publish took. */
async function publishOne(url: string, type: string, i: number): Promise<{ id: string | null; ms: number }> {
  const t0 = now();
  const res = await fetch(`${url}/v1/events`, {
    method: "POST",
    headers: { authorization: `Bearer ${ADMIN_KEY}`, "content-type": "application/json" },
    body: JSON.stringify({ type, data: { i, note: "x".repeat(200) } }),
  });
  const text = await res.text();
  return { id: res.status === 202 ? JSON.parse(text).data.id : null, ms: now() - t0 };
}

export async function noisyNeighbours(seconds = 60, noisy = 10): Promise<NoisyResult> {
  const rx = await startReceiver();
  const holes = await startBlackHoles(noisy);
  const gw = await startGateway();
  try {
    const noisyIds: string[] = [];
    for (const [i, url] of holes.urls.entries()) {
      const ep = await api(gw.url, "POST", "/v1/endpoints", {
        url: `${url}/hook`,
        events: [`noisy.${i}`],
        timeout_ms: 30_000,
      });
      noisyIds.push(ep.data.id);
    }
    await api(gw.url, "POST", "/v1/endpoints", { url: `${rx.url}/hook`, events: ["healthy.tick"] });

    const sentAt = new Map<string, number>();
    const publishMs: number[] = [];
    let non202 = 0;
    let healthyPublished = 0;
    let running = true;

    const start = now();
    const healthz: number[] = [];
    const probing = (async () => {
      while (running) {
        const t0 = now();
        await (await fetch(`${gw.url}/healthz`)).text();
        const ms = now() - t0;
        healthz.push(ms);
        if (ms > 100)
          process.stderr.write(`[noisy] /healthz took ${ms.toFixed(0)} ms at ${((t0 - start) / 1000).toFixed(1)} s\n`);
        await Bun.sleep(100);
      }
    })();

    const openedAfterS: (number | null)[] = Array(noisy).fill(null);
    const watching = (async () => {
      while (running) {
        await Bun.sleep(1000);
        const list = await api(gw.url, "GET", "/v1/endpoints?limit=100");
        for (const e of list.data as { id: string; circuit?: { state: string; since: string } }[]) {
          const i = noisyIds.indexOf(e.id);
          if (i >= 0 && openedAfterS[i] === null && e.circuit && e.circuit.state !== "closed")
            openedAfterS[i] = (Date.parse(e.circuit.since) - start) / 1000;
        }
      }
    })();

    const inFlight: Promise<void>[] = [];
    const ticks = seconds * RATE;
    for (let k = 0; k < ticks; k++) {
      const wait = start + (k * 1000) / RATE - now();
      if (wait > 0) await Bun.sleep(wait);
      for (let i = 0; i < noisy; i++)
        inFlight.push(
          publishOne(gw.url, `noisy.${i}`, k).then((r) => {
            publishMs.push(r.ms);
            if (!r.id) non202++;
          }),
        );
      const t0 = now();
      healthyPublished++;
      inFlight.push(
        publishOne(gw.url, "healthy.tick", k).then((r) => {
          publishMs.push(r.ms);
          if (r.id) sentAt.set(r.id, t0);
          else non202++;
        }),
      );
    }
    await Promise.all(inFlight);
    // Deliveries published in the last second get a few seconds to arrive.
    const deadline = now() + 5000;
    while (now() < deadline && (await receiverStats(rx.url)).unique < sentAt.size) await Bun.sleep(50);
    running = false;
    await Promise.all([probing, watching]);

    const arrivals = (await receiverStats(rx.url, true)).arrivals ?? {};
    const latencies = [...sentAt]
      .filter(([id]) => arrivals[id] !== undefined)
      .map(([id, t]) => arrivals[id]! - t)
      .sort((a, b) => a - b);
    healthz.sort((a, b) => a - b);
    publishMs.sort((a, b) => a - b);
    const metrics = await (await fetch(`${gw.url}/metrics`)).text();
    return {
      healthy: {
        published: healthyPublished,
        delivered: latencies.length,
        p50: percentile(latencies, 50),
        p95: percentile(latencies, 95),
        p99: percentile(latencies, 99),
        max: latencies[latencies.length - 1] ?? Number.NaN,
      },
      healthz: {
        probes: healthz.length,
        p50: percentile(healthz, 50),
        p99: percentile(healthz, 99),
        max: healthz[healthz.length - 1] ?? Number.NaN,
      },
      publish: { p50: percentile(publishMs, 50), p99: percentile(publishMs, 99), non202 },
      openedAfterS,
      circuitMetrics: metrics
        .split("\n")
        .filter((l) => /^hookgate_(endpoint_circuits|circuit_openings_total)/.test(l))
        .join("; "),
      peakRssMiB: gw.peakRssMiB(),
    };
  } finally {
    await holes.stop(); // their hanging attempts end at once, so the gateway stops without waiting them out
    await gw.stop();
    await rx.stop();
    gw.cleanup();
  }
}
