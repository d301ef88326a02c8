// One HTTP request per attempt: timeout, no redirects, keep-alive, and at most 32 KiB of the response read.
import type { Transform } from "node:stream";
import { createBrotliDecompress, createGunzip, createInflate, createZstdDecompress } from "node:zlib";
import { concatBytes } from "../lib/bytes.ts";
import { type Egress, egressOptions, explainEgressError } from "./egress.ts";
import type { AttemptError } from "./retry-policy.ts";
import { connectionFor, type Guard } from "./ssrf-guard.ts";

export const RESPONSE_BODY_LIMIT = 32 * 1024;
/** Compressed bytes handed to a decoder at a time: deflate inflates at most ~1032:1, so one step stays near 1 MiB. */
const DECODE_STEP = 1024;
/** A compressed body that has not filled the capture after this many bytes is not read further. */
const MAX_COMPRESSED_READ = 1024 * 1024;
const MAX_RESPONSE_HEADERS = 64;
const MAX_HEADER_VALUE = 2048;

export interface OutboundRequest {
  url: string;
  method: string;
  headers: Record<string, string>;
  /** null for GET, HEAD and OPTIONS (no body). */
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
  error: AttemptError | null;
  retryAfter: string | null;
}

const utf8 = new TextDecoder("utf-8", { fatal: true });

/** Maps a fetch failure to an error kind (docs/api.md "Delivery"). */
export function classifyFetchError(error: unknown): AttemptError {
  const e = error as { name?: string; code?: string | number; message?: string };
  const code = String(e?.code ?? "");
  const message = String(e?.message ?? error).slice(0, 300);
  if (e?.name === "TimeoutError" || e?.name === "AbortError")
    return { kind: "timeout", message: "the receiver did not answer in time" };
  if (code === "ECONNREFUSED" || code === "ConnectionRefused") return { kind: "connection_refused", message };
  if (code === "ECONNRESET" || code === "ConnectionClosed" || code === "EPIPE")
    return { kind: "connection_reset", message };
  if (code === "ENOTFOUND" || code.startsWith("EAI_") || code === "DNSException" || /getaddrinfo|DNS/i.test(message))
    return { kind: "dns_error", message };
  if (
    code === "EPROTO" ||
    /CERT|SSL|TLS|SELF_SIGNED|ALTNAME|UNABLE_TO_(GET|VERIFY)/i.test(code) ||
    /certificate|TLS|SSL/i.test(message)
  )
    return { kind: "tls_error", message };
  if (
    /Malformed_HTTP|HTTP_?Response|InvalidHTTP|Invalid.*Response/i.test(code) ||
    /malformed|invalid http/i.test(message)
  )
    return { kind: "invalid_response", message };
  return { kind: "network_error", message };
}

/** Collects at most `limit` bytes. */
class Capture {
  private chunks: Uint8Array[] = [];
  size = 0;
  constructor(private readonly limit: number) {}
  get full(): boolean {
    return this.size >= this.limit;
  }
  add(chunk: Uint8Array): void {
    const take = Math.min(chunk.byteLength, this.limit - this.size);
    if (take <= 0) return;
    this.chunks.push(take === chunk.byteLength ? chunk : chunk.subarray(0, take));
    this.size += take;
  }
  bytes(): Uint8Array {
    return concatBytes(this.chunks, this.size);
  }
}

const EMPTY = new Uint8Array(0);

const DECODERS = new Map<string, () => Transform>([
  ["gzip", createGunzip],
  ["x-gzip", createGunzip],
  ["deflate", createInflate],
  ["br", createBrotliDecompress],
  ["zstd", createZstdDecompress],
]);

/**
 * A streaming decoder fed in DECODE_STEP slices, so a decompression bomb never inflates far past the
 * capture. `write` and `end` resolve false when the data does not decode.
 */
function openDecoder(
  encoding: string,
  into: Capture,
): { write(chunk: Uint8Array): Promise<boolean>; end(): Promise<boolean>; close(): void } | null {
  const make = DECODERS.get(encoding);
  if (!make) return null;
  const z = make();
  let failed = false;
  let wake: () => void = () => {};
  z.on("data", (b: Uint8Array) => into.add(b));
  z.on("error", () => {
    failed = true;
    wake();
  });
  const step = (run: (done: (error?: unknown) => void) => void) =>
    new Promise<boolean>((resolve) => {
      if (failed) return resolve(false);
      wake = () => resolve(false);
      run((error) => resolve(!error && !failed));
    });
  return {
    async write(chunk) {
      for (let at = 0; at < chunk.byteLength && !into.full; at += DECODE_STEP) {
        if (!(await step((done) => z.write(chunk.subarray(at, at + DECODE_STEP), done)))) return false;
      }
      return true;
    },
    end: () =>
      step((done) => {
        z.once("end", () => done());
        z.end();
      }),
    close: () => z.destroy(),
  };
}

