// The reference verifier accepts what signatureHeaders produces and rejects tampering, wrong keys and stale times.
import { describe, expect, it } from "bun:test";
import { type SigningConfig, signatureHeaders, signerFromSecretKey, verifyWebhook } from "../../src/signing";

const SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
const OLD_SECRET = "whsec_aG9va2dhdGUtcHJldmlvdXMtc2VjcmV0LTMyYnl0ZXM=";
const OTHER_SECRET = "whsec_b3RoZXItc2VjcmV0LW90aGVyLXNlY3JldC0zMg==";
const signer = signerFromSecretKey("whsk_AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=");
const BODY = '{"test": 2432232314}';
const NOW_MS = 1614265330_000;

const CONFIGS: SigningConfig[] = [
  { scheme: "standard-webhooks" },
  { scheme: "standard-webhooks", header_prefix: "svix-" },
  { scheme: "hmac-sha256" },
  { scheme: "timestamped-hmac", signature_header: "Stripe-Signature" },
];

function sign(config: SigningConfig, secrets = [SECRET]): Headers {
  const headers = signatureHeaders(config, {
    id: "msg_1",
    eventType: "a.b",
    timestampMs: NOW_MS,
    body: BODY,
    secrets,
    signer,
  });
  return new Headers(headers);
}

describe("verifyWebhook", () => {
  for (const config of CONFIGS) {
    const label = `${config.scheme}${"header_prefix" in config ? ` (${config.header_prefix})` : ""}`;
    describe(label, () => {
      it("accepts a good signature and returns the event id and timestamp", () => {
        const result = verifyWebhook({ config, headers: sign(config), body: BODY, secret: SECRET, nowMs: NOW_MS });
        expect(result).toEqual({ ok: true, id: "msg_1", timestamp: 1614265330 });
      });

      it("rejects a tampered body", () => {
        const result = verifyWebhook({
          config,
          headers: sign(config),
          body: `${BODY} `,
          secret: SECRET,
          nowMs: NOW_MS,
        });
        expect(result).toEqual({ ok: false, reason: "no matching signature" });
      });

      it("rejects the wrong secret", () => {
        const result = verifyWebhook({
          config,
          headers: sign(config),
          body: BODY,
          secret: OTHER_SECRET,
          nowMs: NOW_MS,
        });
        expect(result).toEqual({ ok: false, reason: "no matching signature" });
      });

      it("rejects a timestamp outside the tolerance, either way", () => {
        const headers = sign(config);
        for (const skew of [-301_000, 301_000]) {
          const result = verifyWebhook({ config, headers, body: BODY, secret: SECRET, nowMs: NOW_MS + skew });
          expect(result).toEqual({ ok: false, reason: "timestamp outside tolerance" });
        }
        expect(verifyWebhook({ config, headers, body: BODY, secret: SECRET, nowMs: NOW_MS + 300_000 }).ok).toBe(true);
      });
    });
  }

  it("accepts any of the signatures listed during a rotation", () => {
    const config = { scheme: "standard-webhooks" } as const;
    const headers = sign(config, [SECRET, OLD_SECRET]);
    for (const secret of [SECRET, OLD_SECRET]) {
      expect(verifyWebhook({ config, headers, body: BODY, secret, nowMs: NOW_MS }).ok).toBe(true);
    }
  });

  it("accepts the previous secret against v1old for timestamped-hmac", () => {
    const config = { scheme: "timestamped-hmac" } as const;
    const headers = sign(config, [SECRET, OLD_SECRET]);
    expect(verifyWebhook({ config, headers, body: BODY, secret: OLD_SECRET, nowMs: NOW_MS }).ok).toBe(true);
  });

  it("verifies ed25519 with the whpk_ or PEM public key and rejects a tampered body", () => {
    const config = { scheme: "ed25519" } as const;
    const headers = sign(config, []);
    for (const publicKey of [signer.publicKey, signer.publicKeyPem]) {
      expect(verifyWebhook({ config, headers, body: BODY, publicKey, nowMs: NOW_MS })).toEqual({
        ok: true,
        id: "msg_1",
        timestamp: 1614265330,
      });
    }
    const tampered = verifyWebhook({ config, headers, body: `${BODY}!`, publicKey: signer.publicKey, nowMs: NOW_MS });
    expect(tampered).toEqual({ ok: false, reason: "no matching signature" });
  });

  it("rejects a v1a signature from another key", () => {
    const config = { scheme: "standard-webhooks", asymmetric: true } as const;
    const other = signerFromSecretKey(`whsk_${Buffer.alloc(32, 9).toString("base64")}`);
    const result = verifyWebhook({
      config,
      headers: sign(config),
      body: BODY,
      publicKey: other.publicKey,
      nowMs: NOW_MS,
    });
    expect(result.ok).toBe(false);
  });

  it("reads plain-object headers case-insensitively and reports missing ones", () => {
    const config = { scheme: "standard-webhooks" } as const;
    const headers = Object.fromEntries([...sign(config)].map(([name, value]) => [name.toUpperCase(), value]));
    expect(verifyWebhook({ config, headers, body: BODY, secret: SECRET, nowMs: NOW_MS }).ok).toBe(true);
    expect(verifyWebhook({ config, headers: {}, body: BODY, secret: SECRET, nowMs: NOW_MS })).toEqual({
      ok: false,
      reason: "missing signature headers",
    });
  });
});
