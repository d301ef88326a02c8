// The memory bound of JSONata evaluations: every value an evaluation step produces is measured (its size as
// compact JSON, memoised per object), and the built-ins that can make a value far larger than their arguments in
// one native call ($pad, $join, $replace, $string, $match, $split) check the size of their result before making it.
import jsonata from "jsonata";
import { isJsonataFunction } from "./transform-render.ts";

/** Thrown when an evaluation exceeds its time budget, call depth or memory bound. */
export class ExpressionLimitError extends Error {
  constructor(
    readonly limit: "timeout" | "depth" | "memory",
    message: string,
  ) {
    super(message);
    this.name = "ExpressionLimitError";
  }
}

export const tooLarge = (maxBytes: number, what = "a value") =>
  new ExpressionLimitError("memory", `${what} larger than ${maxBytes} bytes (the memory bound) would be built`);

/**
 * The size of `value` as compact JSON, in UTF-16 code units, counting strings without quotes or escapes (so a
 * string of exactly the bound fits); objects and
 * arrays are measured once and remembered in `memo`. Stops early (returning more than `max`) once past `max`.
 */
export function valueSize(value: unknown, max: number, memo: WeakMap<object, number>, depth = 0): number {
  switch (typeof value) {
    case "string":
      return value.length;
    case "number":
      return 8;
    case "boolean":
      return 5;
    case "object":
      break;
    default:
      return 0;
  }
  if (value === null) return 4;
  const known = memo.get(value);
  if (known !== undefined) return known;
  // JSONata functions (lambdas, built-ins) are not data: they weigh nothing and are never walked.
  if (isJsonataFunction(value)) return 0;
  if (depth > 10_000) throw new ExpressionLimitError("depth", "a value nested more than 10000 levels deep");
  let size = 2;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length && size <= max; i++) size += valueSize(value[i], max, memo, depth + 1) + 1;
  } else {
    for (const key in value) {
      if (size > max) break;
      size += key.length + 4 + valueSize((value as Record<string, unknown>)[key], max, memo, depth + 1);
    }
  }
  if (size <= max) memo.set(value, size);
  return size;
}

/** What a wrapped built-in needs from the evaluation it runs in. */
export interface SizeBudget {
  maxBytes: number;
  sizes: WeakMap<object, number>;
}

type Implementation = (this: jsonata.Focus, ...args: unknown[]) => unknown;
interface BuiltIn {
  _jsonata_function: true;
  implementation: Implementation;
  signature: unknown;
}
type Matcher = (str: string) => { match: string; start: number; groups: string[]; next(): unknown } | undefined;

/** The built-ins as JSONata defines them (looked up once; each wrapper calls the original after its check). */
const originals: Record<string, BuiltIn> = {};
for (const name of ["pad", "join", "replace", "string", "match", "split"])
  originals[name] = (await jsonata(`$${name}`).evaluate(null)) as BuiltIn;

const stringsSize = (list: unknown[]) => list.reduce<number>((n, s) => n + (typeof s === "string" ? s.length : 0), 0);

/** Upper bound of `$replace`'s result: counts the matches first (the engine is linear) when a quick bound fails. */
function replacedSize(str: string, pattern: unknown, replacement: string, limit: number | undefined): number {
  const dollars = replacement.split("$").length - 1;
  let count = 0;
  let matched = 0;
  let longest = 0;
  const max = limit ?? Number.POSITIVE_INFINITY;
  if (typeof pattern === "string") {
    if (pattern === "") return str.length;
    for (let i = str.indexOf(pattern); i !== -1 && count < max; i = str.indexOf(pattern, i + pattern.length)) count++;
    return str.length + count * (replacement.length - pattern.length);
  }
  if (typeof pattern !== "function") return str.length;
  for (let m = (pattern as Matcher)(str); m !== undefined && count < max; m = (m.next as () => typeof m)()) {
    count++;
    matched += m.match.length;
    longest = Math.max(longest, m.match.length);
  }
  return str.length - matched + count * (replacement.length + dollars * longest);
}

/**
 * Wrapped built-ins for one expression, bound with `expr.assign`. `budgetOf` finds the running evaluation's
 * budget from the function's focus. The limits on match and split counts follow from the smallest JSON of one
 * item (`{"match":"","index":0,"groups":[]}` is 35 characters, `"",` 3), so no result within the bound is cut.
 */
export function boundedBuiltIns(budgetOf: (focus: jsonata.Focus) => SizeBudget): Record<string, BuiltIn> {
  const wrap = (name: string, check: (budget: SizeBudget, args: unknown[]) => unknown[] | undefined): BuiltIn => {
    const original = originals[name]!;
    return {
      ...original,
      async implementation(this: jsonata.Focus, ...args: unknown[]) {
        const budget = budgetOf(this);
        const result = await original.implementation.apply(this, check(budget, args) ?? args);
        if (Array.isArray(result) && (name === "match" || name === "split")) {
          const cap = Math.floor(budget.maxBytes / (name === "match" ? 35 : 3));
          if (result.length > cap) throw tooLarge(budget.maxBytes, `$${name} with more than ${cap} results`);
        }
        return result;
      },
    };
  };
  return {
    pad: wrap("pad", ({ maxBytes }, [str, width]) => {
      if (typeof width === "number" && Math.abs(width) > maxBytes) throw tooLarge(maxBytes, "$pad to a string");
      if (typeof str === "string" && str.length > maxBytes) throw tooLarge(maxBytes, "$pad to a string");
      return undefined;
    }),
    join: wrap("join", ({ maxBytes }, [list, separator]) => {
      if (!Array.isArray(list)) return undefined;
      const sep = typeof separator === "string" ? separator.length : 0;
      if (stringsSize(list) + sep * Math.max(0, list.length - 1) > maxBytes)
        throw tooLarge(maxBytes, "$join to a string");
      return undefined;
    }),
    replace: wrap("replace", ({ maxBytes }, [str, pattern, replacement, limit]) => {
      if (typeof str !== "string" || typeof replacement !== "string") return undefined;
      const quick = str.length * (replacement.length + 1) + replacement.length;
      if (quick > maxBytes && replacedSize(str, pattern, replacement, limit as number | undefined) > maxBytes)
        throw tooLarge(maxBytes, "$replace to a string");
      return undefined;
    }),
    string: wrap("string", ({ maxBytes, sizes }, [value, prettify]) => {
      // Pretty printing adds indentation; allow for it by halving the room.
      const room = prettify === true ? maxBytes / 2 : maxBytes;
      if (valueSize(value, room, sizes) > room) throw tooLarge(maxBytes, "$string to a string");
      return undefined;
    }),
    match: wrap("match", ({ maxBytes }, [str, regex, limit]) => {
      const cap = Math.floor(maxBytes / 35) + 1;
      return [str, regex, typeof limit === "number" ? Math.min(limit, cap) : cap];
    }),
    split: wrap("split", ({ maxBytes }, [str, separator, limit]) => {
      const cap = Math.floor(maxBytes / 3) + 1;
      return [str, separator, typeof limit === "number" ? Math.min(limit, cap) : cap];
    }),
  };
}
