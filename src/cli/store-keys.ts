// The keys a store's records need, carried by copy-store into the target's form: the master key (checked against the
// source's check value; its file put beside a SQLite target when it lived beside a SQLite source) and the Ed25519
// signing key, which SQLite keeps in signing.ed25519_key_file and PostgreSQL sealed in its meta table.
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import type { Config } from "../config/index.ts";
import { ED25519_KEY, KEY_CHECK } from "../gateway-keys.ts";
import { readEd25519KeyFile, signerFromSecretKey } from "../signing/ed25519.ts";
import { DecryptError, decrypt, encrypt } from "../signing/secrets.ts";
import {
  loadMasterKey,
  type MetaRecord,
  type MetaStore,
  masterKeyPath,
  parseMasterKey,
  StoreCopyError,
} from "../store/index.ts";

/** Where a store lives: a SQLite file, or a PostgreSQL database (`name` is its URL without the password). */
export type StoreLocation = { kind: "sqlite"; path: string } | { kind: "postgres"; url: string; name: string };

export interface MasterKey {
  key: Uint8Array;
  /** Where it came from: HOOKGATE_MASTER_KEY or a file path. */
  source: string;
}

/**
 * The master key of a store that must already have one (nothing is created): HOOKGATE_MASTER_KEY,
 * security.master_key_file, or the file beside a SQLite database (`databasePath`; null for PostgreSQL).
 */
export function sourceMasterKey(config: Config, databasePath: string | null): MasterKey {
  return loadMasterKey(databasePath, process.env.HOOKGATE_MASTER_KEY, {
    allowCreate: false,
    keyFile: config.security.master_key_file || undefined,
  });
}

/** Refuses a master key the store's secrets were not written with (nothing is copied or exported then). */
export async function checkMasterKey(store: MetaStore, { key, source }: MasterKey): Promise<void> {
  const sealed = await store.getMeta(KEY_CHECK);
  if (sealed === null) return;
  try {
    decrypt(key, sealed, KEY_CHECK);
  } catch (e) {
    if (!(e instanceof DecryptError)) throw e;
    throw new StoreCopyError(
      `the master key from ${source} is not the one this store's secrets were written with; set HOOKGATE_MASTER_KEY to the key of the gateway that wrote them`,
    );
  }
}

export interface KeyMove {
  /** The source's meta rows as the target holds them. */
  adjustMeta(meta: MetaRecord[]): MetaRecord[];
  /** Writes the key files the target needs (after a complete copy); returns what the operator must know. */
  finish(): string[];
}

/** The Ed25519 key text of a key file (null when there is none); an unusable file is a StoreCopyError. */
function keyFileText(path: string): string | null {
  try {
    const text = readEd25519KeyFile(path);
    if (text !== null) signerFromSecretKey(text);
    return text;
  } catch (e) {
    throw new StoreCopyError(
      `cannot use the Ed25519 key file ${path} (signing.ed25519_key_file): ${(e as Error).message}`,
    );
  }
}

/** Writes a secret file (0600) that does not exist yet, creating its directory (0700). */
function writeSecretFile(path: string, text: string): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  writeFileSync(path, text, { mode: 0o600, flag: "wx" });
  chmodSync(path, 0o600);
}

/**
 * How the keys move from `from` to `to`; refuses up front (before anything is written) what could not be carried:
 * a SQLite source without its Ed25519 key file, a key file in the way that holds another key.
 */
export async function planKeyMove(
  config: Config,
  from: StoreLocation,
  to: StoreLocation,
  source: MetaStore,
  master: MasterKey,
): Promise<KeyMove> {
  const keyFile = config.signing.ed25519_key_file;
  const withoutSealedKey = (meta: MetaRecord[]) => meta.filter((m) => m.key !== ED25519_KEY);
  const notes: string[] = [];
  const files: { path: string; text: string }[] = [];
  let adjustMeta = (meta: MetaRecord[]) => meta;

  if (from.kind === "sqlite" && to.kind === "postgres") {
    const text = keyFileText(keyFile);
    if (text === null)
      throw new StoreCopyError(
        `the Ed25519 key file ${keyFile} (signing.ed25519_key_file) does not exist; copy-store carries the source gateway's key so that receivers keep its public key: point --config at the source gateway's config`,
      );
    const sealed = { key: ED25519_KEY, value: encrypt(master.key, text.trim(), ED25519_KEY) };
    adjustMeta = (meta) => [...withoutSealedKey(meta), sealed];
    notes.push(`the Ed25519 key of ${keyFile} is now sealed in the target`);
  } else if (from.kind === "postgres" && to.kind === "sqlite") {
    const sealed = await source.getMeta(ED25519_KEY);
    adjustMeta = withoutSealedKey;
    if (sealed !== null) {
      const text = decrypt(master.key, sealed, ED25519_KEY);
      const existing = keyFileText(keyFile);
      if (existing === null) {
        files.push({ path: keyFile, text: `${text}\n` });
        notes.push(`the Ed25519 key is written to ${keyFile}`);
      } else if (signerFromSecretKey(existing).publicKey !== signerFromSecretKey(text).publicKey)
        throw new StoreCopyError(
          `${keyFile} (signing.ed25519_key_file) holds another Ed25519 key than the source; move it away or set signing.ed25519_key_file to a new path`,
        );
    }
  }

  // SQLite keeps the master key in a file beside the database when no other source is set.
  if (to.kind === "sqlite" && master.source !== "HOOKGATE_MASTER_KEY" && !config.security.master_key_file) {
    const path = masterKeyPath(to.path);
    if (resolve(path) !== resolve(master.source)) {
      if (!existsSync(path)) {
        files.push({ path, text: readFileSync(master.source, "utf8") });
        notes.push(`the master key is copied to ${path}`);
      } else if (Buffer.compare(parseMasterKey(readFileSync(path, "utf8")), master.key) !== 0)
        throw new StoreCopyError(`${path} holds another master key than the source's; move it away first`);
    }
  }
  if (to.kind === "postgres" && master.source !== "HOOKGATE_MASTER_KEY" && !config.security.master_key_file)
    notes.push(
      `a gateway on PostgreSQL reads the master key from HOOKGATE_MASTER_KEY or security.master_key_file: use the key in ${master.source}`,
    );
  return {
    adjustMeta,
    finish() {
      for (const f of files) if (!existsSync(f.path)) writeSecretFile(f.path, f.text);
      return notes;
    },
  };
}
