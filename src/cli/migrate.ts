// `hookgate migrate`: the configured store's schema brought up to date, then exit (needs no master key).
import { describeStorage, migrateConfiguredStore } from "../gateway-store.ts";
import type { Command } from "./args.ts";
import { configFile, orExit, readConfig } from "./config.ts";

export const migrateCommand: Command = {
  valued: ["config"],
  async run({ flags }) {
    const config = readConfig(configFile(flags), false);
    const { applied, version } = await orExit(
      () => migrateConfiguredStore(config),
      `cannot migrate ${describeStorage(config)}`,
    );
    process.stdout.write(
      `${describeStorage(config)}: schema version ${version}${applied.length ? ` (applied ${applied.join(", ")})` : " (up to date)"}\n`,
    );
  },
};
