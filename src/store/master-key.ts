// The master key that encrypts secrets at rest: from HOOKGATE_MASTER_KEY, security.master_key_file, or (SQLite only)
// a 0600 file beside the database. A remote database never gets a key file created for it.

import { randomBytes } from "node:crypto";
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";

export class MasterKeyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "MasterKeyError";
  }
}

/** Decodes a 32-byte key written as 64 hex characters or base64. */
export function parseMasterKey(text: string): Uint8Array {
  const t = text.trim();
  const bytes = /^[0-9a-fA-F]{64}$/.test(t) ? Buffer.from(t, "hex") : Buffer.from(t, "base64");
  if (bytes.length !== 32)
    throw new MasterKeyError("the master key must be 32 bytes, written as 64 hex characters or base64");
  return new Uint8Array(bytes);
}

/** Path of the key file used when HOOKGATE_MASTER_KEY is not set. */
export function masterKeyPath(databasePath: string): string {
  return join(dirname(databasePath), "master.key");
}

/**
 * Returns the master key: the env value when given, else `keyFile` (which must exist), else the key file beside the
 * database, created 0600 on first start. `databasePath` null means a remote database (PostgreSQL): there the key
 * must come from the variable or `keyFile`. A key file readable by group or others is refused.
 */
export function loadMasterKey(
  databasePath: string | null,
  envValue: string | undefined,
  options: { allowCreate?: boolean; keyFile?: string } = {},
): { key: Uint8Array; source: string } {
  if (envValue && envValue.trim() !== "") return { key: parseMasterKey(envValue), source: "HOOKGATE_MASTER_KEY" };
  if (options.keyFile) {
    if (!existsSync(options.keyFile))
      throw new MasterKeyError(
        `security.master_key_file ${options.keyFile} does not exist (it is never created: write the 32-byte key there, or set HOOKGATE_MASTER_KEY)`,
      );
    return readKeyFile(options.keyFile);
  }
  if (databasePath === null)
    throw new MasterKeyError(
      "PostgreSQL storage needs the master key from HOOKGATE_MASTER_KEY or security.master_key_file (the same on every replica); no key file is created beside a remote database",
    );
  const path = masterKeyPath(databasePath);
  if (!existsSync(path)) {
    if (options.allowCreate === false) {
      throw new MasterKeyError(
        `this database's secrets are encrypted under a master key that is not available: set HOOKGATE_MASTER_KEY or restore ${path}`,
      );
    }
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, `${randomBytes(32).toString("base64")}\n`, { mode: 0o600, flag: "wx" });
    chmodSync(path, 0o600);
  }
  return readKeyFile(path);
}

function readKeyFile(path: string): { key: Uint8Array; source: string } {
  const mode = statSync(path).mode & 0o777;
  if (mode & 0o077)
    throw new MasterKeyError(`${path} is readable by other users (mode ${mode.toString(8)}); run: chmod 600 ${path}`);
  return { key: parseMasterKey(readFileSync(path, "utf8")), source: path };
}
