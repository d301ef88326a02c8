// A tiny schema language for the config file: each key has a type, a default and a one-line description,
// so one definition drives validation, defaults and the README's configuration reference.
import { appendField } from "../lib/field-names.ts";

export interface Problem {
  /** Dotted path with [i] for list items, e.g. `endpoints[0].url`. */
  path: string;
  message: string;
}

export interface Context {
  problems: Problem[];
  /** Paths whose string value came from `${VAR}` interpolation; such strings may be coerced to numbers/booleans. */
  interpolated: Set<string>;
}

export interface Spec<T> {
  kind: string;
  description: string;
  /** The default as it would be written in YAML (for docs); undefined = required or no default. */
  defaultValue?: unknown;
  /** The accepted range of a number, for docs: `1–100`, `≥ 1`; undefined when any value of its kind goes. */
  range?: string;
  check(value: unknown, path: string, ctx: Context): T | undefined;
}

interface Common<T> {
  description: string;
  default?: T;
}

function typeName(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "a list";
  if (typeof value === "object") return "a mapping";
  return `a ${typeof value}`;
}

/** `min–max`, `≥ min` or `≤ max` (the reference's range column). */
function rangeOf(min: number | undefined, max: number | undefined): string | undefined {
  if (min !== undefined && max !== undefined) return `${min}–${max}`;
  if (min !== undefined) return `≥ ${min}`;
  return max === undefined ? undefined : `≤ ${max}`;
}

function fail<T>(ctx: Context, path: string, message: string): T | undefined {
  ctx.problems.push({ path, message });
  return undefined;
}

export function str(
  opts: Common<string> & {
    enum?: readonly string[];
    minLength?: number;
    maxLength?: number;
    pattern?: RegExp;
    patternHint?: string;
    validate?: (v: string) => string | null;
  },
): Spec<string> {
  return {
    kind: opts.enum ? `one of ${opts.enum.join(", ")}` : "string",
    description: opts.description,
    defaultValue: opts.default,
    check(value, path, ctx) {
      if (value === undefined || value === null) return opts.default;
      if (typeof value !== "string") return fail(ctx, path, `must be a string, got ${typeName(value)}`);
      if (opts.enum && !opts.enum.includes(value))
        return fail(ctx, path, `must be one of ${opts.enum.join(", ")}; got "${value}"`);
      if (opts.minLength !== undefined && value.length < opts.minLength)
        return fail(ctx, path, `must be at least ${opts.minLength} characters`);
      if (opts.maxLength !== undefined && value.length > opts.maxLength)
        return fail(ctx, path, `must be at most ${opts.maxLength} characters`);
      if (opts.pattern && !opts.pattern.test(value))
        return fail(ctx, path, opts.patternHint ?? `must match ${opts.pattern}`);
      const why = opts.validate?.(value);
      if (why) return fail(ctx, path, why);
      return value;
    },
  };
}

export function int(opts: Common<number> & { min?: number; max?: number }): Spec<number> {
  return {
    kind: "integer",
    description: opts.description,
    defaultValue: opts.default,
    range: rangeOf(opts.min, opts.max),
    check(value, path, ctx) {
      if (value === undefined || value === null) return opts.default;
      if (typeof value === "string" && ctx.interpolated.has(path) && /^-?\d+$/.test(value.trim()))
        value = Number(value);
      if (typeof value !== "number" || !Number.isInteger(value))
        return fail(ctx, path, `must be an integer, got ${typeName(value)}`);
      if (opts.min !== undefined && value < opts.min) return fail(ctx, path, `must be ≥ ${opts.min}`);
      if (opts.max !== undefined && value > opts.max) return fail(ctx, path, `must be ≤ ${opts.max}`);
      return value;
    },
  };
}

export function num(opts: Common<number> & { min?: number; max?: number }): Spec<number> {
  return {
    kind: "number",
    description: opts.description,
    range: rangeOf(opts.min, opts.max),
    defaultValue: opts.default,
    check(value, path, ctx) {
      if (value === undefined || value === null) return opts.default;
      if (
        typeof value === "string" &&
        ctx.interpolated.has(path) &&
        value.trim() !== "" &&
        Number.isFinite(Number(value))
      )
        value = Number(value);
      if (typeof value !== "number" || !Number.isFinite(value))
        return fail(ctx, path, `must be a number, got ${typeName(value)}`);
      if (opts.min !== undefined && value < opts.min) return fail(ctx, path, `must be ≥ ${opts.min}`);
      if (opts.max !== undefined && value > opts.max) return fail(ctx, path, `must be ≤ ${opts.max}`);
      return value;
    },
  };
}

