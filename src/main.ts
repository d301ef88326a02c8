#!/usr/bin/env bun
// The hookgate command line: serve | migrate | check-config | create-key | version. The composition root.
import { existsSync, readFileSync } from "node:fs";
import { generateApiKey, issueApiKey } from "./api/auth.ts";
import { fileProblem, listenProblem, openErrorReason } from "./cli-preflight.ts";
import { COMMAND_HELP, USAGE } from "./cli-usage.ts";
import { type Config, ConfigError, loadConfig } from "./config/index.ts";
import { TENANT_ID, TENANT_ID_RULE } from "./endpoints/spec.ts";
import { type Gateway, StartupError, startGateway } from "./gateway.ts";
import { describeStorage, migrateConfiguredStore, openConfiguredStore } from "./gateway-store.ts";
import { createLogger } from "./lib/logger.ts";
import { VERSION } from "./lib/version.ts";
import {
  InstanceLockedError,
  MasterKeyError,
  PgSchemaTooNewError,
  PostgresUnavailableError,
  SCOPES,
  SchemaTooNewError,
  type Scope,
} from "./store/index.ts";

/** Errors that stop a start or a command with their message alone (exit 1): the operator can act on it. */
const OPERATOR_ERRORS = [
  StartupError,
  MasterKeyError,
  SchemaTooNewError,
  PgSchemaTooNewError,
  InstanceLockedError,
  PostgresUnavailableError,
];
const isOperatorError = (e: unknown) => OPERATOR_ERRORS.some((type) => e instanceof type);

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
    const valued = /^--(config|name|scopes|tenant|expires)(=(.*))?$/.exec(a);
    if (a === "--help" || a === "-h") flags.help = true;
    else if (a === "--dev") flags.dev = true;
    else if (valued) {
      const v = valued[2] ? valued[3] : argv[++i];
      if (!v) fail(`--${valued[1]} needs a value`);
      flags[valued[1]!] = v;
    } else if (a.startsWith("-")) fail(`unknown option ${a}\n\n${USAGE}`);
    else positional.push(a);
  }
  return { positional, flags };
}

/** Reads and validates the config, or exits 2 listing every problem. Never touches the database. */
function readConfig(file: string | null, dev: boolean): Config {
  let text = "";
  if (file !== null) {
    if (!existsSync(file)) fail(`config file ${file} does not exist`);
    try {
      text = readFileSync(file, "utf8");
    } catch (e) {
      fail(`cannot read config file ${file}: ${openErrorReason(e) ?? (e as Error).message}`);
    }
  }
  try {
    return loadConfig(text, { file, dev, env: process.env });
  } catch (e) {
    if (e instanceof ConfigError)
      fail(
        `invalid configuration (${e.problems.length} problem${e.problems.length === 1 ? "" : "s"}):\n  ${e.problems.join("\n  ")}`,
      );
    throw e;
  }
}

