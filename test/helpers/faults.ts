// Fault injection for the reliability tests: receivers that misbehave at the TCP level, a stand-in DNS,
// throwaway TLS certificates, a gateway with an injected resolver, event-loop lag and memory probes, and
// the real `hookgate serve` as a child process. Run as a script it is the child of two tests: `deliver-once`
// (a gateway with chosen DNS answers and env such as NODE_EXTRA_CA_CERTS, read at process start) and
// `result-backlog` (a scenario that may starve the event loop, so it must not run inside the test runner).
import { Database } from "bun:sqlite";
import { readFileSync, writeFileSync } from "node:fs";
import type { Socket, Subprocess } from "bun";
import type { Resolver } from "../../src/delivery/ssrf-guard.ts";
import { ManualClock } from "../../src/lib/clock.ts";
import type { Logger } from "../../src/lib/logger.ts";
import { launchTestGateway } from "./app.ts";
import { type ConfigOverrides, testConfig } from "./config.ts";
import type { DeliveryApp } from "./delivery.ts";
import { type TempDir, tempDir } from "./temp.ts";

// ---------------------------------------------------------------------------------------------------------
// Receivers that misbehave below HTTP

/** What a raw receiver does with one connection once its request bytes start arriving. */
export type RawBehaviour = (socket: Socket<RawState>) => void;

interface RawState {
  answered: boolean;
}

export interface RawServer {
  port: number;
  /** `http://127.0.0.1:<port>` */
  url: string;
  /** How many connections sent request bytes. */
  hits: number;
  /** Behaviour for the next connections (the last one set stays). */
  behave(next: RawBehaviour): void;
  stop(): void;
}

/**
 * A TCP server on 127.0.0.1 that answers each connection with `behaviour` (raw bytes, resets, silence).
 * Open sockets are closed by stop(), hanging ones included.
 */
export function rawServer(behaviour: RawBehaviour): RawServer {
  let current = behaviour;
  const sockets = new Set<Socket<RawState>>();
  const state = { hits: 0 };
  const server = Bun.listen<RawState>({
    hostname: "127.0.0.1",
    port: 0,
    socket: {
      open(socket) {
        socket.data = { answered: false };
        sockets.add(socket);
      },
      data(socket) {
        if (socket.data.answered) return;
        socket.data.answered = true;
        state.hits++;
        current(socket);
      },
      close(socket) {
        sockets.delete(socket);
      },
      error(socket) {
        sockets.delete(socket);
      },
    },
  });
  return {
    port: server.port,
    url: `http://127.0.0.1:${server.port}`,
    get hits() {
      return state.hits;
    },
    behave(next) {
      current = next;
    },
    stop() {
      for (const s of sockets) s.terminate();
      server.stop(true);
    },
  };
}

/** Behaviours for rawServer. */
export const raw = {
  /** Reads the request and never answers. */
  hang: (): RawBehaviour => () => {},
  /** Drops the connection without a byte of answer (an abortive close: RST). */
  reset: (): RawBehaviour => (s) => s.terminate(),
  /** Writes `bytes` and closes (at once, or `closeAfterMs` later). */
  reply:
    (bytes: string | Uint8Array, closeAfterMs = 0): RawBehaviour =>
    (s) => {
      s.write(bytes);
      if (closeAfterMs > 0) setTimeout(() => s.end(), closeAfterMs);
      else s.end();
    },
  /** A complete, valid answer. */
  ok: (status = 200, body = "ok"): RawBehaviour =>
    raw.reply(`HTTP/1.1 ${status} X\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`),
  /** Headers promising `declared` bytes, `sent` of them, then a close. */
  closeMidBody: (declared: number, sent: string): RawBehaviour =>
    raw.reply(`HTTP/1.1 200 OK\r\ncontent-length: ${declared}\r\ncontent-type: text/plain\r\n\r\n${sent}`),
  /** Headers promising `declared` bytes, `sent` of them, then silence (the connection stays open). */
  stallMidBody:
    (declared: number, sent: string): RawBehaviour =>
    (s) =>
      void s.write(`HTTP/1.1 200 OK\r\ncontent-length: ${declared}\r\ncontent-type: text/plain\r\n\r\n${sent}`),
};

