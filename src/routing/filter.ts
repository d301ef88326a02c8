// Endpoint content filters (docs/api.md "Delivery"): a condition tree or a root JSONata expression, validated with
// every problem's path, compiled once per endpoint, and evaluated per event to decide delivered vs skipped.
// Condition trees run in-process (cheap, bounded); JSONata expressions run in the sandbox workers.

import { parseFieldPath, resolveField } from "./field-path.ts";
import { parseExpressionFilter } from "./filter-expression.ts";
import {
  type CompiledFilter,
  clip,
  type FilterProblem,
  type FilterResult,
  MATCHED,
  MAX_REASON,
} from "./filter-result.ts";

export * from "./filter-result.ts";

import { buildOp, type CompiledOp, isOp, OPS } from "./filter-ops.ts";
import { buildTypedOp, type Converted, type TypedOp } from "./filter-typed.ts";

export class FilterCompileError extends Error {
  constructor(readonly problems: FilterProblem[]) {
    super(`invalid filter: ${problems.map((p) => `${p.path || "(root)"}: ${p.message}`).join("; ")}`);
    this.name = "FilterCompileError";
  }
}

/** The root is level 1; no node may sit deeper than this. */
export const MAX_FILTER_DEPTH = 8;
export const MAX_CONDITIONS = 100;
const CONDITION_KEYS = ["field", "op", "value", "type"];
const KNOWN_KEYS = new Set(["all", "any", "not", "elem_match", "expression", ...CONDITION_KEYS]);
const SHAPE =
  'must be {all: [...]}, {any: [...]}, {not: {...}}, {elem_match: {field, all: [...]}}, a condition {field, op, value, type?} or, at the root only, {expression: "..."}';

/** Returns every problem with `spec` ([] when it compiles). Compiles a JSONata expression to check it. */
export function checkFilter(spec: unknown): FilterProblem[] {
  return parse(spec).problems;
}

/**
 * Compiles a filter; throws FilterCompileError listing every problem. Semantics of conditions:
 * - `field` resolves to a set of values (several when the path goes through an array, none when missing);
 * - positive ops match when ANY value satisfies them, so a missing field never matches them;
 * - `not_equals`, `not_in`, `not_contains`, `not_exists` and `is_empty` are the exact negations of `equals`,
 *   `in`, `contains`, `exists` and `is_not_empty` over the same set: true when NO value satisfies the positive
 *   op, hence true when the field is missing (`is_empty`: every value is null, "", [] or {}).
 * - equality is strict JSON equality (100 ≠ "100"; objects by keys in any order); strings compare as JS
 *   strings (UTF-16 code units, no Unicode normalisation); `gt`…`lte` compare only number with number and
 *   string with string; `matches` is an RE2 regex (linear time; no backreferences or lookarounds) over the first 4096
 *   characters of a string.
 * - with `type` (filter-typed.ts) both sides are converted first ("100" gt 50 as number; datetimes as
 *   instants); a value that does not convert makes the condition false, whatever the op, with that reason.
 * - `elem_match: {field, all}` is true when one element of the array at `field` satisfies every node of
 *   `all`, whose fields are paths inside the element.
 * An expression filter matches only when the JSONata result is exactly `true`; it runs in a sandbox worker
 * within 25 ms and the memory bound, and any failure is an `error` result. Its `test` throws UnavailableError
 * only when the sandbox cannot run it at all.
 */
export function compileFilter(spec: unknown): CompiledFilter {
  const { problems, compiled } = parse(spec);
  if (problems.length > 0 || compiled === null) throw new FilterCompileError(problems);
  return compiled;
}

interface Node {
  /** Short description for reasons, e.g. 'data.amount gte 100'. */
  readonly text: string;
  test(envelope: unknown): boolean;
  /** Why `test` was false for this envelope (only called then). */
  why(envelope: unknown): string;
}

interface Context {
  problems: FilterProblem[];
  conditions: number;
}

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === "object" && !Array.isArray(v);
const hasOwn = (o: object, key: string) => Object.hasOwn(o, key);
const at = (path: string, key: string) => (path === "" ? key : `${path}.${key}`);

