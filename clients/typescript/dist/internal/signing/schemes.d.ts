import type { Ed25519Signer } from "./ed25519.ts";
/** Every scheme: which id is sent (and signed, where the scheme signs it): the event's or the delivery's. */
type IdOption = {
    id_value?: "event" | "delivery";
};
export type SigningConfig = IdOption & ({
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
    /** The timestamp header's time: the attempt's (default) or the event's (stable across retries). */
    timestamp_source?: "attempt" | "event";
} | {
    scheme: "timestamped-hmac";
    signature_header?: string;
    id_header?: string;
    event_header?: string;
} | {
    scheme: "ed25519";
    header_prefix?: string;
});
/** standard-webhooks sends one `v1,` signature per live secret, at most this many. */
export declare const MAX_SIGNING_SECRETS = 5;
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
