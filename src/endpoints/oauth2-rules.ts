// The OAuth2 client-credentials options beyond the basics (docs/api.md "Delivery options"): how the client
// authenticates to the token URL, and extra token-request parameters. checkAuth (field-rules.ts) calls these.
import { LIMITS } from "./spec.ts";

type Add = (field: string, message: string) => void;

export const OAUTH2_CLIENT_AUTH = ["body", "basic"] as const;
/** Token-request parameters hookgate writes itself (or from their own fields), so extra_params cannot set them. */
const OAUTH2_OWN_PARAMS = ["grant_type", "client_id", "client_secret", "scope", "audience"];
const PARAM_NAME = /^[A-Za-z0-9_.-]{1,64}$/;
const LINE_BREAK_OR_NUL = /[\r\n\0]/;

/** OAuth2 `extra_params`: at most 10 form parameters, none that hookgate writes itself. */
export function checkExtraParams(value: unknown, add: Add): Record<string, string> | undefined {
  const field = "auth.extra_params";
  if (typeof value !== "object" || value === null || Array.isArray(value))
    return void add(field, "must be an object of parameter name → string value");
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
          : LINE_BREAK_OR_NUL.test(v)
            ? "must not contain CR, LF or NUL"
            : null;
    if (problem) {
      add(`${field}.${name}`, problem);
      ok = false;
    } else out[name] = v as string;
  }
  return ok ? out : undefined;
}
