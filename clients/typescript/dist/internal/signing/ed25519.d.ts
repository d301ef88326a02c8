import { type KeyObject } from "node:crypto";
export interface Ed25519Signer {
    /** Stable id derived from the public key: `ed25519_` + the first 16 hex chars of SHA-256(raw public key). */
    keyId: string;
    /** `whpk_` + base64 of the raw 32-byte public key (Standard Webhooks form). */
    publicKey: string;
    /** SPKI PEM of the public key, for verifiers that want `crypto.createPublicKey(pem)`. */
    publicKeyPem: string;
    /** Signs the bytes (a string is taken as UTF-8) and returns the base64 signature. */
    sign(data: Uint8Array | string): string;
}
/** A new secret key: `whsk_` + base64 of a random 32-byte seed. */
export declare function generateEd25519SecretKey(): string;
/**
 * Parses a secret key in PKCS#8 PEM or `whsk_<base64>` form. The base64 part is the 32-byte seed; a 64-byte
 * libsodium-style key (seed followed by the public key) is accepted too, and its public half must match.
 */
export declare function signerFromSecretKey(text: string): Ed25519Signer;
/**
 * Loads the gateway key from `path`, creating it (mode 0600, parent directories 0700) when absent.
 * Throws when an existing file is readable or writable by group/other: the gateway refuses to start.
 */
export declare function loadOrCreateEd25519Key(path: string): Ed25519Signer;
/**
 * The text of an existing key file (permissions checked as for loadOrCreateEd25519Key), or null when there is none.
 * Used to import a key into a shared store without ever creating a file.
 */
export declare function readEd25519KeyFile(path: string): string | null;
/** Parses a public key given as `whpk_<base64 raw 32 bytes>` or SPKI PEM. */
export declare function parseEd25519PublicKey(text: string): KeyObject;
