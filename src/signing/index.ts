// The signing module's public surface: outbound signature headers, the gateway Ed25519 key, the reference
// verifier, and endpoint secret handling.

export * from "./ed25519";
export * from "./schemes";
export * from "./secrets";
export * from "./verify";
