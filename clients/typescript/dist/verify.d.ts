export type { SigningConfig } from "./internal/signing/schemes.ts";
export { type VerifyOptions, type VerifyResult, verifyWebhook } from "./internal/signing/verify.ts";
