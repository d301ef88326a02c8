#!/usr/bin/env bun
// The hookgate command line: picks the command (one file each in src/cli/) and runs it; `--help` on any command
// prints its usage and starts nothing.
import { type Command, fail, parseArgs } from "./cli/args.ts";
import { backupCommand } from "./cli/backup.ts";
import { checkConfigCommand } from "./cli/check-config.ts";
import { copyStoreCommand } from "./cli/copy-store.ts";
import { createKeyCommand } from "./cli/create-key.ts";
import { exportCommand } from "./cli/export.ts";
import { migrateCommand } from "./cli/migrate.ts";
import { serveCommand } from "./cli/serve.ts";
import { COMMAND_HELP, USAGE } from "./cli/usage.ts";
import { VERSION } from "./lib/version.ts";

const versionCommand: Command = {
  valued: [],
  run() {
    process.stdout.write(`hookgate ${VERSION}\n`);
  },
};

const COMMANDS: Record<string, Command> = {
  serve: serveCommand,
  migrate: migrateCommand,
  "check-config": checkConfigCommand,
  "create-key": createKeyCommand,
  backup: backupCommand,
  "copy-store": copyStoreCommand,
  export: exportCommand,
  version: versionCommand,
  "--version": versionCommand,
};

const [name, ...rest] = process.argv.slice(2);
if (name === undefined || name === "help" || name === "--help" || name === "-h") {
  process.stdout.write(`${USAGE}\n`);
} else {
  const command = COMMANDS[name] ?? fail(`unknown command ${name}\n\n${USAGE}`);
  if (rest.includes("--help") || rest.includes("-h"))
    process.stdout.write(`${COMMAND_HELP[name === "--version" ? "version" : name]}\n`);
  else await command.run(parseArgs(rest, command));
}
