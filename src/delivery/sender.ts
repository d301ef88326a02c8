// One HTTP request per attempt: timeout, no redirects, keep-alive, and at most 32 KiB of the response read.
import type { ErrorKind } from "./retry-policy.ts";

export const RESPONSE_BODY_LIMIT = 32 * 1024;
const MAX_RESPONSE_HEADERS = 64;
const MAX_HEADER_VALUE = 2048;

export interface OutboundRequest {
  url: string;
  method: string;
  headers: Record<string, string>;
  /** null for GET (no body). */
  body: string | null;
  timeoutMs: number;
}

export interface AttemptResult {
  startedAt: number;
  durationMs: number;
  httpStatus: number | null;
  responseHeaders: Record<string, string> | null;
  responseBody: string | null;
  bodyEncoding: "utf8" | "base64" | null;
  error: { kind: ErrorKind; message: string } | null;
  retryAfter: string | null;
}

const utf8 = new TextDecoder("utf-8", { fatal: true });

/** Maps a fetch failure to an error kind of API.md. */
export function classifyFetchError(error: unknown): { kind: ErrorKind; message: string } {
  const e = error as { name?: string; code?: string | number; message?: string };
  const code = String(e?.code ?? "");
  const message = String(e?.message ?? error).slice(0, 300);
  if (e?.name === "TimeoutError" || e?.name === "AbortError") return { kind: "timeout", message: "the receiver did not answer in time" };
  if (code === "ECONNREFUSED" || code === "ConnectionRefused") return { kind: "connection_refused", message };
  if (code === "ECONNRESET" || code === "ConnectionClosed" || code === "EPIPE") return { kind: "connection_reset", message };
  if (code === "ENOTFOUND" || code.startsWith("EAI_") || code === "DNSException" || /getaddrinfo|DNS/i.test(message)) return { kind: "dns_error", message };
  if (code === "EPROTO" || /CERT|SSL|TLS|SELF_SIGNED|ALTNAME|UNABLE_TO_(GET|VERIFY)/i.test(code) || /certificate|TLS|SSL/i.test(message)) return { kind: "tls_error", message };
  return { kind: "network_error", message };
}

/** Reads at most `limit` bytes of a body and stops the stream (a decompressing stream stops with it). */
async function readCapped(response: Response, limit: number): Promise<Uint8Array> {
  if (!response.body) return new Uint8Array(0);
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    while (size < limit) {
      const { done, value } = await reader.read();
      if (done) break;
      const take = Math.min(value.byteLength, limit - size);
      chunks.push(take === value.byteLength ? value : value.subarray(0, take));
      size += take;
    }
  } finally {
    reader.cancel().catch(() => {});
  }
  const out = new Uint8Array(size);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.byteLength;
  }
  return out;
}

function captureHeaders(headers: Headers): Record<string, string> {
  const out: Record<string, string> = {};
  let n = 0;
  for (const [k, v] of headers) {
    if (n++ >= MAX_RESPONSE_HEADERS) break;
    out[k] = v.length > MAX_HEADER_VALUE ? v.slice(0, MAX_HEADER_VALUE) : v;
  }
  return out;
}

/** Sends one request and captures the outcome; never throws. `now` supplies the recorded start time. */
export async function send(request: OutboundRequest, now: () => number): Promise<AttemptResult> {
  const startedAt = now();
  const t0 = performance.now();
  const elapsed = () => Math.round(performance.now() - t0);
  let response: Response;
  try {
    response = await fetch(request.url, {
      method: request.method,
      headers: request.headers,
      body: request.body,
      redirect: "manual",
      keepalive: true,
      signal: AbortSignal.timeout(request.timeoutMs),
    });
  } catch (e) {
    return { startedAt, durationMs: elapsed(), httpStatus: null, responseHeaders: null, responseBody: null, bodyEncoding: null, error: classifyFetchError(e), retryAfter: null };
  }
  let bytes: Uint8Array;
  try {
    // Small, uncompressed bodies of known length are read in one native call; others are streamed
    // and cut at the limit (so a compressed body is never inflated past it).
    const length = Number(response.headers.get("content-length") ?? NaN);
    const encoding = response.headers.get("content-encoding");
    bytes = length <= RESPONSE_BODY_LIMIT && (encoding === null || encoding === "identity") ? new Uint8Array(await response.arrayBuffer()) : await readCapped(response, RESPONSE_BODY_LIMIT);
  } catch {
    bytes = new Uint8Array(0);
  }
  let responseBody: string;
  let bodyEncoding: "utf8" | "base64";
  try {
    responseBody = utf8.decode(bytes);
    bodyEncoding = "utf8";
  } catch {
    responseBody = Buffer.from(bytes).toString("base64");
    bodyEncoding = "base64";
  }
  const status = response.status;
  const redirect = status >= 300 && status < 400;
  return {
    startedAt,
    durationMs: elapsed(),
    httpStatus: status,
    responseHeaders: captureHeaders(response.headers),
    responseBody,
    bodyEncoding,
    error: redirect ? { kind: "redirect_not_followed", message: `HTTP ${status} to ${response.headers.get("location") ?? "(no location)"}; redirects are not followed` } : null,
    retryAfter: status === 429 || status === 503 ? response.headers.get("retry-after") : null,
  };
}
