// `hookgate copy-store` as an operator runs it: SQLite → PostgreSQL → SQLite keeps endpoint ids, secrets (a receiver
// still verifies with the secret it had), rotation state, API keys, idempotency records and the public key, and
// delivers what was pending; a serving source, a non-empty target and an interrupted copy are refused.
import { afterEach, describe, expect, it } from "bun:test";
import { randomBytes } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { Webhook } from "standardwebhooks";
import { ManualClock } from "../../src/lib/clock.ts";
import { buildTestApp, createApiKey, type TestApp } from "../helpers/app.ts";
import { runHookgate } from "../helpers/cli.ts";
import { createEndpoint, deliveryConfig, getDelivery, publishOk, settle } from "../helpers/delivery.ts";
import { json } from "../helpers/http.ts";
import { createTestDatabase, PG_AVAILABLE, pgRows } from "../helpers/postgres.ts";
import { waitFor } from "../helpers/process.ts";
import { startReceiver } from "../helpers/receiver.ts";
import { type TempDir, tempDir } from "../helpers/temp.ts";

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});
const temp = () => {
  const dir = tempDir();
  cleanups.push(() => dir.cleanup());
  return dir;
};

/** A config file for the CLI: the Ed25519 key file of the SQLite side, and any extra lines. */
function cliConfig(dir: TempDir, name: string, keyFile: string, extra = ""): string {
  const file = dir.file(name);
  writeFileSync(file, `signing: {ed25519_key_file: ${JSON.stringify(keyFile)}}\n${extra}`);
  return file;
}

const headersOf = (h: Headers) => Object.fromEntries(h.entries());

