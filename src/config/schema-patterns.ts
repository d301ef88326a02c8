// JSON Schemas of event types run their `pattern` regexes on every published event; unsafe ones are refused
// when a type is declared (YAML) or created (API).
import { regexProblem } from "../lib/regex.ts";

/** Keywords whose values are data, not schemas: a `pattern` key inside them is not a regex. */
const DATA_KEYWORDS = new Set(["const", "enum", "default", "examples", "example"]);

/**
 * The first `pattern` or `patternProperties` regex of a JSON Schema that could backtrack catastrophically,
 * as {path, message}; or null. Invalid regexes are left to the JSON Schema compiler to report.
 */
export function unsafePatternProblem(schema: unknown, path = "schema"): { path: string; message: string } | null {
  if (typeof schema !== "object" || schema === null) return null;
  const check = (source: string, where: string) => {
    try {
      new RegExp(source, "u");
    } catch {
      return null;
    }
    const why = regexProblem(source, 1000);
    return why ? { path: where, message: `is an unsafe regular expression: ${why.replace(/^is unsafe: /, "")}` } : null;
  };
  for (const [k, v] of Object.entries(schema)) {
    const where = Array.isArray(schema) ? `${path}[${k}]` : `${path}.${k}`;
    if (DATA_KEYWORDS.has(k) && !Array.isArray(schema)) continue;
    const found =
      k === "pattern" && typeof v === "string"
        ? check(v, where)
        : k === "patternProperties" && typeof v === "object" && v !== null
          ? (Object.keys(v).map((p) => check(p, `${where}.${p}`)).find(Boolean) ?? unsafePatternProblem(v, where))
          : unsafePatternProblem(v, where);
    if (found) return found;
  }
  return null;
}
