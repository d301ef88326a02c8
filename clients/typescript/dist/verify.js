// `hookgate/verify`: the receiver-side check of hookgate's signatures (every scheme), with no dependency
// beyond node:crypto. The implementation is the gateway's own (copied into internal/ by client:generate).
export { verifyWebhook } from "./internal/signing/verify.js";