describe.skipIf(!PG_AVAILABLE)("hookgate copy-store SQLite → PostgreSQL → SQLite", () => {
  it("keeps ids, secrets, keys and history, and the target delivers what was pending", async () => {
    const receiver = startReceiver();
    cleanups.push(() => receiver.stop());
    const dirA = temp();
    // The source gateway's clock stands still, so a failed attempt stays pending until a gateway on the copy runs.
    const a = await buildTestApp({
      dir: dirA,
      clock: new ManualClock(Date.now()),
      config: deliveryConfig({ delivery: { retry_schedule: ["1s"] } }),
    });
    cleanups.push(() => a.cleanup());
    const oldSecret = `whsec_${randomBytes(32).toString("base64")}`;
    const endpoint = await createEndpoint(a, { url: `${receiver.url}/orders`, secret: oldSecret });
    const rotate = await json(a.app, "POST", `/v1/endpoints/${endpoint.id}/rotate-secret`, {
      key: a.adminKey,
      body: {},
    });
    expect(rotate.status).toBe(200);
    const newSecret: string = rotate.body.data.secret;
    const readKey = await createApiKey(a, { scopes: ["events:read"] });
    const first = await publishOk(
      a,
      { type: "order.paid", data: { n: 1 } },
      { headers: { "Idempotency-Key": "order-1" } },
    );
    await settle(a);
    receiver.script({ status: 503 });
    const pending = await publishOk(a, { type: "order.paid", data: { n: 2 } });
    await settle(a);
    const waiting = await getDelivery(a, pending.deliveries[0].id);
    expect(waiting).toMatchObject({ status: "pending", attempts: 1 });
    expect(receiver.requests).toHaveLength(2);
    const publicKey = (await json(a.app, "GET", "/v1/public-key")).body.data;
    const endpointBefore = (await json(a.app, "GET", `/v1/endpoints/${endpoint.id}`, { key: a.adminKey })).body.data;
    const masterKey = readFileSync(dirA.file("master.key"), "utf8").trim();
    const hop1 = cliConfig(dirA, "hop1.yaml", a.config.signing.ed25519_key_file);

    // While the source gateway serves, its lock refuses the copy.
    const pg = await createTestDatabase();
    cleanups.push(() => pg.drop());
    const busy = await runHookgate(["copy-store", "--config", hop1, "--from", a.config.storage.path, "--to", pg.url], {
      cwd: dirA.path,
    });
    expect(busy.code).toBe(1);
    expect(busy.stderr).toBe(
      `hookgate: the source ${a.config.storage.path} is in use by a running hookgate (its lock ${a.config.storage.path}-lock is held); stop that gateway before copying\n`,
    );
    await a.cleanup();

    const toPg = await runHookgate(["copy-store", "--config", hop1, "--from", a.config.storage.path, "--to", pg.url], {
      cwd: dirA.path,
    });
    expect(toPg.stderr).toBe("");
    expect(toPg.code).toBe(0);
    expect(toPg.stdout).toStartWith(
      `copy-store: ${a.config.storage.path} → ${pg.url}: 0 event types, 1 endpoint, 1 API key, 2 events, 2 deliveries, 2 attempts in `,
    );
    expect(toPg.stdout).toContain(`use the key in ${dirA.file("master.key")}`);
    const [sealed] = await pgRows<{ value: string }>(pg.url, "SELECT value FROM meta WHERE key = 'ed25519_key'");
    expect(sealed!.value).toStartWith("v1.");
    expect(await pgRows(pg.url, "SELECT key FROM meta WHERE key = 'copy_in_progress'")).toEqual([]);

    const dirC = temp();
    const target = dirC.file("hookgate.db");
    const hop2 = cliConfig(dirC, "hop2.yaml", dirC.file("ed25519.key"));
    const env = { HOOKGATE_MASTER_KEY: masterKey };
    const toSqlite = await runHookgate(["copy-store", "--config", hop2, "--from", pg.url, "--to", target], {
      cwd: dirC.path,
      env,
    });
    expect(toSqlite.stderr).toBe("");
    expect(toSqlite.code).toBe(0);
    expect(toSqlite.stdout).toContain(`the Ed25519 key is written to ${dirC.file("ed25519.key")}`);
    const again = await runHookgate(["copy-store", "--config", hop2, "--from", pg.url, "--to", target], {
      cwd: dirC.path,
      env,
    });
    expect(again.code).toBe(1);
    expect(again.stderr).toStartWith(
      "hookgate: the target is not empty (it holds 1 meta entry, 1 endpoint, 1 API key, 2 events",
    );

    // A gateway on the final copy: same endpoint, same keys, and the pending delivery goes out, signed so that the
    // receiver's check with the secret it had before the rotation still passes.
    receiver.setDefault({ status: 200 });
    const c = await buildTestApp({ dir: dirC, env, config: deliveryConfig() });
    cleanups.push(() => c.cleanup());
    await receiver.waitForRequests(3, 10_000);
    const delivered = receiver.requests[2]!;
    expect(new Webhook(oldSecret).verify(delivered.text, headersOf(delivered.headers))).toMatchObject({
      type: "order.paid",
      data: { n: 2 },
    });
    expect(() => new Webhook(newSecret).verify(delivered.text, headersOf(delivered.headers))).not.toThrow();
    await waitFor(async () => (await getDelivery(c, waiting.id)).status === "delivered", { what: "the delivery" });
    expect((await getDelivery(c, waiting.id)).attempts).toBe(2);
    // The circuit's `since` is the gateway's own memory; everything stored is the same.
    const { circuit: _after, ...endpointAfter } = (
      await json(c.app, "GET", `/v1/endpoints/${endpoint.id}`, { key: c.adminKey })
    ).body.data;
    const { circuit: _before, ...stored } = endpointBefore;
    expect(endpointAfter).toEqual(stored);
    expect((await json(c.app, "GET", "/v1/public-key")).body.data).toEqual(publicKey);
    expect((await json(c.app, "GET", `/v1/events/${first.id}`, { key: readKey.key })).status).toBe(200);
    const replay = await json(c.app, "POST", "/v1/events", {
      key: c.adminKey,
      headers: { "Idempotency-Key": "order-1" },
      body: { type: "order.paid", data: { n: 1 } },
    });
    expect(replay.status).toBe(200);
    expect(replay.body.data.id).toBe(first.id);
  }, 60_000);

  it("refuses a SQLite source without its Ed25519 key file, before writing anything into the target", async () => {
    const dir = temp();
    const t = await buildTestApp({ dir });
    await t.cleanup();
    const pg = await createTestDatabase();
    cleanups.push(() => pg.drop());
    const config = cliConfig(dir, "c.yaml", dir.file("elsewhere.key"));
    const run = await runHookgate(["copy-store", "--config", config, "--from", t.config.storage.path, "--to", pg.url], {
      cwd: dir.path,
    });
    expect(run.code).toBe(1);
    expect(run.stderr).toStartWith(
      `hookgate: the Ed25519 key file ${dir.file("elsewhere.key")} (signing.ed25519_key_file) does not exist;`,
    );
    expect(await pgRows(pg.url, "SELECT key FROM meta")).toEqual([]);
  }, 30_000);

  it("refuses a PostgreSQL source that replicas are serving", async () => {
    const pg = await createTestDatabase();
    cleanups.push(() => pg.drop());
    const dir = temp();
    const masterKey = randomBytes(32).toString("base64");
    const replica: TestApp = await buildTestApp({
      dir,
      env: { HOOKGATE_MASTER_KEY: masterKey },
      config: { storage: { url: pg.url, pool_size: 2 } },
    });
    cleanups.push(() => replica.cleanup());
    const config = cliConfig(dir, "c.yaml", dir.file("ed25519.key"));
    const run = await runHookgate(["copy-store", "--config", config, "--from", pg.url, "--to", "copy.db"], {
      cwd: dir.path,
      env: { HOOKGATE_MASTER_KEY: masterKey },
    });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(
      /^hookgate: the source postgres:\/\/\S+ is in use by \d+ connection\(s\) of a running hookgate; stop every replica before copying\n$/,
    );
  }, 30_000);
});

