// A real gateway over a temp SQLite database, for API and e2e tests: the same composition as `serve`.
import { Database } from "bun:sqlite";
import type { Config } from "../../src/config/index.ts";
import type { Resolver } from "../../src/delivery/ssrf-guard.ts";
import { type Gateway, startGateway } from "../../src/gateway.ts";
import type { Clock } from "../../src/lib/clock.ts";
import { type Logger, memoryLogger } from "../../src/lib/logger.ts";
import { createSqliteStore, openDatabase } from "../../src/store/index.ts";
import { type ConfigOverrides, TEST_ADMIN_KEY, testConfig } from "./config.ts";
import { json } from "./http.ts";
import { type TempDir, tempDir } from "./temp.ts";

export interface TestAppOptions {
  /** Deep-merged over the test defaults; storage and key-file paths default into the temp dir. */
  config?: ConfigOverrides;
  /** Environment seen by the gateway (default `{}`: the master key file is created in the temp dir). */
  env?: Record<string, string | undefined>;
  clock?: Clock;
  /** Default: a memory logger, readable through `logger.lines`. */
  logger?: Logger & { lines?: string[] };
  /** Bind a real socket on 127.0.0.1 and a free port (default false: use `app.handle`). */
  listen?: boolean;
  /** Use this directory instead of a new one (e.g. to reopen a database); it is not removed by cleanup. */
  dir?: TempDir;
  /**
   * Open the SQLite database here and hand the gateway a store over it, keeping the connection as `db`, so a
   * test can inject faults on that very connection (a full disk, read-only).
   */
  ownDb?: boolean;
  /** DNS for the SSRF guard (e.g. to keep example.com deliveries on this machine). */
  resolver?: Resolver;
}

export interface TestApp {
  app: Gateway["app"];
  store: Gateway["store"];
  /** The connection the store uses, when the test opened it (`ownDb`). */
  db: Database | null;
  gateway: Gateway;
  config: Config;
  /** An admin key from the config (auth.admin_keys). */
  adminKey: string;
  dir: TempDir;
  logger: Logger & { lines?: string[] };
  /** http://127.0.0.1:<port> when `listen` was set, else null. */
  url: string | null;
  /** Stops the gateway and removes the temp dir (unless it was given). Safe to call twice. */
  cleanup(): Promise<void>;
}

/** Starts a gateway over a fresh temp database, without file watching. Always call `cleanup()`. */
export async function buildTestApp(options: TestAppOptions = {}): Promise<TestApp> {
  const ownDir = options.dir === undefined;
  const dir = options.dir ?? tempDir();
  const overrides = options.config ?? {};
  const config = testConfig({
    ...overrides,
    server: { ...(options.listen ? { host: "127.0.0.1", port: 0 } : {}), ...overrides.server },
    storage: { path: dir.file("hookgate.db"), ...overrides.storage },
    signing: { ed25519_key_file: dir.file("ed25519.key"), ...overrides.signing },
  });
  return launchTestGateway(config, {
    dir,
    ownDir,
    logger: options.logger,
    clock: options.clock,
    env: options.env,
    listen: options.listen,
    ownDb: options.ownDb,
    resolver: options.resolver,
  });
}

/**
 * Starts a gateway for `config` (paths already pointing into `dir`) and wraps it as a TestApp; removes `dir`
 * on failure and in cleanup() when `ownDir`. Shared by every helper that starts an in-process gateway.
 */
export async function launchTestGateway(
  config: Config,
  o: {
    dir: TempDir;
    ownDir: boolean;
    logger?: Logger & { lines?: string[] };
    clock?: Clock;
    env?: Record<string, string | undefined>;
    listen?: boolean;
    watch?: boolean;
    resolver?: Resolver;
    ownDb?: boolean;
  },
): Promise<TestApp> {
  const logger = o.logger ?? memoryLogger();
  let gateway: Gateway;
  let db: Database | null = null;
  try {
    if (o.ownDb) db = openDatabase({ path: config.storage.path, synchronous: config.storage.synchronous });
    gateway = await startGateway(config, {
      logger,
      clock: o.clock,
      env: o.env ?? {},
      listen: o.listen ?? false,
      watch: o.watch ?? false,
      resolver: o.resolver,
      store: db ? createSqliteStore(db) : undefined,
    });
  } catch (e) {
    db?.close();
    if (o.ownDir) o.dir.cleanup();
    throw e;
  }
  let stopped = false;
  return {
    app: gateway.app,
    store: gateway.store,
    db,
    gateway,
    config,
    adminKey: config.auth.admin_keys[0] ?? TEST_ADMIN_KEY,
    dir: o.dir,
    logger,
    url: gateway.url,
    async cleanup() {
      if (!stopped) {
        stopped = true;
        await gateway.stop();
      }
      if (o.ownDir) o.dir.cleanup();
    },
  };
}

export interface CreatedKey {
  id: string;
  key: string;
}

/** Creates an API key through `POST /v1/api-keys` with the admin key; throws unless the API answers 201. */
export async function createApiKey(
  t: Pick<TestApp, "app" | "adminKey">,
  body: { name?: string; scopes: string[]; tenant_id?: string; expires_at?: string },
): Promise<CreatedKey> {
  const res = await json(t.app, "POST", "/v1/api-keys", { key: t.adminKey, body: { name: "test key", ...body } });
  if (res.status !== 201) throw new Error(`creating an API key answered ${res.status}: ${res.text}`);
  return { id: res.body.data.id, key: res.body.data.key };
}

/**
 * Rows of a query over the gateway's SQLite file, read through a connection of the test's own (read-only; WAL
 * lets it see every committed write). Tests look at the file; they never reach into the store object.
 */
export function sqlRows<T = Record<string, unknown>>(t: Pick<TestApp, "config">, sql: string): T[] {
  const db = new Database(t.config.storage.path, { readonly: true });
  try {
    return db.query(sql).all() as T[];
  } finally {
    db.close();
  }
}

/** A count(*) (or any single number) from the gateway's SQLite file. */
export function sqlCount(t: Pick<TestApp, "config">, sql: string): number {
  const row = sqlRows<Record<string, number>>(t, sql)[0]!;
  return Object.values(row)[0]!;
}
