// The operators of filter conditions: what `value` each accepts (checked at compile time) and the
// predicate it becomes. Every operator is a positive predicate over one value, or the negation of one.
import { compileLinearRegex, regexProblem } from "../lib/regex.ts";

export const OPS = [
  "equals",
  "not_equals",
  "in",
  "not_in",
  "contains",
  "not_contains",
  "starts_with",
  "ends_with",
  "gt",
  "gte",
  "lt",
  "lte",
  "exists",
  "not_exists",
  "is_empty",
  "is_not_empty",
  "matches",
] as const;
export type Op = (typeof OPS)[number];

export const MAX_IN_ITEMS = 1000;
export const MAX_REGEX_LENGTH = 256;
/** `matches` tests at most this many leading UTF-16 code units of a string. */
export const MAX_MATCH_INPUT = 4096;

/** A compiled operator: `negated` ops are true when no candidate satisfies `test` (so also when missing). */
export interface CompiledOp {
  test: (candidate: unknown) => boolean;
  negated: boolean;
}

type Build = { ok: CompiledOp } | { problem: string };

const NEGATION: Partial<Record<Op, Op>> = {
  not_equals: "equals",
  not_in: "in",
  not_contains: "contains",
  not_exists: "exists",
  is_empty: "is_not_empty",
};

export function isOp(op: unknown): op is Op {
  return typeof op === "string" && (OPS as readonly string[]).includes(op);
}

/**
 * Checks `value` for `op` (undefined means the key was absent) and builds the predicate.
 * Ops that take no value (`exists`, `not_exists`, `is_empty`, `is_not_empty`) refuse any `value`, null included.
 */
export function buildOp(op: Op, value: unknown): Build {
  const positive = NEGATION[op] ?? op;
  const problem = checkValue(positive, value, op);
  if (problem !== null) return { problem };
  return { ok: { test: predicate(positive, value), negated: positive !== op } };
}

/** Checks `value` for the positive op `kind`; messages name the op as the user wrote it. */
function checkValue(kind: Op, value: unknown, op: Op): string | null {
  switch (kind) {
    case "exists":
    case "is_not_empty":
      return value === undefined ? null : `must be omitted for op ${op}`;
    case "equals":
    case "contains":
      if (value === undefined) return `is required for op ${op}`;
      return isJson(value, 0) ? null : "must be a JSON value (no NaN, Infinity or non-plain objects)";
    case "in":
      if (!Array.isArray(value)) return `must be an array for op ${op}`;
      if (value.length > MAX_IN_ITEMS) return `must have at most ${MAX_IN_ITEMS} items`;
      return isJson(value, 0) ? null : "must contain only JSON values";
    case "starts_with":
    case "ends_with":
      return typeof value === "string" ? null : `must be a string for op ${op}`;
    case "gt":
    case "gte":
    case "lt":
    case "lte":
      return (typeof value === "number" && Number.isFinite(value)) || typeof value === "string"
        ? null
        : `must be a finite number or a string for op ${op}`;
    case "matches":
      return checkRegex(value);
    default:
      return `unsupported op ${kind}`;
  }
}

function checkRegex(value: unknown): string | null {
  if (typeof value !== "string" || value === "") return "must be a non-empty regular expression string for op matches";
  return regexProblem(value, MAX_REGEX_LENGTH);
}

function predicate(op: Op, value: unknown): (c: unknown) => boolean {
  switch (op) {
    case "exists":
      return () => true;
    case "is_not_empty":
      return (c) => !isEmpty(c);
    case "equals":
      return typeof value === "object" && value !== null ? (c) => deepEqual(c, value) : (c) => c === value;
    case "in":
      return inList(value as unknown[]);
    case "contains":
      return (c) => {
        if (typeof c === "string") return typeof value === "string" && c.includes(value);
        return Array.isArray(c) && c.some((element) => deepEqual(element, value));
      };
    case "starts_with":
      return (c) => typeof c === "string" && c.startsWith(value as string);
    case "ends_with":
      return (c) => typeof c === "string" && c.endsWith(value as string);
    case "gt":
      return (c) => typeof c === typeof value && (c as number) > (value as number);
    case "gte":
      return (c) => typeof c === typeof value && (c as number) >= (value as number);
    case "lt":
      return (c) => typeof c === typeof value && (c as number) < (value as number);
    case "lte":
      return (c) => typeof c === typeof value && (c as number) <= (value as number);
    case "matches": {
      const re = compileLinearRegex(value as string);
      return (c) => typeof c === "string" && re.test(c.length > MAX_MATCH_INPUT ? c.slice(0, MAX_MATCH_INPUT) : c);
    }
    default:
      throw new Error(`no predicate for op ${op}`);
  }
}

/** Membership by JSON equality: a Set for scalars, a scan for the (rare) objects and arrays. */
function inList(items: unknown[]): (c: unknown) => boolean {
  const scalars = new Set(items.filter((v) => v === null || typeof v !== "object"));
  const compound = items.filter((v) => v !== null && typeof v === "object");
  return (c) => (c !== null && typeof c === "object" ? compound.some((v) => deepEqual(c, v)) : scalars.has(c));
}

/** Empty means null, "", [] or {} (missing is handled by the caller: it has no candidate at all). */
export function isEmpty(value: unknown): boolean {
  if (value === null || value === undefined || value === "") return true;
  if (Array.isArray(value)) return value.length === 0;
  if (typeof value === "object") {
    for (const _ in value) return false;
    return true;
  }
  return false;
}

/** Strict JSON equality: same type and value; objects by own keys regardless of order; 100 !== "100". */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a === null || b === null || typeof a !== "object" || typeof b !== "object") return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const other = b as unknown[];
    if (a.length !== other.length) return false;
    for (let i = 0; i < a.length; i++) if (!deepEqual(a[i], other[i])) return false;
    return true;
  }
  const ra = a as Record<string, unknown>;
  const rb = b as Record<string, unknown>;
  const keys = Object.keys(ra);
  if (keys.length !== Object.keys(rb).length) return false;
  for (const k of keys) if (!Object.hasOwn(rb, k) || !deepEqual(ra[k], rb[k])) return false;
  return true;
}

/** Whether `value` is plain JSON (what a YAML or JSON filter can hold), up to a sane nesting depth. */
function isJson(value: unknown, depth: number): boolean {
  if (depth > 32) return false;
  if (value === null || typeof value === "string" || typeof value === "boolean") return true;
  if (typeof value === "number") return Number.isFinite(value);
  if (Array.isArray(value)) return value.every((v) => isJson(v, depth + 1));
  if (typeof value === "object") {
    const proto = Object.getPrototypeOf(value);
    if (proto !== Object.prototype && proto !== null) return false;
    return Object.values(value).every((v) => isJson(v, depth + 1));
  }
  return false;
}
