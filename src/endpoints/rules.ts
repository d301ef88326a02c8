// The one validator of endpoints: the API (create and PATCH) and the YAML file (src/config/load.ts) refuse the
// same things with the same words. Limits come from spec.ts; filters and transforms are compiled to check them.
import type { FieldProblem } from "../lib/errors.ts";
import { type AddressPolicy, blockedReason, parseCidrs, parseHostAddress } from "../lib/net.ts";
import { checkFilter } from "../routing/filter.ts";
import { checkTransform } from "../routing/transform.ts";
import { checkAuth } from "./auth-rules.ts";
import {
  checkEvents,
  checkHeaders,
  checkKeptHeaders,
  checkMetadata,
  checkSigning,
  isObject,
  retryScheduleProblem,
  secretProblem,
} from "./field-rules.ts";
import { OPERATIONAL_TYPE_NAMES } from "./operational-types.ts";
import {
  DEFAULT_PROXY,
  ENDPOINT_FIELDS,
  type EndpointSpec,
  HTTP_METHODS,
  type HttpMethod,
  LIMITS,
  type SigningScheme,
  SYSTEM_TENANT,
  TENANT_ID,
  TENANT_ID_RULE,
} from "./spec.ts";
import { checkTls } from "./tls-rules.ts";

export interface EndpointRules {
  allowHttp: boolean;
  address: AddressPolicy;
  /** The event-type catalog; empty means any well-formed type is accepted (`_system` endpoints: operational types). */
  knownTypes: () => ReadonlySet<string>;
  /** Names of the declared egress proxies (delivery.proxies). */
  proxies: ReadonlySet<string>;
  defaults: { timeout_ms: number; scheme: SigningScheme };
}

/** The settings the rules depend on (a slice of the config file). */
export interface RuleSettings {
  security: { allow_http: boolean; allow_private_networks: boolean; allowed_cidrs: readonly string[] };
  delivery: { timeout_ms: number; proxies: Readonly<Record<string, string>> };
  signing: { default_scheme: string };
}

/**
 * The endpoint rules a configuration implies (the YAML loader and the endpoint registry both use them).
 * Invalid CIDRs are left out here; the settings validation reports them.
 */
export function endpointRules(settings: RuleSettings, knownTypes: EndpointRules["knownTypes"]): EndpointRules {
  let allowedCidrs: AddressPolicy["allowedCidrs"] = [];
  try {
    allowedCidrs = parseCidrs([...settings.security.allowed_cidrs]);
  } catch {
    // reported by the settings validation
  }
  return {
    allowHttp: settings.security.allow_http,
    address: { allowPrivate: settings.security.allow_private_networks, allowedCidrs },
    knownTypes,
    proxies: new Set(Object.keys(settings.delivery.proxies)),
    defaults: { timeout_ms: settings.delivery.timeout_ms, scheme: settings.signing.default_scheme as SigningScheme },
  };
}

