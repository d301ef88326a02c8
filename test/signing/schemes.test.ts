// Fixed vectors for every signing scheme. Expected values were computed once with openssl
// (`openssl dgst -sha256 -hmac`, `openssl pkeyutl -sign -rawin`); the standard-webhooks one is the published vector.
import { describe, expect, it } from "bun:test";
import { reservedHeaderNames, type SignInput, signatureHeaders, signerFromSecretKey } from "../../src/signing";

const SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
/** `whsec_` + base64("hookgate-previous-secret-32bytes"). */
const OLD_SECRET = "whsec_aG9va2dhdGUtcHJldmlvdXMtc2VjcmV0LTMyYnl0ZXM=";
/** Ed25519 seed 0x00..0x1f. */
const ED25519_SECRET = "whsk_AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";
const BODY = '{"test": 2432232314}';

const input: SignInput = {
  id: "msg_p5jXN8AQM9LWM0D4loKWxJek",
  eventType: "invoice.paid",
  timestampMs: 1614265330_000,
  body: BODY,
  secrets: [SECRET],
};

const V1 = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";
const V1_OLD = "v1,wG1mmx4cNQWD/eqr3nvO8ePPiCERnNjUUg14LYiSJk0=";
const V1A = "v1a,yoUrgEkc12aGqm0n4Sydmdz55xJfTz4AsAgieHFjmkR7LJtqVCZOQYzvvHjI5kAey+r4iaBGxTFRrl2iBQxtDQ==";
const GITHUB_HEX = "80ec8a89ce3cd22133a1066caecb4d04fea7467657c8514d717ec42c38a5c94c";
const STRIPE_V1 = "2e37df5d4a028c51a7f3133d64ae1e300d2c2c900f1b1d49d4369ad2530f8964";
const STRIPE_V1_OLD = "ce98add4412c0c6b8cb04ad1024b4a75577f000521da9af62f14d40285f0ce27";

describe("standard-webhooks scheme", () => {
  it("signs the published Standard Webhooks vector", () => {
    expect(signatureHeaders({ scheme: "standard-webhooks" }, input)).toEqual({
      "webhook-id": "msg_p5jXN8AQM9LWM0D4loKWxJek",
      "webhook-timestamp": "1614265330",
      "webhook-signature": V1,
    });
  });

  it("floors the millisecond timestamp to unix seconds", () => {
    const headers = signatureHeaders({ scheme: "standard-webhooks" }, { ...input, timestampMs: 1614265330_999 });
    expect(headers["webhook-timestamp"]).toBe("1614265330");
    expect(headers["webhook-signature"]).toBe(V1);
  });

  it("signs the same bytes whether the body is a string or a Uint8Array", () => {
    const headers = signatureHeaders(
      { scheme: "standard-webhooks" },
      { ...input, body: new TextEncoder().encode(BODY) },
    );
    expect(headers["webhook-signature"]).toBe(V1);
  });

  it("uses header_prefix for all three header names", () => {
    const headers = signatureHeaders({ scheme: "standard-webhooks", header_prefix: "svix-" }, input);
    expect(Object.keys(headers).sort()).toEqual(["svix-id", "svix-signature", "svix-timestamp"]);
    expect(headers["svix-signature"]).toBe(V1);
  });

  it("carries one v1 entry per live secret, newest first, during a rotation", () => {
    const headers = signatureHeaders({ scheme: "standard-webhooks" }, { ...input, secrets: [SECRET, OLD_SECRET] });
    expect(headers["webhook-signature"]).toBe(`${V1} ${V1_OLD}`);
  });

  it("uses the UTF-8 bytes of a secret without the whsec_ prefix as the key", () => {
    const headers = signatureHeaders({ scheme: "standard-webhooks" }, { ...input, secrets: ["plain-secret"] });
    expect(headers["webhook-signature"]).toBe("v1,3Iu+JbC8cHey9rJURLZfxQoX30vMfLebm9Kn1ePn6f4=");
  });

  it("appends a v1a Ed25519 signature when asymmetric", () => {
    const signer = signerFromSecretKey(ED25519_SECRET);
    const headers = signatureHeaders({ scheme: "standard-webhooks", asymmetric: true }, { ...input, signer });
    expect(headers["webhook-signature"]).toBe(`${V1} ${V1A}`);
  });

  it("refuses to sign without a secret", () => {
    expect(() => signatureHeaders({ scheme: "standard-webhooks" }, { ...input, secrets: [] })).toThrow(/secret/);
  });
});

