// `hookgate serve`: checks what it can before creating anything, starts the gateway, and maps signals to a graceful
// stop (SIGTERM/SIGINT) and a reload of the declarations (SIGHUP).
import { generateApiKey } from "../api/auth.ts";
import { type Gateway, startGateway } from "../gateway.ts";
import { describeStorage } from "../gateway-store.ts";
import { createLogger } from "../lib/logger.ts";
import { VERSION } from "../lib/version.ts";
import { type Command, fail, isOperatorError } from "./args.ts";
import { configFile, readConfig } from "./config.ts";
import { fileProblem, listenProblem, openErrorReason } from "./preflight.ts";

export const serveCommand: Command = {
  valued: ["config"],
  switches: ["dev"],
  async run({ flags }) {
    const dev = flags.dev === true;
    const file = configFile(flags);
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
      if (isOperatorError(e)) fail(e.message, 1);
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
  },
};
