// The compiled executable copied alone into an empty directory: it starts, serves /healthz and /docs, and stops.
// Runs only when dist/hookgate exists (`npm run build`; .ci/run builds it before the tests).
import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { chmodSync, copyFileSync, existsSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { openDatabase } from "../../src/store/index.ts";
import { TEST_ADMIN_KEY } from "../helpers/config.ts";
import { freePort, stopProcess, streamText, waitForHttp } from "../helpers/process.ts";
import { startReceiver } from "../helpers/receiver.ts";
import { type TempDir, tempDir } from "../helpers/temp.ts";

const BINARY = new URL("../../dist/hookgate", import.meta.url).pathname;
const hasBinary = existsSync(BINARY);
if (!hasBinary) console.warn(`binary: skipped, ${BINARY} does not exist (run npm run build first)`);

/** A directory holding nothing but a copy of the binary. */
function binaryAlone(): TempDir & { exe: string } {
  const dir = tempDir("hookgate-bin-");
  const exe = dir.file("hookgate");
  copyFileSync(BINARY, exe);
  chmodSync(exe, 0o755);
  return Object.assign(dir, { exe });
}

/** Runs the binary to completion (bounded) in `cwd`; returns exit code and output. */
async function run(exe: string, args: string[], cwd: string, env: Record<string, string> = {}) {
  const proc = Bun.spawn([exe, ...args], {
    cwd,
    env: { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: cwd, ...env },
    stdout: "pipe",
    stderr: "pipe",
  });
  const timer = setTimeout(() => proc.kill("SIGKILL"), 15_000);
  const [stdout, stderr, code] = await Promise.all([streamText(proc.stdout), streamText(proc.stderr), proc.exited]);
  clearTimeout(timer);
  return { code, stdout, stderr };
}

describe.skipIf(!hasBinary)("the compiled binary", () => {
  let bin: ReturnType<typeof binaryAlone>;
  let conf: TempDir;
  beforeAll(() => {
    bin = binaryAlone();
    conf = tempDir("hookgate-conf-");
  });
  afterAll(() => {
    bin?.cleanup();
    conf?.cleanup();
  });

  it("prints its version", async () => {
    const pkg = await Bun.file(new URL("../../package.json", import.meta.url)).json();
    const { code, stdout } = await run(bin.exe, ["version"], bin.path);
    expect(code).toBe(0);
    expect(stdout).toBe(`hookgate ${pkg.version}\n`);
  });

  it("serves /healthz and /docs from an empty directory, then stops on SIGTERM", async () => {
    const port = freePort();
    const config = conf.file("serve.yaml");
    writeFileSync(config, `server:\n  host: 127.0.0.1\n  port: ${port}\n`);
    const proc = Bun.spawn([bin.exe, "serve", "--config", config], {
      cwd: bin.path,
      env: { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: bin.path, HOOKGATE_ADMIN_KEY: TEST_ADMIN_KEY },
      stdout: "pipe",
      stderr: "pipe",
    });
    const stdout = streamText(proc.stdout);
    const stderr = streamText(proc.stderr);
    const base = `http://127.0.0.1:${port}`;
    try {
      const started = await Promise.race([
        waitForHttp(`${base}/healthz`, { timeoutMs: 10_000 }),
        proc.exited.then(async (code) => {
          throw new Error(`hookgate exited with ${code} before serving: ${await stderr}`);
        }),
      ]);
      expect(await started.json()).toEqual({ status: "ok" });

      const page = await fetch(`${base}/docs`);
      expect(page.status).toBe(200);
      expect(await page.text()).toContain("/docs/assets/swagger-ui-bundle.js");

      const doc = await fetch(`${base}/docs/json`);
      expect(doc.status).toBe(200);
      const body = (await doc.json()) as { openapi: string; paths: Record<string, unknown> };
      expect(body.openapi).toMatch(/^3\./);
      expect(Object.keys(body.paths).some((p) => p.startsWith("/v1/api-keys"))).toBe(true);

      const bundle = await fetch(`${base}/docs/assets/swagger-ui-bundle.js`);
      expect(bundle.status).toBe(200);
      expect(bundle.headers.get("content-type")).toStartWith("text/javascript");
      expect((await bundle.text()).length).toBeGreaterThan(100_000);

      const keys = await fetch(`${base}/v1/api-keys`, { headers: { authorization: `Bearer ${TEST_ADMIN_KEY}` } });
      expect(keys.status).toBe(200);
      expect((await fetch(`${base}/v1/api-keys`)).status).toBe(401);

      expect(existsSync(bin.file("data", "hookgate.db"))).toBe(true);
      expect(statSync(bin.file("data", "master.key")).mode & 0o777).toBe(0o600);
    } finally {
      const code = await stopProcess(proc);
      expect(code).toBe(0);
    }
    const lines = (await stdout)
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(lines.find((l) => l.msg === "hookgate started")).toMatchObject({ level: "info", url: base });
    expect(lines.at(-1)).toMatchObject({ msg: "stopped" });
    expect(await stdout).not.toContain(TEST_ADMIN_KEY);
  });

  it("runs tenant JSONata (filter, transform) in the sandbox workers it carries, from an empty directory", async () => {
    const alone = binaryAlone();
    const receiver = startReceiver();
    const port = freePort();
    const config = conf.file("sandbox.yaml");
    writeFileSync(
      config,
      `server:\n  host: 127.0.0.1\n  port: ${port}\nsecurity:\n  allow_http: true\n  allow_private_networks: true\n`,
    );
    const proc = Bun.spawn([alone.exe, "serve", "--config", config], {
      cwd: alone.path,
      env: { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: alone.path, HOOKGATE_ADMIN_KEY: TEST_ADMIN_KEY },
      stdout: "pipe",
      stderr: "pipe",
    });
    const stderr = streamText(proc.stderr);
    const base = `http://127.0.0.1:${port}`;
    const call = (path: string, body: unknown) =>
      fetch(`${base}${path}`, {
        method: "POST",
        headers: { authorization: `Bearer ${TEST_ADMIN_KEY}`, "content-type": "application/json" },
        body: JSON.stringify(body),
      });
    try {
      await Promise.race([
        waitForHttp(`${base}/healthz`, { timeoutMs: 10_000 }),
        proc.exited.then(async (code) => {
          throw new Error(`hookgate exited with ${code} before serving: ${await stderr}`);
        }),
      ]);
      const endpoint = await call("/v1/endpoints", {
        url: `${receiver.url}/hook`,
        events: ["order.created"],
        filter: { expression: "$contains(data.sku, /^A-\\d+$/)" },
        transform: '{"sku": $uppercase(data.sku)}',
      });
      expect(endpoint.status).toBe(201);
      // A dry run through the same workers until they answer: their start-up (JIT warm-up) is not what this
      // test is about, and on a busy machine it could push a first evaluation past the 25 ms filter bound.
      const { id } = (await endpoint.json()).data;
      const until = Date.now() + 15_000;
      for (;;) {
        const preview = await call(`/v1/endpoints/${id}/preview`, { type: "order.created", data: { sku: "A-1" } });
        if ((await preview.json()).data?.matched === true || Date.now() > until) break;
        await Bun.sleep(100);
      }
      expect((await call("/v1/events", { type: "order.created", data: { sku: "B-1" } })).status).toBe(202);
      expect((await call("/v1/events", { type: "order.created", data: { sku: "a-7" } })).status).toBe(202);
      expect((await call("/v1/events", { type: "order.created", data: { sku: "A-42" } })).status).toBe(202);
      const [received] = await receiver.waitForRequests(1, 10_000);
      expect(received!.text).toBe('{"sku":"A-42"}');
      await Bun.sleep(200);
      expect(receiver.requests).toHaveLength(1);
    } finally {
      receiver.stop();
      expect(await stopProcess(proc)).toBe(0);
      alone.cleanup();
    }
  }, 30_000);

  it("check-config exits 2 on a bad file, naming the line, and creates nothing", async () => {
    const alone = binaryAlone();
    try {
      const bad = conf.file("bad.yaml");
      writeFileSync(bad, "server:\n  port: 8080\n  prot: 1\nstorage:\n  synchronous: sometimes\n");
      const { code, stdout, stderr } = await run(alone.exe, ["check-config", bad], alone.path);
      expect(code).toBe(2);
      expect(stdout).toBe("");
      expect(stderr).toContain(`${bad}:3 server.prot: unknown key`);
      expect(stderr).toContain(`${bad}:5 storage.synchronous: must be one of normal, full; got "sometimes"`);
      expect(stderr).toContain("2 problems");
      expect(readdirSync(alone.path)).toEqual(["hookgate"]);
    } finally {
      alone.cleanup();
    }
  });

  it("check-config exits 0 on a good file", async () => {
    const good = conf.file("good.yaml");
    writeFileSync(good, "server:\n  port: 8080\nevent_types:\n  - name: run.completed\n");
    const { code, stdout } = await run(bin.exe, ["check-config", good], bin.path);
    expect(code).toBe(0);
    expect(stdout).toBe(`${good}: ok (0 endpoint(s), 1 event type(s))\n`);
  });

  it("refuses to serve without an admin key, before touching the database", async () => {
    const alone = binaryAlone();
    try {
      const { code, stderr } = await run(alone.exe, ["serve"], alone.path);
      expect(code).toBe(2);
      expect(stderr).toContain("no admin key is configured");
      expect(readdirSync(alone.path)).toEqual(["hookgate"]);
    } finally {
      alone.cleanup();
    }
  });

  it("refuses a database with a newer schema, with a clear message", async () => {
    const alone = binaryAlone();
    try {
      const db = openDatabase({ path: alone.file("data", "hookgate.db"), synchronous: "normal" });
      db.run("INSERT INTO schema_migrations (version, name, applied_at) VALUES (999, 'future', 0)");
      db.close();
      const config = conf.file("newer.yaml");
      writeFileSync(config, `server:\n  host: 127.0.0.1\n  port: ${freePort()}\n`);
      const { code, stderr } = await run(alone.exe, ["serve", "--config", config], alone.path, {
        HOOKGATE_ADMIN_KEY: TEST_ADMIN_KEY,
      });
      expect(code).toBe(1);
      expect(stderr).toContain("hookgate: the database schema is version 999, newer than this hookgate knows");
    } finally {
      alone.cleanup();
    }
  });
});
