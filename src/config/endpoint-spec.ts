// The rules for an endpoint (subscription), shared by the API and the YAML file so both refuse the same things.

import { parseDuration } from "../lib/duration.ts";
import { type AddressPolicy, blockedReason, parseCidrs, parseHostAddress } from "../lib/net.ts";
import {
  SIGNING_SCHEMES as SCHEMES,
  type SigningScheme as SchemeName,
  signatureHeaderNames,
} from "../lib/signature-headers.ts";
import type { Problem } from "./schema.ts";
import type { Settings } from "./types.ts";

export const HTTP_METHODS = ["POST", "PUT", "PATCH", "GET", "DELETE"] as const;
export type HttpMethod = (typeof HTTP_METHODS)[number];
export { SIGNING_SCHEMES as SCHEMES, type SigningScheme as SchemeName } from "../lib/signature-headers.ts";

export interface SigningSpec {
  scheme: SchemeName;
  header_prefix?: string;
  asymmetric?: boolean;
  signature_header?: string;
  prefix?: string;
  id_header?: string;
  timestamp_header?: string;
  event_header?: string;
}

export type AuthSpec =
  | { type: "basic"; username: string; password: string }
  | { type: "bearer"; token: string }
  | { type: "header"; name: string; value: string }
  | {
      type: "oauth2_client_credentials";
      token_url: string;
      client_id: string;
      client_secret: string;
      scope?: string;
      audience?: string;
    };

/** A filter as written by the user; compiled by routing/. */
export type FilterSpec = Record<string, unknown>;

/** Everything about an endpoint that a user sets (the stored row adds id, secrets, state and timestamps). */
export interface EndpointSpec {
  tenant_id: string;
  url: string;
  description: string;
  events: string[];
  enabled: boolean;
  metadata: Record<string, string>;
  signing: SigningSpec;
  http_method: HttpMethod;
  headers: Record<string, string>;
  auth: AuthSpec | null;
  filter: FilterSpec | null;
  transform: string | null;
  rate_limit_per_second: number | null;
  timeout_ms: number;
  retry_schedule: string[] | null;
}

export interface EndpointRules {
  allowHttp: boolean;
  address: AddressPolicy;
  /** The event-type catalog; empty means any well-formed type is accepted. */
  knownTypes: () => ReadonlySet<string>;
  defaults: { timeout_ms: number; scheme: SchemeName };
  /** Compiles a filter; returns problems with paths relative to the filter. */
  checkFilter?: (filter: unknown) => Problem[];
  /** Compiles a JSONata transform; returns an error message or null. */
  checkTransform?: (expression: string) => string | null;
}

/**
 * The endpoint rules a configuration implies (the YAML loader and the endpoint registry both use them).
 * Invalid CIDRs are left out here; the settings validation reports them.
 */
export function endpointRules(
  settings: Pick<Settings, "security" | "delivery" | "signing">,
  knownTypes: EndpointRules["knownTypes"],
  compilers: Pick<EndpointRules, "checkFilter" | "checkTransform">,
): EndpointRules {
  let allowedCidrs: AddressPolicy["allowedCidrs"] = [];
  try {
    allowedCidrs = parseCidrs(settings.security.allowed_cidrs);
  } catch {
    // reported by the settings validation
  }
  return {
    allowHttp: settings.security.allow_http,
    address: { allowPrivate: settings.security.allow_private_networks, allowedCidrs },
    knownTypes,
    defaults: { timeout_ms: settings.delivery.timeout_ms, scheme: settings.signing.default_scheme as SchemeName },
    checkFilter: compilers.checkFilter,
    checkTransform: compilers.checkTransform,
  };
}

