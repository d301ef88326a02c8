// One HTTP attempt against real local servers: capture, the 32 KiB cap, no redirects, and error kinds.
import { afterEach, describe, expect, it } from "bun:test";
import type { TCPSocketListener } from "bun";
import { type OutboundRequest, RESPONSE_BODY_LIMIT, send } from "../../src/delivery/sender.ts";
import { type Receiver, startReceiver } from "../helpers/receiver.ts";

const NOW = Date.parse("2026-06-06T09:00:00.000Z");
const now = () => NOW;

const open: { stop(): void }[] = [];
afterEach(() => {
  for (const s of open.splice(0)) s.stop();
});

function receiver(): Receiver {
  const r = startReceiver();
  open.push(r);
  return r;
}

function request(url: string, over: Partial<OutboundRequest> = {}): OutboundRequest {
  return {
    url,
    method: "POST",
    headers: { "content-type": "application/json", "x-test": "1" },
    body: '{"hello":"world"}',
    timeoutMs: 5000,
    ...over,
  };
}

/** A TCP server that accepts and closes every connection before answering. */
function resettingServer(): TCPSocketListener<undefined> {
  const server = Bun.listen<undefined>({
    hostname: "127.0.0.1",
    port: 0,
    socket: { open: (s) => void s.end(), data: () => {} },
  });
  open.push({ stop: () => server.stop(true) });
  return server;
}

/** A port that was just bound and released (nothing listens on it). */
function closedPort(): number {
  const s = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: () => new Response(null) });
  const port = s.port!;
  s.stop(true);
  return port;
}

