// Request helpers for API tests: build a Request, send it to `app.handle`, read status, headers and JSON.

/** Anything that answers a Request (an Elysia app, a Bun.serve fetch handler, withAccessLog(...)). */
export interface Handler {
  handle(request: Request): Response | Promise<Response>;
}

export interface RequestOptions {
  /** A plain value is sent as JSON (content-type: application/json); a string, bytes or stream as is. */
  body?: unknown;
  /** An API key, sent as `Authorization: Bearer <key>`. */
  key?: string;
  headers?: Record<string, string>;
}

export interface JsonResponse<T = any> {
  status: number;
  headers: Headers;
  /** The parsed JSON body, or null when the body is empty or not JSON. */
  body: T;
  text: string;
}

/** Base URL of requests built here; Elysia needs a full hostname. */
export const BASE_URL = "http://localhost";

const isRaw = (v: unknown) =>
  typeof v === "string" ||
  v instanceof Uint8Array ||
  v instanceof ArrayBuffer ||
  v instanceof ReadableStream ||
  v instanceof Blob;

/** A Request for `method path` (path may include a query string), built from `options`. */
export function buildRequest(method: string, path: string, options: RequestOptions = {}): Request {
  const headers = new Headers(options.headers);
  if (options.key !== undefined) headers.set("authorization", `Bearer ${options.key}`);
  let body: BodyInit | undefined;
  if (options.body !== undefined) {
    if (isRaw(options.body)) body = options.body as BodyInit;
    else {
      body = JSON.stringify(options.body);
      if (!headers.has("content-type")) headers.set("content-type", "application/json");
    }
  }
  const init: RequestInit & { duplex?: "half" } = { method, headers, body };
  if (options.body instanceof ReadableStream) init.duplex = "half";
  return new Request(`${BASE_URL}${path}`, init);
}

/** Reads a Response into status, headers, text and parsed JSON (null when not JSON). */
export async function readResponse<T = any>(response: Response): Promise<JsonResponse<T>> {
  const text = await response.text();
  let body: any = null;
  if (text !== "") {
    try {
      body = JSON.parse(text);
    } catch {
      body = null;
    }
  }
  return { status: response.status, headers: response.headers, body, text };
}

/** Sends `method path` to `app.handle` and returns the parsed response. */
export async function json<T = any>(
  app: Handler,
  method: string,
  path: string,
  options: RequestOptions = {},
): Promise<JsonResponse<T>> {
  return readResponse<T>(await app.handle(buildRequest(method, path, options)));
}

/** A ReadableStream that yields `chunks` and has no known length (so requests carry no content-length). */
export function streamOf(...chunks: (string | Uint8Array)[]): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  return new ReadableStream({
    pull(controller) {
      const next = chunks.shift();
      if (next === undefined) controller.close();
      else controller.enqueue(typeof next === "string" ? encoder.encode(next) : next);
    },
  });
}
