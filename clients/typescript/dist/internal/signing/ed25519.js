// Copied from src/signing/ed25519.ts by `npm run client:generate`; edit the original.
// The gateway's Ed25519 key: signs `v1a` signatures (ed25519 scheme, asymmetric standard-webhooks) so receivers
// can verify with the published public key instead of a shared secret. The only I/O in src/signing lives here.
import { createHash, createPrivateKey, createPublicKey, randomBytes, sign } from "node:crypto";
import { mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
const SECRET_PREFIX = "whsk_";
const PUBLIC_PREFIX = "whpk_";
/** DER prefix of a PKCS#8 Ed25519 private key; the 32-byte seed follows it. */
const PKCS8_ED25519_PREFIX = Buffer.from("302e020100300506032b657004220420", "hex");
/** A new secret key: `whsk_` + base64 of a random 32-byte seed. */
export function generateEd25519SecretKey() {
    return SECRET_PREFIX + randomBytes(32).toString("base64");
}
/**
 * Parses a secret key in PKCS#8 PEM or `whsk_<base64>` form. The base64 part is the 32-byte seed; a 64-byte
 * libsodium-style key (seed followed by the public key) is accepted too, and its public half must match.
 */
export function signerFromSecretKey(text) {
    const trimmed = text.trim();
    let key;
    if (trimmed.startsWith(SECRET_PREFIX)) {
        const raw = Buffer.from(trimmed.slice(SECRET_PREFIX.length), "base64");
        if (raw.length !== 32 && raw.length !== 64) {
            throw new Error(`Ed25519 secret key must hold 32 (or 64) bytes, got ${raw.length}`);
        }
        key = createPrivateKey({
            key: Buffer.concat([PKCS8_ED25519_PREFIX, raw.subarray(0, 32)]),
            format: "der",
            type: "pkcs8",
        });
        if (raw.length === 64 && !rawPublicKey(key).equals(raw.subarray(32))) {
            throw new Error("Ed25519 secret key: the public half does not match the seed");
        }
    }
    else if (trimmed.startsWith("-----BEGIN")) {
        key = createPrivateKey(trimmed);
    }
    else {
        throw new Error(`Ed25519 secret key must be a PKCS#8 PEM or start with "${SECRET_PREFIX}"`);
    }
    if (key.asymmetricKeyType !== "ed25519") {
        throw new Error(`expected an Ed25519 private key, got ${key.asymmetricKeyType ?? "unknown"}`);
    }
    return makeSigner(key);
}
/**
 * Loads the gateway key from `path`, creating it (mode 0600, parent directories 0700) when absent.
 * Throws when an existing file is readable or writable by group/other: the gateway refuses to start.
 */
export function loadOrCreateEd25519Key(path) {
    let text;
    try {
        text = readExisting(path);
    }
    catch (err) {
        if (err.code !== "ENOENT")
            throw err;
        text = createKeyFile(path);
    }
    try {
        return signerFromSecretKey(text);
    }
    catch (err) {
        throw new Error(`Ed25519 key file ${path}: ${err.message}`);
    }
}
/**
 * The text of an existing key file (permissions checked as for loadOrCreateEd25519Key), or null when there is none.
 * Used to import a key into a shared store without ever creating a file.
 */
export function readEd25519KeyFile(path) {
    try {
        return readExisting(path);
    }
    catch (err) {
        if (err.code === "ENOENT")
            return null;
        throw err;
    }
}
function readExisting(path) {
    const mode = statSync(path).mode & 0o777;
    if (process.platform !== "win32" && (mode & 0o077) !== 0) {
        throw new Error(`Ed25519 key file ${path} has permissions ${mode.toString(8).padStart(4, "0")}; ` +
            `it must not be accessible by group or others (chmod 600 ${path})`);
    }
    return readFileSync(path, "utf8");
}
function createKeyFile(path) {
    const text = `${generateEd25519SecretKey()}\n`;
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    try {
        writeFileSync(path, text, { mode: 0o600, flag: "wx" });
    }
    catch (err) {
        // Another process created it between our read and write: use theirs.
        if (err.code === "EEXIST")
            return readExisting(path);
        throw err;
    }
    return text;
}
function rawPublicKey(privateKey) {
    const jwk = createPublicKey(privateKey).export({ format: "jwk" });
    return Buffer.from(jwk.x, "base64url");
}
function makeSigner(privateKey) {
    const publicKeyObject = createPublicKey(privateKey);
    const raw = rawPublicKey(privateKey);
    return {
        keyId: `ed25519_${createHash("sha256").update(raw).digest("hex").slice(0, 16)}`,
        publicKey: PUBLIC_PREFIX + raw.toString("base64"),
        publicKeyPem: publicKeyObject.export({ format: "pem", type: "spki" }).toString(),
        sign(data) {
            const bytes = typeof data === "string" ? Buffer.from(data, "utf8") : data;
            return sign(null, bytes, privateKey).toString("base64");
        },
    };
}
/** Parses a public key given as `whpk_<base64 raw 32 bytes>` or SPKI PEM. */
export function parseEd25519PublicKey(text) {
    const trimmed = text.trim();
    if (trimmed.startsWith(PUBLIC_PREFIX)) {
        const raw = Buffer.from(trimmed.slice(PUBLIC_PREFIX.length), "base64");
        if (raw.length !== 32)
            throw new Error(`Ed25519 public key must hold 32 bytes, got ${raw.length}`);
        return createPublicKey({ key: { kty: "OKP", crv: "Ed25519", x: raw.toString("base64url") }, format: "jwk" });
    }
    const key = createPublicKey(trimmed);
    if (key.asymmetricKeyType !== "ed25519")
        throw new Error("expected an Ed25519 public key");
    return key;
}
