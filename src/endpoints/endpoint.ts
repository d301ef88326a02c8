// The live form of an endpoint: decrypted secrets and credentials, compiled filter and transform, and how it is
// written to and read from the store (encrypted under the master key).
import { parseDuration } from "../lib/duration.ts";
import { ConflictError } from "../lib/errors.ts";
import { stableStringify } from "../lib/json.ts";
import { type CompiledFilter, compileFilter } from "../routing/filter.ts";
import { type CompiledTransform, compileTransform } from "../routing/transform.ts";
import { MAX_SIGNING_SECRETS } from "../signing/schemes.ts";
import { decrypt, encrypt, generateSecret } from "../signing/secrets.ts";
import type { EndpointRecord } from "../store/index.ts";
import type { AuthSpec, DeclaredEndpoint, EndpointSpec, HttpMethod, SigningConfig, TlsSpec } from "./spec.ts";

export interface SecretEntry {
  secret: string;
  /** null for the current secret; when a rotated-out secret stops signing (ms). */
  expires_at: number | null;
}

export interface Endpoint extends EndpointSpec {
  id: string;
  disabled_reason: EndpointRecord["disabled_reason"];
  source: "api" | "config";
  failing_since: number | null;
  /** When a drain (DELETE ?drain=true) began; null when not draining. */
  draining_since: number | null;
  created_at: number;
  updated_at: number;
  /** Newest first; index 0 is the current secret. */
  secrets: SecretEntry[];
  compiled: { filter: CompiledFilter | null; transform: CompiledTransform | null; scheduleMs: number[] | null };
}

/**
 * The secrets after a rotation to `fresh`: the current one keeps signing until `expiresAt`, expired ones go, and at
 * most one previous secret stays for timestamped-hmac (Stripe-style receivers expect one v1old), four otherwise.
 */
export function rotated(
  e: Pick<Endpoint, "secrets" | "signing">,
  fresh: string,
  expiresAt: number,
  now: number,
): SecretEntry[] {
  const kept = e.signing.scheme === "timestamped-hmac" ? 1 : MAX_SIGNING_SECRETS - 1;
  const old = e.secrets
    .map((s, i) => (i === 0 ? { secret: s.secret, expires_at: expiresAt } : s))
    .filter((s) => s.expires_at !== null && s.expires_at > now)
    .slice(0, kept);
  return [{ secret: fresh, expires_at: null }, ...old];
}

/** Secrets that still sign at `now`, newest first. */
export function liveSecrets(endpoint: Pick<Endpoint, "secrets">, now: number): string[] {
  const out: string[] = [];
  for (const s of endpoint.secrets) if (s.expires_at === null || s.expires_at > now) out.push(s.secret);
  return out;
}

/** The user-set part of an endpoint, as the config file declares it and the validator checks it. */
export function specOf(e: Endpoint): EndpointSpec {
  const {
    id: _i,
    disabled_reason: _d,
    source: _s,
    failing_since: _f,
    draining_since: _dr,
    created_at: _c,
    updated_at: _u,
    secrets: _x,
    compiled: _p,
    ...spec
  } = e;
  return spec;
}

/** A stored row, decrypted and compiled (the row was validated before it was stored). */
export function decodeEndpoint(record: EndpointRecord, masterKey: Uint8Array): Endpoint {
  const secrets = JSON.parse(decrypt(masterKey, record.secrets_enc, record.id)) as SecretEntry[];
  const auth =
    record.auth_enc === null
      ? null
      : (JSON.parse(decrypt(masterKey, record.auth_enc, `${record.id}:auth`)) as AuthSpec);
  const tls =
    record.tls_enc === null ? null : (JSON.parse(decrypt(masterKey, record.tls_enc, `${record.id}:tls`)) as TlsSpec);
  const { secrets_enc: _s, auth_enc: _a, tls_enc: _t, ...rest } = record;
  return withCompiled({
    ...rest,
    signing: record.signing as SigningConfig,
    http_method: record.http_method as HttpMethod,
    auth,
    tls,
    secrets,
  });
}

/** The row to store: secrets, credentials and the TLS client key encrypted, compiled forms dropped. */
export function encodeEndpoint(endpoint: Endpoint, masterKey: Uint8Array): EndpointRecord {
  const { secrets, auth, tls, compiled: _c, ...rest } = endpoint;
  return {
    ...rest,
    secrets_enc: encrypt(masterKey, JSON.stringify(secrets), endpoint.id),
    auth_enc: auth === null ? null : encrypt(masterKey, JSON.stringify(auth), `${endpoint.id}:auth`),
    tls_enc: tls === null ? null : encrypt(masterKey, JSON.stringify(tls), `${endpoint.id}:tls`),
  };
}

/** Attaches compiled filter, transform and schedule (specs were validated before they were stored). */
export function withCompiled(e: Omit<Endpoint, "compiled">): Endpoint {
  return {
    ...e,
    compiled: {
      filter: e.filter ? compileFilter(e.filter) : null,
      transform: e.transform ? compileTransform(e.transform) : null,
      scheduleMs: e.retry_schedule ? e.retry_schedule.map((d) => parseDuration(d)!) : null,
    },
  };
}

/** A draining endpoint is on its way out: it cannot be changed (DELETE without drain removes it at once). */
export function refuseDraining(endpoint: Endpoint, what: string): void {
  if (endpoint.draining_since !== null)
    throw new ConflictError(
      `Endpoint ${endpoint.id} is draining (deleted with drain=true) and cannot be ${what}; DELETE it without drain to remove it now.`,
    );
}

/**
 * The config-declared endpoint `d` as it should be stored, or null when `current` already matches it. An
 * unchanged entry keeps its runtime state (e.g. disabled as gone/failing) across restarts and reloads: such a
 * disable is the engine's doing, so it does not count as a difference from the file's `enabled`. The secret is
 * replaced only when the file's secret changed.
 */
export function fromDeclaration(d: DeclaredEndpoint, current: Endpoint | undefined, now: number): Endpoint | null {
  const { id, secret, ...spec } = d;
  const secrets: SecretEntry[] = secret
    ? [{ secret, expires_at: null }]
    : (current?.secrets ?? [{ secret: generateSecret(), expires_at: null }]);
  const disabledByEngine = current?.disabled_reason === "gone" || current?.disabled_reason === "failing";
  const stored = current ? { ...specOf(current), enabled: disabledByEngine ? spec.enabled : current.enabled } : null;
  if (
    current?.source === "config" &&
    stableStringify(stored) === stableStringify(spec) &&
    current.secrets[0]?.secret === secrets[0]!.secret
  )
    return null;
  return withCompiled({
    ...spec,
    id,
    source: "config",
    secrets,
    disabled_reason: spec.enabled ? null : "manual",
    failing_since: null,
    draining_since: null,
    created_at: current?.created_at ?? now,
    updated_at: now,
  });
}