async function serve(flags: Record<string, string | true>) {
  const dev = flags.dev === true;
  const file = typeof flags.config === "string" ? flags.config : process.env.HOOKGATE_CONFIG || null;
  let config = readConfig(file, dev);
  const logger = createLogger({ level: config.log.level });
  if (config.auth.admin_keys.length === 0 && !dev)
    fail(
      "no admin key is configured (auth.admin_keys); set HOOKGATE_ADMIN_KEY or add one to the config file. Refusing to start an unauthenticated management API.",
    );
  // Nothing exists yet: a busy port or an unusable path is reported before any file is created.
  const problem =
    listenProblem(config.server.host, config.server.port) ??
    (config.storage.url ? null : fileProblem(config.storage.path, "storage.path", { sqlite: true })) ??
    fileProblem(config.signing.ed25519_key_file, "signing.ed25519_key_file");
  if (problem) fail(problem, 1);
  if (config.auth.admin_keys.length === 0) {
    const key = generateApiKey();
    config = { ...config, auth: { ...config.auth, admin_keys: [key] } };
    process.stderr.write(
      `\n  hookgate --dev: generated admin key (shown once, valid until restart):\n\n    ${key}\n\n`,
    );
  }
  let gateway: Gateway;
  try {
    gateway = await startGateway(config, { logger });
  } catch (e) {
    if (isOperatorError(e)) fail((e as Error).message, 1);
    // The port was taken between the check and the listen, or the store could not be opened after all.
    if (String((e as { code?: unknown }).code).startsWith("EADDR"))
      fail(listenProblem(config.server.host, config.server.port) ?? (e as Error).message, 1);
    const reason = openErrorReason(e);
    if (reason) fail(`cannot open the database ${config.storage.path} (storage.path): ${reason}`, 1);
    throw e;
  }
  logger.info("hookgate started", {
    version: VERSION,
    url: gateway.url,
    config: file ?? "(built-in defaults)",
    database: describeStorage(config),
    dev,
  });
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

/** Creates an API key straight in the database (works while the gateway runs; the key is printed once). */
async function createKey(flags: Record<string, string | true>) {
  const file = typeof flags.config === "string" ? flags.config : process.env.HOOKGATE_CONFIG || null;
  const config = readConfig(file, false);
  const name = typeof flags.name === "string" ? flags.name : fail("create-key needs --name");
  const scopes = (
    typeof flags.scopes === "string"
      ? flags.scopes
      : fail("create-key needs --scopes, e.g. events:write,deliveries:read")
  )
    .split(",")
    .map((s) => s.trim());
  const bad = scopes.filter((s) => !SCOPES.includes(s as Scope) || s === "admin");
  if (bad.length > 0)
    fail(
      `unknown or not grantable scope(s): ${bad.join(", ")} (grantable: ${SCOPES.filter((s) => s !== "admin").join(", ")})`,
    );
  const tenant = typeof flags.tenant === "string" ? flags.tenant : null;
  if (tenant !== null && !TENANT_ID.test(tenant)) fail(`--tenant ${TENANT_ID_RULE}`);
  const expires = typeof flags.expires === "string" ? Date.parse(flags.expires) : null;
  if (expires !== null && !(expires > Date.now())) fail("--expires must be a future ISO 8601 time");
  if (!config.storage.url) {
    const problem = fileProblem(config.storage.path, "storage.path", { sqlite: true });
    if (problem) fail(problem, 1);
  }
  let opened: Awaited<ReturnType<typeof openConfiguredStore>>;
  try {
    opened = await openConfiguredStore(config, { exclusive: false });
  } catch (e) {
    if (isOperatorError(e)) fail((e as Error).message, 1);
    const reason = openErrorReason(e);
    if (reason) fail(`cannot open the database ${config.storage.path} (storage.path): ${reason}`, 1);
    throw e;
  }
  const { store } = opened;
  try {
    const { record, key } = await issueApiKey(store, {
      name,
      tenant_id: tenant,
      scopes: scopes as Scope[],
      expires_at: expires,
      now: Date.now(),
    });
    process.stdout.write(`${JSON.stringify({ id: record.id, key, name, tenant_id: tenant, scopes })}\n`);
  } finally {
    await store.close();
    opened.release();
  }
}

/** Applies pending schema migrations to the configured store and exits; needs no master key. */
async function migrate(flags: Record<string, string | true>) {
  const file = typeof flags.config === "string" ? flags.config : process.env.HOOKGATE_CONFIG || null;
  const config = readConfig(file, false);
  try {
    const { applied, version } = await migrateConfiguredStore(config);
    process.stdout.write(
      `${describeStorage(config)}: schema version ${version}${applied.length ? ` (applied ${applied.join(", ")})` : " (up to date)"}\n`,
    );
  } catch (e) {
    if (isOperatorError(e)) fail((e as Error).message, 1);
    throw e;
  }
}

async function main() {
  const [command, ...rest] = process.argv.slice(2);
  const { positional, flags } = parseArgs(rest);
  const help = command === undefined ? undefined : COMMAND_HELP[command === "--version" ? "version" : command];
  if (help !== undefined && flags.help === true) {
    process.stdout.write(`${help}\n`);
    return;
  }
  switch (command) {
    case "serve":
      return serve(flags);
    case "migrate":
      return migrate(flags);
    case "check-config": {
      const file = positional[0] ?? (typeof flags.config === "string" ? flags.config : undefined);
      if (!file) fail("check-config needs a file: hookgate check-config hookgate.yaml");
      const config = readConfig(file, flags.dev === true);
      process.stdout.write(
        `${file}: ok (${config.endpoints.length} endpoint(s), ${config.event_types.length} event type(s))\n`,
      );
      return;
    }
    case "create-key":
      return createKey(flags);
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
