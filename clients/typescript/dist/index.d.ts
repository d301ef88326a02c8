import { type Client } from "openapi-fetch";
import type { components, paths } from "./schema.ts";
export type { components, paths };
export type HookgateClient = Client<paths>;
type Data<P extends keyof paths, M extends keyof paths[P]> = paths[P][M] extends {
    responses: {
        200: {
            content: {
                "application/json": {
                    data: infer D;
                };
            };
        };
    };
} ? D : never;
/** The error body of every failed call: `{error: {code, message, details}}`. */
export type ApiError = components["schemas"]["Error"];
export type Endpoint = Data<"/v1/endpoints/{id}", "get">;
export type Event = Data<"/v1/events/{id}", "get">;
export type Delivery = Data<"/v1/deliveries/{id}", "get">;
export type EventType = Data<"/v1/event-types/{name}", "get">;
export type ApiKey = Data<"/v1/api-keys", "get"> extends (infer K)[] ? K : never;
export type PublishRequest = NonNullable<paths["/v1/events"]["post"]["requestBody"]>["content"]["application/json"];
export type Published = paths["/v1/events"]["post"]["responses"][202]["content"]["application/json"]["data"];
export interface HookgateClientOptions {
    /** Where the gateway listens, e.g. `http://127.0.0.1:8080`. */
    baseUrl: string;
    /** An API key (`hg_…`) or an admin key; sent as `Authorization: Bearer <key>`. */
    apiKey: string;
    /** Headers sent with every request. */
    headers?: Record<string, string>;
    /** A fetch implementation (default: the global one). */
    fetch?: typeof globalThis.fetch;
}
/** A client whose methods are the API's paths: `client.GET("/v1/endpoints/{id}", { params: { path: { id } } })`. */
export declare function createHookgateClient(options: HookgateClientOptions): HookgateClient;
/** A failed call as an exception: the HTTP status and the API's error code, message and field details. */
export declare class HookgateError extends Error {
    readonly status: number;
    readonly code: string;
    readonly details: {
        field: string;
        message: string;
    }[];
    constructor(status: number, body: ApiError | undefined);
}
/** The answer's data, or a HookgateError thrown for an error answer. */
export declare function unwrap<T>(result: {
    data?: T;
    error?: unknown;
    response: Response;
}): T;
interface Page<T> {
    data: T[];
    next_cursor: string | null;
    has_more: boolean;
}
/**
 * Every item of a list, page after page (newest first), fetching the next page only when needed:
 * `for await (const endpoint of paginate((cursor) => client.GET("/v1/endpoints", { params: { query: { cursor } } })))`.
 * Throws a HookgateError when a page answers an error.
 */
export declare function paginate<T>(fetchPage: (cursor: string | undefined) => Promise<{
    data?: Page<T>;
    error?: unknown;
    response: Response;
}>): AsyncGenerator<T, void, undefined>;
/** A fresh Idempotency-Key: keep it with the operation it belongs to and send the same one on every retry. */
export declare function newIdempotencyKey(): string;
export interface PublishOptions {
    /** The key that makes retries safe; default: a new one for this call (reused across its retries). */
    idempotencyKey?: string;
    /** Retries after a network error, 429 or 5xx (default 3), waiting 0.5 s, 1 s, 2 s … or Retry-After. */
    retries?: number;
    /** Answer after the first attempt of each delivery (`?wait=true`). */
    wait?: boolean;
}
/**
 * Publishes an event exactly once however often the request is retried: one Idempotency-Key for all attempts,
 * so a retry after a lost answer gets the first answer back (`replayed: true`) instead of a second event.
 */
export declare function publishEvent(client: HookgateClient, event: PublishRequest, options?: PublishOptions): Promise<{
    data: Published;
    replayed: boolean;
    idempotencyKey: string;
}>;
export { type VerifyOptions, type VerifyResult, verifyWebhook } from "./verify.ts";
