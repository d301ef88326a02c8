// `hookgate backup --to PATH`: an online, consistent copy of the SQLite store taken while the gateway serves (its
// publishing goes on), reported in one line. PostgreSQL has its own tools: the command names pg_dump.
import { describeStorage } from "../gateway-store.ts";
import { backupSqlite, masterKeyPath } from "../store/index.ts";
import { type Command, fail, requireOption } from "./args.ts";
import { configFile, orExit, readConfig } from "./config.ts";
import { seconds, size } from "./format.ts";

export const backupCommand: Command = {
  valued: ["config", "to"],
  async run({ flags }) {
    const config = readConfig(configFile(flags), false);
    const to = requireOption(flags, "to", "backup", "PATH (a new file for the copy)");
    if (config.storage.url)
      fail(
        `backup copies a SQLite store; this config uses PostgreSQL (storage.url ${describeStorage(config)}): back it up with pg_dump, e.g. pg_dump --format=custom --file=hookgate.dump "$DATABASE_URL"`,
      );
    const result = await orExit(() => backupSqlite(config.storage.path, to), "the backup failed");
    const masterKey = process.env.HOOKGATE_MASTER_KEY
      ? "HOOKGATE_MASTER_KEY"
      : config.security.master_key_file || masterKeyPath(config.storage.path);
    process.stdout.write(
      `backup: ${to} (${size(result.bytes)}, schema v${result.schemaVersion}) in ${seconds(result.ms)}; restoring it needs the same master key (${masterKey}) and Ed25519 key file (${config.signing.ed25519_key_file})\n`,
    );
  },
};
