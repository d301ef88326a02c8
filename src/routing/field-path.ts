// Dotted field paths of filter conditions (`data.items.0.sku`), parsed once at compile time and resolved
// against an event envelope, fanning out through arrays.

/** Top-level keys of the envelope a filter sees: `{id, type, timestamp, tenant_id, data}`. */
export const ENVELOPE_KEYS: readonly string[] = ["id", "type", "timestamp", "tenant_id", "data"];
export const MAX_FIELD_LENGTH = 256;

const INDEX = /^(0|[1-9][0-9]*)$/;

/** A parsed path: each segment is a property name, or an array index when written as digits. */
export interface FieldPath {
  readonly text: string;
  readonly segments: readonly { key: string; index: number | null }[];
}

/**
 * Parses a field; returns an error message instead when it is malformed. `relative`: a path inside an array
 * element (an `elem_match` condition), which may start with any key.
 */
export function parseFieldPath(field: unknown, relative = false): FieldPath | string {
  if (typeof field !== "string" || field === "")
    return relative
      ? "must be a non-empty path inside the element, such as sku"
      : "must be a non-empty string such as data.amount";
  if (field.length > MAX_FIELD_LENGTH) return `must be at most ${MAX_FIELD_LENGTH} characters`;
  const parts = field.split(".");
  if (parts.some((p) => p === "")) return "must not have empty segments (leading, trailing or double dots)";
  if (!relative && !ENVELOPE_KEYS.includes(parts[0])) {
    return `must start with one of ${ENVELOPE_KEYS.join(", ")} (e.g. data.${field})`;
  }
  return { text: field, segments: parts.map((key) => ({ key, index: INDEX.test(key) ? Number(key) : null })) };
}

const hasOwn = Object.prototype.hasOwnProperty;

/**
 * Every value the path reaches, in document order; a missing step contributes nothing, so an empty result
 * means "missing". Rules per step:
 * - on a plain object: its own property of that name (never an inherited one such as `constructor`);
 * - on an array with a digit segment: that element (`items.0`);
 * - on an array with any other segment: the step applies to each element (fan-out, recursively);
 * - on anything else: missing.
 * The final value is returned as is, even when it is an array (`data.tags` yields the tags array itself).
 */
export function resolveField(root: unknown, path: FieldPath): unknown[] {
  const out: unknown[] = [];
  walk(root, path.segments, 0, out);
  return out;
}

function walk(value: unknown, segments: FieldPath["segments"], i: number, out: unknown[]): void {
  for (; i < segments.length; i++) {
    if (value === null || typeof value !== "object") return;
    const { key, index } = segments[i];
    if (Array.isArray(value)) {
      if (index === null) {
        for (const element of value) walk(element, segments, i, out);
        return;
      }
      if (index >= value.length) return;
      value = value[index];
    } else {
      if (!hasOwn.call(value, key)) return;
      value = (value as Record<string, unknown>)[key];
    }
  }
  if (value !== undefined) out.push(value);
}
