// `hookgate/verify`: the receiver-side check of hookgate's signatures (every scheme), with no dependency
// beyond node:crypto. The implementation is the gateway's own (copied into internal/ by client:generate).

export type { SigningConfig } from "./internal/signing/schemes.ts";
export { type VerifyOptions, type VerifyResult, verifyWebhook } from "./internal/signing/verify.ts";
