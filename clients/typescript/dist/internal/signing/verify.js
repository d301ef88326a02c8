// Copied from src/signing/verify.ts by `npm run client:generate`; edit the original.
// Receiver-side check of hookgate's signatures, for tests and for users who want a reference verifier.
// Mirrors schemes.ts: constant-time comparisons, any listed signature may match, bounded clock skew.
import { timingSafeEqual, verify as verifySignature } from "node:crypto";
import { parseEd25519PublicKey } from "./ed25519.js";
import { hmacSha256, joinContent, SIGNING_DEFAULTS, standardWebhooksKey } from "./schemes.js";
/**
 * Verifies one received webhook. `id` and `timestamp` (unix seconds) come from the headers; they are null only
 * for the HMAC schemes when those optional headers are absent. For `hmac-sha256` the timestamp header is not
 * signed, so it is only checked against the tolerance when present.
 */
export function verifyWebhook(options) {
    const { config, body, secret } = options;
    const get = (name) => headerValue(options.headers, name);
    const nowSeconds = Math.floor((options.nowMs ?? Date.now()) / 1000);
    const tolerance = options.toleranceSeconds ?? 300;
    const fresh = (ts) => Math.abs(nowSeconds - ts) <= tolerance;
    switch (config.scheme) {
        case "standard-webhooks":
        case "ed25519": {
            const prefix = config.header_prefix ?? SIGNING_DEFAULTS.header_prefix;
            const id = get(`${prefix}id`);
            const tsText = get(`${prefix}timestamp`);
            const header = get(`${prefix}signature`);
            if (id === null || tsText === null || header === null)
                return fail("missing signature headers");
            const ts = parseUnix(tsText);
            if (ts === null)
                return fail("invalid timestamp");
            if (!fresh(ts))
                return fail("timestamp outside tolerance");
            const useSecret = config.scheme === "standard-webhooks" ? secret : undefined;
            if (useSecret === undefined && options.publicKey === undefined)
                return fail("no secret or public key to verify with");
            const content = `${id}.${tsText}.`;
            const expected = useSecret === undefined ? null : hmacSha256(standardWebhooksKey(useSecret), content, body, "base64");
            const key = options.publicKey === undefined ? null : parseEd25519PublicKey(options.publicKey);
            for (const entry of header.split(" ")) {
                const comma = entry.indexOf(",");
                if (comma < 0)
                    continue;
                const version = entry.slice(0, comma);
                const signature = entry.slice(comma + 1);
                if (version === "v1" && expected !== null && safeEqual(signature, expected))
                    return pass(id, ts);
                if (version === "v1a" && key !== null && ed25519Valid(key, joinContent(content, body), signature)) {
                    return pass(id, ts);
                }
            }
            return fail("no matching signature");
        }
        case "hmac-sha256": {
            if (secret === undefined)
                return fail("no secret to verify with");
            const header = get(config.signature_header ?? SIGNING_DEFAULTS.signature_header);
            if (header === null)
                return fail("missing signature header");
            const tsText = get(config.timestamp_header ?? SIGNING_DEFAULTS.timestamp_header);
            const ts = tsText === null ? null : Math.floor(Date.parse(tsText) / 1000);
            if (ts !== null && !Number.isFinite(ts))
                return fail("invalid timestamp");
            // With timestamp_source: event the header carries the event's time, which a retry may send days later.
            if (ts !== null && config.timestamp_source !== "event" && !fresh(ts))
                return fail("timestamp outside tolerance");
            const expected = (config.prefix ?? SIGNING_DEFAULTS.prefix) + hmacSha256(secret, "", body, "hex");
            if (!safeEqual(header, expected))
                return fail("no matching signature");
            return pass(get(config.id_header ?? SIGNING_DEFAULTS.id_header), ts);
        }
        case "timestamped-hmac": {
            if (secret === undefined)
                return fail("no secret to verify with");
            const header = get(config.signature_header ?? SIGNING_DEFAULTS.signature_header);
            if (header === null)
                return fail("missing signature header");
            const fields = header.split(",").map((part) => {
                const eq = part.indexOf("=");
                return eq < 0 ? ["", ""] : [part.slice(0, eq).trim(), part.slice(eq + 1).trim()];
            });
            const tsText = fields.find(([name]) => name === "t")?.[1] ?? "";
            const ts = parseUnix(tsText);
            if (ts === null)
                return fail("invalid timestamp");
            if (!fresh(ts))
                return fail("timestamp outside tolerance");
            const expected = hmacSha256(secret, `${tsText}.`, body, "hex");
            const match = fields.some(([name, value]) => (name === "v1" || name === "v1old") && safeEqual(value, expected));
            if (!match)
                return fail("no matching signature");
            return pass(get(config.id_header ?? SIGNING_DEFAULTS.id_header), ts);
        }
    }
}
function pass(id, timestamp) {
    return { ok: true, id, timestamp };
}
function fail(reason) {
    return { ok: false, reason };
}
/** Case-insensitive header lookup over a Headers object or a plain record (first value of an array). */
function headerValue(headers, name) {
    if (headers instanceof Headers)
        return headers.get(name);
    const wanted = name.toLowerCase();
    for (const [key, value] of Object.entries(headers)) {
        if (key.toLowerCase() !== wanted || value === undefined)
            continue;
        return typeof value === "string" ? value : (value[0] ?? null);
    }
    return null;
}
function parseUnix(text) {
    return /^\d{1,12}$/.test(text) ? Number(text) : null;
}
function safeEqual(a, b) {
    const x = Buffer.from(a, "utf8");
    const y = Buffer.from(b, "utf8");
    return x.length === y.length && timingSafeEqual(x, y);
}
function ed25519Valid(key, content, signature) {
    const bytes = typeof content === "string" ? Buffer.from(content, "utf8") : content;
    try {
        return verifySignature(null, bytes, key, Buffer.from(signature, "base64"));
    }
    catch {
        return false;
    }
}
