// Endpoint secrets: generation, masking for reads, and AES-256-GCM encryption at rest under the master key.
import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";

/** A new signing secret: `whsec_` + base64 of 32 random bytes (Standard Webhooks / Svix form). */
export function generateSecret(): string {
  return `whsec_${randomBytes(32).toString("base64")}`;
}

/** What reads show of a secret or credential: its first 8 characters and an ellipsis. */
export function mask(secret: string): string {
  return `${secret.slice(0, 8)}…`;
}

const VERSION = "v1";

/**
 * Encrypts `plaintext` with AES-256-GCM. `associatedData` (e.g. the endpoint id) is authenticated, so a
 * ciphertext copied onto another row fails to decrypt. Output: `v1.<iv>.<tag>.<ciphertext>` (base64url).
 */
export function encrypt(masterKey: Uint8Array, plaintext: string, associatedData: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", masterKey, iv);
  cipher.setAAD(Buffer.from(associatedData, "utf8"));
  const body = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
  const tag = cipher.getAuthTag();
  return [VERSION, iv.toString("base64url"), tag.toString("base64url"), body.toString("base64url")].join(".");
}

/** Reverses `encrypt`; throws `DecryptError` on a wrong key, wrong associated data or tampering. */
export function decrypt(masterKey: Uint8Array, sealed: string, associatedData: string): string {
  const parts = sealed.split(".");
  if (parts.length !== 4 || parts[0] !== VERSION) throw new DecryptError("unknown ciphertext format");
  try {
    const decipher = createDecipheriv("aes-256-gcm", masterKey, Buffer.from(parts[1]!, "base64url"));
    decipher.setAAD(Buffer.from(associatedData, "utf8"));
    decipher.setAuthTag(Buffer.from(parts[2]!, "base64url"));
    return Buffer.concat([decipher.update(Buffer.from(parts[3]!, "base64url")), decipher.final()]).toString("utf8");
  } catch {
    throw new DecryptError("authentication failed (wrong master key or tampered data)");
  }
}

export class DecryptError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "DecryptError";
  }
}