function parse(spec: unknown): { problems: FilterProblem[]; compiled: CompiledFilter | null } {
  if (isObject(spec) && hasOwn(spec, "expression")) return parseExpressionFilter(spec);
  const ctx: Context = { problems: [], conditions: 0 };
  const root = parseNode(spec, "", 1, ctx);
  if (ctx.conditions > MAX_CONDITIONS) {
    ctx.problems.push({ path: "", message: `has ${ctx.conditions} conditions; at most ${MAX_CONDITIONS} are allowed` });
  }
  if (ctx.problems.length > 0 || root === null) return { problems: ctx.problems, compiled: null };
  const test = (envelope: unknown): FilterResult =>
    root.test(envelope) ? MATCHED : { matched: false, reason: clip(root.why(envelope), MAX_REASON) };
  return { problems: [], compiled: { test } };
}

/** `relative`: inside an `elem_match`, where fields are paths in the array element. */
function parseNode(spec: unknown, path: string, depth: number, ctx: Context, relative = false): Node | null {
  if (depth > MAX_FILTER_DEPTH) {
    ctx.problems.push({ path, message: `is nested too deeply: at most ${MAX_FILTER_DEPTH} levels are allowed` });
    return null;
  }
  if (!isObject(spec)) {
    ctx.problems.push({ path, message: SHAPE });
    return null;
  }
  const keys = Object.keys(spec);
  for (const key of keys)
    if (!KNOWN_KEYS.has(key)) ctx.problems.push({ path: at(path, key), message: "is not a known key" });
  const kinds = ["all", "any", "not", "elem_match"].filter((k) => hasOwn(spec, k));
  if (CONDITION_KEYS.some((k) => hasOwn(spec, k))) kinds.push("condition");
  if (hasOwn(spec, "expression")) {
    ctx.problems.push({ path: at(path, "expression"), message: "is only allowed alone at the root of a filter" });
    return null;
  }
  if (kinds.length !== 1) {
    const found = kinds.length > 1 ? `; found ${kinds.join(" and ")} in one node` : "";
    ctx.problems.push({ path, message: `${SHAPE}${found}` });
    return null;
  }
  const kind = kinds[0];
  if (kind === "condition") return parseCondition(spec, path, ctx, relative);
  if (kind === "not") {
    const inner = parseNode(spec.not, at(path, "not"), depth + 1, ctx, relative);
    return inner && notNode(inner);
  }
  if (kind === "elem_match") return parseElemMatch(spec.elem_match, at(path, "elem_match"), depth, ctx, relative);
  const children = parseList(spec[kind], at(path, kind), depth, ctx, relative);
  if (children === null) return null;
  return kind === "all" ? allNode(children) : anyNode(children);
}

/** The children of an all/any list (one level deeper); null when any is invalid. */
function parseList(list: unknown, path: string, depth: number, ctx: Context, relative: boolean): Node[] | null {
  if (!Array.isArray(list) || list.length === 0) {
    ctx.problems.push({ path, message: "must be a non-empty array of filter nodes" });
    return null;
  }
  const children = list.map((child, i) => parseNode(child, `${path}[${i}]`, depth + 1, ctx, relative));
  return children.some((c) => c === null) ? null : (children as Node[]);
}

