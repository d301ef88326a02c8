// Benchmark processes: the receiver and the gateway run as separate processes on 127.0.0.1, stopped by PID.
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Subprocess } from "bun";

const ROOT = new URL("../..", import.meta.url).pathname;
export const ADMIN_KEY = "bench-admin-key-0123456789abcdef";

export interface Proc {
  proc: Subprocess;
  pid: number;
  /** CPU seconds (user + system) used so far. */
  cpuSeconds(): number;
  /** Peak resident memory (VmHWM) in MiB. */
  peakRssMiB(): number;
  rssMiB(): number;
  stop(): Promise<void>;
}

function statusField(pid: number, field: string): number {
  try {
    const m = new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return m ? Number(m[1]) / 1024 : 0;
  } catch {
    return 0;
  }
}

/** utime + stime of a process, in seconds (clock ticks are 100 Hz on Linux). */
export function cpuSecondsOf(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return 0;
  }
}

/** CPU seconds of each thread of `pid` by thread name (e.g. bun's HTTP client, GC helpers, workers). */
export function threadCpuOf(pid: number): Record<string, number> {
  const out: Record<string, number> = {};
  try {
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, "utf8");
      const name = stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")"));
      const fields = stat.slice(stat.lastIndexOf(") ") + 2).split(" ");
      out[name] = (out[name] ?? 0) + (Number(fields[11]) + Number(fields[12])) / 100;
    }
  } catch {
    // the process is gone
  }
  return out;
}

export function wrapProcess(proc: Subprocess): Proc {
  return {
    proc,
    pid: proc.pid,
    cpuSeconds: () => cpuSecondsOf(proc.pid),
    peakRssMiB: () => statusField(proc.pid, "VmHWM"),
    rssMiB: () => statusField(proc.pid, "VmRSS"),
    async stop() {
      if (proc.exitCode !== null || proc.signalCode !== null) return;
      process.kill(proc.pid, "SIGTERM");
      const timer = setTimeout(() => {
        try {
          process.kill(proc.pid, "SIGKILL");
        } catch {}
      }, 15_000);
      await proc.exited;
      clearTimeout(timer);
    },
  };
}

async function firstLine(stream: ReadableStream<Uint8Array>): Promise<string> {
  const reader = stream.getReader();
  let text = "";
  const dec = new TextDecoder();
  while (!text.includes("\n")) {
    const { done, value } = await reader.read();
    if (done) break;
    text += dec.decode(value);
  }
  reader.releaseLock();
  return text.split("\n")[0]!;
}

export async function startReceiver(): Promise<Proc & { url: string }> {
  const proc = Bun.spawn([process.execPath, join(ROOT, "bench/lib/receiver.ts")], {
    stdout: "pipe",
    stderr: "inherit",
  });
  const { port } = JSON.parse(await firstLine(proc.stdout as ReadableStream<Uint8Array>));
  return { ...wrapProcess(proc), url: `http://127.0.0.1:${port}` };
}

/** `count` TCP listeners that accept connections and never answer (bench/lib/black-hole.ts). */
export async function startBlackHoles(count: number): Promise<Proc & { urls: string[] }> {
  const proc = Bun.spawn([process.execPath, join(ROOT, "bench/lib/black-hole.ts"), String(count)], {
    stdout: "pipe",
    stderr: "inherit",
  });
  const { ports } = JSON.parse(await firstLine(proc.stdout as ReadableStream<Uint8Array>)) as { ports: number[] };
  return { ...wrapProcess(proc), urls: ports.map((p) => `http://127.0.0.1:${p}`) };
}

export interface GatewayOptions {
  /** Extra YAML lines appended to the generated config. */
  yaml?: string[];
  /** Reuse this data directory (restart tests); otherwise a new temp dir. */
  dir?: string;
  /** Use the compiled binary at dist/hookgate instead of `bun src/main.ts`. */
  binary?: boolean;
  /** Store in this PostgreSQL database instead of SQLite (replicas: the same URL and masterKey for each). */
  postgres?: { url: string; masterKey: string; poolSize?: number };
}

export async function freePort(): Promise<number> {
  const s = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: () => new Response() });
  const p = s.port!;
  s.stop(true);
  return p;
}

/** Starts a gateway and resolves once /readyz answers; `readyMs` is the time that took. */
export async function startGateway(
  options: GatewayOptions = {},
): Promise<Proc & { url: string; dir: string; readyMs: number; cleanup(): void }> {
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), "hookgate-bench-"));
  const port = await freePort();
  const config = join(dir, "hookgate.yaml");
  writeFileSync(
    config,
    [
      `server: {host: 127.0.0.1, port: ${port}}`,
      options.postgres
        ? `storage: {url: "${options.postgres.url}", pool_size: ${options.postgres.poolSize ?? 10}}`
        : `storage: {path: ${join(dir, "hookgate.db")}}`,
      `signing: {ed25519_key_file: ${join(dir, "ed25519.key")}}`,
      "security: {allow_http: true, allow_private_networks: true}",
      "log: {level: warn}",
      ...(options.yaml ?? []),
    ].join("\n"),
  );
  const prof = process.env.BENCH_CPU_PROF ? ["--cpu-prof-md", `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : [];
  const cmd = options.binary
    ? [join(ROOT, "dist/hookgate"), "serve", "--config", config]
    : [process.execPath, ...prof, join(ROOT, "src/main.ts"), "serve", "--config", config];
  const started = performance.now();
  const proc = Bun.spawn(cmd, {
    cwd: dir,
    env: {
      ...process.env,
      HOOKGATE_ADMIN_KEY: ADMIN_KEY,
      // Experiments: BENCH_GATEWAY_ENV="BUN_JSC_useFTLJIT=0,…" sets variables for the gateway process only.
      ...Object.fromEntries(
        (process.env.BENCH_GATEWAY_ENV ?? "")
          .split(",")
          .filter(Boolean)
          .map((kv) => [kv.slice(0, kv.indexOf("=")), kv.slice(kv.indexOf("=") + 1)]),
      ),
      ...(options.postgres ? { HOOKGATE_MASTER_KEY: options.postgres.masterKey } : {}),
    },
    stdout: "ignore",
    stderr: "inherit",
  });
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 120_000;
  for (;;) {
    try {
      const r = await fetch(`${url}/readyz`);
      if (r.status === 200) break;
    } catch {}
    if (Date.now() > deadline || proc.exitCode !== null) throw new Error("gateway did not become ready");
    await Bun.sleep(5);
  }
  const readyMs = performance.now() - started;
  return { ...wrapProcess(proc), url, dir, readyMs, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export async function api(url: string, method: string, path: string, body?: unknown): Promise<any> {
  const r = await fetch(`${url}${path}`, {
    method,
    headers: { authorization: `Bearer ${ADMIN_KEY}`, "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await r.text();
  if (r.status >= 300) throw new Error(`${method} ${path} → ${r.status}: ${text}`);
  return text ? JSON.parse(text) : null;
}
