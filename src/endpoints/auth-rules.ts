// The rules of an endpoint's outbound credentials (`auth`): basic, bearer, header and OAuth2 client credentials,
// with how the client authenticates to the token URL and extra token-request parameters (docs/api.md "Endpoints").
import {
  type Add,
  ALWAYS_RESERVED,
  HEADER_NAME,
  HEADER_VALUE_BAD,
  headerValueProblem,
  isObject,
} from "./field-rules.ts";
import { type AuthSpec, LIMITS } from "./spec.ts";

export const OAUTH2_CLIENT_AUTH = ["body", "basic"] as const;
/** Token-request parameters hookgate writes itself (or from their own fields), so extra_params cannot set them. */
const OAUTH2_OWN_PARAMS = ["grant_type", "client_id", "client_secret", "scope", "audience"];
const PARAM_NAME = /^[A-Za-z0-9_.-]{1,64}$/;

/** OAuth2 `extra_params`: at most 10 form parameters, none that hookgate writes itself. */
export function checkExtraParams(value: unknown, add: Add): Record<string, string> | undefined {
  const field = "auth.extra_params";
  if (!isObject(value)) return void add(field, "must be an object of parameter name → string value");
  const entries = Object.entries(value);
  if (entries.length > LIMITS.oauth2ExtraParams)
    return void add(field, `must have at most ${LIMITS.oauth2ExtraParams} parameters`);
  const out: Record<string, string> = {};
  let ok = true;
  for (const [name, v] of entries) {
    const problem = !PARAM_NAME.test(name)
      ? "names must be 1–64 letters, digits, _, . or -"
      : OAUTH2_OWN_PARAMS.includes(name)
        ? `cannot set ${name}; ${["scope", "audience"].includes(name) ? `use auth.${name}` : "hookgate sends it"}`
        : typeof v !== "string" || v.length === 0 || v.length > 1024
          ? "must be a non-empty string of at most 1024 characters"
          : HEADER_VALUE_BAD.test(v)
            ? "must not contain CR, LF or NUL"
            : null;
    if (problem) {
      add(`${field}.${name}`, problem);
      ok = false;
    } else out[name] = v as string;
  }
  return ok ? out : undefined;
}

/**
 * Outbound credentials. `urlProblem` checks an OAuth2 token URL with the same address rules as endpoint URLs.
 */
export function checkAuth(value: unknown, urlProblem: (url: unknown) => string | null, add: Add): AuthSpec | undefined {
  if (!isObject(value)) return void add("auth", "must be an object with a type");
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
      const username = str("username", 256);
      const password = str("password", 256);
      if (username?.includes(":")) return void add("auth.username", "must not contain ':'");
      return username !== undefined && password !== undefined ? { type: "basic", username, password } : undefined;
    }
    case "bearer": {
      only(["token"]);
      const token = str("token", 4096, true, true);
      return token !== undefined ? { type: "bearer", token } : undefined;
    }
    case "header": {
      only(["name", "value"]);
      const name = str("name", LIMITS.headerName);
      const v = str("value", LIMITS.headerValue, true, true);
      if (name !== undefined && !HEADER_NAME.test(name))
        return void add("auth.name", "must be a valid HTTP header name");
      if (name !== undefined && ALWAYS_RESERVED.includes(name.toLowerCase()))
        return void add("auth.name", `cannot set the reserved header ${name}`);
      return name !== undefined && v !== undefined ? { type: "header", name, value: v } : undefined;
    }
    case "oauth2_client_credentials": {
      only(["token_url", "client_id", "client_secret", "scope", "audience", "client_auth", "extra_params"]);
      const why = urlProblem(value.token_url);
      if (why) add("auth.token_url", why);
      const client_id = str("client_id", 512);
      const client_secret = str("client_secret");
      const scope = str("scope", 1024, false);
      const audience = str("audience", 1024, false);
      const clientAuth = value.client_auth;
      const badClientAuth =
        clientAuth !== undefined && !(OAUTH2_CLIENT_AUTH as readonly unknown[]).includes(clientAuth);
      if (badClientAuth) add("auth.client_auth", `must be one of ${OAUTH2_CLIENT_AUTH.join(", ")}`);
      const extra = value.extra_params === undefined ? {} : checkExtraParams(value.extra_params, add);
      if (why || client_id === undefined || client_secret === undefined || badClientAuth || extra === undefined)
        return undefined;
      const out: AuthSpec = {
        type: "oauth2_client_credentials",
        token_url: value.token_url as string,
        client_id,
        client_secret,
      };
      if (scope !== undefined) out.scope = scope;
      if (audience !== undefined) out.audience = audience;
      if (clientAuth !== undefined) out.client_auth = clientAuth as "body" | "basic";
      if (value.extra_params !== undefined) out.extra_params = extra;
      return out;
    }
    default:
      add("auth.type", "must be one of basic, bearer, header, oauth2_client_credentials");
      return undefined;
  }
}
