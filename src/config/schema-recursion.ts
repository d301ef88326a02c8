// Finds JSON Schemas that recurse without end: a `$ref` chain (through allOf, anyOf, not, if, …) that comes back
// to a schema it started from without descending into the data, so validating any value never finishes.

/** Keywords whose subschemas apply to the same value as their parent (they do not descend into the data). */
const SAME_VALUE_ONE = ["not", "if", "then", "else"];
const SAME_VALUE_LIST = ["allOf", "anyOf", "oneOf"];
const SAME_VALUE_MAP = ["dependentSchemas", "dependencies"];
const REFS = ["$ref", "$dynamicRef", "$recursiveRef"];
/** Keywords whose values are data, not schemas. */
export const DATA_KEYWORDS = new Set(["const", "enum", "default", "examples", "example"]);
/** Base URI of a schema without `$id` (any absolute URI works: refs only need to resolve against it). */
const ROOT_BASE = "hookgate:/schema";

interface Node {
  schema: Record<string, unknown>;
  /** Where it sits, as a field path such as `schema.$defs.a`. */
  path: string;
  base: string;
}

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === "object" && !Array.isArray(v);

function resolve(ref: string, base: string): string | null {
  try {
    const url = new URL(ref, base);
    if (url.hash === "") url.hash = "#";
    return url.href;
  } catch {
    return null;
  }
}

const escapeToken = (key: string) => key.replace(/~/g, "~0").replace(/\//g, "~1");

/** Every subschema object of the document, registered under the URIs a `$ref` may use to reach it. */
function index(root: Record<string, unknown>, rootPath: string) {
  const byUri = new Map<string, Record<string, unknown>>();
  const nodes = new Map<Record<string, unknown>, Node>();
  const register = (uri: string | null, schema: Record<string, unknown>) => {
    if (uri !== null && !byUri.has(uri)) byUri.set(uri, schema);
  };
  const visit = (value: unknown, path: string, base: string, pointer: string, docPointer: string, depth: number) => {
    if (depth > 200) return;
    if (Array.isArray(value)) {
      for (let i = 0; i < value.length; i++)
        visit(value[i], `${path}[${i}]`, base, `${pointer}/${i}`, `${docPointer}/${i}`, depth + 1);
      return;
    }
    if (!isObject(value) || nodes.has(value)) return;
    const id = value.$id ?? value.id;
    if (typeof id === "string" && id.startsWith("#")) register(resolve(id, base), value);
    else if (typeof id === "string") {
      const next = resolve(id, base);
      if (next !== null) {
        base = next.replace(/#.*$/, "");
        pointer = "";
      }
    }
    for (const anchor of [value.$anchor, value.$dynamicAnchor])
      if (typeof anchor === "string") register(resolve(`#${anchor}`, base), value);
    register(resolve(`#${pointer}`, base), value);
    register(resolve(`#${docPointer}`, ROOT_BASE), value);
    nodes.set(value, { schema: value, path, base });
    for (const [key, child] of Object.entries(value)) {
      if (DATA_KEYWORDS.has(key) || typeof child !== "object" || child === null) continue;
      const token = escapeToken(key);
      visit(child, `${path}.${key}`, base, `${pointer}/${token}`, `${docPointer}/${token}`, depth + 1);
    }
  };
  visit(root, rootPath, ROOT_BASE, "", "", 0);
  return { byUri, nodes };
}

/** The subschemas a schema applies to its own value, each with the keyword path that leads there. */
function sameValueEdges(node: Node, byUri: Map<string, Record<string, unknown>>) {
  const edges: { to: Record<string, unknown>; via: string }[] = [];
  const s = node.schema;
  for (const k of SAME_VALUE_ONE) if (isObject(s[k])) edges.push({ to: s[k], via: `${node.path}.${k}` });
  for (const k of SAME_VALUE_LIST) {
    const list = s[k];
    if (!Array.isArray(list)) continue;
    for (let i = 0; i < list.length; i++) {
      const v = list[i];
      if (isObject(v)) edges.push({ to: v, via: `${node.path}.${k}[${i}]` });
    }
  }
  for (const k of SAME_VALUE_MAP) {
    const map = s[k];
    if (isObject(map))
      for (const [name, v] of Object.entries(map))
        if (isObject(v)) edges.push({ to: v, via: `${node.path}.${k}.${name}` });
  }
  for (const k of REFS) {
    const ref = s[k];
    const target = typeof ref === "string" ? resolve(ref, node.base) : null;
    const to = target === null ? undefined : byUri.get(target);
    if (to) edges.push({ to, via: `${node.path}.${k}` });
  }
  return edges;
}

/**
 * The first reference that makes `schema` recurse without end, as {path, message}; or null. Refs that do not
 * resolve inside the document are ignored here (the JSON Schema compiler reports them).
 */
export function endlessRecursion(schema: unknown, rootPath = "schema"): { path: string; message: string } | null {
  if (!isObject(schema)) return null;
  const { byUri, nodes } = index(schema, rootPath);
  const state = new Map<Record<string, unknown>, "open" | "done">();
  // Iterative depth-first search: a schema may hold thousands of subschemas.
  for (const start of nodes.keys()) {
    if (state.has(start)) continue;
    const stack: { node: Record<string, unknown>; edges: ReturnType<typeof sameValueEdges>; next: number }[] = [];
    const push = (n: Record<string, unknown>) => {
      state.set(n, "open");
      stack.push({ node: n, edges: sameValueEdges(nodes.get(n)!, byUri), next: 0 });
    };
    push(start);
    while (stack.length > 0) {
      const top = stack[stack.length - 1]!;
      if (top.next === top.edges.length) {
        state.set(top.node, "done");
        stack.pop();
        continue;
      }
      const edge = top.edges[top.next++]!;
      const seen = state.get(edge.to);
      if (seen === "open") {
        return {
          path: edge.via,
          message: `recurses without end: it leads back to ${nodes.get(edge.to)?.path ?? rootPath} without descending into the data (through properties, items, …), so no value could ever be validated`,
        };
      }
      if (seen === undefined) push(edge.to);
    }
  }
  return null;
}