/** `megabytes` MiB of zeros, gzip-compressed at level 9 (about 1/1000 of that on the wire). */
export function gzipBomb(megabytes: number): Uint8Array<ArrayBuffer> {
  return new Uint8Array(Bun.gzipSync(new Uint8Array(megabytes * 1024 * 1024), { level: 9 }));
}

// ---------------------------------------------------------------------------------------------------------
// DNS and TLS

export interface FakeDns {
  resolve: Resolver;
  /** Sets what `name` resolves to: addresses, an Error to throw, or "hang" (never answers). */
  set(name: string, answer: string[] | Error | "hang"): void;
  /** Every name asked for, in order. */
  calls: string[];
}

/** A resolver answering from a table; unknown names fail like NXDOMAIN. */
export function fakeDns(table: Record<string, string[] | Error | "hang"> = {}): FakeDns {
  const answers = new Map(Object.entries(table));
  const calls: string[] = [];
  return {
    calls,
    set: (name, answer) => void answers.set(name, answer),
    async resolve(name) {
      calls.push(name);
      const answer = answers.get(name);
      if (answer === undefined) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${name}`), { code: "ENOTFOUND" });
      if (answer === "hang") return new Promise<string[]>(() => {});
      if (answer instanceof Error) throw answer;
      return [...answer];
    },
  };
}

export interface Certificate {
  certFile: string;
  keyFile: string;
  cert: string;
  key: string;
}

/** A self-signed P-256 certificate for DNS name `name` (valid one day), written into `dir`. */
export function selfSignedCert(dir: TempDir, name: string): Certificate {
  const certFile = dir.file(`${name}.crt`);
  const keyFile = dir.file(`${name}.key`);
  const run = Bun.spawnSync(
    [
      "openssl",
      "req",
      "-x509",
      "-newkey",
      "ec",
      "-pkeyopt",
      "ec_paramgen_curve:prime256v1",
      "-nodes",
      "-days",
      "1",
      "-subj",
      `/CN=${name}`,
      "-addext",
      `subjectAltName=DNS:${name}`,
      "-keyout",
      keyFile,
      "-out",
      certFile,
    ],
    { stdout: "ignore", stderr: "pipe" },
  );
  if (run.exitCode !== 0) throw new Error(`openssl failed: ${run.stderr.toString()}`);
  return { certFile, keyFile, cert: readFileSync(certFile, "utf8"), key: readFileSync(keyFile, "utf8") };
}

// ---------------------------------------------------------------------------------------------------------
// A gateway with an injected resolver

export interface FaultAppOptions {
  /** Deep-merged over the test defaults (no jitter, schedule [5s, 1m], http allowed, private networks NOT allowed). */
  config?: ConfigOverrides;
  resolver?: Resolver;
  clock?: ManualClock;
  env?: Record<string, string | undefined>;
  /** Reuse a directory (not removed by cleanup). */
  dir?: TempDir;
  logger?: Logger & { lines?: string[] };
}

/**
 * startGateway over a temp database with a ManualClock and, unlike buildTestApp, an injectable DNS resolver.
 * Private networks are refused unless the config allows them. Always call `cleanup()`.
 */
export async function startFaultGateway(options: FaultAppOptions = {}): Promise<DeliveryApp> {
  const ownDir = options.dir === undefined;
  const dir = options.dir ?? tempDir();
  const over = options.config ?? {};
  const config = testConfig({
    ...over,
    storage: { path: dir.file("hookgate.db"), ...over.storage },
    signing: { ed25519_key_file: dir.file("ed25519.key"), ...over.signing },
    security: { allow_http: true, allow_private_networks: false, ...over.security },
    delivery: { jitter: 0, retry_schedule: ["5s", "1m"], ...over.delivery },
  });
  const clock = options.clock ?? new ManualClock();
  const t = await launchTestGateway(config, {
    dir,
    ownDir,
    logger: options.logger,
    clock,
    env: options.env,
    resolver: options.resolver,
  });
  return { ...t, clock };
}

// ---------------------------------------------------------------------------------------------------------
// Probes

/** Measures the longest stall of this process's event loop while it runs (a timer every `intervalMs`). */
export function lagProbe(intervalMs = 5): { stop(): { maxGapMs: number; ticks: number } } {
  let last = performance.now();
  let maxGap = 0;
  let ticks = 0;
  const timer = setInterval(() => {
    const now = performance.now();
    maxGap = Math.max(maxGap, now - last);
    last = now;
    ticks++;
  }, intervalMs);
  return {
    stop() {
      clearInterval(timer);
      maxGap = Math.max(maxGap, performance.now() - last);
      return { maxGapMs: Math.round(maxGap), ticks };
    },
  };
}

/** Samples this process's RSS every millisecond; stop() returns the peak in bytes. */
export function rssPeak(): { stop(): number } {
  let peak = process.memoryUsage().rss;
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 1);
  return {
    stop() {
      clearInterval(timer);
      return Math.max(peak, process.memoryUsage().rss);
    },
  };
}

// ---------------------------------------------------------------------------------------------------------
// The real server as a child process

export const MAIN = new URL("../../src/main.ts", import.meta.url).pathname;
const SELF = new URL(import.meta.url).pathname;

/** Writes a serve config into `dir` (127.0.0.1:`port`, database and key files in `dir`) plus `extra` lines. */
export function writeServeConfig(dir: TempDir, port: number, extra: string[] = []): string {
  const path = dir.file("hookgate.yaml");
  writeFileSync(
    path,
    `${[
      `server: {host: 127.0.0.1, port: ${port}}`,
      `storage: {path: ${JSON.stringify(dir.file("hookgate.db"))}}`,
      `signing: {ed25519_key_file: ${JSON.stringify(dir.file("ed25519.key"))}}`,
      "log: {level: warn}",
      ...extra,
    ].join("\n")}\n`,
  );
  return path;
}

/** `bun src/main.ts serve --config <configPath>` in `cwd`, stderr piped. Stop it with stopProcess or kill -9. */
export function spawnServe(
  cwd: string,
  configPath: string,
  env: Record<string, string | undefined> = {},
): Subprocess<"ignore", "ignore", "pipe"> {
  return Bun.spawn([process.execPath, MAIN, "serve", "--config", configPath], {
    cwd,
    env: { ...process.env, ...env },
    stdin: "ignore",
    stdout: "ignore",
    stderr: "pipe",
  });
}

/** Opens `path` read-only, runs `fn`, closes. */
export function withDb<T>(path: string, fn: (db: Database) => T, options: { readonly?: boolean } = {}): T {
  const db = new Database(path, { readonly: options.readonly ?? true });
  try {
    return fn(db);
  } finally {
    db.close();
  }
}

/** Input of the deliver-once child (see deliverInChild). */
export interface DeliverInput {
  /** Temp directory for the child's database. */
  dir: string;
  /** One endpoint per URL; one event is delivered to each, in this order. */
  urls: string[];
  dns: Record<string, string[]>;
  allowed_cidrs: string[];
}

/**
 * Runs a gateway in a child process (so `env`, e.g. NODE_EXTRA_CA_CERTS, applies from its start) that
 * delivers one event to each of `input.urls` in turn with the given DNS answers; returns the deliveries
 * (with their history) in the same order.
 */
export async function deliverInChild(
  input: DeliverInput,
  env: Record<string, string | undefined>,
): Promise<Record<string, any>[]> {
  const child = Bun.spawn([process.execPath, SELF, "deliver-once", JSON.stringify(input)], {
    env: { ...process.env, ...env },
    stdout: "pipe",
    stderr: "pipe",
  });
  const timer = setTimeout(() => child.kill(9), 20_000);
  const [out, err, code] = await Promise.all([
    new Response(child.stdout).text(),
    new Response(child.stderr).text(),
    child.exited,
  ]);
  clearTimeout(timer);
  if (code !== 0) throw new Error(`deliver-once child exited ${code}: ${err}`);
  return JSON.parse(out.trim().split("\n").pop()!);
}

async function deliverMain(input: DeliverInput): Promise<void> {
  const { json } = await import("./http.ts");
  const { settle } = await import("./delivery.ts");
  const dir: TempDir = { path: input.dir, file: (...p) => [input.dir, ...p].join("/"), cleanup: () => {} };
  const t = await startFaultGateway({
    dir,
    resolver: fakeDns(input.dns).resolve,
    config: { security: { allowed_cidrs: input.allowed_cidrs } },
  });
  try {
    const out = [];
    for (const url of input.urls) {
      const ep = await json(t.app, "POST", "/v1/endpoints", { key: t.adminKey, body: { url, events: ["*"] } });
      if (ep.status !== 201) throw new Error(`endpoint: ${ep.status} ${ep.text}`);
      const pub = await json(t.app, "POST", "/v1/events", {
        key: t.adminKey,
        body: { type: "run.completed", data: {}, endpoint_ids: [ep.body.data.id] },
      });
      if (pub.status !== 202) throw new Error(`publish: ${pub.status} ${pub.text}`);
      await settle(t);
      out.push(
        (await json(t.app, "GET", `/v1/deliveries/${pub.body.data.deliveries[0].id}`, { key: t.adminKey })).body.data,
      );
    }
    process.stdout.write(`${JSON.stringify(out)}\n`);
  } finally {
    await t.cleanup();
  }
}

/**
 * Child for the result-backlog test: `events` events to two endpoints at a held receiver, the store made
 * read-only, the receiver released, so results pile up unwritable. Prints JSON lines: `ticks` (how often a
 * 100 ms timer fired during 3 s), then `recovered` once the store is writable again and all is delivered.
 */
async function resultBacklogMain(events: number): Promise<void> {
  const { createEndpoint, publishOk, startDeliveryApp, settle } = await import("./delivery.ts");
  const { startReceiver } = await import("./receiver.ts");
  const say = (o: object) => process.stdout.write(`${JSON.stringify(o)}\n`);
  const t = await startDeliveryApp({
    config: { delivery: { concurrency: 5000, per_endpoint_concurrency: 1000 } },
    ownDb: true,
  });
  const r = startReceiver();
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  r.setDefault(async () => {
    await gate;
    return new Response("ok");
  });
  await createEndpoint(t, { url: `${r.url}/a` });
  await createEndpoint(t, { url: `${r.url}/b` });
  for (let i = 0; i < events; i += 100)
    await Promise.all(
      Array.from({ length: Math.min(100, events - i) }, (_, j) =>
        publishOk(t, { type: "order.created", data: { i: i + j } }),
      ),
    );
  await r.waitForRequests(200, 10_000);
  const db = t.db!;
  db.run("PRAGMA query_only = ON");
  let ticks = 0;
  const timer = setInterval(() => ticks++, 100);
  release();
  await Bun.sleep(3000);
  clearInterval(timer);
  say({ phase: "ticks", ticks, requests: r.requests.length });
  db.run("PRAGMA query_only = OFF");
  for (let i = 0; i < 100; i++) {
    await settle(t);
    const left = db
      .query<{ n: number }, []>("SELECT count(*) AS n FROM deliveries WHERE status != 'delivered'")
      .get()!.n;
    if (left === 0) break;
    await Bun.sleep(100);
  }
  const left = db.query<{ n: number }, []>("SELECT count(*) AS n FROM deliveries WHERE status != 'delivered'").get()!.n;
  say({ phase: "recovered", undelivered: left, requests: r.requests.length });
  r.stop();
  await t.cleanup();
}

/** Runs the result-backlog child; returns its JSON lines, or what it printed before `timeoutMs` and a kill -9. */
export async function resultBacklogInChild(
  events: number,
  timeoutMs: number,
): Promise<{ lines: Record<string, any>[]; killed: boolean; stderr: string }> {
  const child = Bun.spawn([process.execPath, SELF, "result-backlog", String(events)], {
    stdout: "pipe",
    stderr: "pipe",
  });
  let killed = false;
  const timer = setTimeout(() => {
    killed = true;
    child.kill(9);
  }, timeoutMs);
  const [out, stderr] = await Promise.all([
    new Response(child.stdout).text(),
    new Response(child.stderr).text(),
    child.exited,
  ]);
  clearTimeout(timer);
  const lines = out
    .split("\n")
    .filter((l) => l.startsWith("{"))
    .map((l) => JSON.parse(l));
  return { lines, killed, stderr };
}

if (import.meta.main && process.argv[2] === "deliver-once") {
  await deliverMain(JSON.parse(process.argv[3]!));
  process.exit(0);
}
if (import.meta.main && process.argv[2] === "result-backlog") {
  await resultBacklogMain(Number(process.argv[3]));
  process.exit(0);
}
