// Fixed vectors for the signing options of docs/api.md "Delivery options": `id_value` (every scheme; the signature
// covers the id that is sent), `timestamp_source` (hmac-sha256) and the number of live secrets each scheme signs
// with. Expected values were computed once with openssl (`openssl dgst -sha256 -hmac` / `-mac HMAC -macopt hexkey:`).
import { describe, expect, it } from "bun:test";
import { type SignInput, signatureHeaders, signerFromSecretKey } from "../../src/signing";
import { verifyWebhook } from "../../src/signing/verify.ts";

const SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
const OLD_SECRET = "whsec_aG9va2dhdGUtcHJldmlvdXMtc2VjcmV0LTMyYnl0ZXM=";
const OLDER_SECRET = "whsec_third-secret-for-rotation";
const BODY = '{"test": 2432232314}';
const DELIVERY = "dlv_01jd3x2v7k8m9n0p1q2r3s4t5v";
const EVENT_TIME = Date.parse("2026-06-01T08:00:00.000Z");

const input: SignInput = {
  id: "msg_p5jXN8AQM9LWM0D4loKWxJek",
  deliveryId: DELIVERY,
  eventType: "invoice.paid",
  timestampMs: 1614265330_000,
  eventTimestampMs: EVENT_TIME,
  body: BODY,
  secrets: [SECRET],
};

/** base64 HMAC-SHA256(base64-decoded secret, "<delivery id>.1614265330.<body>"). */
const V1_DELIVERY = "v1,FCB1xeWYaaEWk3IOP9YU3EqGcP2ngrjtuPiTCPMv7ds=";
/** The published Standard Webhooks vector (the event id is signed). */
const V1_EVENT = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";
const GITHUB_HEX = "80ec8a89ce3cd22133a1066caecb4d04fea7467657c8514d717ec42c38a5c94c";
const STRIPE_V1 = "2e37df5d4a028c51a7f3133d64ae1e300d2c2c900f1b1d49d4369ad2530f8964";
const STRIPE_V1_OLD = "ce98add4412c0c6b8cb04ad1024b4a75577f000521da9af62f14d40285f0ce27";
const STRIPE_V1_OLDER = "8b45a8f7f5dd49542389701db4705471a43cd196fd6456b0cafedf822ac0e743";

describe("signing.id_value", () => {
  it("standard-webhooks: sends and signs the delivery id with id_value: delivery", () => {
    expect(signatureHeaders({ scheme: "standard-webhooks", id_value: "delivery" }, input)).toEqual({
      "webhook-id": DELIVERY,
      "webhook-timestamp": "1614265330",
      "webhook-signature": V1_DELIVERY,
    });
  });

  it("standard-webhooks: sends and signs the event id by default and with id_value: event", () => {
    for (const config of [
      { scheme: "standard-webhooks" },
      { scheme: "standard-webhooks", id_value: "event" },
    ] as const) {
      const headers = signatureHeaders(config, input);
      expect(headers["webhook-id"]).toBe(input.id);
      expect(headers["webhook-signature"]).toBe(V1_EVENT);
    }
  });

  it("ed25519: the v1a signature covers the delivery id that is sent", () => {
    const signer = signerFromSecretKey("whsk_AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=");
    const config = { scheme: "ed25519", id_value: "delivery" } as const;
    const headers = signatureHeaders(config, { ...input, secrets: [], signer });
    expect(headers["webhook-id"]).toBe(DELIVERY);
    const check = (id: string) =>
      verifyWebhook({
        config,
        headers: { ...headers, "webhook-id": id },
        body: BODY,
        publicKey: signer.publicKey,
        nowMs: input.timestampMs,
      }).ok;
    expect(check(DELIVERY)).toBe(true);
    expect(check(input.id)).toBe(false);
  });

  it("hmac-sha256 and timestamped-hmac: the id header carries the delivery id; the body signature is unchanged", () => {
    expect(signatureHeaders({ scheme: "hmac-sha256", id_value: "delivery" }, input)).toMatchObject({
      "X-Webhook-Signature": `sha256=${GITHUB_HEX}`,
      "X-Webhook-ID": DELIVERY,
    });
    expect(signatureHeaders({ scheme: "timestamped-hmac", id_value: "delivery" }, input)).toMatchObject({
      "X-Webhook-Signature": `t=1614265330,v1=${STRIPE_V1}`,
      "X-Webhook-ID": DELIVERY,
    });
  });

  it("refuses to sign with id_value: delivery when no delivery id is given", () => {
    const { deliveryId: _d, ...withoutDelivery } = input;
    expect(() => signatureHeaders({ scheme: "standard-webhooks", id_value: "delivery" }, withoutDelivery)).toThrow(
      /delivery id/,
    );
  });
});

