// One HTTP request per attempt: timeout, no redirects, keep-alive, and at most 32 KiB of the response read.
import type { ErrorKind } from "./retry-policy.ts";
import { resolveTarget, type Guard } from "./ssrf-guard.ts";

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

/**
 * The body as UTF-8 text, or null when it is not UTF-8. A body cut at the capture limit may end inside a
 * character; up to 3 trailing bytes of such a partial character are dropped rather than calling it binary.
 */
function decodeUtf8(bytes: Uint8Array): string | null {
  for (let cut = 0; cut <= 3 && cut <= bytes.byteLength; cut++) {
    try {
      return utf8.decode(cut === 0 ? bytes : bytes.subarray(0, bytes.byteLength - cut));
    } catch {
      if (bytes.byteLength < RESPONSE_BODY_LIMIT) return null;
    }
  }
  return null;
}

/**
 * Sends one request and captures the outcome; never throws. `now` supplies the recorded start time. With a
 * `guard`, the host is resolved and checked first, and the connection goes to the checked address.
 */
export async function send(request: OutboundRequest, now: () => number, guard?: Guard): Promise<AttemptResult> {
  const startedAt = now();
  const t0 = performance.now();
  const elapsed = () => Math.round(performance.now() - t0);
  const failed = (error: { kind: ErrorKind; message: string }): AttemptResult => ({ startedAt, durationMs: elapsed(), httpStatus: null, responseHeaders: null, responseBody: null, bodyEncoding: null, error, retryAfter: null });
  let url = request.url;
  let headers = request.headers;
  let tls: { serverName: string } | undefined;
  if (guard) {
    const target = await resolveTarget(request.url, guard);
    if (!target.ok) return failed(target.error);
    url = target.url;
    if (target.hostHeader) headers = { ...headers, host: target.hostHeader };
    if (target.serverName) tls = { serverName: target.serverName };
  }
  let response: Response;
  try {
    response = await fetch(url, {
      method: request.method,
      headers,
      body: request.body,
      redirect: "manual",
      signal: AbortSignal.timeout(request.timeoutMs),
      ...(tls ? { tls } : {}),
    });
  } catch (e) {
    return failed(classifyFetchError(e));
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
  const text = decodeUtf8(bytes);
  const responseBody = text ?? Buffer.from(bytes).toString("base64");
  const bodyEncoding: "utf8" | "base64" = text === null ? "base64" : "utf8";
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