/**
 * Reads at most `limit` bytes of the (decoded) body. Fetch hands over the raw bytes (decompress: false);
 * gzip, deflate, br and zstd bodies are decoded here, step by step, and a body that does not decode is kept
 * as received. A connection that fails or times out mid-body is an error, with the bytes read so far.
 */
async function readBody(response: Response, limit: number): Promise<{ bytes: Uint8Array; error: AttemptError | null }> {
  if (!response.body) return { bytes: EMPTY, error: null };
  const encoding = (response.headers.get("content-encoding") ?? "identity").trim().toLowerCase();
  if (!DECODERS.has(encoding) && Number(response.headers.get("content-length") ?? NaN) <= limit) {
    // A small plain body of known length (the common answer): one native read, nothing else allocated.
    try {
      return { bytes: new Uint8Array(await response.arrayBuffer()), error: null };
    } catch (e) {
      return { bytes: EMPTY, error: classifyFetchError(e) };
    }
  }
  const captured = new Capture(limit);
  const decoder = openDecoder(encoding, captured);
  const raw = new Capture(limit);
  const reader = response.body.getReader();
  let read = 0;
  let undecodable = false;
  let error: AttemptError | null = null;
  try {
    while (!captured.full && !(decoder && read >= MAX_COMPRESSED_READ)) {
      let chunk: Awaited<ReturnType<typeof reader.read>>;
      try {
        chunk = await reader.read();
      } catch (e) {
        error = classifyFetchError(e);
        break;
      }
      if (chunk.done) {
        if (decoder && !undecodable && !(await decoder.end())) undecodable = true;
        break;
      }
      read += chunk.value.byteLength;
      if (!decoder) {
        captured.add(chunk.value);
        continue;
      }
      raw.add(chunk.value);
      if (!undecodable && !(await decoder.write(chunk.value))) undecodable = true;
      if (undecodable && raw.full) break;
    }
  } finally {
    reader.cancel().catch(() => {});
    decoder?.close();
  }
  return { bytes: undecodable ? raw.bytes() : captured.bytes(), error };
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
 * `guard`, the host is resolved and checked first, and the connection goes to the checked address (through the
 * `egress` proxy when there is one, presenting its client certificate).
 */
export async function send(
  request: OutboundRequest,
  now: () => number,
  guard?: Guard,
  egress?: Egress,
): Promise<AttemptResult> {
  const startedAt = now();
  const t0 = performance.now();
  // One deadline for the whole attempt: name resolution, connect, headers and the captured body. A timer we
  // clear (rather than AbortSignal.timeout) lets the signal and everything fetch hung on it go at once.
  const controller = new AbortController();
  const deadline = setTimeout(
    () => controller.abort(new DOMException("The operation timed out.", "TimeoutError")),
    request.timeoutMs,
  );
  try {
    return await attemptOnce(request, controller.signal, startedAt, t0, guard, egress);
  } finally {
    clearTimeout(deadline);
  }
}

async function attemptOnce(
  request: OutboundRequest,
  signal: AbortSignal,
  startedAt: number,
  t0: number,
  guard: Guard | undefined,
  egress: Egress | undefined,
): Promise<AttemptResult> {
  const elapsed = () => Math.round(performance.now() - t0);
  const failed = (error: AttemptError): AttemptResult => ({
    startedAt,
    durationMs: elapsed(),
    httpStatus: null,
    responseHeaders: null,
    responseBody: null,
    bodyEncoding: null,
    error,
    retryAfter: null,
  });
  const connection = await connectionFor(request.url, request.headers, guard, signal);
  if (!connection.ok) return failed(connection.error);
  let response: Response;
  try {
    response = await fetch(connection.url, {
      method: request.method,
      headers: connection.headers,
      body: request.body,
      redirect: "manual",
      signal,
      // Bodies are decoded by readBody, within the capture limit (fetch would inflate a bomb whole).
      decompress: false,
      ...egressOptions(egress, connection.tls),
    });
  } catch (e) {
    return failed(explainEgressError(classifyFetchError(e), e, egress));
  }
  const { bytes, error: bodyError } = await readBody(response, RESPONSE_BODY_LIMIT);
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
    error: redirect
      ? {
          kind: "redirect_not_followed",
          message: `HTTP ${status} to ${response.headers.get("location") ?? "(no location)"}; redirects are not followed`,
        }
      : bodyError,
    retryAfter: status === 429 || status === 503 ? response.headers.get("retry-after") : null,
  };
}
