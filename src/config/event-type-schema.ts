// The JSON Schema of an event type, checked where a type is declared (YAML) or created (API): it must
// compile, its `pattern` regexes (run on every published event) must be safe, and its example must match.
import Ajv from "ajv";
import { regexProblem } from "../lib/regex.ts";
import type { Problem } from "./schema.ts";

/**
 * Every problem of an event type's `schema` (and `example`, when given), with paths under `path` /
 * `examplePath`. The schema is compiled once, in a validator of its own (a shared one would keep every
 * schema, and its $id, forever).
 */
export function eventTypeSchemaProblems(
  schema: unknown,
  example: unknown,
  path = "schema",
  examplePath = "example",
): Problem[] {
  if (typeof schema !== "object" || schema === null || Array.isArray(schema))
    return [{ path, message: "must be a JSON Schema object" }];
  const ajv = new Ajv({ allErrors: true, strict: false });
  let validate: ReturnType<Ajv["compile"]>;
  try {
    validate = ajv.compile(schema);
  } catch (e) {
    return [{ path, message: `is not a valid JSON Schema: ${(e as Error).message}` }];
  }
  const unsafe = unsafePatternProblem(schema, path);
  if (unsafe) return [unsafe];
  if (example !== undefined && !validate(example))
    return [{ path: examplePath, message: `does not match the schema: ${ajv.errorsText(validate.errors)}` }];
  return [];
}

/** Keywords whose values are data, not schemas: a `pattern` key inside them is not a regex. */
const DATA_KEYWORDS = new Set(["const", "enum", "default", "examples", "example"]);

/**
 * The first `pattern` or `patternProperties` regex of a JSON Schema that could backtrack catastrophically,
 * as {path, message}; or null. Invalid regexes are left to the JSON Schema compiler to report.
 */
function unsafePatternProblem(schema: unknown, path = "schema"): { path: string; message: string } | null {
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
          ? (Object.keys(v)
              .map((p) => check(p, `${where}.${p}`))
              .find(Boolean) ?? unsafePatternProblem(v, where))
          : unsafePatternProblem(v, where);
    if (found) return found;
  }
  return null;
}
