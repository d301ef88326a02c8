// Assembles a running gateway from a loaded config: store → engine → HTTP. main.ts calls it for `serve`;
// e2e tests call it too (with an injected clock), so they run the same composition as production.
import { createApp, type App } from "./app.ts";
import { Authenticator } from "./api/auth.ts";
import { withAccessLog } from "./api/access-log.ts";
import type { Config } from "./config/index.ts";
import { systemClock, type Clock } from "./lib/clock.ts";
import type { Logger } from "./lib/logger.ts";
import { VERSION } from "./lib/version.ts";
import { loadMasterKey, openStore, type Store } from "./store/index.ts";
import { decrypt, DecryptError, encrypt } from "./signing/secrets.ts";

export interface GatewayOptions {
  logger: Logger;
  clock?: Clock;
  env?: Record<string, string | undefined>;
  /** Listen on config.server (default true); false builds everything but the socket (tests use app.handle). */
  listen?: boolean;
}

export interface Gateway {
  app: App;
  store: Store;
  /** The bound URL when listening, e.g. http://127.0.0.1:8080 */
  url: string | null;
  /** Stops accepting, lets in-flight work finish (bounded), closes the store. */
  stop(): Promise<void>;
}

export class StartupError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "StartupError";
  }
}

const KEY_CHECK = "master_key_check";

/** Refuses a master key that is not the one the database's secrets were written with. */
async function checkMasterKey(store: Store, key: Uint8Array, source: string): Promise<void> {
  const sealed = await store.getMeta(KEY_CHECK);
  if (sealed === null) return store.putMeta(KEY_CHECK, encrypt(key, "hookgate", KEY_CHECK));
  try {
    decrypt(key, sealed, KEY_CHECK);
  } catch (e) {
    if (e instanceof DecryptError) throw new StartupError(`the master key from ${source} does not match the one this database was created with; refusing to start (secrets would be unreadable)`);
    throw e;
  }
}

export async function startGateway(config: Config, options: GatewayOptions): Promise<Gateway> {
  const { logger } = options;
  const clock = options.clock ?? systemClock;
  const env = options.env ?? process.env;
  const master = loadMasterKey(config.storage.path, env.HOOKGATE_MASTER_KEY);
  const store = openStore({ path: config.storage.path, synchronous: config.storage.synchronous });
  try {
    await checkMasterKey(store, master.key, master.source);
  } catch (e) {
    await store.close();
    throw e;
  }
  const auth = new Authenticator(config.auth.admin_keys, store, clock);
  let ready = true;
  const app = createApp({ config, store, auth, clock, logger, version: VERSION, isReady: () => ready });
  let server: ReturnType<typeof Bun.serve> | null = null;
  if (options.listen !== false) {
    const handle = withAccessLog((r) => app.handle(r), logger);
    server = Bun.serve({
      hostname: config.server.host,
      port: config.server.port,
      maxRequestBodySize: config.server.max_body_bytes + 65_536,
      idleTimeout: 60,
      fetch: handle,
    });
  }
  const url = server ? `http://${server.hostname?.includes(":") ? `[${server.hostname}]` : server.hostname}:${server.port}` : null;
  return {
    app,
    store,
    url,
    async stop() {
      ready = false;
      if (server) await server.stop(false);
      await store.close();
    },
  };
}
