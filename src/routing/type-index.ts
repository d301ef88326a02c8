// Event-type subscription matching. Runs on every published event against every endpoint of a tenant,
// so patterns are indexed once (Map lookups per dot-prefix of the type) instead of tested one by one.

export interface TypeIndex<T> {
  /** The values whose patterns match `type`: each value at most once, in order of first insertion. */
  match(type: string): T[];
  /** Number of distinct values (by identity) in the index. */
  readonly size: number;
}

/**
 * Whether a subscription pattern matches an event type:
 * - `"*"` matches every type;
 * - `"p.*"` matches types that start with `"p."` and have at least one more character
 *   (`"run.*"` matches `"run.completed"` and `"run.x.y"`, not `"run"` nor `"runs.x"`);
 * - anything else matches only the identical type (no other wildcard forms exist).
 */
export function matchesType(pattern: string, type: string): boolean {
  if (pattern === "*") return true;
  if (pattern.endsWith(".*")) {
    const prefix = pattern.slice(0, -1);
    return type.length > prefix.length && type.startsWith(prefix);
  }
  return pattern === type;
}

/**
 * Builds the index. A value given by several items, or by several patterns of one item, is returned once,
 * at the position of the first item that holds it. Matching costs one Map lookup for the exact name, one per
 * dot in the type for `prefix.*` patterns, and a linear merge of the (pre-sorted) lists that matched; results
 * agree with `matchesType` for every pattern.
 */
export function buildTypeIndex<T>(items: Iterable<{ patterns: readonly string[]; value: T }>): TypeIndex<T> {
  const values: T[] = [];
  const slot = new Map<T, number>();
  const exact = new Map<string, number[]>();
  const prefixes = new Map<string, number[]>();
  const everything: number[] = [];

  const addTo = (map: Map<string, number[]>, key: string, n: number) => {
    const list = map.get(key);
    if (list) list.push(n);
    else map.set(key, [n]);
  };

  for (const { patterns, value } of items) {
    let n = slot.get(value);
    if (n === undefined) {
      n = values.length;
      slot.set(value, n);
      values.push(value);
    }
    for (const pattern of patterns) {
      if (pattern === "*") everything.push(n);
      else if (pattern.endsWith(".*")) addTo(prefixes, pattern.slice(0, -2), n);
      else addTo(exact, pattern, n);
    }
  }
  // A value repeated across items may join a list twice or after later ones: sort each list, drop repeats.
  for (const list of [everything, ...exact.values(), ...prefixes.values()]) sortUnique(list);

  const hasPrefixes = prefixes.size > 0;
  return {
    size: values.length,
    match(type) {
      // Slots of matching values, ascending; stored lists are never modified (merge2 allocates).
      let slots: number[] = everything;
      const exactList = exact.get(type);
      if (exactList) slots = merge2(slots, exactList);
      if (hasPrefixes) {
        // Each "." that is followed by at least one character ends a prefix a "prefix.*" pattern may name.
        for (let dot = type.indexOf("."); dot !== -1 && dot < type.length - 1; dot = type.indexOf(".", dot + 1)) {
          const list = prefixes.get(type.slice(0, dot));
          if (list) slots = merge2(slots, list);
        }
      }
      const out = new Array<T>(slots.length);
      for (let i = 0; i < slots.length; i++) out[i] = values[slots[i]];
      return out;
    },
  };
}

/** Union of two ascending, repeat-free lists (returns one of them when the other is empty). */
function merge2(a: number[], b: number[]): number[] {
  if (a.length === 0) return b;
  if (b.length === 0) return a;
  const out: number[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const x = a[i];
    const y = b[j];
    if (x <= y) i++;
    if (y <= x) j++;
    out.push(Math.min(x, y));
  }
  while (i < a.length) out.push(a[i++]);
  while (j < b.length) out.push(b[j++]);
  return out;
}

/** Sorts ascending and removes repeats, in place. */
function sortUnique(list: number[]): void {
  list.sort((a, b) => a - b);
  let kept = 0;
  for (let i = 0; i < list.length; i++) if (i === 0 || list[i] !== list[i - 1]) list[kept++] = list[i];
  list.length = kept;
}
