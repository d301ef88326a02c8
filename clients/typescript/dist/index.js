// The typed hookgate client: openapi-fetch over the types generated from the OpenAPI document (schema.ts), plus
// what every caller would otherwise write: auth, errors as exceptions when wanted, paging, safe publish retries.
import createClient from "openapi-fetch";
/** A client whose methods are the API's paths: `client.GET("/v1/endpoints/{id}", { params: { path: { id } } })`. */
export function createHookgateClient(options) {
    return createClient({
        baseUrl: options.baseUrl.replace(/\/+$/, ""),
        headers: { ...options.headers, authorization: `Bearer ${options.apiKey}` },
        ...(options.fetch ? { fetch: options.fetch } : {}),
    });
}
/** A failed call as an exception: the HTTP status and the API's error code, message and field details. */
export class HookgateError extends Error {
    status;
    code;
    details;
    constructor(status, body) {
        super(body?.error.message ?? `HTTP ${status}`);
        this.name = "HookgateError";
        this.status = status;
        this.code = body?.error.code ?? "unknown";
        this.details = body?.error.details ?? [];
    }
}
/** The answer's data, or a HookgateError thrown for an error answer. */
export function unwrap(result) {
    if (result.error !== undefined || result.data === undefined)
        throw new HookgateError(result.response.status, result.error);
    return result.data;
}
/**
 * Every item of a list, page after page (newest first), fetching the next page only when needed:
 * `for await (const endpoint of paginate((cursor) => client.GET("/v1/endpoints", { params: { query: { cursor } } })))`.
 * Throws a HookgateError when a page answers an error.
 */
export async function* paginate(fetchPage) {
    let cursor;
    for (;;) {
        const page = unwrap(await fetchPage(cursor));
        yield* page.data;
        if (!page.has_more || page.next_cursor === null)
            return;
        cursor = page.next_cursor;
    }
}
/** A fresh Idempotency-Key: keep it with the operation it belongs to and send the same one on every retry. */
export function newIdempotencyKey() {
    return globalThis.crypto.randomUUID();
}
/**
 * Publishes an event exactly once however often the request is retried: one Idempotency-Key for all attempts,
 * so a retry after a lost answer gets the first answer back (`replayed: true`) instead of a second event.
 */
export async function publishEvent(client, event, options = {}) {
    const idempotencyKey = options.idempotencyKey ?? newIdempotencyKey();
    const retries = options.retries ?? 3;
    for (let attempt = 0;; attempt++) {
        let waitMs = 500 * 2 ** attempt;
        try {
            const result = await client.POST("/v1/events", {
                params: { header: { "Idempotency-Key": idempotencyKey }, query: options.wait ? { wait: true } : {} },
                body: event,
            });
            const status = result.response.status;
            if (result.data)
                return { data: result.data.data, replayed: status === 200, idempotencyKey };
            if ((status !== 429 && status < 500) || attempt >= retries)
                throw new HookgateError(status, result.error);
            const after = Number(result.response.headers.get("retry-after"));
            if (after > 0)
                waitMs = after * 1000;
        }
        catch (e) {
            if (e instanceof HookgateError || attempt >= retries)
                throw e;
        }
        await new Promise((resolve) => setTimeout(resolve, waitMs));
    }
}
export { verifyWebhook } from "./verify.js";
