import { type SigningConfig } from "./schemes.ts";
export interface VerifyOptions {
    config: SigningConfig;
    headers: Headers | Record<string, string | readonly string[] | undefined>;
    /** The exact bytes received. */
    body: string | Uint8Array;
    /** The endpoint secret (any one live secret); needed by every scheme except `ed25519`. */
    secret?: string;
    /** The gateway public key (`whpk_…` or PEM); checks `v1a` signatures. */
    publicKey?: string;
    /** Allowed clock skew either way, in seconds. Default 300. */
    toleranceSeconds?: number;
    nowMs?: number;
}
export type VerifyResult = {
    ok: true;
    id: string | null;
    timestamp: number | null;
} | {
    ok: false;
    reason: string;
};
/**
 * Verifies one received webhook. `id` and `timestamp` (unix seconds) come from the headers; they are null only
 * for the HMAC schemes when those optional headers are absent. For `hmac-sha256` the timestamp header is not
 * signed, so it is only checked against the tolerance when present.
 */
export declare function verifyWebhook(options: VerifyOptions): VerifyResult;
