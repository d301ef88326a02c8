// Outbound signature headers for each signing scheme (docs/api.md "Delivery"). Runs once per delivery attempt,
// so it is pure, caches decoded secrets and hashes the body in place instead of copying it.
import { createHmac } from "node:crypto";
import { SIGNING_DEFAULTS, type SigningScheme } from "../lib/signature-headers.ts";
import type { Ed25519Signer } from "./ed25519.ts";

/** Every scheme: which id is sent (and signed, where the scheme signs it): the event's or the delivery's. */
type IdOption = {
  id_value?: "event" | "delivery";
};

export type SigningConfig = IdOption &
  (
    | { scheme: "standard-webhooks"; header_prefix?: string; asymmetric?: boolean }
    | {
        scheme: "hmac-sha256";
        signature_header?: string;
        prefix?: string;
        id_header?: string;
        timestamp_header?: string;
        event_header?: string;
        /** The timestamp header's time: the attempt's (default) or the event's (stable across retries). */
        timestamp_source?: "attempt" | "event";
      }
    | { scheme: "timestamped-hmac"; signature_header?: string; id_header?: string; event_header?: string }
    | { scheme: "ed25519"; header_prefix?: string }
  );

/** standard-webhooks sends one `v1,` signature per live secret, at most this many. */
export const MAX_SIGNING_SECRETS = 5;

/** Option defaults (docs/api.md "Delivery"), shared with the verifier and endpoint validation. */
export { SIGNING_DEFAULTS, SIGNING_SCHEMES, type SigningScheme } from "../lib/signature-headers.ts";

export interface SignInput {
  /** Event id; stays the same across retries. */
  id: string;
  /** Delivery id (stable across the delivery's retries); sent instead of `id` with `id_value: delivery`. */
  deliveryId?: string;
  eventType: string;
  /** The attempt's own time in ms since the epoch; schemes use whole unix seconds (floored). */
  timestampMs: number;
  /** The event's time in ms, for hmac-sha256 with `timestamp_source: event`. */
  eventTimestampMs?: number;
  /** The exact bytes sent; a string is signed as its UTF-8 bytes. */
  body: string | Uint8Array;
  /** Live secrets, newest first: index 0 is current, the rest are still inside their rotation grace period. */
  secrets: readonly string[];
  /** The gateway key; required by `ed25519` and by `standard-webhooks` with `asymmetric: true`. */
  signer?: Ed25519Signer;
}

/**
 * The headers that sign one attempt. Standard-webhooks names are `<header_prefix>id|timestamp|signature`;
 * custom names keep the configured case. The id sent (and signed by standard-webhooks and ed25519) is the
 * event id, or the delivery id with `id_value: delivery`. Throws when an HMAC scheme has no secret or a key
 * (or the delivery id it needs) is missing.
 */
export function signatureHeaders(config: SigningConfig, input: SignInput): Record<string, string> {
  const ts = Math.floor(input.timestampMs / 1000);
  const id = sentId(config, input);
  switch (config.scheme) {
    case "standard-webhooks":
    case "ed25519": {
      const prefix = config.header_prefix ?? SIGNING_DEFAULTS.header_prefix;
      const symmetric = config.scheme === "standard-webhooks";
      const asymmetric = !symmetric || config.asymmetric === true;
      const content = `${id}.${ts}.`;
      const signatures: string[] = [];
      if (symmetric) {
        for (const secret of requireSecrets(config.scheme, input.secrets).slice(0, MAX_SIGNING_SECRETS)) {
          signatures.push(`v1,${hmacSha256(standardWebhooksKey(secret), content, input.body, "base64")}`);
        }
      }
      if (asymmetric) {
        if (!input.signer) throw new Error(`signing scheme ${config.scheme} needs the gateway Ed25519 key`);
        signatures.push(`v1a,${input.signer.sign(joinContent(content, input.body))}`);
      }
      return {
        [`${prefix}id`]: id,
        [`${prefix}timestamp`]: String(ts),
        [`${prefix}signature`]: signatures.join(" "),
      };
    }
    case "hmac-sha256": {
      const [newest] = requireSecrets(config.scheme, input.secrets);
      const hex = hmacSha256(newest!, "", input.body, "hex");
      const at =
        config.timestamp_source === "event" ? (input.eventTimestampMs ?? missing("the event time")) : input.timestampMs;
      return {
        [config.signature_header ?? SIGNING_DEFAULTS.signature_header]:
          (config.prefix ?? SIGNING_DEFAULTS.prefix) + hex,
        [config.id_header ?? SIGNING_DEFAULTS.id_header]: id,
        [config.timestamp_header ?? SIGNING_DEFAULTS.timestamp_header]: new Date(at).toISOString(),
        [config.event_header ?? SIGNING_DEFAULTS.event_header]: input.eventType,
      };
    }
    case "timestamped-hmac": {
      const content = `${ts}.`;
      const parts = [`t=${ts}`];
      // The current secret and at most the newest previous one (Stripe-style receivers expect one v1old).
      requireSecrets(config.scheme, input.secrets)
        .slice(0, 2)
        .forEach((secret, i) => {
          parts.push(`${i === 0 ? "v1" : "v1old"}=${hmacSha256(secret, content, input.body, "hex")}`);
        });
      return {
        [config.signature_header ?? SIGNING_DEFAULTS.signature_header]: parts.join(","),
        [config.id_header ?? SIGNING_DEFAULTS.id_header]: id,
        [config.event_header ?? SIGNING_DEFAULTS.event_header]: input.eventType,
      };
    }
  }
}

