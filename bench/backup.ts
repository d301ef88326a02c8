// Backup and copy-store on a store of N events (default 100,000): `bun bench/backup.ts [events]`. Seeds a SQLite
// store the way a gateway fills it (each event ~1 KB, one delivery delivered after one attempt with a response
// logged), then times `hookgate backup` and `hookgate copy-store` SQLite → PostgreSQL → SQLite as an operator runs
// them (separate processes). PostgreSQL: a scratch database on HOOKGATE_TEST_PG_URL's server, dropped afterwards.
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SQL } from "bun";
import { EndpointRegistry } from "../src/endpoints/registry.ts";
import { endpointRules } from "../src/endpoints/rules.ts";
import { masterKeyFor, signerFor } from "../src/gateway-keys.ts";
import { systemClock } from "../src/lib/clock.ts";
import { newId } from "../src/lib/ids.ts";
import { silentLogger } from "../src/lib/logger.ts";
import { openSqliteStore } from "../src/store/index.ts";
import type { AttemptRecord, DeliveryUpdate, NewEvent } from "../src/store/types.ts";
import { testConfig } from "../test/helpers/config.ts";
import { eventData } from "./lib/load.ts";

const N = Number(process.argv[2] ?? 100_000);
const BATCH = 1000;
const MAIN = new URL("../src/main.ts", import.meta.url).pathname;
const ADMIN_URL = process.env.HOOKGATE_TEST_PG_URL || "postgres://postgres@127.0.0.1:5432/postgres";

const dir = mkdtempSync(join(tmpdir(), "hookgate-bench-backup-"));
const db = join(dir, "hookgate.db");
const keyFile = join(dir, "ed25519.key");
const config = testConfig({ storage: { path: db }, signing: { ed25519_key_file: keyFile } });
const configFile = join(dir, "hookgate.yaml");
writeFileSync(configFile, `storage: {path: ${db}}\nsigning: {ed25519_key_file: ${keyFile}}\n`);

/** Seeds N events, each with one delivery that one attempt delivered, in batches like the gateway's group commit. */
async function seed(): Promise<number> {
  const store = openSqliteStore({ path: db, synchronous: "normal" });
  const masterKey = await masterKeyFor(store, config, undefined);
  await signerFor(store, config, masterKey);
  const registry = new EndpointRegistry(
    store,
    masterKey,
    endpointRules(config, () => new Set()),
    systemClock,
    silentLogger,
  );
  await registry.load();
  const { endpoint } = await registry.create({ url: "https://hooks.example.com/in", events: ["*"] });
  const started = performance.now();
  for (let from = 0; from < N; from += BATCH) {
    const at = Date.now();
    const events: NewEvent[] = [];
    const attempts: AttemptRecord[] = [];
    const updates: DeliveryUpdate[] = [];
    for (let i = from; i < Math.min(N, from + BATCH); i++) {
      const id = newId("evt");
      const delivery = newId("dlv");
      events.push({
        event: {
          id,
          tenant_id: "default",
          type: "order.created",
          payload: JSON.stringify(eventData(i)),
          idempotency_key: null,
          created_at: at,
        },
        idempotency_response: null,
        deliveries: [
          {
            id: delivery,
            event_id: id,
            endpoint_id: endpoint.id,
            tenant_id: "default",
            target_url: null,
            like_endpoint_id: null,
            status: "delivering",
            next_attempt_at: null,
            lease_until: at + 30_000,
            error_kind: null,
            last_error: null,
            manual: false,
            created_at: at,
          },
        ],
      });
      attempts.push({
        id: newId("att"),
        delivery_id: delivery,
        n: 1,
        trigger: "scheduled",
        started_at: at,
        duration_ms: 12,
        http_status: 200,
        response_headers: { "content-type": "application/json", date: new Date(at).toUTCString() },
        response_body: '{"received":true}',
        body_encoding: "utf8",
        request_body: null,
        error_kind: null,
        error: null,
      });
      updates.push({
        id: delivery,
        status: "delivered",
        attempts: 1,
        next_attempt_at: null,
        http_status: 200,
        error_kind: null,
        last_error: null,
        delivered_at: at + 12,
      });
    }
    await store.writeBatch(events, [], []);
    await store.writeBatch([], attempts, updates);
  }
  const ms = performance.now() - started;
  await store.close();
  return ms;
}

/** Runs `hookgate ARGS`: its one stdout line, how many progress lines it wrote on stderr, and the wall time. */
function hookgate(args: string[], env: Record<string, string> = {}): { line: string; progress: number; ms: number } {
  const started = performance.now();
  const run = Bun.spawnSync([process.execPath, MAIN, ...args], {
    cwd: dir,
    env: { ...process.env, ...env },
    stdout: "pipe",
    stderr: "pipe",
  });
  const ms = performance.now() - started;
  if (run.exitCode !== 0) throw new Error(`hookgate ${args[0]} exited ${run.exitCode}: ${run.stderr}`);
  const progress = run.stderr
    .toString()
    .split("\n")
    .filter((l) => l.startsWith(`${args[0]}: `)).length;
  return { line: run.stdout.toString().trim(), progress, ms };
}

const mib = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
const pgName = `hookgate_bench_${randomBytes(5).toString("hex")}`;
const admin = new SQL(ADMIN_URL, { max: 1 });
try {
  const seedMs = await seed();
  // the master-key check (meta), the endpoint, and per event: the event, its delivery, its attempt
  const records = 2 + 3 * N;
  const size = statSync(db).size;
  console.log(`seeded ${N.toLocaleString("en")} events in ${(seedMs / 1000).toFixed(1)} s; store ${mib(size)}`);

  const backup = hookgate(["backup", "--config", configFile, "--to", join(dir, "backup.db")]);
  console.log(`${backup.line}\n  (wall ${(backup.ms / 1000).toFixed(2)} s incl. process start)`);

  await admin.unsafe(`CREATE DATABASE ${pgName}`);
  const url = new URL(ADMIN_URL);
  url.pathname = `/${pgName}`;
  const toPg = hookgate(["copy-store", "--config", configFile, "--from", db, "--to", url.toString()]);
  console.log(
    `${toPg.line}\n  (wall ${(toPg.ms / 1000).toFixed(2)} s, ${Math.round(records / (toPg.ms / 1000)).toLocaleString("en")} records/s; ${toPg.progress} progress lines on stderr)`,
  );

  const back = join(dir, "back", "hookgate.db");
  const backConfig = join(dir, "back.yaml");
  writeFileSync(backConfig, `signing: {ed25519_key_file: ${join(dir, "back", "ed25519.key")}}\n`);
  const masterKey = (await Bun.file(join(dir, "master.key")).text()).trim();
  const fromPg = hookgate(["copy-store", "--config", backConfig, "--from", url.toString(), "--to", back], {
    HOOKGATE_MASTER_KEY: masterKey,
  });
  console.log(
    `${fromPg.line}\n  (wall ${(fromPg.ms / 1000).toFixed(2)} s, ${Math.round(records / (fromPg.ms / 1000)).toLocaleString("en")} records/s; ${fromPg.progress} progress lines on stderr)`,
  );
} finally {
  await admin.unsafe(`DROP DATABASE IF EXISTS ${pgName} WITH (FORCE)`).catch(() => {});
  await admin.close();
  rmSync(dir, { recursive: true, force: true });
}