export const TYPE_NAME = /^[a-zA-Z0-9_-]+(\.[a-zA-Z0-9_-]+)*$/;
export const TENANT_ID = /^[a-zA-Z0-9_-]{1,64}$/;
export const CONFIG_ENDPOINT_ID = /^[a-zA-Z0-9_-]{1,64}$/;
const HEADER_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]{1,128}$/;
const HEADER_VALUE_BAD = /[\r\n\0]/;
/** What fetch cannot send in a header value (it throws on every attempt): other control characters, and beyond Latin-1. */
const HEADER_VALUE_UNSENDABLE = /[^\t\x20-\x7e\x80-\xff]/;
const FIELDS = [
  "tenant_id",
  "url",
  "description",
  "events",
  "enabled",
  "metadata",
  "secret",
  "signing",
  "http_method",
  "headers",
  "auth",
  "filter",
  "transform",
  "rate_limit_per_second",
  "timeout_ms",
  "retry_schedule",
] as const;
const ALWAYS_RESERVED = [
  "content-length",
  "content-encoding",
  "transfer-encoding",
  "host",
  "connection",
  "te",
  "trailer",
  "upgrade",
  "keep-alive",
];

/** Why a URL is not acceptable as a webhook target (literal addresses only, no DNS), or null. */
export function urlProblem(text: unknown, rules: Pick<EndpointRules, "allowHttp" | "address">): string | null {
  if (typeof text !== "string" || text.length === 0) return "must be an absolute https URL";
  if (text.length > 2048) return "must be at most 2048 characters";
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return "must be an absolute https URL";
  }
  // The URL parser silently drops tabs and newlines; refuse them (and other controls) instead of storing them.
  if (/[\s\0-\x1f\x7f]/.test(text)) return "must not contain whitespace or control characters";
  if (url.protocol !== "https:" && !(url.protocol === "http:" && rules.allowHttp)) {
    return rules.allowHttp
      ? "must be an absolute http or https URL"
      : "must be an absolute https URL (http is allowed only with security.allow_http)";
  }
  if (url.username || url.password) return "must not contain credentials; use auth instead";
  const host = url.hostname.toLowerCase();
  if (host === "localhost" || host.endsWith(".localhost")) {
    return rules.address.allowPrivate
      ? null
      : "points to a loopback address (allowed only with security.allow_private_networks)";
  }
  const address = parseHostAddress(host);
  if (address) {
    const reason = blockedReason(address, rules.address);
    if (reason === "metadata") return "points to a cloud metadata address, which is always refused";
    if (reason)
      return `points to a ${reason} address (allowed only with security.allow_private_networks or security.allowed_cidrs)`;
  }
  return null;
}

/** Header names that custom headers may not set for this signing config. */
export function reservedHeaders(signing: SigningSpec): Set<string> {
  return new Set([...ALWAYS_RESERVED, ...signatureHeaderNames(signing)]);
}

type Mode = "create" | "patch" | "config";

