// Opening the database: pragmas, embedded migrations on new and existing files, and refusing a newer schema.

import { Database } from "bun:sqlite";
import { afterEach, beforeEach, describe, expect, it } from "bun:test";
import { existsSync } from "node:fs";
import {
  LATEST_VERSION,
  openDatabase,
  openSqliteStore,
  SchemaTooNewError,
  schemaVersion,
} from "../../src/store/index.ts";
import { MIGRATIONS } from "../../src/store/sqlite/migrations.ts";
import { type TempDir, tempDir } from "../helpers/temp.ts";

const TABLES = [
  "api_keys",
  "attempts",
  "deliveries",
  "endpoints",
  "event_types",
  "events",
  "meta",
  "schema_migrations",
];

const tablesOf = (db: Database) =>
  db
    .query<{ name: string }, []>(
      "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name",
    )
    .all()
    .map((r) => r.name);

const migrationRows = (db: Database) =>
  db
    .query<{ version: number; name: string; applied_at: number }, []>(
      "SELECT version, name, applied_at FROM schema_migrations ORDER BY version",
    )
    .all();

describe("store: opening the database", () => {
  let dir: TempDir;
  let path: string;
  beforeEach(() => {
    dir = tempDir();
    path = dir.file("hookgate.db");
  });
  afterEach(() => dir.cleanup());

  describe("on an empty database", () => {
    it("creates the file and its directory", () => {
      const nested = dir.file("a", "b", "hookgate.db");
      openDatabase({ path: nested, synchronous: "normal" }).close();
      expect(existsSync(nested)).toBe(true);
    });

    it("creates every table", () => {
      const db = openDatabase({ path, synchronous: "normal" });
      expect(tablesOf(db)).toEqual(TABLES);
      db.close();
    });

    it("records every migration in schema_migrations", () => {
      const before = Date.now();
      const db = openDatabase({ path, synchronous: "normal" });
      const rows = migrationRows(db);
      expect(rows.map((r) => [r.version, r.name])).toEqual(MIGRATIONS.map((m) => [m.version, m.name]));
      for (const r of rows) expect(r.applied_at).toBeGreaterThanOrEqual(before);
      expect(schemaVersion(db)).toBe(LATEST_VERSION);
      db.close();
    });

    it("makes every table STRICT", () => {
      const db = openDatabase({ path, synchronous: "normal" });
      const rows = db
        .query<{ name: string; sql: string }, []>(
          "SELECT name, sql FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'",
        )
        .all();
      for (const r of rows)
        expect({ table: r.name, strict: /\)\s*STRICT(\s*,\s*WITHOUT ROWID)?\s*$/i.test(r.sql) }).toEqual({
          table: r.name,
          strict: true,
        });
      expect(() =>
        db.run("INSERT INTO event_types (name, source, created_at) VALUES ('a', 'api', 'yesterday')"),
      ).toThrow(/cannot store TEXT value in INTEGER column/);
      db.close();
    });
  });

  describe("pragmas", () => {
    it("uses WAL mode with foreign keys on", () => {
      const db = openDatabase({ path, synchronous: "normal" });
      expect(db.query<{ journal_mode: string }, []>("PRAGMA journal_mode").get()?.journal_mode).toBe("wal");
      expect(db.query<{ foreign_keys: number }, []>("PRAGMA foreign_keys").get()?.foreign_keys).toBe(1);
      expect(db.query<{ synchronous: number }, []>("PRAGMA synchronous").get()?.synchronous).toBe(1);
      db.close();
    });

    it("uses synchronous=FULL when configured", () => {
      const db = openDatabase({ path, synchronous: "full" });
      expect(db.query<{ synchronous: number }, []>("PRAGMA synchronous").get()?.synchronous).toBe(2);
      db.close();
    });

    it("enforces foreign keys", () => {
      const db = openDatabase({ path, synchronous: "normal" });
      expect(() =>
        db.run(
          "INSERT INTO deliveries (id, event_id, endpoint_id, tenant_id, status, created_at) VALUES ('dlv_1', 'evt_missing', NULL, 'default', 'pending', 0)",
        ),
      ).toThrow(/FOREIGN KEY/);
      db.close();
    });
  });

  describe("on an existing database", () => {
    it("is a no-op and keeps the data", () => {
      const first = openDatabase({ path, synchronous: "normal" });
      first.run("INSERT INTO meta (key, value) VALUES ('hello', 'world')");
      const rowsBefore = migrationRows(first);
      first.close();

      const again = openDatabase({ path, synchronous: "normal" });
      expect(migrationRows(again)).toEqual(rowsBefore);
      expect(tablesOf(again)).toEqual(TABLES);
      expect(again.query<{ value: string }, []>("SELECT value FROM meta WHERE key = 'hello'").get()?.value).toBe(
        "world",
      );
      again.close();
    });

    it("applies a migration in one transaction: a failing one leaves nothing behind", () => {
      const raw = new Database(path, { create: true });
      raw.run("CREATE TABLE api_keys (id TEXT PRIMARY KEY)"); // collides with migration 1
      raw.close();
      expect(() => openDatabase({ path, synchronous: "normal" })).toThrow(/api_keys/);
      const check = new Database(path);
      expect(tablesOf(check)).toEqual(["api_keys", "schema_migrations"]);
      expect(migrationRows(check)).toEqual([]);
      check.close();
    });
  });

  describe("on a database newer than this hookgate", () => {
    const makeNewer = (version: number) => {
      const db = openDatabase({ path, synchronous: "normal" });
      db.run("INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, 'from the future', 0)", [version]);
      db.close();
    };

    it("refuses to open it with a clear message", () => {
      makeNewer(999);
      let error: unknown;
      try {
        openDatabase({ path, synchronous: "normal" });
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(SchemaTooNewError);
      expect((error as Error).message).toBe(
        `the database schema is version 999, newer than this hookgate knows (${LATEST_VERSION}); run a newer hookgate or restore a backup`,
      );
    });

    it("leaves the database untouched and closed", () => {
      makeNewer(999);
      expect(() => openSqliteStore({ path, synchronous: "normal" })).toThrow(SchemaTooNewError);
      const db = new Database(path);
      expect(migrationRows(db).map((r) => r.version)).toEqual([...MIGRATIONS.map((m) => m.version), 999]);
      db.close();
    });
  });

  describe("the store", () => {
    it("answers ping and closes cleanly", async () => {
      const store = openSqliteStore({ path, synchronous: "normal" });
      expect(await store.ping()).toBe(true);
      await store.putMeta("k", "v1");
      await store.putMeta("k", "v2");
      expect(await store.getMeta("k")).toBe("v2");
      expect(await store.getMeta("missing")).toBeNull();
      await store.close();
      expect(existsSync(`${path}-wal`) ? Bun.file(`${path}-wal`).size : 0).toBe(0);
    });
  });
});

describe("store: first start", () => {
  it("starts on a database path whose directory does not exist yet", async () => {
    const { buildTestApp } = await import("../helpers/app.ts");
    const { tempDir } = await import("../helpers/temp.ts");
    const dir = tempDir();
    try {
      const t = await buildTestApp({ dir, config: { storage: { path: dir.file("nested", "deeper", "hookgate.db") } } });
      await t.cleanup();
    } finally {
      dir.cleanup();
    }
  });
});