/** Lowercased names of the headers a scheme writes, so custom endpoint headers cannot override them. */
export { signatureHeaderNames as reservedHeaderNames } from "../lib/signature-headers.ts";

interface Hasher {
  update(data: string | Uint8Array): Hasher;
  digest(encoding: "hex" | "base64"): string;
}
/** Bun's native hasher when running on Bun; receivers on Node (hookgate/verify) use node:crypto. */
const BunHasher = (
  globalThis as unknown as { Bun?: { CryptoHasher: new (algorithm: "sha256", key: string | Uint8Array) => Hasher } }
).Bun?.CryptoHasher;

/**
 * HMAC-SHA256 of `prefix` followed by `body`, fed in two parts so the body is never concatenated.
 * A string key is used as its UTF-8 bytes. On Bun, Bun's native hasher: about twice as fast as node:crypto here.
 */
export function hmacSha256(
  key: string | Uint8Array,
  prefix: string,
  body: string | Uint8Array,
  encoding: "hex" | "base64",
): string {
  const hasher: Hasher = BunHasher ? new BunHasher("sha256", key) : createHmac("sha256", key);
  if (prefix.length > 0) hasher.update(prefix);
  return hasher.update(body).digest(encoding);
}

const KEY_CACHE_LIMIT = 1024;
const keyCache = new Map<string, Uint8Array>();

/**
 * The Standard Webhooks HMAC key of a secret: base64-decoded part after `whsec_`, or the UTF-8 bytes of a
 * secret without that prefix. Cached (oldest entry evicted first) so hot paths skip the base64 decode.
 */
export function standardWebhooksKey(secret: string): Uint8Array {
  let key = keyCache.get(secret);
  if (key === undefined) {
    key = secret.startsWith("whsec_") ? Buffer.from(secret.slice(6), "base64") : Buffer.from(secret, "utf8");
    if (keyCache.size >= KEY_CACHE_LIMIT) keyCache.delete(keyCache.keys().next().value!);
    keyCache.set(secret, key);
  }
  return key;
}

/** `prefix` + body as one value for Ed25519 (which signs in one shot); bytes stay bytes. */
export function joinContent(prefix: string, body: string | Uint8Array): string | Uint8Array {
  return typeof body === "string" ? prefix + body : Buffer.concat([Buffer.from(prefix, "utf8"), body]);
}

/** The id a request carries: the event id, or the delivery id with `id_value: delivery`. */
function sentId(config: SigningConfig, input: SignInput): string {
  return config.id_value === "delivery" ? (input.deliveryId ?? missing("the delivery id")) : input.id;
}

function missing(what: string): never {
  throw new Error(`signing needs ${what}`);
}

function requireSecrets(scheme: SigningScheme, secrets: readonly string[]): readonly string[] {
  if (secrets.length === 0) throw new Error(`signing scheme ${scheme} needs at least one secret`);
  return secrets;
}