export interface CheckedEndpoint {
  /** Only the fields that were given (patch) or all fields with defaults (create/config). */
  spec: Partial<EndpointSpec>;
  secret?: string;
  problems: Problem[];
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/**
 * Validates an endpoint body. `create`/`config` fill defaults; `patch` keeps only given fields, where
 * `null` clears optional ones. `current` (patch) is the stored spec, used for cross-field rules.
 */
export function checkEndpoint(
  input: unknown,
  mode: Mode,
  rules: EndpointRules,
  current?: EndpointSpec,
): CheckedEndpoint {
  const problems: Problem[] = [];
  const add = (field: string, message: string) => problems.push({ path: field, message });
  if (!isObject(input)) return { spec: {}, problems: [{ path: "", message: "must be a JSON object" }] };
  const allowed: readonly string[] = mode === "config" ? ["id", ...FIELDS] : FIELDS;
  for (const key of Object.keys(input)) if (!allowed.includes(key)) add(key, "unknown field");
  const has = (k: string) => input[k] !== undefined && !(mode === "patch" && input[k] === undefined);
  const spec: Partial<EndpointSpec> = {};
  let secret: string | undefined;

  if (has("tenant_id")) {
    if (mode === "patch") add("tenant_id", "cannot be changed; create the endpoint in the other tenant instead");
    else if (typeof input.tenant_id !== "string" || !TENANT_ID.test(input.tenant_id))
      add("tenant_id", "must be 1–64 characters of letters, digits, - and _");
    else spec.tenant_id = input.tenant_id;
  } else if (mode !== "patch") spec.tenant_id = "default";

  if (has("url")) {
    const why = urlProblem(input.url, rules);
    if (why) add("url", why);
    else spec.url = input.url as string;
  } else if (mode !== "patch") add("url", "is required");

  if (has("description") && input.description !== null) {
    if (typeof input.description !== "string") add("description", "must be a string");
    else if (input.description.length > 255) add("description", "must be at most 255 characters");
    else spec.description = input.description;
  } else if (mode !== "patch" || input.description === null) spec.description = "";

  if (has("events")) checkEvents(input.events, rules, add, spec);
  else if (mode !== "patch") add("events", "is required: a non-empty list of event types");

  if (has("enabled")) {
    if (typeof input.enabled !== "boolean") add("enabled", "must be true or false");
    else spec.enabled = input.enabled;
  } else if (mode !== "patch") spec.enabled = true;

  if (has("metadata")) checkMetadata(input.metadata, mode, current, add, spec);
  else if (mode !== "patch") spec.metadata = {};

  if (has("secret")) {
    if (mode === "patch") add("secret", "cannot be set by PATCH; use POST /v1/endpoints/{id}/rotate-secret");
    else {
      const why = secretProblem(input.secret);
      if (why) add("secret", why);
      else secret = input.secret as string;
    }
  }

  if (has("signing") && input.signing !== null) {
    const signing = checkSigning(input.signing, add);
    if (signing) spec.signing = signing;
  } else if (mode !== "patch" || input.signing === null) spec.signing = { scheme: rules.defaults.scheme };

  if (has("http_method")) {
    if (!HTTP_METHODS.includes(input.http_method as HttpMethod))
      add("http_method", `must be one of ${HTTP_METHODS.join(", ")}`);
    else spec.http_method = input.http_method as HttpMethod;
  } else if (mode !== "patch") spec.http_method = "POST";

  if (has("auth") && input.auth !== null) {
    const auth = checkAuth(input.auth, rules, add);
    if (auth) spec.auth = auth;
  } else if (mode !== "patch" || input.auth === null) spec.auth = null;

  if (has("headers") && input.headers !== null) {
    const signing = spec.signing ?? current?.signing ?? { scheme: rules.defaults.scheme };
    const auth = spec.auth !== undefined ? spec.auth : (current?.auth ?? null);
    checkHeaders(input.headers, signing, auth, add, spec);
  } else if (mode !== "patch" || input.headers === null) spec.headers = {};
  if (mode === "patch" && current && !has("headers")) checkStoredHeaders(current.headers, spec, add);

  if (has("filter") && input.filter !== null) {
    if (!isObject(input.filter)) add("filter", 'must be a condition object or {expression: "…"}');
    else {
      const found = rules.checkFilter?.(input.filter) ?? [];
      for (const p of found) add(p.path ? `filter.${p.path}` : "filter", p.message);
      if (found.length === 0) spec.filter = input.filter;
    }
  } else if (mode !== "patch" || input.filter === null) spec.filter = null;

  if (has("transform") && input.transform !== null) {
    if (typeof input.transform !== "string" || input.transform.trim() === "")
      add("transform", "must be a non-empty JSONata expression");
    else if (input.transform.length > 10_000) add("transform", "must be at most 10000 characters");
    else {
      const why = rules.checkTransform?.(input.transform);
      if (why) add("transform", why);
      else spec.transform = input.transform;
    }
  } else if (mode !== "patch" || input.transform === null) spec.transform = null;

  if (has("rate_limit_per_second") && input.rate_limit_per_second !== null) {
    const v = input.rate_limit_per_second;
    if (typeof v !== "number" || !Number.isFinite(v) || v <= 0 || v > 10_000)
      add("rate_limit_per_second", "must be a number > 0 and ≤ 10000");
    else spec.rate_limit_per_second = v;
  } else if (mode !== "patch" || input.rate_limit_per_second === null) spec.rate_limit_per_second = null;

  if (has("timeout_ms") && input.timeout_ms !== null) {
    const v = input.timeout_ms;
    if (typeof v !== "number" || !Number.isInteger(v) || v < 1000 || v > 30_000)
      add("timeout_ms", "must be an integer from 1000 to 30000");
    else spec.timeout_ms = v;
  } else if (mode !== "patch" || input.timeout_ms === null) spec.timeout_ms = rules.defaults.timeout_ms;

  if (has("retry_schedule") && input.retry_schedule !== null) {
    const why = retryScheduleProblem(input.retry_schedule);
    if (why) add("retry_schedule", why);
    else spec.retry_schedule = input.retry_schedule as string[];
  } else if (mode !== "patch" || input.retry_schedule === null) spec.retry_schedule = null;

  return { spec, secret, problems };
}

function checkEvents(
  value: unknown,
  rules: EndpointRules,
  add: (f: string, m: string) => void,
  spec: Partial<EndpointSpec>,
): void {
  if (!Array.isArray(value) || value.length === 0) return add("events", "must be a non-empty list of event types");
  if (value.length > 100) return add("events", "must have at most 100 entries");
  const known = rules.knownTypes();
  const out: string[] = [];
  value.forEach((name, i) => {
    const field = `events[${i}]`;
    if (typeof name !== "string") return add(field, "must be a string");
    if (name === "*") return void out.push(name);
    const exact = name.endsWith(".*") ? name.slice(0, -2) : name;
    if (exact.length > 128 || !TYPE_NAME.test(exact))
      return add(
        field,
        `"${name}" is not a valid event type (letters, digits, - and _, dot-separated; or prefix.* or *)`,
      );
    if (known.size > 0) {
      if (name.endsWith(".*")) {
        const prefix = `${exact}.`;
        if (![...known].some((k) => k.startsWith(prefix))) return add(field, `"${name}" matches no known event type`);
      } else if (!known.has(name)) return add(field, `unknown event type "${name}"`);
    }
    if (!out.includes(name)) out.push(name);
  });
  spec.events = out;
}

function checkMetadata(
  value: unknown,
  mode: Mode,
  current: EndpointSpec | undefined,
  add: (f: string, m: string) => void,
  spec: Partial<EndpointSpec>,
): void {
  if (value === null) return void (spec.metadata = {});
  if (!isObject(value)) return add("metadata", "must be an object of string values");
  const merged: Record<string, string> =
    mode === "patch" && Object.keys(value).length > 0 ? { ...(current?.metadata ?? {}) } : {};
  for (const [k, v] of Object.entries(value)) {
    if (k.length === 0 || k.length > 40) add(`metadata.${k}`, "keys must be 1–40 characters");
    else if (typeof v !== "string") add(`metadata.${k}`, "must be a string");
    else if (v.length > 500) add(`metadata.${k}`, "must be at most 500 characters");
    else if (v === "") delete merged[k];
    else merged[k] = v;
  }
  if (Object.keys(merged).length > 50) add("metadata", "must have at most 50 keys");
  spec.metadata = merged;
}

/** Why a client-provided secret is unacceptable, or null. */
export function secretProblem(value: unknown): string | null {
  if (typeof value !== "string") return "must be a string";
  if (value.length < 16 || value.length > 256) return "must be 16–256 characters";
  if (/[\s\0-\x1f\x7f]/.test(value)) return "must not contain whitespace or control characters";
  if (value.startsWith("whsec_")) {
    const body = value.slice(6);
    if (!/^[A-Za-z0-9+/]+={0,2}$/.test(body) || Buffer.from(body, "base64").length < 16)
      return "a whsec_ secret must be followed by base64 of at least 16 bytes";
  }
  return null;
}

function checkSigning(value: unknown, add: (f: string, m: string) => void): SigningSpec | null {
  if (!isObject(value)) return (add("signing", "must be an object with a scheme"), null);
  const scheme = value.scheme as SchemeName;
  if (!SCHEMES.includes(scheme)) return (add("signing.scheme", `must be one of ${SCHEMES.join(", ")}`), null);
  const options: Record<SchemeName, string[]> = {
    "standard-webhooks": ["header_prefix", "asymmetric"],
    "hmac-sha256": ["signature_header", "prefix", "id_header", "timestamp_header", "event_header"],
    "timestamped-hmac": ["signature_header", "id_header", "event_header"],
    ed25519: ["header_prefix"],
  };
  const out: SigningSpec = { scheme };
  let ok = true;
  for (const [k, v] of Object.entries(value)) {
    if (k === "scheme") continue;
    if (!options[scheme].includes(k)) {
      add(`signing.${k}`, `is not an option of ${scheme} (options: ${options[scheme].join(", ")})`);
      ok = false;
    } else if (k === "asymmetric") {
      if (typeof v !== "boolean") add("signing.asymmetric", "must be true or false"), (ok = false);
      else out.asymmetric = v;
    } else if (k === "prefix") {
      if (typeof v !== "string" || v.length > 64)
        add("signing.prefix", "must be a string of at most 64 characters"), (ok = false);
      else if (headerValueProblem(v)) add("signing.prefix", headerValueProblem(v)!), (ok = false);
      else out.prefix = v;
    } else if (k === "header_prefix") {
      if (typeof v !== "string" || !/^[A-Za-z0-9-]{1,64}$/.test(v))
        add("signing.header_prefix", "must be 1–64 letters, digits or -, e.g. svix-"), (ok = false);
      else out.header_prefix = v;
    } else if (typeof v !== "string" || !HEADER_NAME.test(v)) {
      add(`signing.${k}`, "must be a valid HTTP header name");
      ok = false;
    } else (out as unknown as Record<string, string>)[k] = v;
  }
  return ok ? out : null;
}

function checkAuth(value: unknown, rules: EndpointRules, add: (f: string, m: string) => void): AuthSpec | null {
  if (!isObject(value)) return (add("auth", "must be an object with a type"), null);
  /** `inHeader`: sent as is in a header value (bearer token, header value), not encoded first. */
  const str = (k: string, max = 4096, required = true, inHeader = false): string | undefined => {
    const v = value[k];
    if (v === undefined && !required) return undefined;
    if (typeof v !== "string" || v.length === 0 || v.length > max)
      return void add(`auth.${k}`, `must be a non-empty string of at most ${max} characters`);
    const why = inHeader ? headerValueProblem(v) : HEADER_VALUE_BAD.test(v) ? "must not contain CR, LF or NUL" : null;
    if (why) return void add(`auth.${k}`, why);
    return v;
  };
  const only = (keys: string[]) => {
    for (const k of Object.keys(value))
      if (k !== "type" && !keys.includes(k)) add(`auth.${k}`, `unknown field for auth type ${value.type}`);
  };
  switch (value.type) {
    case "basic": {
      only(["username", "password"]);
      const username = str("username", 256),
        password = str("password", 256);
      if (username?.includes(":")) return (add("auth.username", "must not contain ':'"), null);
      return username !== undefined && password !== undefined ? { type: "basic", username, password } : null;
    }
    case "bearer": {
      only(["token"]);
      const token = str("token", 4096, true, true);
      return token !== undefined ? { type: "bearer", token } : null;
    }
    case "header": {
      only(["name", "value"]);
      const name = str("name", 128),
        v = str("value", 4096, true, true);
      if (name !== undefined && !HEADER_NAME.test(name))
        return (add("auth.name", "must be a valid HTTP header name"), null);
      if (name !== undefined && ALWAYS_RESERVED.includes(name.toLowerCase()))
        return (add("auth.name", `cannot set the reserved header ${name}`), null);
      return name !== undefined && v !== undefined ? { type: "header", name, value: v } : null;
    }
    case "oauth2_client_credentials": {
      only(["token_url", "client_id", "client_secret", "scope", "audience"]);
      const why = urlProblem(value.token_url, rules);
      if (why) add("auth.token_url", why);
      const client_id = str("client_id", 512),
        client_secret = str("client_secret"),
        scope = str("scope", 1024, false),
        audience = str("audience", 1024, false);
      if (why || client_id === undefined || client_secret === undefined) return null;
      const out: AuthSpec = {
        type: "oauth2_client_credentials",
        token_url: value.token_url as string,
        client_id,
        client_secret,
      };
      if (scope !== undefined) out.scope = scope;
      if (audience !== undefined) out.audience = audience;
      return out;
    }
    default:
      add("auth.type", "must be one of basic, bearer, header, oauth2_client_credentials");
      return null;
  }
}

function checkHeaders(
  value: unknown,
  signing: SigningSpec,
  auth: AuthSpec | null,
  add: (f: string, m: string) => void,
  spec: Partial<EndpointSpec>,
): void {
  if (!isObject(value)) return add("headers", "must be an object of header name → string value");
  const entries = Object.entries(value);
  if (entries.length > 20) return add("headers", "must have at most 20 headers");
  const reserved = reservedHeaders(signing);
  for (const name of authHeaders(auth)) reserved.add(name);
  const out: Record<string, string> = {};
  for (const [name, v] of entries) {
    const field = `headers.${name}`;
    if (!HEADER_NAME.test(name)) add(field, "is not a valid HTTP header name");
    else if (reserved.has(name.toLowerCase())) add(field, "cannot override a signature, content or auth header");
    else if (typeof v !== "string") add(field, "must be a string");
    else if (v.length > 4096) add(field, "must be at most 4096 characters");
    else if (headerValueProblem(v)) add(field, headerValueProblem(v)!);
    else out[name] = v;
  }
  spec.headers = out;
}

/** Why a string cannot be sent as an HTTP header value, or null. */
function headerValueProblem(value: string): string | null {
  if (HEADER_VALUE_BAD.test(value)) return "must not contain CR, LF or NUL";
  if (HEADER_VALUE_UNSENDABLE.test(value))
    return "must contain only printable ASCII or Latin-1 characters (no control characters)";
  return null;
}

/** Header names (lowercase) that outbound `auth` sets. */
function authHeaders(auth: AuthSpec | null): string[] {
  if (auth?.type === "basic" || auth?.type === "bearer" || auth?.type === "oauth2_client_credentials")
    return ["authorization"];
  if (auth?.type === "header") return [auth.name.toLowerCase()];
  return [];
}

/** PATCH of signing or auth without headers: the stored custom headers must not override what they now set. */
function checkStoredHeaders(
  stored: Record<string, string>,
  spec: Partial<EndpointSpec>,
  add: (f: string, m: string) => void,
): void {
  const clash = (field: string, reserved: Iterable<string>) => {
    const names = new Set(reserved);
    for (const name of Object.keys(stored)) {
      if (names.has(name.toLowerCase()))
        add(
          field,
          `the stored custom header ${name} would override a header this sets; change headers in the same request`,
        );
    }
  };
  if (spec.signing) clash("signing", reservedHeaders(spec.signing));
  if (spec.auth) clash("auth", authHeaders(spec.auth));
}

/** Why a retry schedule is unacceptable, or null. Entries: `5s`, `5m`, `2h`, `1d`; 1–20 entries, each 1s–7d. */
export function retryScheduleProblem(value: unknown): string | null {
  if (!Array.isArray(value) || value.length === 0 || value.length > 20)
    return "must be a list of 1–20 durations such as 5s, 5m, 2h, 1d";
  for (const entry of value) {
    const ms = typeof entry === "string" ? parseDuration(entry) : null;
    if (ms === null) return `"${String(entry)}" is not a duration such as 5s, 5m, 2h, 1d`;
    if (ms < 1000 || ms > 7 * 86_400_000) return `"${entry}" must be between 1s and 7d`;
  }
  return null;
}
