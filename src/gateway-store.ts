// Opens the store a config names — SQLite at storage.path (one process, guarded by a lock file) or PostgreSQL at
// storage.url (any number of replicas) — the same way for `serve`, `migrate` and `create-key`.
import type { Config } from "./config/index.ts";
import type { Logger } from "./lib/logger.ts";
import {
  acquireInstanceLock,
  describePostgresUrl,
  migratePostgresDatabase,
  migrateSqliteFile,
  openPostgresStore,
  openServingSqliteStore,
  PG_LATEST_VERSION,
  refuseInterruptedCopy,
  type Store,
} from "./store/index.ts";

export interface OpenedStore {
  store: Store;
  /** Releases what opening took besides the store (the SQLite instance lock); call after store.close(). */
  release(): void;
}

/** Where the store lives, for logs and messages (a PostgreSQL URL without its password). */
export function describeStorage(config: Config): string {
  return config.storage.url ? describePostgresUrl(config.storage.url) : config.storage.path;
}

/**
 * Opens (and migrates) the configured store. `exclusive`: take the SQLite instance lock (serve); create-key skips it
 * so that it works beside a running gateway. A store that an interrupted copy-store left incomplete is refused.
 */
export async function openConfiguredStore(
  config: Config,
  options: { exclusive: boolean; logger?: Logger },
): Promise<OpenedStore> {
  const opened = await openStore(config, options);
  try {
    await refuseInterruptedCopy(opened.store, describeStorage(config));
  } catch (e) {
    await opened.store.close();
    opened.release();
    throw e;
  }
  return opened;
}

async function openStore(config: Config, options: { exclusive: boolean; logger?: Logger }): Promise<OpenedStore> {
  const { storage } = config;
  if (storage.url) {
    const logger = options.logger;
    const store = await openPostgresStore({
      url: storage.url,
      poolSize: storage.pool_size,
      onError: (what, error) => logger?.error(`cluster: ${what} failed`, { error }),
    });
    return { store, release() {} };
  }
  const lock = options.exclusive ? acquireInstanceLock(storage.path) : { release() {} };
  try {
    return {
      store: await openServingSqliteStore({ path: storage.path, synchronous: storage.synchronous }, (message) =>
        options.logger?.error("background checkpoints failed; the serving connection checkpoints instead", {
          error: message,
        }),
      ),
      release: () => lock.release(),
    };
  } catch (e) {
    lock.release();
    throw e;
  }
}

/** Brings the configured store's schema up to date (the `migrate` command): the versions applied and the current one. */
export async function migrateConfiguredStore(config: Config): Promise<{ applied: number[]; version: number }> {
  const { storage } = config;
  if (storage.url) {
    const { applied } = await migratePostgresDatabase(storage.url);
    return { applied, version: PG_LATEST_VERSION };
  }
  const lock = acquireInstanceLock(storage.path);
  try {
    return migrateSqliteFile(storage.path, storage.synchronous);
  } finally {
    lock.release();
  }
}
