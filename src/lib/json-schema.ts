// Compiles tenant- and operator-supplied JSON Schemas (event types) with ajv, with every regex on the linear-time
// engine. Shared by the checks at save time (config) and the validating workers (routing's sandbox).
import Ajv, { type ValidateFunction } from "ajv";
import type { RegExpEngine } from "ajv/dist/types/index.js";
import { LinearRegExp } from "./regex.ts";

/** ajv's regex hook: every `pattern`, `patternProperties` and `propertyNames` regex runs on RE2. */
const linearRegExp: RegExpEngine = Object.assign((pattern: string, flags: string) => new LinearRegExp(pattern, flags), {
  code: "LinearRegExp",
});

/**
 * Compiles a schema into a validator of its own (a shared ajv instance would keep every schema, and its $id,
 * forever). Refs are never inlined, so the generated code grows with the schema's size, not with how often a
 * definition is used. Throws when the schema does not compile (unknown keyword values, missing refs, bad regex).
 */
export function compileJsonSchema(schema: object): ValidateFunction {
  const ajv = new Ajv({
    allErrors: true,
    strict: false,
    inlineRefs: false,
    logger: false,
    code: { regExp: linearRegExp },
  });
  return ajv.compile(schema);
}
