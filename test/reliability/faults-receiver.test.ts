// Receivers that misbehave: silence, resets, bodies cut short or stalled, decompression bombs, garbage
// instead of HTTP, names that do not resolve. Each attempt is recorded with an error and retried, and the
// gateway carries on (no crash, bounded memory).
import { afterEach, describe, expect, it } from "bun:test";
import { brotliCompressSync, deflateSync, zstdCompressSync } from "node:zlib";
import { send } from "../../src/delivery/sender.ts";
import { iso } from "../../src/lib/clock.ts";
import {
  advance,
  createEndpoint,
  type DeliveryApp,
  getDelivery,
  publishOk,
  settle,
  startDeliveryApp,
} from "../helpers/delivery.ts";
import { fakeDns, gzipBomb, type RawServer, raw, rawServer, rssPeak, startFaultGateway } from "../helpers/faults.ts";
import { type Receiver, startReceiver } from "../helpers/receiver.ts";

const S = 1000;
const MiB = 1024 * 1024;

const open: { stop(): void }[] = [];
let t: DeliveryApp | null = null;

afterEach(async () => {
  for (const s of open.splice(0)) s.stop();
  await t?.cleanup();
  t = null;
});

function server(behaviour: Parameters<typeof rawServer>[0]): RawServer {
  const s = rawServer(behaviour);
  open.push(s);
  return s;
}

function receiver(): Receiver {
  const r = startReceiver();
  open.push(r);
  return r;
}

/** A gateway that may reach 127.0.0.1, an endpoint at `url` with a 1 s timeout, and one published event. */
async function deliverTo(url: string): Promise<{ t: DeliveryApp; id: string }> {
  t = await startDeliveryApp();
  await createEndpoint(t, { url, timeout_ms: 1000 });
  const published = await publishOk(t, { type: "run.completed", data: { run_id: "r1" } });
  await settle(t);
  return { t, id: published.deliveries[0].id };
}