/** Why a URL is not acceptable as a webhook target (literal addresses only, no DNS), or null. */
export function urlProblem(text: unknown, rules: Pick<EndpointRules, "allowHttp" | "address">): string | null {
  if (typeof text !== "string" || text.length === 0) return "must be an absolute https URL";
  if (text.length > LIMITS.url) return `must be at most ${LIMITS.url} characters`;
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

/** What a new endpoint starts from before its given fields apply (url and events have no default). */
export function endpointDefaults(rules: EndpointRules): Omit<EndpointSpec, "url" | "events"> {
  return {
    tenant_id: "default",
    description: "",
    enabled: true,
    metadata: {},
    signing: { scheme: rules.defaults.scheme },
    http_method: "POST",
    headers: {},
    auth: null,
    filter: null,
    transform: null,
    rate_limit_per_second: null,
    timeout_ms: rules.defaults.timeout_ms,
    retry_schedule: null,
    proxy: DEFAULT_PROXY,
    tls: null,
  };
}

export interface CheckedEndpoint {
  /** The endpoint after the input applied (complete when there are no problems). */
  spec: EndpointSpec;
  /** A secret given in the input (create only). */
  secret?: string;
  problems: FieldProblem[];
}

/**
 * Validates an endpoint body and applies it over `current` (a change: PATCH) or over the defaults (a new endpoint:
 * create, or a YAML declaration without its `id`). Only given fields are checked and change; `null` sets a field
 * back to its default. Problems name the field as the body does (`url`, `auth.token`, `headers.X-Team`).
 */
export function checkEndpoint(input: unknown, rules: EndpointRules, current?: EndpointSpec): CheckedEndpoint {
  const base = current ?? endpointDefaults(rules);
  const given: Partial<EndpointSpec> = {};
  const problems: FieldProblem[] = [];
  const add = (field: string, message: string) => problems.push({ field, message });
  const done = (secret?: string): CheckedEndpoint => ({
    spec: { ...base, ...given } as EndpointSpec,
    secret,
    problems,
  });
  if (!isObject(input)) return { ...done(), problems: [{ field: "", message: "must be a JSON object" }] };
  for (const key of Object.keys(input))
    if (!(ENDPOINT_FIELDS as readonly string[]).includes(key)) add(key, "unknown field");
  const defaults = endpointDefaults(rules);
  /** null sets a field back to its default; undefined (absent) leaves it as it is. */
  const isNull = (k: keyof EndpointSpec) => input[k] === null;
  let secret: string | undefined;

  if (input.tenant_id !== undefined) {
    if (current) add("tenant_id", "cannot be changed; create the endpoint in the other tenant instead");
    else if (
      typeof input.tenant_id !== "string" ||
      !(TENANT_ID.test(input.tenant_id) || input.tenant_id === SYSTEM_TENANT)
    )
      add("tenant_id", `${TENANT_ID_RULE}; ${SYSTEM_TENANT} is the one reserved tenant (operational events)`);
    else given.tenant_id = input.tenant_id;
  }

  if (input.url !== undefined) {
    const why = urlProblem(input.url, rules);
    if (why) add("url", why);
    else given.url = input.url as string;
  } else if (!current) add("url", "is required");

  if (isNull("description")) given.description = null;
  else if (input.description !== undefined) {
    if (typeof input.description !== "string") add("description", "must be a string");
    else if (input.description.length > LIMITS.description)
      add("description", `must be at most ${LIMITS.description} characters`);
    else given.description = input.description;
  }

  // Only operational events are published to the reserved tenant, whatever the catalog holds.
  const system = (given.tenant_id ?? base.tenant_id) === SYSTEM_TENANT;
  if (input.events !== undefined)
    given.events = checkEvents(input.events, system ? OPERATIONAL_TYPE_NAMES : rules.knownTypes(), add);
  else if (!current) add("events", "is required: a non-empty list of event types");

  if (input.enabled !== undefined) {
    if (typeof input.enabled !== "boolean") add("enabled", "must be true or false");
    else given.enabled = input.enabled;
  }

  if (input.metadata !== undefined) given.metadata = checkMetadata(input.metadata, base.metadata, add);

  if (input.secret !== undefined) {
    if (current) add("secret", "cannot be set by PATCH; use POST /v1/endpoints/{id}/rotate-secret");
    else {
      const why = secretProblem(input.secret);
      if (why) add("secret", why);
      else secret = input.secret as string;
    }
  }

  if (isNull("signing")) given.signing = defaults.signing;
  else if (input.signing !== undefined) given.signing = checkSigning(input.signing, add);

  if (input.http_method !== undefined) {
    if (!HTTP_METHODS.includes(input.http_method as HttpMethod))
      add("http_method", `must be one of ${HTTP_METHODS.join(", ")}`);
    else given.http_method = input.http_method as HttpMethod;
  }

  if (isNull("auth")) given.auth = null;
  else if (input.auth !== undefined) given.auth = checkAuth(input.auth, (url) => urlProblem(url, rules), add);

  if (input.headers !== undefined) {
    const signing = given.signing ?? base.signing;
    const auth = given.auth !== undefined ? given.auth : base.auth;
    given.headers = checkHeaders(input.headers, signing, auth, add);
  } else checkKeptHeaders(base.headers, given, add);

  if (isNull("filter")) given.filter = null;
  else if (input.filter !== undefined) {
    if (!isObject(input.filter)) add("filter", 'must be a condition object or {expression: "…"}');
    else {
      const found = checkFilter(input.filter);
      for (const p of found) add(p.path ? `filter.${p.path}` : "filter", p.message);
      if (found.length === 0) given.filter = input.filter;
    }
  }

  if (isNull("transform")) given.transform = null;
  else if (input.transform !== undefined) {
    const t = input.transform;
    const why =
      typeof t !== "string" || t.trim() === ""
        ? "must be a non-empty JSONata expression"
        : t.length > LIMITS.transform
          ? `must be at most ${LIMITS.transform} characters`
          : checkTransform(t);
    if (why) add("transform", why);
    else given.transform = t as string;
  }

  if (isNull("rate_limit_per_second")) given.rate_limit_per_second = null;
  else if (input.rate_limit_per_second !== undefined) {
    const v = input.rate_limit_per_second;
    if (typeof v !== "number" || !Number.isFinite(v) || v <= 0 || v > LIMITS.rateLimit.max)
      add("rate_limit_per_second", `must be a number > 0 and ≤ ${LIMITS.rateLimit.max}`);
    else given.rate_limit_per_second = v;
  }

  if (isNull("timeout_ms")) given.timeout_ms = defaults.timeout_ms;
  else if (input.timeout_ms !== undefined) {
    const v = input.timeout_ms;
    const { min, max } = LIMITS.timeoutMs;
    if (typeof v !== "number" || !Number.isInteger(v) || v < min || v > max)
      add("timeout_ms", `must be an integer from ${min} to ${max}`);
    else given.timeout_ms = v;
  }

  if (isNull("retry_schedule")) given.retry_schedule = null;
  else if (input.retry_schedule !== undefined) {
    const why = retryScheduleProblem(input.retry_schedule, true);
    if (why) add("retry_schedule", why);
    else given.retry_schedule = input.retry_schedule as string[];
  }

  if (input.proxy !== undefined) {
    const v = input.proxy;
    if (v === null || v === DEFAULT_PROXY || (typeof v === "string" && rules.proxies.has(v))) given.proxy = v;
    else add("proxy", proxyProblem(rules.proxies));
  }

  if (isNull("tls")) given.tls = null;
  else if (input.tls !== undefined) given.tls = checkTls(input.tls, add);

  for (const k of Object.keys(given) as (keyof EndpointSpec)[]) if (given[k] === undefined) delete given[k];
  return done(secret);
}

/** Why a `proxy` value is refused: only the declared proxies (by name), `default` or null may be named. */
function proxyProblem(declared: ReadonlySet<string>): string {
  return declared.size === 0
    ? `must be "${DEFAULT_PROXY}" or null: no egress proxies are declared (delivery.proxies)`
    : `must be a declared egress proxy (${[...declared].join(", ")}), "${DEFAULT_PROXY}" (delivery.default_proxy) or null (direct)`;
}
