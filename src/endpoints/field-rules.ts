// The rules of the endpoint fields that have structure (signing, auth, headers, metadata, events, secret, retry
// schedule). checkEndpoint (rules.ts) calls them; each reports problems through `add(field, message)`.
import { parseDuration } from "../lib/duration.ts";
import { signatureHeaderNames } from "../lib/signature-headers.ts";
import {
  type AuthSpec,
  type EndpointSpec,
  LIMITS,
  SIGNING_SCHEMES,
  type SigningConfig,
  type SigningScheme,
  TYPE_NAME,
} from "./spec.ts";

export type Add = (field: string, message: string) => void;

export const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

export const HEADER_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]{1,128}$/;
export const HEADER_VALUE_BAD = /[\r\n\0]/;
/** What fetch cannot send in a header value (it throws on every attempt): other control characters, beyond Latin-1. */
const HEADER_VALUE_UNSENDABLE = /[^\t\x20-\x7e\x80-\xff]/;
/** Headers no endpoint setting may write. */
export const ALWAYS_RESERVED = [
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

/** The options each signing scheme takes (besides `scheme`). */
const SCHEME_OPTIONS: Record<SigningScheme, readonly string[]> = {
  "standard-webhooks": ["header_prefix", "asymmetric", "id_value"],
  "hmac-sha256": [
    "signature_header",
    "prefix",
    "id_header",
    "timestamp_header",
    "event_header",
    "timestamp_source",
    "id_value",
  ],
  "timestamped-hmac": ["signature_header", "id_header", "event_header", "id_value"],
  ed25519: ["header_prefix", "id_value"],
};
/** Signing options that take one of a few words, with the words. */
const ENUM_OPTIONS: Record<string, readonly string[]> = {
  id_value: ["event", "delivery"],
  timestamp_source: ["attempt", "event"],
};

/** Why a string cannot be sent as an HTTP header value, or null. */
export function headerValueProblem(value: string): string | null {
  if (HEADER_VALUE_BAD.test(value)) return "must not contain CR, LF or NUL";
  if (HEADER_VALUE_UNSENDABLE.test(value))
    return "must contain only printable ASCII or Latin-1 characters (no control characters)";
  return null;
}

/** Header names that custom headers may not set for this signing config. */
export function reservedHeaders(signing: SigningConfig): Set<string> {
  return new Set([...ALWAYS_RESERVED, ...signatureHeaderNames(signing)]);
}

/** Header names (lowercase) that outbound `auth` sets. */
export function authHeaderNames(auth: AuthSpec | null): string[] {
  if (auth?.type === "basic" || auth?.type === "bearer" || auth?.type === "oauth2_client_credentials")
    return ["authorization"];
  if (auth?.type === "header") return [auth.name.toLowerCase()];
  return [];
}

/** Event type patterns: exact names, `prefix.*` or `*`; known to the catalog when it is non-empty. Deduplicated. */
export function checkEvents(value: unknown, known: ReadonlySet<string>, add: Add): string[] | undefined {
  if (!Array.isArray(value) || value.length === 0) return void add("events", "must be a non-empty list of event types");
  if (value.length > LIMITS.events) return void add("events", `must have at most ${LIMITS.events} entries`);
  const out: string[] = [];
  for (const [i, name] of value.entries()) {
    const field = `events[${i}]`;
    if (typeof name !== "string") {
      add(field, "must be a string");
      continue;
    }
    const exact = name.endsWith(".*") ? name.slice(0, -2) : name;
    let problem: string | null = null;
    if (name === "*") problem = null;
    else if (exact.length > LIMITS.typeName || !TYPE_NAME.test(exact))
      problem = `"${name}" is not a valid event type (letters, digits, - and _, dot-separated; or prefix.* or *)`;
    else if (known.size > 0 && name.endsWith(".*")) {
      const prefix = `${exact}.`;
      if (![...known].some((k) => k.startsWith(prefix))) problem = `"${name}" matches no known event type`;
    } else if (known.size > 0 && !known.has(name)) problem = `unknown event type "${name}"`;
    if (problem) add(field, problem);
    else if (!out.includes(name)) out.push(name);
  }
  return out;
}

/**
 * Metadata applied over `base`: a non-empty object keeps base's other keys and removes keys set to "";
 * null or {} clears all.
 */
export function checkMetadata(
  value: unknown,
  base: Record<string, string>,
  add: Add,
): Record<string, string> | undefined {
  if (value === null) return {};
  if (!isObject(value)) return void add("metadata", "must be an object of string values");
  const merged: Record<string, string> = Object.keys(value).length > 0 ? { ...base } : {};
  for (const [k, v] of Object.entries(value)) {
    if (k.length === 0 || k.length > LIMITS.metadataKey)
      add(`metadata.${k}`, `keys must be 1–${LIMITS.metadataKey} characters`);
    else if (typeof v !== "string") add(`metadata.${k}`, "must be a string");
    else if (v.length > LIMITS.metadataValue)
      add(`metadata.${k}`, `must be at most ${LIMITS.metadataValue} characters`);
    else if (v === "") delete merged[k];
    else merged[k] = v;
  }
  if (Object.keys(merged).length > LIMITS.metadataKeys)
    add("metadata", `must have at most ${LIMITS.metadataKeys} keys`);
  return merged;
}

/** Why a client-provided secret is unacceptable, or null. */
export function secretProblem(value: unknown): string | null {
  if (typeof value !== "string") return "must be a string";
  if (value.length < LIMITS.secret.min || value.length > LIMITS.secret.max)
    return `must be ${LIMITS.secret.min}–${LIMITS.secret.max} characters`;
  if (/[\s\0-\x1f\x7f]/.test(value)) return "must not contain whitespace or control characters";
  if (value.startsWith("whsec_")) {
    const body = value.slice(6);
    if (!/^[A-Za-z0-9+/]+={0,2}$/.test(body) || Buffer.from(body, "base64").length < 16)
      return "a whsec_ secret must be followed by base64 of at least 16 bytes";
  }
  return null;
}

/** A signing config: a known scheme and only that scheme's options, each well-formed. */
export function checkSigning(value: unknown, add: Add): SigningConfig | undefined {
  if (!isObject(value)) return void add("signing", "must be an object with a scheme");
  const scheme = value.scheme as SigningScheme;
  if (!SIGNING_SCHEMES.includes(scheme))
    return void add("signing.scheme", `must be one of ${SIGNING_SCHEMES.join(", ")}`);
  const options = SCHEME_OPTIONS[scheme];
  const out: Record<string, unknown> = { scheme };
  let ok = true;
  const bad = (field: string, message: string) => {
    add(`signing.${field}`, message);
    ok = false;
  };
  for (const [k, v] of Object.entries(value)) {
    if (k === "scheme") continue;
    if (!options.includes(k)) bad(k, `is not an option of ${scheme} (options: ${options.join(", ")})`);
    else if (ENUM_OPTIONS[k]) {
      if (typeof v !== "string" || !ENUM_OPTIONS[k].includes(v)) bad(k, `must be one of ${ENUM_OPTIONS[k].join(", ")}`);
      else out[k] = v;
    } else if (k === "asymmetric") {
      if (typeof v !== "boolean") bad(k, "must be true or false");
      else out[k] = v;
    } else if (k === "prefix") {
      const why =
        typeof v !== "string" || v.length > 64 ? "must be a string of at most 64 characters" : headerValueProblem(v);
      if (why) bad(k, why);
      else out[k] = v;
    } else if (k === "header_prefix") {
      if (typeof v !== "string" || !/^[A-Za-z0-9-]{1,64}$/.test(v))
        bad(k, "must be 1–64 letters, digits or -, e.g. svix-");
      else out[k] = v;
    } else if (typeof v !== "string" || !HEADER_NAME.test(v)) bad(k, "must be a valid HTTP header name");
    else out[k] = v;
  }
  return ok ? (out as SigningConfig) : undefined;
}

/** Custom headers: valid names and sendable values, none that signing (`signing`) or `auth` write. */
export function checkHeaders(
  value: unknown,
  signing: SigningConfig,
  auth: AuthSpec | null,
  add: Add,
): Record<string, string> | undefined {
  if (value === null) return {};
  if (!isObject(value)) return void add("headers", "must be an object of header name → string value");
  const entries = Object.entries(value);
  if (entries.length > LIMITS.headers) return void add("headers", `must have at most ${LIMITS.headers} headers`);
  const reserved = reservedHeaders(signing);
  for (const name of authHeaderNames(auth)) reserved.add(name);
  const out: Record<string, string> = {};
  for (const [name, v] of entries) {
    const field = `headers.${name}`;
    const problem = !HEADER_NAME.test(name)
      ? "is not a valid HTTP header name"
      : reserved.has(name.toLowerCase())
        ? "cannot override a signature, content or auth header"
        : typeof v !== "string"
          ? "must be a string"
          : v.length > LIMITS.headerValue
            ? `must be at most ${LIMITS.headerValue} characters`
            : headerValueProblem(v);
    if (problem) add(field, problem);
    else out[name] = v as string;
  }
  return out;
}

/** A change of signing or auth without headers: the kept custom headers must not override what they now set. */
export function checkKeptHeaders(kept: Record<string, string>, given: Partial<EndpointSpec>, add: Add): void {
  const clash = (field: string, reserved: Iterable<string>) => {
    const names = new Set(reserved);
    for (const name of Object.keys(kept)) {
      if (names.has(name.toLowerCase()))
        add(
          field,
          `the stored custom header ${name} would override a header this sets; change headers in the same request`,
        );
    }
  };
  if (given.signing) clash("signing", reservedHeaders(given.signing));
  if (given.auth) clash("auth", authHeaderNames(given.auth));
}

/**
 * Why a retry schedule is unacceptable, or null. Entries: `5s`, `5m`, `2h`, `1d`; 1–20 entries, each 1s–7d.
 * `allowEmpty` (an endpoint's own schedule): `[]` means a single attempt, no retries.
 */
export function retryScheduleProblem(value: unknown, allowEmpty = false): string | null {
  const { entries, minMs, maxMs } = LIMITS.retrySchedule;
  const min = allowEmpty ? 0 : 1;
  if (!Array.isArray(value) || value.length < min || value.length > entries)
    return `must be a list of ${min}–${entries} durations such as 5s, 5m, 2h, 1d`;
  for (const entry of value) {
    const ms = typeof entry === "string" ? parseDuration(entry) : null;
    if (ms === null) return `"${String(entry)}" is not a duration such as 5s, 5m, 2h, 1d`;
    if (ms < minMs || ms > maxMs) return `"${entry}" must be between 1s and 7d`;
  }
  return null;
}