describe("faults at the receiver", () => {
  it("a receiver that never answers: the attempt times out after the endpoint's timeout, is recorded, and is retried", async () => {
    const s = server(raw.hang());
    const { t, id } = await deliverTo(`${s.url}/hooks`);
    const start = t.clock.now();
    let d = await getDelivery(t, id);
    expect(d).toMatchObject({ status: "pending", attempts: 1, http_status: null, next_retry_at: iso(start + 5 * S) });
    expect(d.last_error).toStartWith("timeout");
    expect(d.history[0]).toMatchObject({ attempt: 1, http_status: null, response_body: null });
    expect(d.history[0].error).toStartWith("timeout");
    expect(d.history[0].duration_ms).toBeGreaterThanOrEqual(900);
    expect(d.history[0].duration_ms).toBeLessThan(5000);

    await advance(t, 5 * S);
    d = await getDelivery(t, id);
    expect(d).toMatchObject({ status: "pending", attempts: 2 });
    expect(d.history.map((a: any) => a.error.split(":")[0])).toEqual(["timeout", "timeout"]);
    expect(s.hits).toBe(2);
  });

  it("a connection reset is recorded as connection_reset and retried; the next good answer delivers", async () => {
    const s = server(raw.reset());
    const { t, id } = await deliverTo(`${s.url}/hooks`);
    let d = await getDelivery(t, id);
    expect(d).toMatchObject({ status: "pending", attempts: 1, http_status: null });
    expect(d.history[0].error).toStartWith("connection_reset");

    s.behave(raw.ok(200, "fine"));
    await advance(t, 5 * S);
    d = await getDelivery(t, id);
    expect(d).toMatchObject({ status: "delivered", attempts: 2, http_status: 200 });
    expect(d.history[1]).toMatchObject({ http_status: 200, response_body: "fine", error: null });
  });

  it("a response closed mid-body (content-length not reached) is an error, not a delivery, and is retried", async () => {
    const s = server(raw.closeMidBody(10_000, "partial"));
    const { t, id } = await deliverTo(`${s.url}/hooks`);
    let d = await getDelivery(t, id);
    // The receiver said 200 but its answer never completed: at-least-once means we try again.
    expect(d.status).toBe("pending");
    expect(d.attempts).toBe(1);
    expect(d.history[0].http_status).toBe(200);
    expect(d.history[0].error).toStartWith("connection_reset");

    s.behave(raw.ok());
    await advance(t, 5 * S);
    d = await getDelivery(t, id);
    expect(d).toMatchObject({ status: "delivered", attempts: 2 });
  });

  it("a response that stalls mid-body times out within the attempt's timeout and is retried", async () => {
    const s = server(raw.stallMidBody(10_000, "partial"));
    const { t, id } = await deliverTo(`${s.url}/hooks`);
    const d = await getDelivery(t, id);
    expect(d.status).toBe("pending");
    expect(d.history[0].error).toStartWith("timeout");
    expect(d.history[0].duration_ms).toBeLessThan(5000);
  });

  it("a gzip bomb (100 MiB of zeros in ~100 KB): at most 32 KiB is captured and memory does not balloon", async () => {
    const bomb = gzipBomb(100);
    expect(bomb.byteLength).toBeLessThan(200 * 1024);
    const r = receiver();
    r.setDefault(() => new Response(bomb, { headers: { "content-encoding": "gzip", "content-type": "text/plain" } }));
    t = await startDeliveryApp();
    await createEndpoint(t, { url: `${r.url}/hooks` });
    Bun.gc(true);
    const before = process.memoryUsage().rss;
    const peak = rssPeak();
    // Eight bombs at once: an unbounded inflate would need 800 MiB.
    const published = await Promise.all(
      Array.from({ length: 8 }, (_, i) => publishOk(t!, { type: "run.completed", data: { i } })),
    );
    await settle(t);
    const grew = peak.stop() - before;
    console.log(`gzip bomb: RSS grew by at most ${(grew / MiB).toFixed(0)} MiB while 8 attempts read 100 MiB bombs`);
    expect(grew).toBeLessThan(150 * MiB);
    for (const p of published) {
      const d = await getDelivery(t, p.deliveries[0].id);
      expect(d).toMatchObject({ status: "delivered", http_status: 200 });
      const body: string = d.history[0].response_body;
      expect(
        Buffer.byteLength(body, d.history[0].response_body_encoding === "base64" ? "base64" : "utf8"),
      ).toBeLessThanOrEqual(32 * 1024);
      expect(body.length).toBeGreaterThan(0);
    }
  }, 30_000);

  it("a garbage status line is recorded as an error, retried, and the gateway keeps working", async () => {
    const s = server(raw.reply("HTTP/1.1 999999 WHAT\r\ncontent-length: 2\r\n\r\nok"));
    const { t, id } = await deliverTo(`${s.url}/hooks`);
    let d = await getDelivery(t, id);
    expect(d).toMatchObject({ status: "pending", attempts: 1, http_status: null });
    expect(d.history[0].error).toBeString();
    expect(d.history[0].error.length).toBeGreaterThan(0);

    s.behave(raw.reply("SSH-2.0-OpenSSH_9.6\r\n"));
    await advance(t, 5 * S);
    d = await getDelivery(t, id);
    expect(d).toMatchObject({ status: "pending", attempts: 2, http_status: null });
    expect(d.history[1].error).toBeString();
    console.log(
      `garbage answers recorded as: ${d.history.map((a: any) => JSON.stringify(a.error.slice(0, 60))).join(", ")}`,
    );

    s.behave(raw.ok());
    await advance(t, 60 * S);
    expect((await getDelivery(t, id)).status).toBe("delivered");
  });

  it("a name that does not resolve (real resolver, .invalid) is dns_error and retried", async () => {
    const { t, id } = await deliverTo("https://nonexistent.invalid/hooks");
    let d = await getDelivery(t, id);
    expect(d).toMatchObject({ status: "pending", attempts: 1, http_status: null });
    expect(d.history[0].error).toStartWith("dns_error");
    await advance(t, 5 * S);
    d = await getDelivery(t, id);
    expect(d).toMatchObject({ status: "pending", attempts: 2 });
    expect(d.history[1].error).toStartWith("dns_error");
  });

  it("a resolver that fails (SERVFAIL) is dns_error and retried", async () => {
    const dns = fakeDns({
      "hooks.example.test": Object.assign(new Error("querySrv ESERVFAIL hooks.example.test"), { code: "ESERVFAIL" }),
    });
    t = await startFaultGateway({ resolver: dns.resolve });
    await createEndpoint(t, { url: "https://hooks.example.test/hooks" });
    const published = await publishOk(t, { type: "run.completed", data: {} });
    await settle(t);
    let d = await getDelivery(t, published.deliveries[0].id);
    expect(d).toMatchObject({ status: "pending", attempts: 1 });
    expect(d.history[0].error).toStartWith("dns_error");
    await advance(t, 5 * S);
    d = await getDelivery(t, published.deliveries[0].id);
    expect(d.attempts).toBe(2);
    expect(dns.calls).toEqual(["hooks.example.test", "hooks.example.test"]);
  });

  it("a resolver that never answers is bounded by the attempt's timeout", async () => {
    const dns = fakeDns({ "slow.example.test": "hang" });
    t = await startFaultGateway({ resolver: dns.resolve });
    await createEndpoint(t, { url: "https://slow.example.test/hooks", timeout_ms: 1000 });
    const published = await publishOk(t, { type: "run.completed", data: {} });
    const started = performance.now();
    await settle(t);
    expect(performance.now() - started).toBeLessThan(5000);
    const d = await getDelivery(t, published.deliveries[0].id);
    expect(d).toMatchObject({ status: "pending", attempts: 1 });
    expect(d.history[0].error).toStartWith("timeout");
  });

  describe("response bodies, one attempt (send)", () => {
    const attempt = (url: string) =>
      send(
        { url, method: "POST", headers: { "content-type": "application/json" }, body: "{}", timeoutMs: 3000 },
        () => 0,
      );
    const text = "hookgate ".repeat(20_000);

    it("decodes gzip, x-gzip, deflate, br and zstd bodies up to 32 KiB", async () => {
      const r = receiver();
      const capped = text.slice(0, 32 * 1024);
      const encoded: [string, Uint8Array, string][] = [
        ["gzip", Bun.gzipSync(Buffer.from(text)), capped],
        ["x-gzip", Bun.gzipSync(Buffer.from(text)), capped],
        ["deflate", deflateSync(text), capped],
        ["br", brotliCompressSync(text), capped],
        ["zstd", zstdCompressSync(text), capped],
        ["gzip", Bun.gzipSync(Buffer.from("short")), "short"],
      ];
      for (const [encoding, body, expected] of encoded) {
        r.script(() => new Response(new Uint8Array(body), { headers: { "content-encoding": encoding } }));
        const result = await attempt(r.url);
        expect({ encoding, status: result.httpStatus, error: result.error, body: result.responseBody }).toEqual({
          encoding,
          status: 200,
          error: null,
          body: expected,
        });
      }
    });

    it("keeps a body that does not decode as it was received (base64 when not UTF-8)", async () => {
      const r = receiver();
      const junk = new Uint8Array([0xff, 0xfe, 0xfd, 0x00, 0x80, 0x81, 0x82, 0x83]);
      r.script(() => new Response(junk, { headers: { "content-encoding": "gzip" } }));
      const result = await attempt(r.url);
      expect(result).toMatchObject({
        httpStatus: 200,
        error: null,
        bodyEncoding: "base64",
        responseBody: Buffer.from(junk).toString("base64"),
      });
    });

    it("keeps the bytes that arrived before a chunked body was cut off, with the error", async () => {
      const s = server(raw.reply("HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n7\r\npartial\r\n", 100));
      const result = await attempt(s.url);
      expect(result.httpStatus).toBe(200);
      expect(result.error?.kind).toBe("connection_reset");
      expect(result.responseBody).toBe("partial");
    });
  });
});
