// The request of one attempt: envelope bytes, headers, static auth, and signatures over exactly those bytes.
import { afterEach, describe, expect, it } from "bun:test";
import { envelopeOf, type LoadedEvent } from "../../src/delivery/envelope.ts";
import {
  AuthError,
  adHocRequest,
  endpointRequest,
  type RequestContext,
  staticAuthHeaders,
} from "../../src/delivery/request.ts";
import { type OutboundRequest, send } from "../../src/delivery/sender.ts";
import { type Endpoint, withCompiled } from "../../src/endpoints/endpoint.ts";
import { VERSION } from "../../src/lib/version.ts";
import { type SigningConfig, signerFromSecretKey, verifyWebhook } from "../../src/signing/index.ts";
import { type Receiver, startReceiver } from "../helpers/receiver.ts";

const NOW = Date.parse("2026-06-06T09:00:42.250Z");
const CREATED = Date.parse("2026-06-06T09:00:00.000Z");
const SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
const OLD_SECRET = "whsec_aG9va2dhdGUtcHJldmlvdXMtc2VjcmV0LTMyYnl0ZXM=";
const signer = signerFromSecretKey("whsk_AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=");
const USER_AGENT = `hookgate/${VERSION}`;

function event(over: Partial<LoadedEvent> = {}): LoadedEvent {
  return {
    id: "evt_01jd3x2v7k8m9n0p1q2r3s4t5v",
    tenant_id: "acme",
    type: "run.completed",
    payload: '{"run_id":"r1","amount":250,"note":"héllo ✓"}',
    idempotency_key: null,
    created_at: CREATED,
    ...over,
  };
}

function endpoint(over: Partial<Omit<Endpoint, "compiled">> = {}): Endpoint {
  return withCompiled({
    id: "ep_test",
    tenant_id: "acme",
    url: "https://receiver.example/hooks",
    description: "",
    events: ["*"],
    enabled: true,
    metadata: {},
    signing: { scheme: "standard-webhooks" },
    http_method: "POST",
    headers: {},
    auth: null,
    filter: null,
    transform: null,
    rate_limit_per_second: null,
    timeout_ms: 10_000,
    retry_schedule: null,
    proxy: "default",
    tls: null,
    disabled_reason: null,
    source: "api",
    failing_since: null,
    draining_since: null,
    created_at: CREATED,
    updated_at: CREATED,
    secrets: [{ secret: SECRET, expires_at: null }],
    ...over,
  });
}

const ctx: RequestContext = { now: NOW, userAgent: USER_AGENT, signer, authHeaders: (e) => staticAuthHeaders(e) ?? {} };

async function build(e: Endpoint, ev = event(), context: RequestContext = ctx): Promise<OutboundRequest> {
  const built = await endpointRequest(ev, e, context);
  if (!built.ok) throw new Error(`building failed: ${built.error.kind}: ${built.error.message}`);
  return built.request;
}

const open: Receiver[] = [];
afterEach(() => {
  for (const r of open.splice(0)) r.stop();
});

describe("envelope", () => {
  it("is compact JSON {id, type, timestamp, tenant_id, data} in that order, data as stored", () => {
    expect(envelopeOf(event())).toBe(
      '{"id":"evt_01jd3x2v7k8m9n0p1q2r3s4t5v","type":"run.completed","timestamp":"2026-06-06T09:00:00.000Z","tenant_id":"acme","data":{"run_id":"r1","amount":250,"note":"héllo ✓"}}',
    );
  });

  it("parses back to the event", () => {
    expect(JSON.parse(envelopeOf(event({ payload: '{"a":[1,{"b":null}]}' })))).toEqual({
      id: "evt_01jd3x2v7k8m9n0p1q2r3s4t5v",
      type: "run.completed",
      timestamp: "2026-06-06T09:00:00.000Z",
      tenant_id: "acme",
      data: { a: [1, { b: null }] },
    });
  });

  it("escapes strings that need it", () => {
    const body = envelopeOf(event({ type: "a.b", tenant_id: 't"1', payload: "{}" }));
    expect(JSON.parse(body).tenant_id).toBe('t"1');
  });
});

