// `hookgate backup`: an online copy of the SQLite store, taken by a separate process while a gateway goes on
// accepting events, that a fresh gateway opens with every event acknowledged before the backup began; PostgreSQL
// and an existing target are refused in one line.
import { afterEach, describe, expect, it } from "bun:test";
import { copyFileSync, existsSync, readFileSync, writeFileSync } from "node:fs";
import { buildTestApp, sqlRows, type TestApp } from "../helpers/app.ts";
import { runHookgate } from "../helpers/cli.ts";
import { createEndpoint } from "../helpers/delivery.ts";
import { json } from "../helpers/http.ts";
import { startReceiver } from "../helpers/receiver.ts";
import { type TempDir, tempDir } from "../helpers/temp.ts";

const EVENTS = 2000;
const CONCURRENCY = 16;

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** A config file for the CLI naming the test gateway's database and keys. */
function cliConfig(dir: TempDir, t: TestApp): string {
  const file = dir.file("hookgate.yaml");
  writeFileSync(
    file,
    `storage: {path: ${JSON.stringify(t.config.storage.path)}}\nsigning: {ed25519_key_file: ${JSON.stringify(t.config.signing.ed25519_key_file)}}\n`,
  );
  return file;
}

describe("hookgate backup", () => {
  it(`copies the store while ${EVENTS} events are being published; a fresh gateway on the copy has every event acknowledged before it began`, async () => {
    const receiver = startReceiver();
    cleanups.push(() => receiver.stop());
    const t = await buildTestApp({
      listen: true,
      config: { security: { allow_http: true, allow_private_networks: true }, log: { level: "error" } },
    });
    cleanups.push(() => t.cleanup());
    await createEndpoint(t, { url: `${receiver.url}/hooks` });
    const work = tempDir();
    cleanups.push(() => work.cleanup());
    const config = cliConfig(work, t);
    const copy = work.file("backups", "hookgate-copy.db");

    // Publishers ack events one by one; the backup starts once a quarter has been acknowledged and runs beside them.
    const acked: { id: string; at: number }[] = [];
    let next = 0;
    let backupStartedAt = Number.POSITIVE_INFINITY;
    let backup: ReturnType<typeof runHookgate> | null = null;
    const publisher = async () => {
      while (next < EVENTS) {
        const n = next++;
        const res = await fetch(`${t.url}/v1/events`, {
          method: "POST",
          headers: { authorization: `Bearer ${t.adminKey}`, "content-type": "application/json" },
          body: JSON.stringify({ type: "run.completed", data: { n } }),
        });
        const body = (await res.json()) as { data: { id: string } };
        expect(res.status).toBe(202);
        acked.push({ id: body.data.id, at: performance.now() });
        if (backup === null && acked.length >= EVENTS / 4) {
          backupStartedAt = performance.now();
          backup = runHookgate(["backup", "--config", config, "--to", copy], { cwd: work.path });
        }
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, publisher));
    const run = await backup!;
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    const lines = run.stdout.trimEnd().split("\n");
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(
      /^backup: \S+hookgate-copy\.db \(\d+\.\d (KiB|MiB), schema v\d+\) in \d+\.\d\d s; restoring it needs the same master key \(\S+master\.key\) and Ed25519 key file \(\S+ed25519\.key\)$/,
    );
    expect(existsSync(`${copy}.partial`)).toBe(false);
    expect(acked).toHaveLength(EVENTS);
    const before = acked.filter((a) => a.at < backupStartedAt).map((a) => a.id);
    expect(before.length).toBeGreaterThanOrEqual(EVENTS / 4);

    // Restore: a fresh gateway with storage.path at the copy, the same master key and the same Ed25519 key file.
    const publicKey = (await json(t.app, "GET", "/v1/public-key")).body.data;
    const restoreDir = tempDir();
    cleanups.push(() => restoreDir.cleanup());
    copyFileSync(t.config.signing.ed25519_key_file, restoreDir.file("ed25519.key"));
    const masterKey = readFileSync(t.dir.file("master.key"), "utf8").trim();
    await t.cleanup();
    const restored = await buildTestApp({
      dir: restoreDir,
      env: { HOOKGATE_MASTER_KEY: masterKey },
      config: { storage: { path: copy } },
    });
    cleanups.push(() => restored.cleanup());
    const held = new Set(sqlRows<{ id: string }>(restored, "SELECT id FROM events").map((r) => r.id));
    expect(before.filter((id) => !held.has(id))).toEqual([]);
    expect((await json(restored.app, "GET", `/v1/events/${before[0]}`, { key: restored.adminKey })).status).toBe(200);
    expect((await json(restored.app, "GET", "/v1/public-key")).body.data).toEqual(publicKey);
  }, 90_000);

  it("refuses a PostgreSQL store (exit 2), naming pg_dump", async () => {
    const dir = tempDir();
    cleanups.push(() => dir.cleanup());
    writeFileSync(dir.file("c.yaml"), 'storage: {url: "postgres://hookgate:secret-pw@db.internal:5432/hookgate"}\n');
    const run = await runHookgate(["backup", "--config", "c.yaml", "--to", "copy.db"], { cwd: dir.path });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("pg_dump");
    expect(run.stderr).toContain("postgres://hookgate@db.internal:5432/hookgate");
    expect(run.stderr).not.toContain("secret-pw");
    expect(existsSync(dir.file("copy.db"))).toBe(false);
  });

  it("refuses to overwrite an existing file (exit 1), leaving it as it was", async () => {
    const t = await buildTestApp();
    cleanups.push(() => t.cleanup());
    const dir = tempDir();
    cleanups.push(() => dir.cleanup());
    writeFileSync(dir.file("copy.db"), "yesterday's backup");
    const run = await runHookgate(["backup", "--config", cliConfig(dir, t), "--to", "copy.db"], { cwd: dir.path });
    expect(run.code).toBe(1);
    expect(run.stderr).toBe("hookgate: copy.db exists; choose a new file for the backup\n");
    expect(readFileSync(dir.file("copy.db"), "utf8")).toBe("yesterday's backup");
  });
});