function parseCondition(spec: Record<string, unknown>, path: string, ctx: Context, relative: boolean): Node | null {
  // Past the limit only count (the total is reported once), so a huge list cannot yield a huge problem list.
  if (++ctx.conditions > MAX_CONDITIONS) return null;
  const field = parseFieldPath(spec.field, relative);
  if (typeof field === "string") ctx.problems.push({ path: at(path, "field"), message: field });
  const op = spec.op;
  if (!isOp(op)) {
    const message = op === undefined ? "is required" : `must be one of ${OPS.join(", ")}`;
    ctx.problems.push({ path: at(path, "op"), message });
    return null;
  }
  const typed = spec.type !== undefined;
  const built: { ok: CompiledOp & Partial<TypedOp> } | { problem: string; key?: string } = typed
    ? buildTypedOp(op, spec.type, spec.value)
    : buildOp(op, spec.value);
  if ("problem" in built) ctx.problems.push({ path: at(path, built.key ?? "value"), message: built.problem });
  if (typeof field === "string" || "problem" in built) return null;

  const { test, negated } = built.ok;
  const convert = built.ok.convert ?? null;
  const text = clip(
    `${field.text} ${op}${spec.value === undefined ? "" : ` ${json(spec.value)}`}${typed ? ` as ${spec.type}` : ""}`,
    200,
  );
  /** The values to test: converted when typed; a Converted failure when one does not convert. */
  const candidates = (envelope: unknown): unknown[] | Converted => {
    const values = resolveField(envelope, field);
    if (!convert) return values;
    for (let i = 0; i < values.length; i++) {
      const c = convert(values[i]);
      if (!c.ok) return c;
      values[i] = c.value;
    }
    return values;
  };
  return {
    text,
    test(envelope) {
      const values = candidates(envelope);
      if (!Array.isArray(values)) return false;
      let any = false;
      for (let i = 0; i < values.length && !any; i++) any = test(values[i]);
      return negated ? !any : any;
    },
    why(envelope) {
      const values = candidates(envelope);
      if (!Array.isArray(values)) return `${text} was false (${(values as { why: string }).why})`;
      if (values.length === 0) return `${text} was false (field missing)`;
      return `${text} was false (${values.length === 1 ? `value: ${json(values[0])}` : `values: ${json(values)}`})`;
    },
  };
}

/** `{elem_match: {field, all: [...]}}`: one element of the array at `field` satisfies every node of `all`. */
function parseElemMatch(spec: unknown, path: string, depth: number, ctx: Context, relative: boolean): Node | null {
  if (!isObject(spec)) {
    ctx.problems.push({ path, message: "must be {field, all: [conditions on the element]}" });
    return null;
  }
  for (const key of Object.keys(spec))
    if (key !== "field" && key !== "all") ctx.problems.push({ path: at(path, key), message: "is not a known key" });
  const field = parseFieldPath(spec.field, relative);
  if (typeof field === "string") ctx.problems.push({ path: at(path, "field"), message: field });
  const children = parseList(spec.all, at(path, "all"), depth, ctx, true);
  if (typeof field === "string" || children === null) return null;
  const inner = allNode(children);
  const text = clip(`elem_match(${field.text}: ${children.map((c) => c.text).join("; ")})`, 200);
  const elements = (envelope: unknown) => resolveField(envelope, field).filter(Array.isArray).flat();
  return {
    text,
    test: (envelope) => elements(envelope).some((e) => inner.test(e)),
    why(envelope) {
      const values = resolveField(envelope, field);
      if (values.length === 0) return `${text} was false (field missing)`;
      const all = elements(envelope);
      if (all.length === 0) return `${text} was false (${values.some(Array.isArray) ? "no elements" : "not an array"})`;
      return `${text} was false (no element satisfied every condition; element 0: ${inner.why(all[0])})`;
    },
  };
}

function allNode(children: Node[]): Node {
  return {
    text: clip(`all(${children.map((c) => c.text).join("; ")})`, 200),
    test: (envelope) => children.every((c) => c.test(envelope)),
    why: (envelope) => children.find((c) => !c.test(envelope))!.why(envelope),
  };
}

function anyNode(children: Node[]): Node {
  return {
    text: clip(`any(${children.map((c) => c.text).join("; ")})`, 200),
    test: (envelope) => children.some((c) => c.test(envelope)),
    why: (envelope) => `none of any matched: ${children.map((c) => c.why(envelope)).join("; ")}`,
  };
}

function notNode(inner: Node): Node {
  return {
    text: `not(${inner.text})`,
    test: (envelope) => !inner.test(envelope),
    why: () => `${inner.text} was true (negated by not)`,
  };
}

/** Compact JSON for reasons, cut to 100 characters; what JSON cannot express falls back to String(). */
function json(value: unknown): string {
  let text: string | undefined;
  try {
    text = JSON.stringify(value);
  } catch {
    text = undefined;
  }
  return clip(text ?? String(value), 100);
}
