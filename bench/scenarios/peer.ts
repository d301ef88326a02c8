// 4. The peer: the same signed deliveries through BullMQ on Redis (what a Node user would build).
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { eventData, receiverStats, waitForArrivals } from "../lib/load.ts";
import { freePort, startReceiver } from "../lib/procs.ts";

const BENCH = new URL("..", import.meta.url).pathname;
const PEER_DIR = join(BENCH, ".peer");
const BULLMQ = "bullmq@5.81.5";

/** Installs BullMQ beside the benchmark (not a project dependency: its optional native parts break `npm ci`). */
export async function ensurePeer(): Promise<void> {
  if (existsSync(join(PEER_DIR, "node_modules/bullmq/package.json"))) return;
  mkdirSync(PEER_DIR, { recursive: true });
  writeFileSync(join(PEER_DIR, "package.json"), JSON.stringify({ name: "hookgate-bench-peer", private: true }));
  const p = Bun.spawnSync(["npm", "install", "--no-package-lock", "--no-audit", "--no-fund", BULLMQ], {
    cwd: PEER_DIR,
    stdout: "inherit",
    stderr: "inherit",
  });
  if (p.exitCode !== 0) throw new Error("npm install bullmq failed");
}

export function redisAvailable(): boolean {
  return Bun.spawnSync(["which", "redis-server"]).exitCode === 0;
}

export async function bullmqPeer(
  n: number,
  concurrency: number,
): Promise<{ perSec: number; addP50: number; addP99: number }> {
  await ensurePeer();
  const rx = await startReceiver();
  const port = await freePort();
  const redis = Bun.spawn(
    ["redis-server", "--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
    { stdout: "ignore", stderr: "inherit" },
  );
  const script = join(BENCH, "peer-bullmq.mjs");
  let worker: ReturnType<typeof Bun.spawn> | null = null;
  try {
    for (let i = 0; i < 100; i++) {
      try {
        const s = await Bun.connect({ hostname: "127.0.0.1", port, socket: { data() {} } });
        s.end();
        break;
      } catch {
        await Bun.sleep(50);
      }
    }
    worker = Bun.spawn(["node", script, "worker", String(port), rx.url], { stdout: "pipe", stderr: "inherit" });
    await (worker.stdout as ReadableStream).getReader().read();
    const producer = Bun.spawn(["node", script, "producer", String(port), String(n), String(concurrency)], {
      stdout: "pipe",
      stderr: "inherit",
      env: { ...process.env, BENCH_EVENT_DATA: JSON.stringify(eventData(1)) },
    });
    const out = JSON.parse((await new Response(producer.stdout as ReadableStream).text()).trim());
    await waitForArrivals(rx.url, n, 900_000);
    const arrivals = Object.values((await receiverStats(rx.url, true)).arrivals!);
    const last = Math.max(...arrivals);
    return { perSec: n / ((last - out.startedAt) / 1000), addP50: out.p50, addP99: out.p99 };
  } finally {
    worker?.kill();
    await worker?.exited;
    redis.kill();
    await redis.exited;
    await rx.stop();
  }
}
