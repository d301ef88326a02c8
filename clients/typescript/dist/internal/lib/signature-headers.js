// Copied from src/lib/signature-headers.ts by `npm run client:generate`; edit the original.
// The signature schemes and which headers each writes, with the defaults of docs/api.md: signing writes them, and endpoint
// validation keeps custom headers from overriding them, so both read this one list.
export const SIGNING_SCHEMES = ["standard-webhooks", "hmac-sha256", "timestamped-hmac", "ed25519"];
/** Option defaults of the signature schemes (docs/api.md "Delivery"). */
export const SIGNING_DEFAULTS = {
    header_prefix: "webhook-",
    signature_header: "X-Webhook-Signature",
    prefix: "sha256=",
    id_header: "X-Webhook-ID",
    timestamp_header: "X-Webhook-Timestamp",
    event_header: "X-Webhook-Event",
};
/** Lowercased names of the headers a scheme writes. */
export function signatureHeaderNames(config) {
    const d = SIGNING_DEFAULTS;
    let names;
    switch (config.scheme) {
        case "hmac-sha256":
            names = [
                config.signature_header ?? d.signature_header,
                config.id_header ?? d.id_header,
                config.timestamp_header ?? d.timestamp_header,
                config.event_header ?? d.event_header,
            ];
            break;
        case "timestamped-hmac":
            names = [
                config.signature_header ?? d.signature_header,
                config.id_header ?? d.id_header,
                config.event_header ?? d.event_header,
            ];
            break;
        default: {
            // standard-webhooks and ed25519
            const prefix = config.header_prefix ?? d.header_prefix;
            names = [`${prefix}id`, `${prefix}timestamp`, `${prefix}signature`];
        }
    }
    return names.map((name) => name.toLowerCase());
}
/** Lowercased name of the header that carries the signature itself (the others carry the id, time and type). */
export function signatureValueHeader(config) {
    const d = SIGNING_DEFAULTS;
    if (config.scheme === "hmac-sha256" || config.scheme === "timestamped-hmac")
        return (config.signature_header ?? d.signature_header).toLowerCase();
    return `${config.header_prefix ?? d.header_prefix}signature`.toLowerCase();
}
