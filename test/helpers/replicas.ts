// hookgate replicas as real processes on one PostgreSQL database, for the multi-replica tests: each replica gets
// its own port and config file, the same master key and admin key, and is stopped (or killed) by its PID.
import { randomBytes } from "node:crypto";
import { writeFileSync } from "node:fs";
import type { Subprocess } from "bun";
import { freePort, stopProcess, waitForHttp } from "./process.ts";
import type { TempDir } from "./temp.ts";

export const REPLICA_ADMIN_KEY = "replica-test-admin-key-0123456789";
const MAIN = new URL("../../src/main.ts", import.meta.url).pathname;

export interface Replica {
  name: string;
  url: string;
  /** Rewrites this replica's config file with other extra YAML lines (the replica reloads it on change). */
  rewrite(yaml: string[]): void;
  proc: Subprocess;
  /** What the replica logged so far (its stderr, kept in a file). */
  log(): Promise<string>;
  /** SIGTERM, then SIGKILL after a bound. */
  stop(): Promise<number | null>;
  /** kill -9. */
  kill(): Promise<void>;
}

/** Settings shared by the replicas of one test (one database, one master key). */
export interface ReplicaSet {
  databaseUrl: string;
  masterKey: string;
  dir: TempDir;
  /** Extra YAML lines for every replica (e.g. a short delivery.lease_seconds). */
  yaml?: string[];
}

export function replicaSet(databaseUrl: string, dir: TempDir, yaml: string[] = []): ReplicaSet {
  return { databaseUrl, dir, yaml, masterKey: randomBytes(32).toString("base64") };
}

/** Starts one replica and resolves once /readyz answers 200. */
export async function startReplica(set: ReplicaSet, name: string): Promise<Replica> {
  const port = freePort();
  const config = set.dir.file(`${name}.yaml`);
  const write = (yaml: string[]) =>
    writeFileSync(
      config,
      [
        `server: {host: 127.0.0.1, port: ${port}}`,
        `storage: {url: "${set.databaseUrl}", pool_size: 4}`,
        `signing: {ed25519_key_file: ${set.dir.file(`${name}-ed25519.key`)}}`,
        "security: {allow_http: true, allow_private_networks: true}",
        "log: {level: warn}",
        ...yaml,
      ].join("\n"),
    );
  write(set.yaml ?? []);
  const proc = Bun.spawn([process.execPath, MAIN, "serve", "--config", config], {
    cwd: set.dir.path,
    env: { ...process.env, HOOKGATE_ADMIN_KEY: REPLICA_ADMIN_KEY, HOOKGATE_MASTER_KEY: set.masterKey },
    stdout: Bun.file(set.dir.file(`${name}.log`)),
    stderr: Bun.file(set.dir.file(`${name}.log`)),
  });
  const url = `http://127.0.0.1:${port}`;
  const log = () => Bun.file(set.dir.file(`${name}.log`)).text();
  try {
    await waitForHttp(`${url}/readyz`, { timeoutMs: 20_000 });
  } catch (e) {
    proc.kill("SIGKILL");
    await proc.exited;
    throw new Error(`replica ${name} did not become ready: ${(e as Error).message}\n${await log()}`);
  }
  return {
    name,
    url,
    rewrite: write,
    proc,
    log,
    stop: () => stopProcess(proc, 15_000),
    async kill() {
      proc.kill("SIGKILL");
      await proc.exited;
    },
  };
}

/** Calls the replica's API with the admin key; returns status and parsed body. */
export async function call(
  replica: Pick<Replica, "url">,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: any; headers: Headers }> {
  const res = await fetch(`${replica.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${REPLICA_ADMIN_KEY}`, "content-type": "application/json", ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(10_000),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null, headers: res.headers };
}
