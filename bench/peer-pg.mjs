// The PostgreSQL queues a Node team would reach for instead of hookgate — graphile-worker and pg-boss — sending the
// same Standard-Webhooks-signed POSTs as the BullMQ peer: a worker with concurrency 64 and retries with backoff, a
// producer enqueueing one job per event at a given concurrency. Runs under Node from bench/.peer-pg.
//   node bench/peer-pg.mjs <graphile|pgboss> worker   <databaseUrl> <receiverUrl>        → prints "ready"
//   node bench/peer-pg.mjs <graphile|pgboss> producer <databaseUrl> <count> <concurrency> → prints {"startedAt","p50","p99"}

import { createHmac } from "node:crypto";
import { createRequire } from "node:module";

const require = createRequire(new URL("./.peer-pg/package.json", import.meta.url));
const [queue, mode, url, a, b] = process.argv.slice(2);
const secret = Buffer.from("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "base64");
const now = () => performance.timeOrigin + performance.now();
const CONCURRENCY = 64;

/** One signed delivery; throws on a non-2xx answer so the queue retries it. */
async function deliver(receiver, event) {
  const body = JSON.stringify(event);
  const ts = Math.floor(Date.now() / 1000);
  const sig = createHmac("sha256", secret).update(`${event.id}.${ts}.${body}`).digest("base64");
  const res = await fetch(`${receiver}/hook`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      "webhook-id": event.id,
      "webhook-timestamp": String(ts),
      "webhook-signature": `v1,${sig}`,
    },
    body,
    signal: AbortSignal.timeout(10_000),
  });
  await res.arrayBuffer();
  if (!res.ok) throw new Error(`HTTP ${res.status}`);
}

/** Calls `add(i)` for i in [0, count) from `concurrency` loops; returns the start time and add latencies. */
async function produce(count, concurrency, add) {
  const latencies = [];
  let next = 0;
  const startedAt = now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) {
        const i = next++;
        const t0 = now();
        await add(i);
        latencies.push(now() - t0);
      }
    }),
  );
  latencies.sort((x, y) => x - y);
  return {
    startedAt,
    p50: latencies[Math.floor(latencies.length * 0.5)],
    p99: latencies[Math.floor(latencies.length * 0.99)],
  };
}

const eventOf = (i, data) => ({ id: `msg_${i}`, type: "order.created", timestamp: new Date().toISOString(), data });
const print = (value) => process.stdout.write(`${JSON.stringify(value)}\n`, () => process.exit(0));

if (queue === "graphile") {
  const { run, makeWorkerUtils, Logger } = require("graphile-worker");
  const quiet = new Logger(() => () => {});
  if (mode === "worker") {
    const receiver = a;
    await run({
      connectionString: url,
      concurrency: CONCURRENCY,
      maxPoolSize: 20,
      pollInterval: 1000,
      noHandleSignals: false,
      logger: quiet,
      taskList: { deliver: async (payload) => deliver(receiver, payload) },
    });
    process.stdout.write("ready\n");
  } else {
    const data = JSON.parse(process.env.BENCH_EVENT_DATA);
    const utils = await makeWorkerUtils({ connectionString: url, logger: quiet });
    await utils.migrate();
    const out = await produce(Number(a), Number(b), (i) =>
      utils.addJob("deliver", eventOf(i, data), { maxAttempts: 8 }),
    );
    await utils.release();
    print(out);
  }
} else if (queue === "pgboss") {
  const PgBoss = require("pg-boss");
  const boss = new PgBoss({ connectionString: url, max: 20 });
  boss.on("error", (e) => process.stderr.write(`pg-boss: ${e.message}\n`));
  await boss.start();
  await boss.createQueue("webhooks").catch(() => {});
  if (mode === "worker") {
    const receiver = a;
    // pg-boss 10 polls (at least every 0.5 s) and waits out the interval after a quick batch, so small batches cap it
    // at batchSize / 0.5 s per worker. Tuned for throughput: 2 workers fetch 500 jobs at a time (a cap of 2,000/s)
    // and send them 32 at a time each (64 in flight), failing jobs one by one so that one failure does not retry the
    // whole batch.
    for (let w = 0; w < 2; w++) {
      await boss.work("webhooks", { batchSize: 500, pollingIntervalSeconds: 0.5 }, async (jobs) => {
        let next = 0;
        await Promise.all(
          Array.from({ length: CONCURRENCY / 2 }, async () => {
            while (next < jobs.length) {
              const job = jobs[next++];
              try {
                await deliver(receiver, job.data);
              } catch (e) {
                await boss.fail("webhooks", job.id, { message: e.message });
              }
            }
          }),
        );
      });
    }
    process.stdout.write("ready\n");
  } else {
    const data = JSON.parse(process.env.BENCH_EVENT_DATA);
    const out = await produce(Number(a), Number(b), (i) =>
      boss.send("webhooks", eventOf(i, data), { retryLimit: 7, retryDelay: 5, retryBackoff: true }),
    );
    await boss.stop({ graceful: false });
    print(out);
  }
}
