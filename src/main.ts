#!/usr/bin/env bun
// The hookgate command line: serve | check-config | create-key | version. The composition root.
import { existsSync, readFileSync } from "node:fs";
import { loadConfig, ConfigError, type Config } from "./config/index.ts";
import { createLogger } from "./lib/logger.ts";
import { VERSION } from "./lib/version.ts";
import { generateApiKey } from "./api/auth.ts";
import { startGateway, StartupError } from "./gateway.ts";
import { checkFilter } from "./routing/filter.ts";
import { checkTransform } from "./routing/transform.ts";
import { InstanceLockedError, MasterKeyError, SchemaTooNewError } from "./store/index.ts";

const USAGE = `hookgate ${VERSION} — self-hosted webhook gateway

Usage:
  hookgate serve [--config FILE] [--dev]   run the gateway (config also from HOOKGATE_CONFIG)
  hookgate check-config FILE               validate a config file and exit (0 ok, 2 invalid)
  hookgate version                         print the version

--dev allows http:// and private addresses and, when no admin key is configured,
generates one and prints it once. Without --dev an admin key is required.`;

/** Exit codes: 0 ok, 1 runtime failure, 2 bad usage or configuration. */
function fail(message: string, code = 2): never {
  process.stderr.write(`hookgate: ${message}\n`);
  process.exit(code);
}

function parseArgs(argv: string[]) {
  const positional: string[] = [];
  const flags: Record<string, string | true> = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === "--dev" || a === "--help" || a === "-h") flags[a.replace(/^-+/, "")] = true;
    else if (a === "--config") {
      const v = argv[++i];
      if (!v) fail("--config needs a file path");
      flags.config = v;
    } else if (a.startsWith("--config=")) flags.config = a.slice("--config=".length);
    else if (a.startsWith("-")) fail(`unknown option ${a}\n\n${USAGE}`);
    else positional.push(a);
  }
  return { positional, flags };
}

/** Reads and validates the config, or exits 2 listing every problem. Never touches the database. */
function readConfig(file: string | null, dev: boolean): Config {
  let text = "";
  if (file !== null) {
    if (!existsSync(file)) fail(`config file ${file} does not exist`);
    text = readFileSync(file, "utf8");
  }
  try {
    return loadConfig(text, { file, dev, env: process.env, checkFilter, checkTransform });
  } catch (e) {
    if (e instanceof ConfigError) fail(`invalid configuration (${e.problems.length} problem${e.problems.length === 1 ? "" : "s"}):\n  ${e.problems.join("\n  ")}`);
    throw e;
  }
}

async function serve(flags: Record<string, string | true>) {
  const dev = flags.dev === true;
  const file = typeof flags.config === "string" ? flags.config : process.env.HOOKGATE_CONFIG || null;
  let config = readConfig(file, dev);
  const logger = createLogger({ level: config.log.level });
  if (config.auth.admin_keys.length === 0) {
    if (!dev) fail("no admin key is configured (auth.admin_keys); set HOOKGATE_ADMIN_KEY or add one to the config file. Refusing to start an unauthenticated management API.");
    const key = generateApiKey();
    config = { ...config, auth: { ...config.auth, admin_keys: [key] } };
    process.stderr.write(`\n  hookgate --dev: generated admin key (shown once, valid until restart):\n\n    ${key}\n\n`);
  }
  let gateway;
  try {
    gateway = await startGateway(config, { logger });
  } catch (e) {
    if (e instanceof StartupError || e instanceof MasterKeyError || e instanceof SchemaTooNewError || e instanceof InstanceLockedError) fail(e.message, 1);
    throw e;
  }
  logger.info("hookgate started", { version: VERSION, url: gateway.url, config: file ?? "(built-in defaults)", database: config.storage.path, dev });
  logger.flush();
  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info("shutting down", { signal });
    const hardStop = setTimeout(() => {
      logger.error("shutdown took too long; exiting");
      logger.flush();
      process.exit(1);
    }, config.delivery.timeout_ms + 5000);
    await gateway.stop();
    clearTimeout(hardStop);
    logger.info("stopped");
    logger.flush();
    process.exit(0);
  };
  process.on("SIGTERM", () => void shutdown("SIGTERM"));
  process.on("SIGINT", () => void shutdown("SIGINT"));
  process.on("SIGHUP", () => {
    logger.info("SIGHUP: reloading config", { config: file });
    void gateway.reload().catch((e) => logger.error("config reload failed", { error: e }));
  });
}

async function main() {
  const [command, ...rest] = process.argv.slice(2);
  const { positional, flags } = parseArgs(rest);
  switch (command) {
    case "serve":
      return serve(flags);
    case "check-config": {
      const file = positional[0] ?? (typeof flags.config === "string" ? flags.config : undefined);
      if (!file) fail("check-config needs a file: hookgate check-config hookgate.yaml");
      const config = readConfig(file, flags.dev === true);
      process.stdout.write(`${file}: ok (${config.endpoints.length} endpoint(s), ${config.event_types.length} event type(s))\n`);
      return;
    }
    case "version":
    case "--version":
      process.stdout.write(`hookgate ${VERSION}\n`);
      return;
    case undefined:
    case "help":
    case "--help":
    case "-h":
      process.stdout.write(`${USAGE}\n`);
      return;
    default:
      fail(`unknown command ${command}\n\n${USAGE}`);
  }
}

await main();
