// The JSON Schema of an event type, checked where a type is declared (YAML) or created (API): its regexes must
// run on the linear-time engine, it must not recurse without end, it must compile, and its example must match.
import type { ValidateFunction } from "ajv";
import { compileJsonSchema } from "../lib/json-schema.ts";
import { regexProblem } from "../lib/regex.ts";
import type { Problem } from "./schema.ts";
import { DATA_KEYWORDS, endlessRecursion } from "./schema-recursion.ts";

/** Longest `pattern` (or `patternProperties` key) accepted, in UTF-16 code units. */
export const MAX_SCHEMA_PATTERN = 1000;

/**
 * Every problem of an event type's `schema` (and `example`, when given), with paths under `path` /
 * `examplePath`: regexes that are invalid or need backtracking, endless recursion (`{"$ref": "#"}`), compile
 * errors, and an example that does not match.
 */
export function eventTypeSchemaProblems(
  schema: unknown,
  example: unknown,
  path = "schema",
  examplePath = "example",
): Problem[] {
  if (typeof schema !== "object" || schema === null || Array.isArray(schema))
    return [{ path, message: "must be a JSON Schema object" }];
  const bad = patternProblem(schema, path) ?? endlessRecursion(schema, path);
  if (bad) return [bad];
  let validate: ValidateFunction;
  try {
    validate = compileJsonSchema(schema);
  } catch (e) {
    return [{ path, message: `is not a valid JSON Schema: ${(e as Error).message}` }];
  }
  if (example === undefined) return [];
  try {
    if (validate(example)) return [];
  } catch (e) {
    return [{ path, message: `cannot validate a value: ${(e as Error).message}` }];
  }
  const errors = (validate.errors ?? []).map((e) => `data${e.instancePath} ${e.message}`).join(", ");
  return [{ path: examplePath, message: `does not match the schema: ${errors}` }];
}

/** Keywords whose values are data, not schemas: a `pattern` key inside them is not a regex. */

/** The first `pattern` or `patternProperties` regex that the linear-time engine refuses, as {path, message}; or null. */
function patternProblem(schema: unknown, path: string): Problem | null {
  if (typeof schema !== "object" || schema === null) return null;
  const check = (source: string, where: string) => {
    const why = regexProblem(source, MAX_SCHEMA_PATTERN);
    return why ? { path: where, message: why } : null;
  };
  for (const [k, v] of Object.entries(schema)) {
    const where = Array.isArray(schema) ? `${path}[${k}]` : `${path}.${k}`;
    if (DATA_KEYWORDS.has(k) && !Array.isArray(schema)) continue;
    const found =
      k === "pattern" && typeof v === "string"
        ? check(v, where)
        : k === "patternProperties" && typeof v === "object" && v !== null
          ? (Object.keys(v)
              .map((p) => check(p, `${where}.${p}`))
              .find(Boolean) ?? patternProblem(v, where))
          : patternProblem(v, where);
    if (found) return found;
  }
  return null;
}