describe("hookgate copy-store, interrupted", () => {
  it("leaves the target marked: serve and a second copy refuse it until the copy is run into an empty store", async () => {
    const dir = temp();
    const t = await buildTestApp({ dir });
    await createEndpoint(t, { url: "https://example.com/hooks" });
    await publishOk(t, { type: "order.paid", data: {} });
    await t.cleanup();
    const config = cliConfig(dir, "c.yaml", t.config.signing.ed25519_key_file);
    const target = dir.file("copy", "hookgate.db");
    // The target fails its first event write, as a full disk would (a trigger added after it was migrated).
    writeFileSync(dir.file("t.yaml"), `storage: {path: ${JSON.stringify(target)}}\n`);
    expect((await runHookgate(["migrate", "--config", "t.yaml"], { cwd: dir.path })).code).toBe(0);
    const { Database } = await import("bun:sqlite");
    const db = new Database(target);
    db.run(
      "CREATE TRIGGER full_disk BEFORE INSERT ON events BEGIN SELECT RAISE(FAIL, 'database or disk is full'); END",
    );
    db.close();
    const copy = () =>
      runHookgate(["copy-store", "--config", config, "--from", t.config.storage.path, "--to", target], {
        cwd: dir.path,
      });
    const stopped = await copy();
    expect(stopped.code).toBe(1);
    expect(stopped.stderr).toBe(
      "hookgate: the copy stopped: database or disk is full; the target is marked as an interrupted copy (rerun with --to an empty store)\n",
    );
    const fixed = new Database(target);
    fixed.run("DROP TRIGGER full_disk");
    fixed.close();
    const refused = await copy();
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(
      `hookgate: the target: it holds an interrupted copy-store (from ${t.config.storage.path} started `,
    );
    writeFileSync(
      dir.file("serve.yaml"),
      `server: {host: 127.0.0.1, port: 0}\nstorage: {path: ${JSON.stringify(target)}}\nsigning: {ed25519_key_file: ${JSON.stringify(dir.file("k"))}}\n`,
    );
    const serve = await runHookgate(["serve", "--config", "serve.yaml"], {
      cwd: dir.path,
      env: { HOOKGATE_ADMIN_KEY: "copy-test-admin-key-0123456789" },
      timeoutMs: 15_000,
    });
    expect(serve.code).toBe(1);
    expect(serve.stderr).toContain(`hookgate: ${target}: it holds an interrupted copy-store`);
    const fresh = await runHookgate(
      ["copy-store", "--config", config, "--from", t.config.storage.path, "--to", dir.file("fresh.db")],
      { cwd: dir.path },
    );
    expect(fresh.code).toBe(0);
  }, 30_000);
});
