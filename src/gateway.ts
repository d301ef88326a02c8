// Assembles a running gateway from a loaded config: store → engine → HTTP. cli/serve.ts calls it;
// e2e tests call it too (with an injected clock), so they run the same composition as production.
import { readFileSync } from "node:fs";
import { withAccessLog } from "./api/access-log.ts";
import { Authenticator } from "./api/auth.ts";
import { type App, createApp } from "./app.ts";
import { type Config, ConfigError, loadConfig } from "./config/index.ts";
import { watchConfigFile } from "./config/watch.ts";
import { EgressRoutes } from "./delivery/egress.ts";
import { DeliveryEngine } from "./delivery/engine.ts";
import { Ingest } from "./delivery/ingest.ts";
import { OAuth2Tokens } from "./delivery/oauth2.ts";
import { OperationalEvents } from "./delivery/operational-events.ts";
import { Retention } from "./delivery/retention.ts";
import { type Resolver, systemResolver } from "./delivery/ssrf-guard.ts";
import { EventCatalog } from "./endpoints/catalog.ts";
import { EndpointRegistry } from "./endpoints/registry.ts";
import { endpointRules } from "./endpoints/rules.ts";
import { followCluster } from "./gateway-cluster.ts";
import { masterKeyFor, signerFor } from "./gateway-keys.ts";
import { openConfiguredStore } from "./gateway-store.ts";
import { type Clock, systemClock } from "./lib/clock.ts";
import { parseDuration } from "./lib/duration.ts";
import type { Logger } from "./lib/logger.ts";
import { VERSION } from "./lib/version.ts";
import { configureSandbox, sandbox } from "./routing/sandbox.ts";
import type { Ed25519Signer } from "./signing/ed25519.ts";
import type { Store } from "./store/index.ts";

export { StartupError } from "./gateway-keys.ts";

export interface GatewayOptions {
  logger: Logger;
  clock?: Clock;
  env?: Record<string, string | undefined>;
  /** Listen on config.server (default true); false builds everything but the socket (tests use app.handle). */
  listen?: boolean;
  /** Watch config.file and reconcile on change (default true when there is a file). */
  watch?: boolean;
  /** DNS for the SSRF guard (tests inject one to simulate rebinding). */
  resolver?: Resolver;
  /**
   * A store opened by the caller (tests that inject storage faults through their own handle); by default the
   * gateway opens the one `config.storage` names. The gateway closes it on stop either way.
   */
  store?: Store;
}

export interface Gateway {
  app: App;
  store: Store;
  registry: EndpointRegistry;
  catalog: EventCatalog;
  engine: DeliveryEngine;
  ingest: Ingest;
  tokens: OAuth2Tokens;
  /** Operational events (`_system`); tests flush them. */
  ops: OperationalEvents;
  retention: Retention;
  /** The bound URL when listening, e.g. http://127.0.0.1:8080 */
  url: string | null;
  /** Re-reads the config file and reconciles endpoints and event types (SIGHUP); false when the file is invalid. */
  reload(): Promise<boolean>;
  /** Stops accepting, lets in-flight work finish (bounded), closes the store. */
  stop(): Promise<void>;
}

/** Settings that only take effect at start; a reload that changes them logs a warning. */
const RESTART_ONLY = [
  "server",
  "storage",
  "auth",
  "security",
  "signing",
  "delivery",
  "retention",
  "metrics",
  "console",
  "log",
] as const;