describe("send", () => {
  it("sends the method, headers and exact body, and captures a 200 with its headers and body", async () => {
    const r = receiver();
    r.script({ status: 200, headers: { "x-receiver": "yes", "content-type": "text/plain" }, body: "thanks" });
    const result = await send(request(`${r.url}/hooks?a=1`), now);
    expect(result).toMatchObject({
      startedAt: NOW,
      httpStatus: 200,
      responseBody: "thanks",
      bodyEncoding: "utf8",
      error: null,
      retryAfter: null,
    });
    expect(result.responseHeaders).toMatchObject({ "x-receiver": "yes", "content-type": "text/plain" });
    expect(result.durationMs).toBeGreaterThanOrEqual(0);
    expect(result.durationMs).toBeLessThan(5000);

    expect(r.requests).toHaveLength(1);
    const got = r.requests[0]!;
    expect(got.method).toBe("POST");
    expect(got.path).toBe("/hooks?a=1");
    expect(got.headers.get("x-test")).toBe("1");
    expect(got.headers.get("content-type")).toBe("application/json");
    expect(got.text).toBe('{"hello":"world"}');
  });

  it("sends no body for GET", async () => {
    const r = receiver();
    const result = await send(request(r.url, { method: "GET", body: null, headers: {} }), now);
    expect(result.httpStatus).toBe(200);
    expect(r.requests[0]!.method).toBe("GET");
    expect(r.requests[0]!.body.byteLength).toBe(0);
  });

  it("reports a 500 as an HTTP status, not an error, with its body", async () => {
    const r = receiver();
    r.script({ status: 500, body: "boom" });
    const result = await send(request(r.url), now);
    expect(result).toMatchObject({ httpStatus: 500, responseBody: "boom", error: null });
  });

  it("captures at most 32 KiB of a 1 MiB body", async () => {
    const r = receiver();
    r.script({ status: 200, body: "x".repeat(1024 * 1024) });
    const result = await send(request(r.url), now);
    expect(RESPONSE_BODY_LIMIT).toBe(32768);
    expect(result.httpStatus).toBe(200);
    expect(result.bodyEncoding).toBe("utf8");
    expect(result.responseBody).toBe("x".repeat(32768));
  });

  it("captures a body shorter than the cap whole", async () => {
    const r = receiver();
    r.script({ status: 200, body: "y".repeat(32767) });
    expect((await send(request(r.url), now)).responseBody).toHaveLength(32767);
  });

  it("stores a non-UTF-8 body as base64", async () => {
    const r = receiver();
    const bytes = new Uint8Array([0xff, 0xfe, 0x00, 0x80, 0xc3]);
    r.script({ status: 200, body: bytes, headers: { "content-type": "application/octet-stream" } });
    const result = await send(request(r.url), now);
    expect(result.bodyEncoding).toBe("base64");
    expect(result.responseBody).toBe(Buffer.from(bytes).toString("base64"));
  });

  it("keeps a long UTF-8 body as UTF-8 when the 32 KiB cut falls inside a character", async () => {
    // "€" is 3 bytes; 32768 is not a multiple of 3, so the cap splits the last character.
    const r = receiver();
    r.script({ status: 200, body: "€".repeat(20_000), headers: { "content-type": "text/plain; charset=utf-8" } });
    const result = await send(request(r.url), now);
    expect(result.bodyEncoding).toBe("utf8");
    expect(Buffer.byteLength(result.responseBody!, "utf8")).toBeLessThanOrEqual(32768);
    expect(result.responseBody).toBe("€".repeat(Math.floor(32768 / 3)));
  });

  it("does not follow a 302: error redirect_not_followed with status 302, the target sees nothing", async () => {
    const target = receiver();
    const r = receiver();
    r.script({ status: 302, headers: { location: `${target.url}/elsewhere` } });
    const result = await send(request(r.url), now);
    expect(result.httpStatus).toBe(302);
    expect(result.error?.kind).toBe("redirect_not_followed");
    expect(result.error?.message).toContain(`${target.url}/elsewhere`);
    expect(result.responseHeaders?.location).toBe(`${target.url}/elsewhere`);
    expect(r.requests).toHaveLength(1);
    expect(target.requests).toHaveLength(0);
  });

  it("treats every 3xx as redirect_not_followed", async () => {
    const r = receiver();
    for (const status of [301, 303, 307, 308]) {
      r.script({ status, headers: { location: "https://example.com/" } });
      const result = await send(request(r.url), now);
      expect(result.httpStatus).toBe(status);
      expect(result.error?.kind).toBe("redirect_not_followed");
    }
  });

  it("times out a receiver that answers after timeoutMs", async () => {
    const r = receiver();
    r.script({ status: 200, body: "late", delayMs: 1500 });
    const started = performance.now();
    const result = await send(request(r.url, { timeoutMs: 300 }), now);
    expect(result.error?.kind).toBe("timeout");
    expect(result.httpStatus).toBeNull();
    expect(result.responseBody).toBeNull();
    expect(performance.now() - started).toBeLessThan(1400);
  });

  it("reports connection_refused for a closed port", async () => {
    const result = await send(request(`http://127.0.0.1:${closedPort()}/`), now);
    expect(result.error?.kind).toBe("connection_refused");
    expect(result.httpStatus).toBeNull();
  });

  it("reports connection_reset when the server closes the connection without answering", async () => {
    const server = resettingServer();
    const result = await send(request(`http://127.0.0.1:${server.port}/`), now);
    expect(result.error?.kind).toBe("connection_reset");
    expect(result.httpStatus).toBeNull();
  });

  it("reports dns_error for a name that does not resolve", async () => {
    const result = await send(request("http://nonexistent.invalid/"), now);
    expect(result.error?.kind).toBe("dns_error");
  });

  it("reports tls_error for https:// to a plain-HTTP port", async () => {
    const r = receiver();
    const result = await send(request(`https://127.0.0.1:${r.port}/`), now);
    expect(result.error?.kind).toBe("tls_error");
  });

  it("captures Retry-After on 429 and 503 only", async () => {
    const r = receiver();
    const cases: [number, string | null][] = [
      [429, "7"],
      [503, "Sat, 06 Jun 2026 09:02:00 GMT"],
      [500, null],
      [200, null],
      [302, null],
    ];
    for (const [status, expected] of cases) {
      r.script({ status, headers: { "retry-after": expected ?? "9", ...(status === 302 ? { location: "/x" } : {}) } });
      const result = await send(request(r.url), now);
      expect(result.httpStatus).toBe(status);
      expect(result.retryAfter).toBe(expected);
    }
  });

  it("captures at most 32 KiB of a gzip-encoded body (decoded, and never inflated whole)", async () => {
    const r = receiver();
    const plain = "hookgate ".repeat((4 * 1024 * 1024) / 9);
    const zipped = Bun.gzipSync(Buffer.from(plain));
    expect(zipped.byteLength).toBeLessThan(32768);
    r.script({ status: 200, body: zipped, headers: { "content-encoding": "gzip", "content-type": "text/plain" } });
    const result = await send(request(r.url), now);
    expect(result.httpStatus).toBe(200);
    expect(result.bodyEncoding).toBe("utf8");
    expect(Buffer.byteLength(result.responseBody!, "utf8")).toBeLessThanOrEqual(32768);
    expect(result.responseBody).toBe(plain.slice(0, 32768));
  });
});
