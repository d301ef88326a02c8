// The command line: create-key writes a working scoped key into the database and prints it once; --help on every
// command; serve's one-line refusals (busy port, unusable database, missing config) that leave nothing behind.
import { describe, expect, it } from "bun:test";
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { buildTestApp } from "../helpers/app.ts";
import { json } from "../helpers/http.ts";
import { type TempDir, tempDir } from "../helpers/temp.ts";

const MAIN = new URL("../../src/main.ts", import.meta.url).pathname;

describe("hookgate create-key", () => {
  it("creates a scoped, tenant-bound key the gateway accepts", async () => {
    const dir = tempDir();
    try {
      writeFileSync(dir.file("c.yaml"), `storage: {path: ${dir.file("hookgate.db")}}\n`);
      const run = Bun.spawnSync(
        [
          process.execPath,
          MAIN,
          "create-key",
          "--config",
          dir.file("c.yaml"),
          "--name",
          "ci",
          "--scopes",
          "endpoints:read",
          "--tenant",
          "acme",
        ],
        { stdout: "pipe", stderr: "pipe" },
      );
      expect(run.exitCode).toBe(0);
      const out = JSON.parse(run.stdout.toString());
      expect(out).toMatchObject({ name: "ci", tenant_id: "acme", scopes: ["endpoints:read"] });
      expect(out.key).toMatch(/^hg_[A-Za-z0-9_-]{43}$/);
      const t = await buildTestApp({ dir });
      try {
        expect((await json(t.app, "GET", "/v1/endpoints", { key: out.key })).status).toBe(200);
        expect(
          (
            await json(t.app, "POST", "/v1/endpoints", {
              key: out.key,
              body: { url: "https://a.example.com", events: ["*"] },
            })
          ).status,
        ).toBe(403);
      } finally {
        await t.cleanup();
      }
    } finally {
      dir.cleanup();
    }
  });

  it("refuses the admin scope and unknown scopes with exit code 2", () => {
    const dir = tempDir();
    try {
      writeFileSync(dir.file("c.yaml"), `storage: {path: ${dir.file("hookgate.db")}}\n`);
      const run = Bun.spawnSync(
        [process.execPath, MAIN, "create-key", "--config", dir.file("c.yaml"), "--name", "x", "--scopes", "admin,nope"],
        { stdout: "pipe", stderr: "pipe" },
      );
      expect(run.exitCode).toBe(2);
      expect(run.stderr.toString()).toContain("not grantable scope(s): admin, nope");
    } finally {
      dir.cleanup();
    }
  });
});

/** Runs `hookgate ARGS` in `cwd` (bounded by 15 s) with a clean environment plus `env`. */
function hookgate(args: string[], cwd: string, env: Record<string, string> = {}) {
  const run = Bun.spawnSync([process.execPath, MAIN, ...args], {
    cwd,
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "/tmp", ...env },
    stdout: "pipe",
    stderr: "pipe",
    timeout: 15_000,
  });
  return { code: run.exitCode, stdout: run.stdout.toString(), stderr: run.stderr.toString() };
}

const ADMIN = { HOOKGATE_ADMIN_KEY: "cli-test-admin-key-0123456789" };

/** The files and directories in `dir`, sorted. */
const filesIn = (dir: string) => readdirSync(dir).sort();

describe("hookgate <command> --help", () => {
  for (const command of [
    "serve",
    "migrate",
    "check-config",
    "create-key",
    "backup",
    "copy-store",
    "export",
    "version",
  ]) {
    it(`${command} --help prints its usage, exits 0 and creates nothing`, () => {
      const dir = tempDir();
      try {
        const run = hookgate([command, "--help"], dir.path, ADMIN);
        expect(run.code).toBe(0);
        expect(run.stdout).toStartWith(`Usage: hookgate ${command}`);
        expect(filesIn(dir.path)).toEqual([]);
      } finally {
        dir.cleanup();
      }
    });
  }

  it("documents check-config --dev", () => {
    const dir = tempDir();
    try {
      expect(hookgate(["--help"], dir.path).stdout).toContain("hookgate check-config FILE [--dev]");
      expect(hookgate(["check-config", "-h"], dir.path).stdout).toContain("--dev");
    } finally {
      dir.cleanup();
    }
  });
});

