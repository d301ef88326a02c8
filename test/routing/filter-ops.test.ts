// Condition semantics, op by op: what matches, what doesn't, and the edges (missing, null, arrays, unicode).
import { describe, expect, it } from "bun:test";
import { compileFilter, type FilterResult } from "../../src/routing/filter.ts";

const envelope = {
  id: "evt_01J",
  type: "order.created",
  timestamp: "2026-06-06T09:00:42.000Z",
  tenant_id: "acme",
  data: {
    amount: 150,
    amount_text: "150",
    region: "eu",
    vip: true,
    note: null,
    name: "Zoë Ångström",
    emoji: "🚀 launch",
    tags: ["new", "priority"],
    empty_text: "",
    empty_list: [],
    empty_object: {},
    customer: { region: "eu-west", address: { city: "Kraków" } },
    items: [
      { sku: "A-1", qty: 2, labels: ["x"] },
      { sku: "B-2", qty: 5 },
    ],
    matrix: [[{ v: 1 }], [{ v: 2 }]],
    long_text: `${"a".repeat(5000)}TAIL`,
  },
};

/** Evaluates one condition synchronously against the envelope above. */
function run(field: string, op: string, value?: unknown, env: unknown = envelope): FilterResult {
  const spec = value === undefined ? { field, op } : { field, op, value };
  return compileFilter(spec).test(env) as FilterResult;
}
const matches = (field: string, op: string, value?: unknown, env?: unknown) => run(field, op, value, env).matched;

describe("equals / not_equals", () => {
  it("compares scalars strictly", () => {
    expect(matches("data.amount", "equals", 150)).toBe(true);
    expect(matches("data.region", "equals", "eu")).toBe(true);
    expect(matches("data.vip", "equals", true)).toBe(true);
    expect(matches("type", "equals", "order.created")).toBe(true);
    expect(matches("tenant_id", "equals", "other")).toBe(false);
  });

  it("never equates numbers with numeric strings", () => {
    expect(matches("data.amount", "equals", "150")).toBe(false);
    expect(matches("data.amount_text", "equals", 150)).toBe(false);
    expect(matches("data.amount_text", "not_equals", 150)).toBe(true);
  });

  it("compares objects and arrays deeply, object keys in any order", () => {
    expect(matches("data.customer.address", "equals", { city: "Kraków" })).toBe(true);
    expect(matches("data.tags", "equals", ["new", "priority"])).toBe(true);
    expect(matches("data.tags", "equals", ["priority", "new"])).toBe(false);
    expect(matches("data.items.0", "equals", { qty: 2, labels: ["x"], sku: "A-1" })).toBe(true);
  });

  it("matches null only with null", () => {
    expect(matches("data.note", "equals", null)).toBe(true);
    expect(matches("data.missing", "equals", null)).toBe(false);
  });

  it("treats a missing field as not equal", () => {
    expect(matches("data.missing", "equals", 1)).toBe(false);
    expect(matches("data.missing", "not_equals", 1)).toBe(true);
  });

  it("compares non-ASCII strings as JS strings, without normalisation", () => {
    expect(matches("data.name", "equals", "Zoë Ångström")).toBe(true);
    expect(matches("data.name", "equals", "Zoe\u0308 Ångström")).toBe(false);
  });
});

describe("in / not_in", () => {
  it("matches when the value equals any item", () => {
    expect(matches("data.region", "in", ["us", "eu"])).toBe(true);
    expect(matches("data.region", "in", ["us"])).toBe(false);
    expect(matches("data.region", "not_in", ["us"])).toBe(true);
    expect(matches("data.region", "not_in", ["eu"])).toBe(false);
  });

  it("uses strict equality for items, including objects", () => {
    expect(matches("data.amount", "in", ["150"])).toBe(false);
    expect(matches("data.amount", "in", [150])).toBe(true);
    expect(matches("data.customer.address", "in", [{ city: "Kraków" }])).toBe(true);
    expect(matches("data.note", "in", [null])).toBe(true);
  });

  it("treats a missing field as not in the list", () => {
    expect(matches("data.missing", "in", ["eu"])).toBe(false);
    expect(matches("data.missing", "not_in", ["eu"])).toBe(true);
  });
});

describe("contains / not_contains", () => {
  it("finds substrings in strings", () => {
    expect(matches("data.customer.region", "contains", "west")).toBe(true);
    expect(matches("data.customer.region", "contains", "east")).toBe(false);
    expect(matches("data.emoji", "contains", "🚀")).toBe(true);
    expect(matches("data.customer.region", "not_contains", "east")).toBe(true);
  });

  it("finds equal elements in arrays", () => {
    expect(matches("data.tags", "contains", "priority")).toBe(true);
    expect(matches("data.tags", "contains", "prio")).toBe(false);
    expect(matches("data.items", "contains", { sku: "B-2", qty: 5 })).toBe(true);
  });

  it("is false on other types and on a missing field; not_contains is then true", () => {
    expect(matches("data.amount", "contains", "1")).toBe(false);
    expect(matches("data.missing", "contains", "x")).toBe(false);
    expect(matches("data.missing", "not_contains", "x")).toBe(true);
  });
});

