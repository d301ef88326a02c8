// GET /v1/public-key: the gateway's Ed25519 public key, so receivers can verify v1a signatures (no auth).
import { Elysia, t } from "elysia";
import type { ApiDeps } from "./context.ts";

export function publicKeyPlugin({ signer }: ApiDeps) {
  const data = {
    algorithm: "ed25519" as const,
    key_id: signer.keyId,
    public_key: signer.publicKey,
    public_key_pem: signer.publicKeyPem,
  };
  return new Elysia({ name: "public-key", tags: ["Public key"] }).get("/v1/public-key", () => ({ data }), {
    response: t.Object({
      data: t.Object({
        algorithm: t.Literal("ed25519"),
        key_id: t.String({ examples: ["ed25519_3f1c2a9b8d7e6f50"] }),
        public_key: t.String({
          description: "whpk_ + base64 of the raw 32-byte key.",
          examples: ["whpk_MCowBQYDK2VwAyEA…"],
        }),
        public_key_pem: t.String({ description: "SPKI PEM." }),
      }),
    }),
    detail: {
      summary: "Gateway public key",
      description:
        "Verify `v1a,` signatures (standard-webhooks with asymmetric: true, the ed25519 scheme, and target_url deliveries). No auth.",
      security: [],
    },
  });
}
