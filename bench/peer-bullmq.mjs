// The peer a Node user would build instead of hookgate: BullMQ on Redis, a worker with concurrency 64 and
// exponential backoff sending HMAC-signed (Standard Webhooks) POSTs. Runs under Node from bench/.peer.
//   node bench/peer-bullmq.mjs worker   <redisPort> <receiverUrl>
//   node bench/peer-bullmq.mjs producer <redisPort> <count> <concurrency>   → prints {"startedAt","endedAt","latencies":[p50,p99]}

import { createHmac } from "node:crypto";
import { createRequire } from "node:module";

const require = createRequire(new URL("./.peer/package.json", import.meta.url));
const { Queue, Worker } = require("bullmq");

const [mode, redisPort, a, b] = process.argv.slice(2);
const connection = { host: "127.0.0.1", port: Number(redisPort), maxRetriesPerRequest: null };
const secret = Buffer.from("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "base64");
const now = () => performance.timeOrigin + performance.now();

if (mode === "worker") {
  const receiver = a;
  const worker = new Worker(
    "webhooks",
    async (job) => {
      const body = JSON.stringify(job.data.event);
      const ts = Math.floor(Date.now() / 1000);
      const sig = createHmac("sha256", secret).update(`${job.data.event.id}.${ts}.${body}`).digest("base64");
      const res = await fetch(`${receiver}/hook`, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          "webhook-id": job.data.event.id,
          "webhook-timestamp": String(ts),
          "webhook-signature": `v1,${sig}`,
        },
        body,
        signal: AbortSignal.timeout(10_000),
      });
      await res.arrayBuffer();
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
    },
    { connection, concurrency: 64 },
  );
  await worker.waitUntilReady();
  process.stdout.write("ready\n");
} else if (mode === "producer") {
  const count = Number(a);
  const concurrency = Number(b);
  const queue = new Queue("webhooks", { connection });
  await queue.waitUntilReady();
  const data = JSON.parse(process.env.BENCH_EVENT_DATA);
  const latencies = [];
  let next = 0;
  const startedAt = now();

  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) {
        const i = next++;
        const id = `msg_${i}`;
        const t0 = now();
        await queue.add(
          "deliver",
          { event: { id, type: "order.created", timestamp: new Date().toISOString(), data } },
          { attempts: 8, backoff: { type: "exponential", delay: 5000 }, removeOnComplete: true },
        );

        latencies.push(now() - t0);
      }
    }),
  );
  const endedAt = now();
  latencies.sort((x, y) => x - y);
  await queue.close();
  process.stdout.write(
    `${JSON.stringify({ startedAt, endedAt, p50: latencies[Math.floor(latencies.length * 0.5)], p99: latencies[Math.floor(latencies.length * 0.99)] })}\n`,
    () => process.exit(0),
  );
}
