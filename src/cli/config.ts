// Reading the config and opening its store the same way for every command: every problem is one line on stderr
// and an exit code, never a stack.
import { existsSync, readFileSync } from "node:fs";
import { type Config, ConfigError, loadConfig } from "../config/index.ts";
import { type OpenedStore, openConfiguredStore } from "../gateway-store.ts";
import { type Flags, fail, isOperatorError, option } from "./args.ts";
import { fileProblem, openErrorReason } from "./preflight.ts";

/** The config file a command reads: --config, else $HOOKGATE_CONFIG, else none (the built-in defaults). */
export function configFile(flags: Flags): string | null {
  return option(flags, "config") ?? (process.env.HOOKGATE_CONFIG || null);
}

/** Reads and validates the config, or exits 2 listing every problem. Never touches the database. */
export function readConfig(file: string | null, dev: boolean): Config {
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

/** Runs `fn`; an operator error or a file error (errno, SQLite) exits 1 with its message on one line. */
export async function orExit<T>(fn: () => Promise<T> | T, what = "the command failed"): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    if (isOperatorError(e)) fail(e.message, 1);
    const reason = openErrorReason(e);
    if (reason) fail(`${what}: ${reason}`, 1);
    throw e;
  }
}

/**
 * Opens the configured store for a command that runs beside a serving gateway (no instance lock), or exits 1
 * saying why it cannot be opened.
 */
export async function openStoreOrExit(config: Config): Promise<OpenedStore> {
  if (!config.storage.url) {
    const problem = fileProblem(config.storage.path, "storage.path", { sqlite: true });
    if (problem) fail(problem, 1);
  }
  return orExit(
    () => openConfiguredStore(config, { exclusive: false }),
    `cannot open the database ${config.storage.path} (storage.path)`,
  );
}
