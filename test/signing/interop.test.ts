// Real third-party verifiers accept what hookgate signs: standardwebhooks, svix, stripe, a GitHub-style check
// and node:crypto for Ed25519. Timestamps are fresh because these libraries enforce a tolerance.
import { describe, expect, it } from "bun:test";
import { createHmac, createPublicKey, timingSafeEqual, verify } from "node:crypto";
import { Webhook as StandardWebhook } from "standardwebhooks";
import Stripe from "stripe";
import { Webhook as SvixWebhook } from "svix";
import { type SignInput, signatureHeaders, signerFromSecretKey } from "../../src/signing";

const SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
const OLD_SECRET = "whsec_aG9va2dhdGUtcHJldmlvdXMtc2VjcmV0LTMyYnl0ZXM=";
const BODY = JSON.stringify({ id: "evt_01JX", type: "invoice.paid", data: { customer: "Zoë ✓", amount: 4200 } });

function freshInput(overrides: Partial<SignInput> = {}): SignInput {
  return {
    id: "evt_01JX",
    eventType: "invoice.paid",
    timestampMs: Date.now(),
    body: BODY,
    secrets: [SECRET],
    ...overrides,
  };
}

describe("standardwebhooks library", () => {
  it("verifies the v1 signature", () => {
    const headers = signatureHeaders({ scheme: "standard-webhooks" }, freshInput());
    expect(new StandardWebhook(SECRET).verify(BODY, headers)).toEqual(JSON.parse(BODY));
  });

  it("verifies with each of the two secrets during a rotation", () => {
    const headers = signatureHeaders({ scheme: "standard-webhooks" }, freshInput({ secrets: [SECRET, OLD_SECRET] }));
    expect(new StandardWebhook(SECRET).verify(BODY, headers)).toEqual(JSON.parse(BODY));
    expect(new StandardWebhook(OLD_SECRET).verify(BODY, headers)).toEqual(JSON.parse(BODY));
    expect(() => new StandardWebhook(`whsec_${btoa("some-other-secret")}`).verify(BODY, headers)).toThrow();
  });

  it("still verifies v1 when an asymmetric v1a entry is present", () => {
    const signer = signerFromSecretKey("whsk_AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=");
    const headers = signatureHeaders({ scheme: "standard-webhooks", asymmetric: true }, freshInput({ signer }));
    expect(new StandardWebhook(SECRET).verify(BODY, headers)).toEqual(JSON.parse(BODY));
  });

  it("agrees on a secret without the whsec_ prefix when given as raw bytes", () => {
    const headers = signatureHeaders({ scheme: "standard-webhooks" }, freshInput({ secrets: ["plain-secret"] }));
    expect(new StandardWebhook("plain-secret", { format: "raw" }).verify(BODY, headers)).toEqual(JSON.parse(BODY));
  });

  it("agrees on a secret without the whsec_ prefix given as whsec_ + base64 of it (as the README says)", () => {
    const secret = "my-own-secret-0123456789";
    const headers = signatureHeaders({ scheme: "standard-webhooks" }, freshInput({ secrets: [secret] }));
    const converted = `whsec_${Buffer.from(secret).toString("base64")}`;
    expect(new StandardWebhook(converted).verify(BODY, headers)).toEqual(JSON.parse(BODY));
    expect(new SvixWebhook(converted).verify(BODY, headers)).toEqual(JSON.parse(BODY));
    expect(() => new StandardWebhook(secret).verify(BODY, headers)).toThrow();
  });
});

describe("svix library", () => {
  it("verifies svix- headers from header_prefix", () => {
    const headers = signatureHeaders({ scheme: "standard-webhooks", header_prefix: "svix-" }, freshInput());
    expect(Object.keys(headers).sort()).toEqual(["svix-id", "svix-signature", "svix-timestamp"]);
    expect(new SvixWebhook(SECRET).verify(BODY, headers)).toEqual(JSON.parse(BODY));
  });
});

describe("stripe library", () => {
  // Under Bun, stripe loads its worker build, whose crypto is async: constructEventAsync is the supported call.
  it("verifies timestamped-hmac with Stripe-Signature and the whole secret string as key", async () => {
    const config = { scheme: "timestamped-hmac", signature_header: "Stripe-Signature" } as const;
    const headers = signatureHeaders(config, freshInput({ secrets: [SECRET, OLD_SECRET] }));
    const event = await Stripe.webhooks.constructEventAsync(BODY, headers["Stripe-Signature"]!, SECRET);
    expect(event.id).toBe("evt_01JX");
  });

  it("rejects the header under another secret", async () => {
    const headers = signatureHeaders({ scheme: "timestamped-hmac" }, freshInput());
    const attempt = Stripe.webhooks.constructEventAsync(BODY, headers["X-Webhook-Signature"]!, OLD_SECRET);
    await expect(attempt).rejects.toThrow();
  });
});

describe("GitHub-style receiver", () => {
  it("accepts sha256=<hex> computed with node:crypto over the raw body", () => {
    const headers = signatureHeaders({ scheme: "hmac-sha256", signature_header: "X-Hub-Signature-256" }, freshInput());
    const expected = Buffer.from(`sha256=${createHmac("sha256", SECRET).update(BODY).digest("hex")}`);
    const received = Buffer.from(headers["X-Hub-Signature-256"]!);
    expect(received.length === expected.length && timingSafeEqual(received, expected)).toBe(true);
  });
});

describe("node:crypto Ed25519 receiver", () => {
  it("verifies v1a against publicKeyPem over '<id>.<ts>.<body>'", () => {
    const signer = signerFromSecretKey("whsk_AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=");
    const headers = signatureHeaders({ scheme: "ed25519" }, freshInput({ secrets: [], signer }));
    const [version, signature] = headers["webhook-signature"]!.split(",");
    expect(version).toBe("v1a");
    const content = Buffer.from(`${headers["webhook-id"]}.${headers["webhook-timestamp"]}.${BODY}`);
    const key = createPublicKey(signer.publicKeyPem);
    expect(verify(null, content, key, Buffer.from(signature!, "base64"))).toBe(true);
    expect(verify(null, Buffer.from(`${content}x`), key, Buffer.from(signature!, "base64"))).toBe(false);
  });
});