describe("starts_with / ends_with", () => {
  it("tests string prefixes and suffixes", () => {
    expect(matches("type", "starts_with", "order.")).toBe(true);
    expect(matches("type", "ends_with", ".created")).toBe(true);
    expect(matches("type", "ends_with", ".deleted")).toBe(false);
    expect(matches("data.name", "ends_with", "ström")).toBe(true);
  });

  it("is false for non-strings and missing fields", () => {
    expect(matches("data.amount", "starts_with", "1")).toBe(false);
    expect(matches("data.missing", "starts_with", "")).toBe(false);
  });
});

describe("gt / gte / lt / lte", () => {
  it("compares numbers with numbers", () => {
    expect(matches("data.amount", "gt", 100)).toBe(true);
    expect(matches("data.amount", "gte", 150)).toBe(true);
    expect(matches("data.amount", "gt", 150)).toBe(false);
    expect(matches("data.amount", "lt", 200)).toBe(true);
    expect(matches("data.amount", "lte", 149.5)).toBe(false);
  });

  it("compares strings with strings, so ISO timestamps order correctly", () => {
    expect(matches("timestamp", "gte", "2026-01-01T00:00:00.000Z")).toBe(true);
    expect(matches("timestamp", "lt", "2026-06-06T09:00:42.001Z")).toBe(true);
    expect(matches("data.region", "lt", "fr")).toBe(true);
  });

  it("is false for mixed types: a numeric string is not a number", () => {
    expect(matches("data.amount_text", "gt", 100)).toBe(false);
    expect(matches("data.amount", "gt", "100")).toBe(false);
    expect(matches("data.note", "lt", 1)).toBe(false);
  });

  it("is false for a missing field", () => {
    expect(matches("data.missing", "lt", 1)).toBe(false);
  });
});

describe("exists / not_exists", () => {
  it("counts null as existing", () => {
    expect(matches("data.note", "exists")).toBe(true);
    expect(matches("data.note", "not_exists")).toBe(false);
  });

  it("sees missing fields and missing parents", () => {
    expect(matches("data.missing", "exists")).toBe(false);
    expect(matches("data.missing.deeper", "not_exists")).toBe(true);
    expect(matches("data.amount.deeper", "not_exists")).toBe(true);
  });

  it("ignores inherited properties such as constructor", () => {
    expect(matches("data.customer.constructor", "exists")).toBe(false);
    expect(matches("data.tags.length", "exists")).toBe(false);
  });
});

describe("is_empty / is_not_empty", () => {
  it("calls missing, null, empty string, array and object empty", () => {
    for (const field of ["data.missing", "data.note", "data.empty_text", "data.empty_list", "data.empty_object"]) {
      expect(matches(field, "is_empty")).toBe(true);
      expect(matches(field, "is_not_empty")).toBe(false);
    }
  });

  it("calls anything else not empty, including 0 and false", () => {
    const env = { data: { zero: 0, no: false, space: " ", list: [null], object: { a: null } } };
    for (const field of ["data.zero", "data.no", "data.space", "data.list", "data.object"]) {
      expect(matches(field, "is_not_empty", undefined, env)).toBe(true);
      expect(matches(field, "is_empty", undefined, env)).toBe(false);
    }
  });
});

describe("matches", () => {
  it("tests a regular expression against strings", () => {
    expect(matches("data.items.0.sku", "matches", "^[A-Z]-\\d$")).toBe(true);
    expect(matches("tenant_id", "matches", "^acme$")).toBe(true);
    expect(matches("tenant_id", "matches", "^ACME$")).toBe(false);
  });

  it("is Unicode-aware (u flag)", () => {
    expect(matches("data.name", "matches", "^\\p{Lu}\\p{Ll}+ ")).toBe(true);
    expect(matches("data.emoji", "matches", "^.\\s")).toBe(true);
  });

  it("is false for non-strings and missing fields", () => {
    expect(matches("data.amount", "matches", "1")).toBe(false);
    expect(matches("data.missing", "matches", ".*")).toBe(false);
  });

  it("tests only the first 4096 characters of a long string", () => {
    expect(matches("data.long_text", "matches", "^a+$")).toBe(true);
    expect(matches("data.long_text", "matches", "TAIL")).toBe(false);
    expect(matches("data.long_text", "contains", "TAIL")).toBe(true);
  });
});

