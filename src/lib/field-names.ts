// How a field is named in error details and config problems: `endpoints[0].url`, `data.items[2].sku`.

/** `path` with one more segment: a number is an index (`[0]`), a string a key (`.name`). */
export function appendField(path: string, key: string | number): string {
  if (typeof key === "number") return `${path}[${key}]`;
  return path ? `${path}.${key}` : key;
}

/** A JSON Pointer (`/events/0/name`) as a field name (`events[0].name`), under `base` when given. */
export function jsonPointerToField(pointer: string, base = ""): string {
  return pointer
    .split("/")
    .filter(Boolean)
    .map((s) => s.replace(/~1/g, "/").replace(/~0/g, "~"))
    .reduce<string>((acc, seg) => appendField(acc, /^\d+$/.test(seg) ? Number(seg) : seg), base);
}
