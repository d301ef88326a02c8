// Typed filter conditions (`type: number | string | boolean | datetime`): both sides are converted before the
// operator compares them, so "100" and 150 compare as numbers and timestamps with any offset as instants. The
// operators themselves are those of filter-ops.ts, applied to the converted values.
import { buildOp, type CompiledOp, type Op } from "./filter-ops.ts";

export const VALUE_TYPES = ["number", "string", "boolean", "datetime"] as const;
export type ValueType = (typeof VALUE_TYPES)[number];

export type Converted = { ok: true; value: string | number | boolean } | { ok: false; why: string };

/** A compiled typed operator: `convert` turns each candidate into the type first (a failure makes it false). */
export interface TypedOp extends CompiledOp {
  convert(candidate: unknown): Converted;
}

/** Which ops each type takes: ordering needs numbers, instants or strings; text ops need strings. */
const OPS_OF: Record<ValueType, readonly Op[]> = {
  number: ["equals", "not_equals", "in", "not_in", "gt", "gte", "lt", "lte"],
  datetime: ["equals", "not_equals", "in", "not_in", "gt", "gte", "lt", "lte"],
  boolean: ["equals", "not_equals", "in", "not_in"],
  string: [
    "equals",
    "not_equals",
    "in",
    "not_in",
    "gt",
    "gte",
    "lt",
    "lte",
    "contains",
    "not_contains",
    "starts_with",
    "ends_with",
    "matches",
  ],
};

const NUMBER = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;
/** ISO 8601 date and time with an offset (Z or ±hh:mm / ±hhmm / ±hh); seconds and fractions optional. */
const DATETIME =
  /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?(?:([Zz])|([+-])(\d{2}):?(\d{2})?)$/;

const show = (v: unknown) => {
  const text = typeof v === "string" ? JSON.stringify(v) : (JSON.stringify(v) ?? String(v));
  return text.length > 60 ? `${text.slice(0, 59)}…` : text;
};

/**
 * Converts a value to `type`. number: a finite number or a decimal numeral string; string: a string, number or
 * boolean as text; boolean: true/false or "true"/"false"; datetime: an ISO 8601 date-time string with an offset,
 * as epoch milliseconds (so any two offsets compare as instants). Anything else does not convert.
 */
export function convert(type: ValueType, v: unknown): Converted {
  switch (type) {
    case "number":
      if (typeof v === "number" && Number.isFinite(v)) return { ok: true, value: v };
      if (typeof v === "string" && NUMBER.test(v)) {
        const n = Number(v);
        if (Number.isFinite(n)) return { ok: true, value: n };
      }
      return { ok: false, why: `${show(v)} is not a number` };
    case "string":
      if (typeof v === "string") return { ok: true, value: v };
      if ((typeof v === "number" && Number.isFinite(v)) || typeof v === "boolean")
        return { ok: true, value: String(v) };
      return { ok: false, why: `${show(v)} is not a string, number or boolean` };
    case "boolean":
      if (typeof v === "boolean") return { ok: true, value: v };
      if (v === "true" || v === "false") return { ok: true, value: v === "true" };
      return { ok: false, why: `${show(v)} is not a boolean` };
    case "datetime": {
      const ms = typeof v === "string" ? instantOf(v) : null;
      return ms === null
        ? { ok: false, why: `${show(v)} is not an ISO 8601 date-time with an offset` }
        : { ok: true, value: ms };
    }
  }
}

/** Epoch milliseconds of an ISO 8601 date-time with an offset, or null (also for impossible dates). */
function instantOf(text: string): number | null {
  const m = DATETIME.exec(text);
  if (!m) return null;
  const [y, mo, d, h, mi, s] = [m[1], m[2], m[3], m[4], m[5], m[6] ?? "0"].map(Number) as number[];
  const ms = Number((m[7] ?? "").padEnd(3, "0").slice(0, 3));
  const offH = m[10] === undefined ? 0 : Number(m[10]);
  const offM = m[11] === undefined ? 0 : Number(m[11]);
  if (mo! < 1 || mo! > 12 || h! > 23 || mi! > 59 || s! > 59 || offH > 23 || offM > 59) return null;
  const local = Date.UTC(y!, mo! - 1, d!, h!, mi!, s!, ms);
  // Date.UTC rolls 2026-02-30 over into March; a day that changes on the way back did not exist.
  if (d! < 1 || new Date(local).getUTCDate() !== d) return null;
  const offset = (m[8] ? 0 : (m[9] === "-" ? -1 : 1) * (offH * 60 + offM)) * 60_000;
  return local - offset;
}

/**
 * Checks a typed condition and builds its operator over converted values. Problems name the key they are about:
 * `type` (unknown, or not usable with the op) or `value` (does not convert, or the op refuses it).
 */
export function buildTypedOp(
  op: Op,
  type: unknown,
  value: unknown,
): { ok: TypedOp } | { problem: string; key: "type" | "value" } {
  if (typeof type !== "string" || !(VALUE_TYPES as readonly string[]).includes(type))
    return { problem: `must be one of ${VALUE_TYPES.join(", ")}`, key: "type" };
  const t = type as ValueType;
  if (!OPS_OF[t].includes(op))
    return { problem: `cannot be used with op ${op} (ops for ${t}: ${OPS_OF[t].join(", ")})`, key: "type" };
  let converted: unknown;
  if (op === "in" || op === "not_in") {
    if (!Array.isArray(value)) return { problem: `must be an array for op ${op}`, key: "value" };
    const items: unknown[] = [];
    for (const [i, item] of value.entries()) {
      const c = convert(t, item);
      if (!c.ok) return { problem: `item ${i}: ${c.why}`, key: "value" };
      items.push(c.value);
    }
    converted = items;
  } else {
    if (value === undefined) return { problem: `is required for op ${op}`, key: "value" };
    const c = convert(t, value);
    if (!c.ok) return { problem: c.why, key: "value" };
    converted = c.value;
  }
  const built = buildOp(op, converted);
  if ("problem" in built) return { problem: built.problem, key: "value" };
  return { ok: { ...built.ok, convert: (candidate) => convert(t, candidate) } };
}