describe("hmac-sha256 scheme", () => {
  it("signs the body with the whole secret string and sends id, ISO timestamp and event type", () => {
    expect(signatureHeaders({ scheme: "hmac-sha256" }, input)).toEqual({
      "X-Webhook-Signature": `sha256=${GITHUB_HEX}`,
      "X-Webhook-ID": "msg_p5jXN8AQM9LWM0D4loKWxJek",
      "X-Webhook-Timestamp": "2021-02-25T15:02:10.000Z",
      "X-Webhook-Event": "invoice.paid",
    });
  });

  it("keeps configured header names and prefix exactly", () => {
    const config = {
      scheme: "hmac-sha256",
      signature_header: "X-Hub-Signature-256",
      prefix: "",
      id_header: "X-GitHub-Delivery",
      timestamp_header: "X-Sent-At",
      event_header: "X-GitHub-Event",
    } as const;
    expect(signatureHeaders(config, input)).toEqual({
      "X-Hub-Signature-256": GITHUB_HEX,
      "X-GitHub-Delivery": "msg_p5jXN8AQM9LWM0D4loKWxJek",
      "X-Sent-At": "2021-02-25T15:02:10.000Z",
      "X-GitHub-Event": "invoice.paid",
    });
  });

  it("signs with the newest secret only during a rotation", () => {
    const headers = signatureHeaders({ scheme: "hmac-sha256" }, { ...input, secrets: [SECRET, OLD_SECRET] });
    expect(headers["X-Webhook-Signature"]).toBe(`sha256=${GITHUB_HEX}`);
  });
});

describe("timestamped-hmac scheme", () => {
  it("signs '<t>.<body>' Stripe-style", () => {
    expect(signatureHeaders({ scheme: "timestamped-hmac" }, input)).toEqual({
      "X-Webhook-Signature": `t=1614265330,v1=${STRIPE_V1}`,
      "X-Webhook-ID": "msg_p5jXN8AQM9LWM0D4loKWxJek",
      "X-Webhook-Event": "invoice.paid",
    });
  });

  it("adds v1old for the previous secret during a rotation", () => {
    const headers = signatureHeaders(
      { scheme: "timestamped-hmac", signature_header: "Stripe-Signature" },
      { ...input, secrets: [SECRET, OLD_SECRET] },
    );
    expect(headers["Stripe-Signature"]).toBe(`t=1614265330,v1=${STRIPE_V1},v1old=${STRIPE_V1_OLD}`);
  });
});

describe("ed25519 scheme", () => {
  it("sends the standard-webhooks headers with only a v1a signature", () => {
    const signer = signerFromSecretKey(ED25519_SECRET);
    expect(signatureHeaders({ scheme: "ed25519" }, { ...input, secrets: [], signer })).toEqual({
      "webhook-id": "msg_p5jXN8AQM9LWM0D4loKWxJek",
      "webhook-timestamp": "1614265330",
      "webhook-signature": V1A,
    });
  });

  it("ignores endpoint secrets", () => {
    const signer = signerFromSecretKey(ED25519_SECRET);
    const headers = signatureHeaders({ scheme: "ed25519", header_prefix: "svix-" }, { ...input, signer });
    expect(headers["svix-signature"]).toBe(V1A);
  });

  it("refuses to sign without the gateway key", () => {
    expect(() => signatureHeaders({ scheme: "ed25519" }, input)).toThrow(/Ed25519 key/);
  });
});

describe("reservedHeaderNames", () => {
  it("lists the lowercased headers each scheme writes", () => {
    expect(reservedHeaderNames({ scheme: "standard-webhooks" })).toEqual([
      "webhook-id",
      "webhook-timestamp",
      "webhook-signature",
    ]);
    expect(reservedHeaderNames({ scheme: "ed25519", header_prefix: "svix-" })).toEqual([
      "svix-id",
      "svix-timestamp",
      "svix-signature",
    ]);
    expect(reservedHeaderNames({ scheme: "hmac-sha256", signature_header: "X-Hub-Signature-256" })).toEqual([
      "x-hub-signature-256",
      "x-webhook-id",
      "x-webhook-timestamp",
      "x-webhook-event",
    ]);
    expect(reservedHeaderNames({ scheme: "timestamped-hmac", signature_header: "Stripe-Signature" })).toEqual([
      "stripe-signature",
      "x-webhook-id",
      "x-webhook-event",
    ]);
  });

  it("covers exactly the headers signatureHeaders returns", () => {
    const signer = signerFromSecretKey(ED25519_SECRET);
    for (const scheme of ["standard-webhooks", "hmac-sha256", "timestamped-hmac", "ed25519"] as const) {
      const written = Object.keys(signatureHeaders({ scheme }, { ...input, signer })).map((h) => h.toLowerCase());
      expect(written.sort()).toEqual(reservedHeaderNames({ scheme }).sort());
    }
  });
});
