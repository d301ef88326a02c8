// The master key: from HOOKGATE_MASTER_KEY or a 0600 file beside the database; a mismatching key refuses to start.
import { afterEach, beforeEach, describe, expect, it } from "bun:test";
import { randomBytes } from "node:crypto";
import { chmodSync, existsSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { StartupError } from "../../src/gateway.ts";
import { loadMasterKey, MasterKeyError, masterKeyPath, parseMasterKey } from "../../src/store/index.ts";
import { buildTestApp } from "../helpers/app.ts";
import { type TempDir, tempDir } from "../helpers/temp.ts";

const KEY = new Uint8Array(randomBytes(32));
const HEX = Buffer.from(KEY).toString("hex");
const BASE64 = Buffer.from(KEY).toString("base64");

describe("store: master key", () => {
  let dir: TempDir;
  let db: string;
  beforeEach(() => {
    dir = tempDir();
    db = dir.file("data", "hookgate.db");
  });
  afterEach(() => dir.cleanup());

  describe("parsing", () => {
    it("reads 64 hex characters", () => {
      expect(parseMasterKey(HEX)).toEqual(KEY);
      expect(parseMasterKey(HEX.toUpperCase())).toEqual(KEY);
    });

    it("reads base64, ignoring surrounding whitespace", () => {
      expect(parseMasterKey(` ${BASE64}\n`)).toEqual(KEY);
    });

    it("refuses a key that is not 32 bytes", () => {
      expect(() => parseMasterKey(HEX.slice(2))).toThrow(MasterKeyError);
      expect(() => parseMasterKey(Buffer.from(randomBytes(16)).toString("base64"))).toThrow(
        "the master key must be 32 bytes, written as 64 hex characters or base64",
      );
      expect(() => parseMasterKey(Buffer.from(randomBytes(48)).toString("base64"))).toThrow(MasterKeyError);
      expect(() => parseMasterKey("")).toThrow(MasterKeyError);
    });
  });

  describe("from HOOKGATE_MASTER_KEY", () => {
    it("uses the variable and creates no key file", () => {
      expect(loadMasterKey(db, HEX)).toEqual({ key: KEY, source: "HOOKGATE_MASTER_KEY" });
      expect(loadMasterKey(db, BASE64).key).toEqual(KEY);
      expect(existsSync(masterKeyPath(db))).toBe(false);
    });

    it("refuses a variable of the wrong length", () => {
      expect(() => loadMasterKey(db, "c2hvcnQ=")).toThrow(MasterKeyError);
    });

    it("falls back to the key file when the variable is empty", () => {
      expect(loadMasterKey(db, "  ").source).toBe(masterKeyPath(db));
    });
  });

  describe("from the key file", () => {
    it("lives beside the database", () => {
      expect(masterKeyPath(db)).toBe(dir.file("data", "master.key"));
    });

    it("is created 0600 with 32 random bytes on first start", () => {
      const { key, source } = loadMasterKey(db, undefined);
      expect(source).toBe(masterKeyPath(db));
      expect(statSync(source).mode & 0o777).toBe(0o600);
      expect(key.byteLength).toBe(32);
      expect(parseMasterKey(readFileSync(source, "utf8"))).toEqual(key);
    });

    it("is reused on the next start", () => {
      const first = loadMasterKey(db, undefined);
      const second = loadMasterKey(db, undefined);
      expect(second.key).toEqual(first.key);
    });

    it("gives different keys to different databases", () => {
      const other = dir.file("other", "hookgate.db");
      expect(loadMasterKey(other, undefined).key).not.toEqual(loadMasterKey(db, undefined).key);
    });

    it("refuses a file readable by other users", () => {
      const { source } = loadMasterKey(db, undefined);
      chmodSync(source, 0o644);
      expect(() => loadMasterKey(db, undefined)).toThrow(
        `${source} is readable by other users (mode 644); run: chmod 600 ${source}`,
      );
    });

    it("refuses a file that does not hold a 32-byte key", () => {
      const path = masterKeyPath(db);
      loadMasterKey(db, undefined);
      writeFileSync(path, "not a key\n", { mode: 0o600 });
      expect(() => loadMasterKey(db, undefined)).toThrow(MasterKeyError);
    });
  });

  describe("at startup", () => {
    it("starts again with the key the database was created with", async () => {
      const first = await buildTestApp({ dir, env: { HOOKGATE_MASTER_KEY: HEX } });
      await first.cleanup();
      const second = await buildTestApp({ dir, env: { HOOKGATE_MASTER_KEY: BASE64 } });
      expect(await second.store.ping()).toBe(true);
      await second.cleanup();
    });

    it("refuses to start with a different master key", async () => {
      const first = await buildTestApp({ dir, env: { HOOKGATE_MASTER_KEY: HEX } });
      await first.cleanup();
      const other = Buffer.from(randomBytes(32)).toString("hex");
      let error: unknown;
      try {
        const t = await buildTestApp({ dir, env: { HOOKGATE_MASTER_KEY: other } });
        await t.cleanup();
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(StartupError);
      expect((error as Error).message).toBe(
        "the master key from HOOKGATE_MASTER_KEY does not match the one this database was created with; refusing to start (secrets would be unreadable)",
      );
    });

    it("refuses to start when the key file was replaced", async () => {
      const first = await buildTestApp({ dir });
      await first.cleanup();
      writeFileSync(dir.file("master.key"), `${BASE64}\n`, { mode: 0o600 });
      await expect(buildTestApp({ dir })).rejects.toThrow(StartupError);
    });
  });
});

describe("master key availability", () => {
  it("does not create a new key file for a database whose secrets need the old key", async () => {
    const { buildTestApp } = await import("../helpers/app.ts");
    const { tempDir } = await import("../helpers/temp.ts");
    const { existsSync } = await import("node:fs");
    const dir = tempDir();
    try {
      const key = Buffer.alloc(32, 7).toString("base64");
      const first = await buildTestApp({ dir, env: { HOOKGATE_MASTER_KEY: key } });
      await first.cleanup();
      await expect(buildTestApp({ dir, env: {} })).rejects.toThrow(/master key that is not available/);
      expect(existsSync(dir.file("master.key"))).toBe(false);
    } finally {
      dir.cleanup();
    }
  });
});
