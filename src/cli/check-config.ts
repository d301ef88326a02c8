// `hookgate check-config FILE`: the file validated as `serve` would read it; touches no database.
import { type Command, fail, option } from "./args.ts";
import { readConfig } from "./config.ts";

export const checkConfigCommand: Command = {
  valued: ["config"],
  switches: ["dev"],
  run({ positional, flags }) {
    const file = positional[0] ?? option(flags, "config");
    if (!file) fail("check-config needs a file: hookgate check-config hookgate.yaml");
    const config = readConfig(file, flags.dev === true);
    process.stdout.write(
      `${file}: ok (${config.endpoints.length} endpoint(s), ${config.event_types.length} event type(s))\n`,
    );
  },
};