describe("field paths", () => {
  it("indexes arrays with numeric segments", () => {
    expect(matches("data.items.1.sku", "equals", "B-2")).toBe(true);
    expect(matches("data.items.0.sku", "equals", "B-2")).toBe(false);
    expect(matches("data.items.7.sku", "exists")).toBe(false);
  });

  it("reads a numeric segment as a key on objects", () => {
    const env = { data: { byCode: { "404": "not found" } } };
    expect(matches("data.byCode.404", "equals", "not found", env)).toBe(true);
  });

  it("fans out through arrays: positive ops match when any element does", () => {
    expect(matches("data.items.sku", "equals", "B-2")).toBe(true);
    expect(matches("data.items.qty", "gt", 4)).toBe(true);
    expect(matches("data.items.qty", "gt", 5)).toBe(false);
    expect(matches("data.items.labels", "contains", "x")).toBe(true);
    expect(matches("data.matrix.v", "equals", 2)).toBe(true);
  });

  it("fans out through arrays: negative ops are true only when no element matches the positive op", () => {
    expect(matches("data.items.sku", "not_equals", "B-2")).toBe(false);
    expect(matches("data.items.sku", "not_equals", "C-3")).toBe(true);
    expect(matches("data.items.sku", "not_in", ["A-1"])).toBe(false);
    expect(matches("data.items.labels", "not_exists")).toBe(false);
    expect(matches("data.items.color", "not_exists")).toBe(true);
  });

  it("calls a fanned-out field empty only when every element is empty", () => {
    const env = { data: { rows: [{ note: "" }, { note: "hi" }] } };
    expect(matches("data.rows.note", "is_empty", undefined, env)).toBe(false);
    expect(matches("data.rows.note", "is_not_empty", undefined, env)).toBe(true);
    expect(matches("data.rows.other", "is_empty", undefined, env)).toBe(true);
  });

  it("treats an empty array on the way as missing", () => {
    const env = { data: { rows: [] } };
    expect(matches("data.rows.note", "exists", undefined, env)).toBe(false);
    expect(matches("data.rows.note", "not_equals", "x", env)).toBe(true);
  });

  it("treats a non-object envelope as having no fields", () => {
    expect(matches("data.x", "exists", undefined, null)).toBe(false);
    expect(matches("data.x", "not_exists", undefined, "text")).toBe(true);
  });
});

describe("condition trees", () => {
  const tree = {
    all: [
      { field: "data.amount", op: "gte", value: 100 },
      {
        any: [
          { field: "data.region", op: "in", value: ["us", "ca"] },
          { field: "data.vip", op: "equals", value: true },
        ],
      },
      { not: { field: "tenant_id", op: "equals", value: "blocked" } },
    ],
  };

  it("ANDs all, ORs any and negates not", () => {
    expect(compileFilter(tree).test(envelope)).toEqual({ matched: true, reason: null });
    const notVip = { ...envelope, data: { ...envelope.data, vip: false } };
    expect((compileFilter(tree).test(notVip) as FilterResult).matched).toBe(false);
    const blocked = { ...envelope, tenant_id: "blocked" };
    expect((compileFilter(tree).test(blocked) as FilterResult).matched).toBe(false);
  });

  it("answers synchronously", () => {
    expect(compileFilter(tree).test(envelope)).not.toBeInstanceOf(Promise);
  });

  it("explains a failed condition with the value it saw", () => {
    const small = { ...envelope, data: { ...envelope.data, amount: 50 } };
    expect(compileFilter(tree).test(small)).toEqual({
      matched: false,
      reason: "data.amount gte 100 was false (value: 50)",
    });
  });

  it("explains a missing field and a fanned-out one", () => {
    expect(run("data.missing", "gte", 1).reason).toBe("data.missing gte 1 was false (field missing)");
    expect(run("data.items.qty", "gt", 9).reason).toBe("data.items.qty gt 9 was false (values: [2,5])");
  });

  it("explains any and not", () => {
    const r = compileFilter({
      any: [
        { field: "data.region", op: "equals", value: "us" },
        { field: "data.vip", op: "equals", value: false },
      ],
    }).test(envelope) as FilterResult;
    expect(r.reason).toBe(
      'none of any matched: data.region equals "us" was false (value: "eu"); data.vip equals false was false (value: true)',
    );
    const n = compileFilter({ not: { field: "data.region", op: "equals", value: "eu" } }).test(
      envelope,
    ) as FilterResult;
    expect(n.reason).toBe('data.region equals "eu" was true (negated by not)');
  });

  it("accepts the deepest allowed nesting (8 levels)", () => {
    let node: unknown = { field: "data.vip", op: "equals", value: true };
    for (let i = 0; i < 7; i++) node = i % 2 ? { not: node } : { all: [node] };
    expect((compileFilter(node).test(envelope) as FilterResult).matched).toBe(false);
  });
});
