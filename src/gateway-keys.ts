// The keys a gateway needs before it starts: the master key (checked against the value sealed in the store) and the
// Ed25519 signing key — a file beside SQLite, or sealed in a shared store so that every replica signs alike.
import type { Config } from "./config/index.ts";
import {
  type Ed25519Signer,
  generateEd25519SecretKey,
  loadOrCreateEd25519Key,
  readEd25519KeyFile,
  signerFromSecretKey,
} from "./signing/ed25519.ts";
import { DecryptError, decrypt, encrypt } from "./signing/secrets.ts";
import { loadMasterKey, type MetaStore } from "./store/index.ts";

export class StartupError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "StartupError";
  }
}

/** Meta keys: the master-key check value, and the Ed25519 key sealed under the master key (shared stores). */
export const KEY_CHECK = "master_key_check";
export const ED25519_KEY = "ed25519_key";

/**
 * The master key, refused when it is not the one the database's secrets were written with. A database that
 * already holds secrets never gets a fresh key file: that key could not read them. Replicas starting together on
 * an empty database agree on the first key sealed; a replica with another key then refuses to start.
 */
export async function masterKeyFor(
  store: MetaStore,
  config: Config,
  envValue: string | undefined,
): Promise<Uint8Array> {
  const shared = config.storage.url !== "";
  let sealed = await store.getMeta(KEY_CHECK);
  const { key, source } = loadMasterKey(shared ? null : config.storage.path, envValue, {
    allowCreate: sealed === null,
    keyFile: config.security.master_key_file || undefined,
  });
  if (sealed === null) {
    if (await store.insertMetaIfAbsent(KEY_CHECK, encrypt(key, "hookgate", KEY_CHECK))) return key;
    sealed = (await store.getMeta(KEY_CHECK))!;
  }
  try {
    decrypt(key, sealed, KEY_CHECK);
  } catch (e) {
    if (e instanceof DecryptError)
      throw new StartupError(
        `the master key from ${source} does not match the one this database was created with; refusing to start (secrets would be unreadable)`,
      );
    throw e;
  }
  return key;
}

/**
 * The gateway's Ed25519 signer. SQLite: the key file, created on first start. PostgreSQL: the key sealed in the
 * store; on the first start the key file is imported when it exists (else a new key is made), and a key file that
 * differs from the stored key refuses the start.
 */
export async function signerFor(store: MetaStore, config: Config, masterKey: Uint8Array): Promise<Ed25519Signer> {
  const file = config.signing.ed25519_key_file;
  if (config.storage.url === "") {
    try {
      return loadOrCreateEd25519Key(file);
    } catch (e) {
      throw new StartupError(`cannot use the Ed25519 key file ${file}: ${(e as Error).message}`);
    }
  }
  let fileText: string | null;
  let fileSigner: Ed25519Signer | null;
  try {
    fileText = readEd25519KeyFile(file);
    fileSigner = fileText === null ? null : signerFromSecretKey(fileText);
  } catch (e) {
    throw new StartupError(`cannot use the Ed25519 key file ${file}: ${(e as Error).message}`);
  }
  let sealed = await store.getMeta(ED25519_KEY);
  if (sealed === null) {
    const text = fileText ?? generateEd25519SecretKey();
    if (await store.insertMetaIfAbsent(ED25519_KEY, encrypt(masterKey, text.trim(), ED25519_KEY)))
      return signerFromSecretKey(text);
    sealed = (await store.getMeta(ED25519_KEY))!;
  }
  const stored = signerFromSecretKey(decrypt(masterKey, sealed, ED25519_KEY));
  if (fileSigner && fileSigner.publicKey !== stored.publicKey)
    throw new StartupError(
      `the Ed25519 key in ${file} (${fileSigner.keyId}) differs from the one the database holds (${stored.keyId}); refusing to start so that every replica signs alike (remove signing.ed25519_key_file's file, or restore the matching key)`,
    );
  return stored;
}
