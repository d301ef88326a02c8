// API-managed endpoints and event types as config-file declarations (`hookgate export`), so a team can move to
// declarative config: same ids (receivers keep their endpoint), secrets and credentials as ${ENV} placeholders
// whose values are handed out separately.
import type { EventTypeRecord } from "../store/index.ts";
import type { Endpoint } from "./endpoint.ts";
import { type EndpointRules, endpointDefaults } from "./rules.ts";
import type { AuthSpec, EndpointSpec } from "./spec.ts";

export interface Exported {
  /** The `event_types` and `endpoints` sections, as plain values in the config file's shape. */
  document: { event_types: Record<string, unknown>[]; endpoints: Record<string, unknown>[] };
  /** Each placeholder's variable and its value (the secrets, to be put in the environment). */
  env: Record<string, string>;
  /** Things the config file cannot carry (e.g. rotated-out secrets still in their grace period). */
  notes: string[];
}

/** The environment variable of one of an endpoint's secrets: `HOOKGATE_<ID>_<WHAT>` in upper case. */
export function envName(endpointId: string, what: string): string {
  return `HOOKGATE_${endpointId}_${what}`.toUpperCase().replace(/[^A-Z0-9_]/g, "_");
}

/** A string as the config file must hold it: a literal `${` written `$${` (the loader would interpolate it). */
const literal = (value: unknown): unknown => {
  if (typeof value === "string") return value.replaceAll("${", "$${");
  if (Array.isArray(value)) return value.map(literal);
  if (value !== null && typeof value === "object")
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, literal(v)]));
  return value;
};

const CREDENTIAL_FIELDS = ["password", "token", "value", "client_secret"] as const;

function authDeclaration(id: string, auth: AuthSpec, env: Record<string, string>): Record<string, unknown> {
  const out: Record<string, unknown> = literal(auth) as Record<string, unknown>;
  for (const field of CREDENTIAL_FIELDS) {
    const value = (auth as Record<string, unknown>)[field];
    if (typeof value !== "string") continue;
    const name = envName(id, `auth_${field}`);
    env[name] = value;
    out[field] = `\${${name}}`;
  }
  return out;
}

/**
 * Declarations for `endpoints` and `types` created over the API (YAML-declared ones are already in a file), of
 * one tenant when `tenant` is given. Fields left at their defaults are omitted.
 */
export function exportDeclarations(
  types: readonly EventTypeRecord[],
  endpoints: readonly Endpoint[],
  rules: EndpointRules,
  tenant?: string,
): Exported {
  const env: Record<string, string> = {};
  const notes: string[] = [];
  const defaults = endpointDefaults(rules) as Partial<EndpointSpec>;
  const chosen = endpoints
    .filter((e) => e.source === "api" && (tenant === undefined || e.tenant_id === tenant) && e.draining_since === null)
    .sort((a, b) => a.created_at - b.created_at || a.id.localeCompare(b.id));
  const declared = chosen.map((e) => {
    const out: Record<string, unknown> = { id: e.id, tenant_id: e.tenant_id, url: literal(e.url), events: e.events };
    for (const key of Object.keys(defaults) as (keyof EndpointSpec)[]) {
      if (key === "tenant_id" || key === "auth" || key === "tls") continue;
      const value = e[key];
      if (JSON.stringify(value) !== JSON.stringify(defaults[key])) out[key] = literal(value);
    }
    if (e.auth) out.auth = authDeclaration(e.id, e.auth, env);
    if (e.tls) {
      // The private key is a credential like the others; the certificate and roots are public.
      const name = envName(e.id, "tls_client_key");
      env[name] = e.tls.client_key;
      out.tls = { ...(literal(e.tls) as Record<string, unknown>), client_key: `\${${name}}` };
    }
    const current = e.secrets[0];
    if (current && e.signing.scheme !== "ed25519") {
      const name = envName(e.id, "secret");
      env[name] = current.secret;
      out.secret = `\${${name}}`;
    }
    if (e.secrets.length > 1)
      notes.push(
        `${e.id}: ${e.secrets.length - 1} rotated-out secret(s) still in their grace period are not carried over`,
      );
    if (!e.enabled && e.disabled_reason !== "manual")
      notes.push(`${e.id}: disabled by the gateway (${e.disabled_reason}); declared with enabled: false`);
    return out;
  });
  const eventTypes = types
    .filter((t) => t.source === "api")
    .map((t) => {
      const out: Record<string, unknown> = { name: t.name };
      if (t.description) out.description = literal(t.description);
      if (t.schema) out.schema = literal(t.schema);
      if (t.example !== null && t.example !== undefined) out.example = literal(t.example);
      return out;
    });
  return { document: { event_types: eventTypes, endpoints: declared }, env, notes };
}
