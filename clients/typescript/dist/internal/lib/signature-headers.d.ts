export declare const SIGNING_SCHEMES: readonly ["standard-webhooks", "hmac-sha256", "timestamped-hmac", "ed25519"];
export type SigningScheme = (typeof SIGNING_SCHEMES)[number];
/** Option defaults of the signature schemes (docs/api.md "Delivery"). */
export declare const SIGNING_DEFAULTS: {
    readonly header_prefix: "webhook-";
    readonly signature_header: "X-Webhook-Signature";
    readonly prefix: "sha256=";
    readonly id_header: "X-Webhook-ID";
    readonly timestamp_header: "X-Webhook-Timestamp";
    readonly event_header: "X-Webhook-Event";
};
export interface SignatureHeaderOptions {
    scheme: string;
    header_prefix?: string;
    signature_header?: string;
    id_header?: string;
    timestamp_header?: string;
    event_header?: string;
}
/** Lowercased names of the headers a scheme writes. */
export declare function signatureHeaderNames(config: SignatureHeaderOptions): string[];
/** Lowercased name of the header that carries the signature itself (the others carry the id, time and type). */
export declare function signatureValueHeader(config: SignatureHeaderOptions): string;
