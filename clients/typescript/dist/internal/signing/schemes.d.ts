import type { Ed25519Signer } from "./ed25519.ts";
export type SigningConfig = {
    scheme: "standard-webhooks";
    header_prefix?: string;
    asymmetric?: boolean;
} | {
    scheme: "hmac-sha256";
    signature_header?: string;
    prefix?: string;
    id_header?: string;
    timestamp_header?: string;
    event_header?: string;
} | {
    scheme: "timestamped-hmac";
    signature_header?: string;
    id_header?: string;
    event_header?: string;
} | {
    scheme: "ed25519";
    header_prefix?: string;
};
/** Option defaults (docs/api.md "Delivery"), shared with the verifier and endpoint validation. */
export { SIGNING_DEFAULTS, SIGNING_SCHEMES, type SigningScheme } from "../lib/signature-headers.ts";
export interface SignInput {
    /** Event id; stays the same across retries. */
    id: string;
    eventType: string;
    /** The attempt's own time in ms since the epoch; schemes use whole unix seconds (floored). */
    timestampMs: number;
    /** The exact bytes sent; a string is signed as its UTF-8 bytes. */
    body: string | Uint8Array;
    /** Live secrets, newest first: index 0 is current, the rest are still inside their rotation grace period. */
    secrets: readonly string[];
    /** The gateway key; required by `ed25519` and by `standard-webhooks` with `asymmetric: true`. */
    signer?: Ed25519Signer;
}
/**
 * The headers that sign one attempt. Standard-webhooks names are `<header_prefix>id|timestamp|signature`;
 * custom names keep the configured case. Throws when an HMAC scheme has no secret or a key is missing.
 */
export declare function signatureHeaders(config: SigningConfig, input: SignInput): Record<string, string>;
/** Lowercased names of the headers a scheme writes, so custom endpoint headers cannot override them. */
export { signatureHeaderNames as reservedHeaderNames } from "../lib/signature-headers.ts";
/**
 * HMAC-SHA256 of `prefix` followed by `body`, fed in two parts so the body is never concatenated.
 * A string key is used as its UTF-8 bytes. On Bun, Bun's native hasher: about twice as fast as node:crypto here.
 */
export declare function hmacSha256(key: string | Uint8Array, prefix: string, body: string | Uint8Array, encoding: "hex" | "base64"): string;
/**
 * The Standard Webhooks HMAC key of a secret: base64-decoded part after `whsec_`, or the UTF-8 bytes of a
 * secret without that prefix. Cached (oldest entry evicted first) so hot paths skip the base64 decode.
 */
export declare function standardWebhooksKey(secret: string): Uint8Array;
/** `prefix` + body as one value for Ed25519 (which signs in one shot); bytes stay bytes. */
export declare function joinContent(prefix: string, body: string | Uint8Array): string | Uint8Array;