describe("hookgate check-config --dev", () => {
  it("accepts an http loopback endpoint that plain check-config refuses", () => {
    const dir = tempDir();
    try {
      writeFileSync(
        dir.file("c.yaml"),
        "endpoints:\n  - {id: local, url: http://127.0.0.1:9000/hooks, events: ['*'], secret: local-secret-0123456789}\n",
      );
      expect(hookgate(["check-config", "c.yaml"], dir.path).code).toBe(2);
      const dev = hookgate(["check-config", "c.yaml", "--dev"], dir.path);
      expect(dev.stdout).toBe("c.yaml: ok (1 endpoint(s), 0 event type(s))\n");
      expect(dev.code).toBe(0);
    } finally {
      dir.cleanup();
    }
  });
});

describe("hookgate serve refuses in one line, before creating anything", () => {
  const config = (dir: TempDir, port: number, storage = "data/hookgate.db") =>
    writeFileSync(
      dir.file("c.yaml"),
      `server: {host: 127.0.0.1, port: ${port}}\nstorage: {path: ${storage}}\nsigning: {ed25519_key_file: data/ed25519.key}\n`,
    );
  const oneLine = (stderr: string) => stderr.trimEnd().split("\n");

  it("when the port is in use", () => {
    const dir = tempDir();
    const busy = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: () => new Response("taken") });
    try {
      config(dir, busy.port!);
      const run = hookgate(["serve", "--config", "c.yaml"], dir.path, ADMIN);
      expect(run.code).toBe(1);
      expect(oneLine(run.stderr)).toEqual([
        `hookgate: cannot listen on 127.0.0.1:${busy.port} (server.host, server.port): the port is already in use; stop the other process or choose another port`,
      ]);
      expect(filesIn(dir.path)).toEqual(["c.yaml"]);
    } finally {
      busy.stop(true);
      dir.cleanup();
    }
  });

  it("when the database file is not a SQLite database, naming its path and leaving it as it was", () => {
    const dir = tempDir();
    try {
      config(dir, 0, "notes.txt");
      writeFileSync(dir.file("notes.txt"), "not a database, just notes\n");
      const run = hookgate(["serve", "--config", "c.yaml"], dir.path, ADMIN);
      expect(run.code).toBe(1);
      expect(oneLine(run.stderr)).toEqual([
        "hookgate: cannot open notes.txt (storage.path): it is not a SQLite database",
      ]);
      expect(filesIn(dir.path)).toEqual(["c.yaml", "notes.txt"]);
      expect(readFileSync(dir.file("notes.txt"), "utf8")).toBe("not a database, just notes\n");
    } finally {
      dir.cleanup();
    }
  });

  it("when the database cannot be created (a file stands where its directory should be)", () => {
    const dir = tempDir();
    try {
      config(dir, 0, "blocker/hookgate.db");
      writeFileSync(dir.file("blocker"), "a file, not a directory\n");
      const run = hookgate(["serve", "--config", "c.yaml"], dir.path, ADMIN);
      expect(run.code).toBe(1);
      expect(oneLine(run.stderr)).toEqual([
        `hookgate: cannot create blocker/hookgate.db (storage.path): ${dir.file("blocker")} is not a directory`,
      ]);
      expect(filesIn(dir.path)).toEqual(["blocker", "c.yaml"]);
    } finally {
      dir.cleanup();
    }
  });

  it("when the config file is missing", () => {
    const dir = tempDir();
    try {
      const run = hookgate(["serve", "--config", "missing.yaml"], dir.path, ADMIN);
      expect(run.code).toBe(2);
      expect(oneLine(run.stderr)).toEqual(["hookgate: config file missing.yaml does not exist"]);
      expect(filesIn(dir.path)).toEqual([]);
    } finally {
      dir.cleanup();
    }
  });
});
