// The publish route in process: `app.handle` of N publishes (no endpoint, so ingest and the commit) at concurrency
// 64, without sockets, to see what the route itself costs per request. `bun bench/publish-path.ts [N]`
// (add `--cpu-prof-md` to bun for a profile of just this path).

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadConfig } from "../src/config/index.ts";
import { startGateway } from "../src/gateway.ts";
import { createLogger } from "../src/lib/logger.ts";
import { eventData } from "./lib/load.ts";

const N = Number(process.argv[2] ?? 50_000);
// --batch=K: POST /v1/events/batch with K events per request, 8 in flight (the batch figure of issue 18).
const BATCH = Number(process.argv.find((a) => a.startsWith("--batch="))?.slice(8) ?? 0);
const KEY = "bench-admin-key-0123456789abcdef0123456789";
const dir = mkdtempSync(join(tmpdir(), "hookgate-publish-path-"));
const config = loadConfig(
  `storage: {path: ${join(dir, "hookgate.db")}}\nsigning: {ed25519_key_file: ${join(dir, "ed25519.key")}}\nlog: {level: warn}\n`,
  { file: null, dev: false, env: { HOOKGATE_ADMIN_KEY: KEY } },
);
const gateway = await startGateway(config, { logger: createLogger({ level: "warn" }), listen: false, watch: false });
const bodies = BATCH
  ? Array.from({ length: 10 }, (_, b) =>
      JSON.stringify({
        events: Array.from({ length: BATCH }, (_, i) => ({ type: "order.created", data: eventData(b * BATCH + i) })),
      }),
    )
  : Array.from({ length: 1000 }, (_, i) => JSON.stringify({ type: "order.created", data: eventData(i) }));
const path = BATCH ? "/v1/events/batch" : "/v1/events";
const perRequest = BATCH || 1;
const headers = { authorization: `Bearer ${KEY}`, "content-type": "application/json" };

async function run(n: number): Promise<number> {
  let next = 0;
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  const worker = async () => {
    while (next < n) {
      const i = next / perRequest;
      next += perRequest;
      const res = await gateway.app.handle(
        new Request(`http://localhost${path}`, { method: "POST", headers, body: bodies[i % bodies.length] }),
      );
      if (res.status !== 202) throw new Error(`publish answered ${res.status}: ${await res.text()}`);
      await res.text();
    }
  };
  await Promise.all(Array.from({ length: BATCH ? 8 : 64 }, worker));
  const cpu = process.cpuUsage(cpu0);
  const ms = performance.now() - t0;
  console.log(
    `${n} publishes: ${((ms * 1000) / n).toFixed(1)} µs wall, ${((cpu.user + cpu.system) / n).toFixed(1)} µs CPU per publish`,
  );
  return ms;
}
await run(10_000); // warm-up
await run(N);
await gateway.stop();
rmSync(dir, { recursive: true, force: true });
process.exit(0);
