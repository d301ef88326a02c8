// A gateway on PostgreSQL: the keys every replica must share (master key from the environment or a key file, the
// Ed25519 key sealed in the database), readiness that follows the database, and `hookgate migrate`.
import { afterEach, beforeEach, describe, expect, it } from "bun:test";
import { randomBytes } from "node:crypto";
import { writeFileSync } from "node:fs";
import { StartupError } from "../../src/gateway.ts";
import { generateEd25519SecretKey, signerFromSecretKey } from "../../src/signing/ed25519.ts";
import { MasterKeyError } from "../../src/store/index.ts";
import { PG_LATEST_VERSION, PG_MIGRATIONS } from "../../src/store/postgres/migrations.ts";
import { buildTestApp, type TestApp } from "../helpers/app.ts";
import { json } from "../helpers/http.ts";
import { createTestDatabase, PG_AVAILABLE, pgRows, type TestDatabase } from "../helpers/postgres.ts";
import { type TempDir, tempDir } from "../helpers/temp.ts";

const MAIN = new URL("../../src/main.ts", import.meta.url).pathname;
const masterKey = () => randomBytes(32).toString("base64");

describe.skipIf(!PG_AVAILABLE)("gateway on PostgreSQL", () => {
  let db: TestDatabase;
  let dir: TempDir;
  const apps: TestApp[] = [];
  beforeEach(async () => {
    db = await createTestDatabase();
    dir = tempDir();
  });
  afterEach(async () => {
    for (const app of apps.splice(0)) await app.cleanup();
    await db.drop();
    dir.cleanup();
  });
  const start = async (
    env: Record<string, string | undefined>,
    over: { keyFile?: string; masterKeyFile?: string } = {},
  ) => {
    const app = await buildTestApp({
      dir,
      env,
      config: {
        storage: { url: db.url, pool_size: 3 },
        security: { master_key_file: over.masterKeyFile ?? "" },
        signing: { ed25519_key_file: over.keyFile ?? dir.file("no-such-ed25519.key") },
      },
    });
    apps.push(app);
    return app;
  };

  describe("the master key", () => {
    it("is required from HOOKGATE_MASTER_KEY or security.master_key_file, and no key file is created", async () => {
      const started = start({});
      await expect(started).rejects.toBeInstanceOf(MasterKeyError);
      await expect(started).rejects.toThrow("PostgreSQL storage needs the master key from HOOKGATE_MASTER_KEY");
      const path = dir.file("master.key");
      writeFileSync(path, `${masterKey()}\n`, { mode: 0o600 });
      await start({}, { masterKeyFile: path });
    });

    it("must be the one the database was created with", async () => {
      const key = masterKey();
      const first = await start({ HOOKGATE_MASTER_KEY: key });
      await first.cleanup();
      const refused = start({ HOOKGATE_MASTER_KEY: masterKey() });
      await expect(refused).rejects.toBeInstanceOf(StartupError);
      await expect(refused).rejects.toThrow("does not match the one this database was created with");
      await start({ HOOKGATE_MASTER_KEY: key });
    });
  });

  describe("the Ed25519 key", () => {
    it("is kept in the database, so every replica publishes and signs with the same key", async () => {
      const env = { HOOKGATE_MASTER_KEY: masterKey() };
      const [one, two] = [await start(env), await start(env)];
      const keyOf = async (t: TestApp) => (await json(t.app, "GET", "/v1/public-key")).body.data.public_key;
      expect(await keyOf(one)).toBe(await keyOf(two));
      const [row] = await pgRows<{ value: string }>(db.url, "SELECT value FROM meta WHERE key = 'ed25519_key'");
      expect(row!.value.startsWith("v1.")).toBe(true);
      expect(row!.value).not.toContain("whsk_");
    });

    it("is imported from signing.ed25519_key_file on the first start, and a different file is refused", async () => {
      const env = { HOOKGATE_MASTER_KEY: masterKey() };
      const file = dir.file("ed25519.key");
      const secret = generateEd25519SecretKey();
      writeFileSync(file, `${secret}\n`, { mode: 0o600 });
      const first = await start(env, { keyFile: file });
      const published = (await json(first.app, "GET", "/v1/public-key")).body.data.key_id;
      expect(published).toBe(signerFromSecretKey(secret).keyId);
      const other = dir.file("other.key");
      writeFileSync(other, `${generateEd25519SecretKey()}\n`, { mode: 0o600 });
      const refused = start(env, { keyFile: other });
      await expect(refused).rejects.toThrow("differs from the one the database holds");
      const again = await start(env, { keyFile: file });
      expect((await json(again.app, "GET", "/v1/public-key")).body.data.key_id).toBe(published);
    });
  });

  it("answers /readyz 503 when the database goes away", async () => {
    const t = await start({ HOOKGATE_MASTER_KEY: masterKey() });
    expect((await json(t.app, "GET", "/readyz")).status).toBe(200);
    await db.drop();
    const res = await json(t.app, "GET", "/readyz");
    expect(res.status).toBe(503);
    expect(res.body).toEqual({ status: "store_unavailable" });
  });

  it("migrates with `hookgate migrate` without a master key, and again finds nothing to do", async () => {
    const config = dir.file("hookgate.yaml");
    writeFileSync(config, `storage: {url: "${db.url}"}\n`);
    const run = () =>
      Bun.spawnSync([process.execPath, MAIN, "migrate", "--config", config], {
        env: { ...process.env, HOOKGATE_MASTER_KEY: "", HOOKGATE_ADMIN_KEY: "" },
      });
    const first = run();
    expect(first.stderr.toString()).toBe("");
    expect(first.exitCode).toBe(0);
    const all = PG_MIGRATIONS.map((m) => m.version);
    expect(first.stdout.toString()).toContain(`schema version ${PG_LATEST_VERSION} (applied ${all.join(", ")})`);
    expect(first.stdout.toString()).not.toContain("postgres://postgres:");
    expect(run().stdout.toString()).toContain(`schema version ${PG_LATEST_VERSION} (up to date)`);
  });
});
