// Load generation and statistics for benchmarks.

export const now = () => performance.timeOrigin + performance.now();

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i]!;
}

/** ~1 KB of event data. */
export function eventData(i: number): Record<string, unknown> {
  return {
    order_id: `ord_${i}`,
    customer: { id: `cus_${i % 1000}`, email: `customer${i % 1000}@example.com`, region: i % 2 ? "eu" : "us" },
    amount: (i % 500) + 1,
    currency: "EUR",
    items: Array.from({ length: 6 }, (_, k) => ({
      sku: `sku-${k}-${i % 97}`,
      qty: (k % 3) + 1,
      price: 9.99 + k,
      title: `Item number ${k} of a benchmark order`,
    })),
    note: "x".repeat(200),
  };
}

export interface PublishRun {
  sentAt: Map<string, number>;
  latencies: number[];
  statuses: Map<number, number>;
  startedAt: number;
  endedAt: number;
}

/**
 * Publishes `n` events at `concurrency` and records per-request latency and the send time of each event id. With
 * several URLs (replicas), the concurrent publishers are spread over them round-robin.
 */
export async function publishMany(
  url: string | readonly string[],
  key: string,
  n: number,
  concurrency: number,
  type = "order.created",
): Promise<PublishRun> {
  const sentAt = new Map<string, number>();
  const latencies: number[] = [];
  const statuses = new Map<number, number>();
  const bodies = Array.from({ length: Math.min(n, 1000) }, (_, i) => JSON.stringify({ type, data: eventData(i) }));
  let next = 0;
  const headers = { authorization: `Bearer ${key}`, "content-type": "application/json" };
  const startedAt = now();
  const urls = typeof url === "string" ? [url] : url;
  const worker = async (w: number) => {
    const target = urls[w % urls.length];
    while (next < n) {
      const i = next++;
      const t0 = now();
      const res = await fetch(`${target}/v1/events`, { method: "POST", headers, body: bodies[i % bodies.length] });
      const text = await res.text();
      const t1 = now();
      latencies.push(t1 - t0);
      statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
      if (res.status === 202) sentAt.set(JSON.parse(text).data.id, t0);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, (_, w) => worker(w)));
  latencies.sort((a, b) => a - b);
  return { sentAt, latencies, statuses, startedAt, endedAt: now() };
}

export async function receiverStats(
  url: string,
  full = false,
): Promise<{ count: number; unique: number; arrivals?: Record<string, number> }> {
  return (await fetch(`${url}/__stats${full ? "?full" : ""}`)).json() as never;
}

/** Waits until the receiver has seen `n` unique ids (bounded). */
export async function waitForArrivals(url: string, n: number, timeoutMs = 300_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const s = await receiverStats(url);
    if (s.unique >= n) return;
    if (Date.now() > deadline) throw new Error(`only ${s.unique}/${n} deliveries arrived in ${timeoutMs} ms`);
    await Bun.sleep(20);
  }
}

/**
 * Warms a server up before it is measured (its JIT compiles the hot path in the first seconds, a one-time cost that
 * would otherwise dominate short runs): publishes `n` events, waits for their arrival at the receiver when there is
 * one, and clears the receiver's records.
 */
export async function warmUp(
  url: string,
  key: string,
  receiverUrl: string | null,
  n: number,
  fanOut = 1,
): Promise<void> {
  if (n <= 0) return;
  await publishMany(url, key, n, 16, "warmup.done");
  if (receiverUrl === null) return;
  const deadline = Date.now() + 300_000;
  while ((await receiverStats(receiverUrl)).count < n * fanOut) {
    if (Date.now() > deadline) throw new Error("warm-up deliveries did not all arrive");
    await Bun.sleep(20);
  }
  await fetch(`${receiverUrl}/__reset`);
}

/** Publishes `n` events as batches of `size` (POST /v1/events/batch) with `concurrency` requests in flight. */
export async function publishBatches(
  url: string,
  key: string,
  n: number,
  size: number,
  concurrency: number,
): Promise<{ perSec: number; p50: number; p99: number }> {
  const headers = { authorization: `Bearer ${key}`, "content-type": "application/json" };
  const body = JSON.stringify({
    events: Array.from({ length: size }, (_, i) => ({ type: "order.created", data: eventData(i) })),
  });
  const latencies: number[] = [];
  let sent = 0;
  const started = performance.now();
  const worker = async () => {
    while (sent < n) {
      sent += size;
      const t0 = performance.now();
      const res = await fetch(`${url}/v1/events/batch`, { method: "POST", headers, body });
      await res.text();
      if (res.status !== 202) throw new Error(`batch answered ${res.status}`);
      latencies.push(performance.now() - t0);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  latencies.sort((a, b) => a - b);
  return {
    perSec: sent / ((performance.now() - started) / 1000),
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
  };
}