describe("signing.timestamp_source (hmac-sha256)", () => {
  it("sends the attempt's time by default and with timestamp_source: attempt", () => {
    for (const config of [{ scheme: "hmac-sha256" }, { scheme: "hmac-sha256", timestamp_source: "attempt" }] as const)
      expect(signatureHeaders(config, input)["X-Webhook-Timestamp"]).toBe("2021-02-25T15:02:10.000Z");
  });

  it("sends the event's time with timestamp_source: event, the same on every attempt", () => {
    const config = { scheme: "hmac-sha256", timestamp_source: "event" } as const;
    const first = signatureHeaders(config, input);
    const retry = signatureHeaders(config, { ...input, timestampMs: input.timestampMs + 3_600_000 });
    expect(first["X-Webhook-Timestamp"]).toBe("2026-06-01T08:00:00.000Z");
    expect(retry).toEqual(first);
    expect(first["X-Webhook-Signature"]).toBe(`sha256=${GITHUB_HEX}`);
  });

  it("is accepted by the verifier however old the event is (the header is the event's time, not the send time)", () => {
    const config = { scheme: "hmac-sha256", timestamp_source: "event" } as const;
    const headers = signatureHeaders(config, input);
    const later = EVENT_TIME + 3 * 86_400_000;
    expect(verifyWebhook({ config, headers, body: BODY, secret: SECRET, nowMs: later }).ok).toBe(true);
    expect(
      verifyWebhook({ config: { scheme: "hmac-sha256" }, headers, body: BODY, secret: SECRET, nowMs: later }),
    ).toEqual({ ok: false, reason: "timestamp outside tolerance" });
  });
});

describe("live secrets per scheme", () => {
  it("timestamped-hmac signs with the current secret and only the newest previous one", () => {
    const headers = signatureHeaders(
      { scheme: "timestamped-hmac" },
      { ...input, secrets: [SECRET, OLD_SECRET, OLDER_SECRET] },
    );
    expect(headers["X-Webhook-Signature"]).toBe(`t=1614265330,v1=${STRIPE_V1},v1old=${STRIPE_V1_OLD}`);
    expect(headers["X-Webhook-Signature"]).not.toContain(STRIPE_V1_OLDER);
  });

  it("standard-webhooks sends one v1 signature per live secret, at most 5", () => {
    const secrets = Array.from({ length: 7 }, (_, i) => `whsec_${Buffer.alloc(32, i + 1).toString("base64")}`);
    const signature = signatureHeaders({ scheme: "standard-webhooks" }, { ...input, secrets })["webhook-signature"]!;
    expect(signature.split(" ")).toHaveLength(5);
    for (const [i, secret] of secrets.entries()) {
      const accepted = verifyWebhook({
        config: { scheme: "standard-webhooks" },
        headers: signatureHeaders({ scheme: "standard-webhooks" }, { ...input, secrets }),
        body: BODY,
        secret,
        nowMs: input.timestampMs,
      }).ok;
      expect(accepted).toBe(i < 5);
    }
  });
});