export function bool(opts: Common<boolean>): Spec<boolean> {
  return {
    kind: "boolean",
    description: opts.description,
    defaultValue: opts.default,
    check(value, path, ctx) {
      if (value === undefined || value === null) return opts.default;
      if (typeof value === "string" && ctx.interpolated.has(path) && /^(true|false)$/.test(value))
        value = value === "true";
      if (typeof value !== "boolean") return fail(ctx, path, `must be true or false, got ${typeName(value)}`);
      return value;
    },
  };
}

export function list<T>(
  item: Spec<T>,
  opts: Common<T[]> & { maxItems?: number; minItems?: number; validate?: (v: T[]) => string | null },
): Spec<T[]> {
  return {
    kind: `list of ${item.kind}`,
    description: opts.description,
    defaultValue: opts.default,
    check(value, path, ctx) {
      if (value === undefined || value === null) return opts.default ? [...opts.default] : [];
      if (!Array.isArray(value)) return fail(ctx, path, `must be a list, got ${typeName(value)}`);
      if (opts.minItems !== undefined && value.length < opts.minItems)
        return fail(ctx, path, `must have at least ${opts.minItems} item(s)`);
      if (opts.maxItems !== undefined && value.length > opts.maxItems)
        return fail(ctx, path, `must have at most ${opts.maxItems} items`);
      const out: T[] = [];
      const before = ctx.problems.length;
      value.forEach((v, i) => {
        const checked = item.check(v, appendField(path, i), ctx);
        if (checked !== undefined) out.push(checked);
      });
      const why = ctx.problems.length === before ? opts.validate?.(out) : null;
      return why ? fail(ctx, path, why) : out;
    },
  };
}

/** A mapping from names the user chooses (each matching `names`) to values of one kind, e.g. `delivery.proxies`. */
export function dict<T>(
  value: Spec<T>,
  opts: Common<Record<string, T>> & { names: RegExp; namesHint: string; maxKeys: number },
): Spec<Record<string, T>> {
  return {
    kind: `mapping of name → ${value.kind}`,
    description: opts.description,
    defaultValue: opts.default,
    check(input, path, ctx) {
      if (input === undefined || input === null) return { ...opts.default };
      if (typeof input !== "object" || Array.isArray(input))
        return fail(ctx, path, `must be a mapping of name → ${value.kind}, got ${typeName(input)}`);
      const entries = Object.entries(input as Record<string, unknown>);
      if (entries.length > opts.maxKeys) return fail(ctx, path, `must have at most ${opts.maxKeys} entries`);
      const out: Record<string, T> = {};
      for (const [name, v] of entries) {
        const at = appendField(path, name);
        if (!opts.names.test(name)) {
          ctx.problems.push({ path: at, message: opts.namesHint });
          continue;
        }
        const checked = value.check(v, at, ctx);
        if (checked !== undefined) out[name] = checked;
      }
      return out;
    },
  };
}

type Fields = Record<string, Spec<unknown>>;
type Shape<F extends Fields> = { [K in keyof F]: F[K] extends Spec<infer T> ? T : never };

/** A mapping with known keys; any other key is an error (typos must not pass silently). */
export function obj<F extends Fields>(fields: F, opts: { description: string }): Spec<Shape<F>> & { fields: F } {
  return {
    kind: "mapping",
    description: opts.description,
    fields,
    check(value, path, ctx) {
      if (value === undefined || value === null) value = {};
      if (typeof value !== "object" || Array.isArray(value))
        return fail(ctx, path, `must be a mapping, got ${typeName(value)}`);
      const input = value as Record<string, unknown>;
      const out: Record<string, unknown> = {};
      for (const key of Object.keys(input)) {
        if (!(key in fields))
          ctx.problems.push({
            path: appendField(path, key),
            message: `unknown key (expected one of: ${Object.keys(fields).join(", ")})`,
          });
      }
      for (const [key, spec] of Object.entries(fields)) {
        const checked = spec.check(input[key], appendField(path, key), ctx);
        if (checked !== undefined) out[key] = checked;
      }
      return out as Shape<F>;
    },
  };
}

/** A value checked by a custom function that reports its own problems (endpoint specs, JSON Schemas). */
export function custom<T>(kind: string, description: string, check: Spec<T>["check"]): Spec<T> {
  return { kind, description, check };
}
