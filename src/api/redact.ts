// What endpoint reads and previews show of credentials: nothing, not even a prefix. Outbound credentials and the
// values of custom headers whose names suggest a secret read as "****" (docs/api.md "Endpoints").
import type { AuthSpec, TlsSpec } from "../endpoints/spec.ts";

export const REDACTED = "****";

/** Header names whose values are treated as secrets (any case). */
const SENSITIVE_NAME = /auth|token|secret|key|password|cookie|signature/i;

/** The fields of `auth` that hold a credential, whatever its type. */
const CREDENTIAL_FIELDS = ["password", "token", "value", "client_secret"] as const;

export function isSensitiveHeader(name: string): boolean {
  return SENSITIVE_NAME.test(name);
}

/** Custom headers as reads show them: the values of sensitive names replaced by "****". */
export function redactHeaders(headers: Readonly<Record<string, string>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) out[name] = isSensitiveHeader(name) ? REDACTED : value;
  return out;
}

/** Outbound auth as reads show it: every credential field "****", the rest (type, username, URLs) as set. */
export function redactAuth(auth: AuthSpec | null): Record<string, unknown> | null {
  if (!auth) return null;
  const out: Record<string, unknown> = { ...auth };
  for (const field of CREDENTIAL_FIELDS) if (typeof out[field] === "string") out[field] = REDACTED;
  return out;
}

/** The client certificate as reads show it: the certificate and extra roots as set, the private key "****". */
export function redactTls(tls: TlsSpec | null): { client_cert: string; client_key: string; ca?: string } | null {
  if (!tls) return null;
  return { client_cert: tls.client_cert, client_key: REDACTED, ...(tls.ca ? { ca: tls.ca } : {}) };
}