export async function startGateway(config: Config, options: GatewayOptions): Promise<Gateway> {
  const { logger } = options;
  const clock = options.clock ?? systemClock;
  const env = options.env ?? process.env;
  const opened = options.store
    ? { store: options.store, release() {} }
    : await openConfiguredStore(config, { exclusive: true, logger });
  const { store } = opened;
  const lock = () => opened.release();
  const cluster = store.cluster;
  let masterKey: Uint8Array;
  let signer: Ed25519Signer;
  try {
    masterKey = await masterKeyFor(store, config, env.HOOKGATE_MASTER_KEY);
    signer = await signerFor(store, config, masterKey);
  } catch (e) {
    await store.close();
    lock();
    throw e;
  }
  // Tenant code (JSONata, schema validation) runs in worker threads; start them now, bounded by the body limit.
  configureSandbox({ maxBytes: config.server.max_body_bytes * 4 });
  sandbox().warm();
  const catalog = new EventCatalog(store, clock);
  await catalog.load();
  const rules = endpointRules(config, () => catalog.names());
  const registry = new EndpointRegistry(store, masterKey, rules, clock, logger);
  await registry.load();
  const ops = new OperationalEvents({ logger, endpoint: (id) => registry.get(id) });
  registry.onChange = (before, after) => ops.endpointChanged(before, after);

  // Replicas: every change made elsewhere reaches this registry and catalog, and reconcile runs one replica at a
  // time over what the store holds now, so replicas starting together with one file do not trip over each other.
  const following = cluster ? followCluster(cluster, { registry, catalog, logger }) : null;
  const reconcileAlone = <T>(fn: () => Promise<T>) =>
    cluster
      ? cluster.exclusively("reconcile", async () => {
          await catalog.load();
          await registry.load();
          return fn();
        })
      : fn();

  const applyDeclarations = (next: Config) => reconcileAlone(() => reconcileDeclarations(next));
  const reconcileDeclarations = async (next: Config) => {
    const types = await catalog.reconcile(next.event_types);
    const endpoints = await registry.reconcile(next.endpoints);
    if (
      types.upserted + types.removed + endpoints.created.length + endpoints.updated.length + endpoints.removed.length >
      0
    ) {
      logger.info("config reconciled", {
        event_types_upserted: types.upserted,
        event_types_removed: types.removed,
        ...endpoints,
      });
    }
  };
  try {
    await applyDeclarations(config);
  } catch (e) {
    following?.stop();
    await store.close();
    lock();
    throw e;
  }

  let current = config;
  const reloadText = async (text: string): Promise<boolean> => {
    let next: Config;
    try {
      next = loadConfig(text, { file: config.file, dev: config.dev, env });
    } catch (e) {
      if (!(e instanceof ConfigError)) throw e;
      for (const problem of e.problems)
        logger.error("config reload rejected; the previous config stays in force", { problem });
      return false;
    }
    for (const key of RESTART_ONLY) {
      if (JSON.stringify(next[key]) !== JSON.stringify(current[key]))
        logger.warn("config change needs a restart to take effect", { section: key });
    }
    await applyDeclarations(next);
    current = { ...current, event_types: next.event_types, endpoints: next.endpoints };
    return true;
  };
  const reload = async () => {
    if (!config.file) return true;
    let text: string;
    try {
      text = readFileSync(config.file, "utf8");
    } catch (e) {
      logger.error("config reload rejected; the previous config stays in force", {
        file: config.file,
        error: (e as Error).message,
      });
      return false;
    }
    return reloadText(text);
  };
  const stopWatching =
    config.file && options.watch !== false
      ? watchConfigFile(
          config.file,
          (text) => void reloadText(text).catch((e) => logger.error("config reload failed", { error: e })),
        )
      : null;

  const userAgent = `hookgate/${VERSION}`;
  const guard = { policy: registry.rules.address, resolve: options.resolver ?? systemResolver };
  const d = config.delivery;
  const egress = new EgressRoutes({ proxies: d.proxies, defaultProxy: d.default_proxy });
  const tokens = new OAuth2Tokens(clock, userAgent, guard, egress);
  const engine = new DeliveryEngine({
    store,
    registry,
    clock,
    logger,
    signer,
    userAgent,
    authHeaders: tokens.headersFor,
    guard,
    egress,
    operational: ops,
    concurrency: d.concurrency,
    perEndpointConcurrency: d.per_endpoint_concurrency,
    circuitBreaker: {
      failures: d.circuit_breaker.failures,
      cooldownMs: parseDuration(d.circuit_breaker.cooldown)!,
    },
    leaseMs: d.lease_seconds * 1000,
    cluster,
    policy: {
      scheduleMs: d.retry_schedule.map((s) => parseDuration(s)!),
      jitter: d.jitter,
      disableAfterMs: parseDuration(d.disable_after)!,
      disableAfter: d.disable_after,
      timeoutMs: d.timeout_ms,
    },
  });
  const ingest = new Ingest({ store, registry, catalog, engine, clock, defaultTimeoutMs: d.timeout_ms });
  ops.attach((cmd) => ingest.publish(cmd));
  const retention = new Retention(store, config.retention.days, clock, logger);
  following?.engine(engine);
  await engine.start();
  retention.start();

  const auth = new Authenticator(config.auth.admin_keys, store, clock);
  const app = createApp({
    config,
    store,
    auth,
    catalog,
    registry,
    engine,
    ingest,
    signer,
    clock,
    logger,
    version: VERSION,
    isReady: () => engine.isRunning,
  });
  let server: ReturnType<typeof Bun.serve> | null = null;
  if (options.listen !== false) {
    const handle = withAccessLog((r) => app.handle(r), logger);
    server = Bun.serve({
      hostname: config.server.host,
      port: config.server.port,
      // Bun's own cap answers with an empty 413; keep it far above the limit so our parser (which refuses a
      // declared length up front and cuts chunked bodies at the limit) answers in the API's error shape.
      maxRequestBodySize: Math.max(64 * 1024 * 1024, config.server.max_body_bytes * 4),
      idleTimeout: 60,
      fetch: handle,
    });
  }
  const url = server
    ? `http://${server.hostname?.includes(":") ? `[${server.hostname}]` : server.hostname}:${server.port}`
    : null;
  return {
    app,
    store,
    registry,
    catalog,
    engine,
    ingest,
    tokens,
    ops,
    retention,
    url,
    reload,
    async stop() {
      stopWatching?.();
      retention.stop();
      // Stop accepting first, then let in-flight attempts finish (bounded by the attempt timeout).
      const closing = server ? server.stop(false) : Promise.resolve();
      await ops.stop();
      await engine.stop(config.delivery.timeout_ms + 1000);
      // Connections that stay open (keep-alive, or a body we refused without reading) are closed after a bound.
      await Promise.race([closing, Bun.sleep(2000)]);
      if (server) await server.stop(true);
      following?.stop();
      await store.close();
      lock();
    },
  };
}
