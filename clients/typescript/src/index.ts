// The typed hookgate client: openapi-fetch over the types generated from the OpenAPI document (schema.ts), plus
// what every caller would otherwise write: auth, errors as exceptions when wanted, paging, safe publish retries.
import createClient, { type Client } from "openapi-fetch";
import type { components, paths } from "./schema.ts";

export type { components, paths };
export type HookgateClient = Client<paths>;

type Data<P extends keyof paths, M extends keyof paths[P]> = paths[P][M] extends {
  responses: { 200: { content: { "application/json": { data: infer D } } } };
}
  ? D
  : never;

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
export function createHookgateClient(options: HookgateClientOptions): HookgateClient {
  return createClient<paths>({
    baseUrl: options.baseUrl.replace(/\/+$/, ""),
    headers: { ...options.headers, authorization: `Bearer ${options.apiKey}` },
    ...(options.fetch ? { fetch: options.fetch } : {}),
  });
}

/** A failed call as an exception: the HTTP status and the API's error code, message and field details. */
export class HookgateError extends Error {
  readonly status: number;
  readonly code: string;
  readonly details: { field: string; message: string }[];
  constructor(status: number, body: ApiError | undefined) {
    super(body?.error.message ?? `HTTP ${status}`);
    this.name = "HookgateError";
    this.status = status;
    this.code = body?.error.code ?? "unknown";
    this.details = body?.error.details ?? [];
  }
}

/** The answer's data, or a HookgateError thrown for an error answer. */
export function unwrap<T>(result: { data?: T; error?: unknown; response: Response }): T {
  if (result.error !== undefined || result.data === undefined)
    throw new HookgateError(result.response.status, result.error as ApiError | undefined);
  return result.data;
}

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
export async function* paginate<T>(
  fetchPage: (cursor: string | undefined) => Promise<{ data?: Page<T>; error?: unknown; response: Response }>,
): AsyncGenerator<T, void, undefined> {
  let cursor: string | undefined;
  for (;;) {
    const page = unwrap(await fetchPage(cursor));
    yield* page.data;
    if (!page.has_more || page.next_cursor === null) return;
    cursor = page.next_cursor;
  }
}

/** A fresh Idempotency-Key: keep it with the operation it belongs to and send the same one on every retry. */
export function newIdempotencyKey(): string {
  return globalThis.crypto.randomUUID();
}

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
export async function publishEvent(
  client: HookgateClient,
  event: PublishRequest,
  options: PublishOptions = {},
): Promise<{ data: Published; replayed: boolean; idempotencyKey: string }> {
  const idempotencyKey = options.idempotencyKey ?? newIdempotencyKey();
  const retries = options.retries ?? 3;
  for (let attempt = 0; ; attempt++) {
    let waitMs = 500 * 2 ** attempt;
    try {
      const result = await client.POST("/v1/events", {
        params: { header: { "Idempotency-Key": idempotencyKey }, query: options.wait ? { wait: true } : {} },
        body: event,
      });
      const status = result.response.status;
      if (result.data) return { data: result.data.data, replayed: status === 200, idempotencyKey };
      if ((status !== 429 && status < 500) || attempt >= retries) throw new HookgateError(status, result.error);
      const after = Number(result.response.headers.get("retry-after"));
      if (after > 0) waitMs = after * 1000;
    } catch (e) {
      if (e instanceof HookgateError || attempt >= retries) throw e;
    }
    await new Promise((resolve) => setTimeout(resolve, waitMs));
  }
}

export { type VerifyOptions, type VerifyResult, verifyWebhook } from "./verify.ts";