describe("endpointRequest", () => {
  it("POSTs the envelope to the endpoint URL with content-type, user-agent and its timeout", async () => {
    const r = await build(endpoint({ timeout_ms: 2500 }));
    expect(r.url).toBe("https://receiver.example/hooks");
    expect(r.method).toBe("POST");
    expect(r.body).toBe(envelopeOf(event()));
    expect(r.timeoutMs).toBe(2500);
    expect(r.headers["content-type"]).toBe("application/json");
    expect(r.headers["user-agent"]).toBe(USER_AGENT);
    expect(USER_AGENT).toMatch(/^hookgate\/\d+\.\d+\.\d+/);
  });

  it("adds the standard-webhooks headers with the event id and the attempt's unix seconds", async () => {
    const r = await build(endpoint());
    expect(r.headers["webhook-id"]).toBe("evt_01jd3x2v7k8m9n0p1q2r3s4t5v");
    expect(r.headers["webhook-timestamp"]).toBe(String(Math.floor(NOW / 1000)));
    expect(r.headers["webhook-signature"]).toMatch(/^v1,[A-Za-z0-9+/]+=*$/);
  });

  it("signs exactly the body bytes (verifyWebhook accepts them, and rejects a changed byte)", async () => {
    const r = await build(endpoint());
    const config: SigningConfig = { scheme: "standard-webhooks" };
    expect(verifyWebhook({ config, headers: r.headers, body: r.body!, secret: SECRET, nowMs: NOW })).toEqual({
      ok: true,
      id: "evt_01jd3x2v7k8m9n0p1q2r3s4t5v",
      timestamp: Math.floor(NOW / 1000),
    });
    expect(
      verifyWebhook({ config, headers: r.headers, body: new TextEncoder().encode(r.body!), secret: SECRET, nowMs: NOW })
        .ok,
    ).toBe(true);
    expect(
      verifyWebhook({ config, headers: r.headers, body: r.body!.replace("héllo", "hello"), secret: SECRET, nowMs: NOW })
        .ok,
    ).toBe(false);
  });

  it("signs a fresh timestamp per attempt, keeping the event id", async () => {
    const e = endpoint();
    const first = await build(e);
    const later = await build(e, event(), { ...ctx, now: NOW + 5000 });
    expect(later.headers["webhook-id"]).toBe(first.headers["webhook-id"]!);
    expect(Number(later.headers["webhook-timestamp"])).toBe(Number(first.headers["webhook-timestamp"]) + 5);
    expect(later.headers["webhook-signature"]).not.toBe(first.headers["webhook-signature"]!);
  });

  it("the bytes a real receiver gets verify", async () => {
    const receiver = startReceiver();
    open.push(receiver);
    const r = await build(endpoint({ url: `${receiver.url}/in` }));
    const result = await send(r, () => NOW);
    expect(result.httpStatus).toBe(200);
    const got = receiver.requests[0]!;
    expect(got.text).toBe(envelopeOf(event()));
    expect(got.headers.get("content-type")).toBe("application/json");
    expect(got.headers.get("user-agent")).toBe(USER_AGENT);
    expect(
      verifyWebhook({
        config: { scheme: "standard-webhooks" },
        headers: got.headers,
        body: got.body,
        secret: SECRET,
        nowMs: NOW,
      }).ok,
    ).toBe(true);
  });

  it("carries one v1 signature per live secret during a rotation grace period", async () => {
    const rotated = endpoint({
      secrets: [
        { secret: SECRET, expires_at: null },
        { secret: OLD_SECRET, expires_at: NOW + 3600_000 },
      ],
    });
    const r = await build(rotated);
    const parts = r.headers["webhook-signature"]!.split(" ");
    expect(parts).toHaveLength(2);
    expect(parts.every((p) => p.startsWith("v1,"))).toBe(true);
    const config: SigningConfig = { scheme: "standard-webhooks" };
    expect(verifyWebhook({ config, headers: r.headers, body: r.body!, secret: SECRET, nowMs: NOW }).ok).toBe(true);
    expect(verifyWebhook({ config, headers: r.headers, body: r.body!, secret: OLD_SECRET, nowMs: NOW }).ok).toBe(true);
  });

  it("stops signing with the previous secret once its grace period ends", async () => {
    const rotated = endpoint({
      secrets: [
        { secret: SECRET, expires_at: null },
        { secret: OLD_SECRET, expires_at: NOW },
      ],
    });
    const r = await build(rotated);
    expect(r.headers["webhook-signature"]!.split(" ")).toHaveLength(1);
    expect(
      verifyWebhook({
        config: { scheme: "standard-webhooks" },
        headers: r.headers,
        body: r.body!,
        secret: OLD_SECRET,
        nowMs: NOW,
      }).ok,
    ).toBe(false);
  });

  it("adds a v1a signature with asymmetric: true", async () => {
    const r = await build(endpoint({ signing: { scheme: "standard-webhooks", asymmetric: true } }));
    const parts = r.headers["webhook-signature"]!.split(" ");
    expect(parts.map((p) => p.split(",")[0])).toEqual(["v1", "v1a"]);
    expect(
      verifyWebhook({
        config: { scheme: "ed25519" },
        headers: r.headers,
        body: r.body!,
        publicKey: signer.publicKey,
        nowMs: NOW,
      }).ok,
    ).toBe(true);
  });

  it("signs with the endpoint's scheme (hmac-sha256, GitHub style)", async () => {
    const signing = { scheme: "hmac-sha256" as const, signature_header: "X-Hub-Signature-256" };
    const r = await build(endpoint({ signing }));
    expect(r.headers["X-Hub-Signature-256"]).toMatch(/^sha256=[0-9a-f]{64}$/);
    expect(r.headers["X-Webhook-Event"]).toBe("run.completed");
    expect(verifyWebhook({ config: signing, headers: r.headers, body: r.body!, secret: SECRET, nowMs: NOW }).ok).toBe(
      true,
    );
  });

  it("sends the endpoint's custom headers", async () => {
    const r = await build(endpoint({ headers: { "X-Team": "billing", "X-Trace": "abc" } }));
    expect(r.headers["X-Team"]).toBe("billing");
    expect(r.headers["X-Trace"]).toBe("abc");
    expect(r.headers["content-type"]).toBe("application/json");
  });

  it("lets custom headers choose the content-type and user-agent, without duplicating them", async () => {
    const r = await build(
      endpoint({ headers: { "Content-Type": "application/vnd.acme+json", "User-Agent": "acme-hooks" } }),
    );
    expect(r.headers["Content-Type"]).toBe("application/vnd.acme+json");
    expect(r.headers["User-Agent"]).toBe("acme-hooks");
    expect(r.headers["content-type"]).toBeUndefined();
    expect(r.headers["user-agent"]).toBeUndefined();
  });

  describe("static auth", () => {
    it("basic → Authorization: Basic base64(username:password)", async () => {
      const r = await build(endpoint({ auth: { type: "basic", username: "hooks", password: "s3cr3t:pw" } }));
      expect(r.headers.authorization).toBe(`Basic ${Buffer.from("hooks:s3cr3t:pw").toString("base64")}`);
    });

    it("bearer → Authorization: Bearer <token>", async () => {
      const r = await build(endpoint({ auth: { type: "bearer", token: "tok_123" } }));
      expect(r.headers.authorization).toBe("Bearer tok_123");
    });

    it("header → the named header with the value", async () => {
      const r = await build(endpoint({ auth: { type: "header", name: "X-Api-Key", value: "k-42" } }));
      expect(r.headers["X-Api-Key"]).toBe("k-42");
      expect(r.headers.authorization).toBeUndefined();
    });

    it("staticAuthHeaders answers null for OAuth2 (tokens come from the token cache)", () => {
      const e = endpoint({
        auth: {
          type: "oauth2_client_credentials",
          token_url: "https://auth.example/token",
          client_id: "c",
          client_secret: "s",
        },
      });
      expect(staticAuthHeaders(e)).toBeNull();
      expect(staticAuthHeaders(endpoint())).toEqual({});
    });

    it("reports a failing credential fetch as auth_error", async () => {
      const e = endpoint({
        auth: {
          type: "oauth2_client_credentials",
          token_url: "https://auth.example/token",
          client_id: "c",
          client_secret: "s",
        },
      });
      const built = await endpointRequest(event(), e, {
        ...ctx,
        authHeaders: () => {
          throw new AuthError("token endpoint answered HTTP 500");
        },
      });
      expect(built).toEqual({ ok: false, error: { kind: "auth_error", message: "token endpoint answered HTTP 500" } });
    });
  });

  describe("methods", () => {
    it("GET has no body and no content-type, and signs the empty body", async () => {
      const r = await build(endpoint({ http_method: "GET" }));
      expect(r.method).toBe("GET");
      expect(r.body).toBeNull();
      expect(r.headers["content-type"]).toBeUndefined();
      expect(
        verifyWebhook({
          config: { scheme: "standard-webhooks" },
          headers: r.headers,
          body: "",
          secret: SECRET,
          nowMs: NOW,
        }).ok,
      ).toBe(true);
    });

    it("PUT, PATCH and DELETE carry the envelope", async () => {
      for (const method of ["PUT", "PATCH", "DELETE"] as const) {
        const r = await build(endpoint({ http_method: method }));
        expect(r.method).toBe(method);
        expect(r.body).toBe(envelopeOf(event()));
      }
    });
  });

  describe("transform", () => {
    it("sends the JSONata result as the body and signs it", async () => {
      const r = await build(endpoint({ transform: '{"text": "Run " & data.run_id & " finished"}' }));
      expect(r.body).toBe('{"text":"Run r1 finished"}');
      expect(r.headers["content-type"]).toBe("application/json");
      expect(
        verifyWebhook({
          config: { scheme: "standard-webhooks" },
          headers: r.headers,
          body: r.body!,
          secret: SECRET,
          nowMs: NOW,
        }).ok,
      ).toBe(true);
    });

    it("sends a string result as text/plain", async () => {
      const r = await build(endpoint({ transform: '"Run " & data.run_id' }));
      expect(r.body).toBe("Run r1");
      expect(r.headers["content-type"]).toBe("text/plain");
    });

    it("reports a failing transform as transform_error", async () => {
      const built = await endpointRequest(event(), endpoint({ transform: '$error("boom")' }), ctx);
      expect(built.ok).toBe(false);
      if (!built.ok) {
        expect(built.error.kind).toBe("transform_error");
        expect(built.error.message).toContain("boom");
      }
    });
  });
});

describe("adHocRequest", () => {
  it("POSTs the envelope signed v1a only, verifiable with the gateway public key", () => {
    const r = adHocRequest(event(), "https://adhoc.example/in", ctx, 7000);
    expect(r).toMatchObject({
      url: "https://adhoc.example/in",
      method: "POST",
      body: envelopeOf(event()),
      timeoutMs: 7000,
    });
    expect(r.headers["content-type"]).toBe("application/json");
    expect(r.headers["user-agent"]).toBe(USER_AGENT);
    expect(r.headers["webhook-signature"]).toMatch(/^v1a,[A-Za-z0-9+/]+=*$/);
    expect(
      verifyWebhook({
        config: { scheme: "ed25519" },
        headers: r.headers,
        body: r.body!,
        publicKey: signer.publicKeyPem,
        nowMs: NOW,
      }).ok,
    ).toBe(true);
  });
});
