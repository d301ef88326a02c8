// Typed conditions (`type: number | string | boolean | datetime`) and `elem_match` (docs/api.md "Delivery options",
// Filters): both sides converted before comparing, a value that does not convert makes the condition false with
// that reason, and "one element satisfies every condition" with paths relative to the element.
import { describe, expect, it } from "bun:test";
import { checkFilter, compileFilter, type FilterResult } from "../../src/routing/filter.ts";
import { convert } from "../../src/routing/filter-typed.ts";

const envelope = {
  id: "evt_01J",
  type: "order.created",
  timestamp: "2026-06-06T09:00:42.000Z",
  tenant_id: "acme",
  data: {
    amount: 150,
    amount_text: "150",
    price_text: "99.5",
    count_text: "1e3",
    bad_number: "150 EUR",
    paid: "true",
    vip: true,
    code: 42,
    at_utc: "2026-06-06T09:00:00Z",
    at_offset: "2026-06-06T11:30:00+02:00",
    at_bad: "yesterday",
    items: [
      { sku: "A-1", qty: "2", price: 10 },
      { sku: "B-2", qty: 5, price: "250" },
    ],
    orders: [{ lines: [{ sku: "X", qty: 1 }] }, { lines: [{ sku: "Y", qty: 9 }] }],
    scalar: "not a list",
  },
};

const test = (spec: unknown, env: unknown = envelope) => compileFilter(spec).test(env) as FilterResult;
const cond = (field: string, op: string, value: unknown, type: string) => test({ field, op, value, type });

describe("type: number", () => {
  it("compares a numeric string with a number as numbers", () => {
    expect(cond("data.amount_text", "gt", 100, "number").matched).toBe(true);
    expect(cond("data.amount_text", "lt", 150, "number").matched).toBe(false);
    expect(cond("data.amount", "gte", "150", "number").matched).toBe(true);
    expect(cond("data.price_text", "equals", 99.5, "number").matched).toBe(true);
    expect(cond("data.count_text", "equals", 1000, "number").matched).toBe(true);
    expect(cond("data.amount_text", "in", [1, "150", 3], "number").matched).toBe(true);
  });

  it('without type keeps strict comparison (100 ≠ "100")', () => {
    expect(test({ field: "data.amount_text", op: "gt", value: 100 }).matched).toBe(false);
  });

  it("is false with the reason when the field does not convert, whatever the op", () => {
    const gt = cond("data.bad_number", "gt", 100, "number");
    expect(gt).toEqual({
      matched: false,
      reason: 'data.bad_number gt 100 as number was false ("150 EUR" is not a number)',
    });
    expect(cond("data.bad_number", "not_equals", 5, "number")).toEqual({
      matched: false,
      reason: 'data.bad_number not_equals 5 as number was false ("150 EUR" is not a number)',
    });
    expect(cond("data.vip", "equals", 1, "number").matched).toBe(false);
  });
});

describe("type: string", () => {
  it("turns numbers and booleans into text before comparing", () => {
    expect(cond("data.code", "equals", "42", "string").matched).toBe(true);
    expect(cond("data.code", "starts_with", "4", "string").matched).toBe(true);
    expect(cond("data.vip", "equals", "true", "string").matched).toBe(true);
    expect(cond("data.amount", "matches", "^1[0-9]{2}$", "string").matched).toBe(true);
  });

  it("does not convert objects or null", () => {
    expect(cond("data.items", "equals", "x", "string").reason).toContain("is not a string, number or boolean");
  });
});

describe("type: boolean", () => {
  it('takes true/false and "true"/"false"', () => {
    expect(cond("data.paid", "equals", true, "boolean").matched).toBe(true);
    expect(cond("data.vip", "equals", "true", "boolean").matched).toBe(true);
    expect(cond("data.code", "equals", true, "boolean").reason).toContain("42 is not a boolean");
  });
});

describe("type: datetime", () => {
  it("compares ISO 8601 times with any offset as instants", () => {
    expect(cond("data.at_offset", "gt", "2026-06-06T09:00:00Z", "datetime").matched).toBe(true);
    expect(cond("data.at_offset", "equals", "2026-06-06T09:30:00.000Z", "datetime").matched).toBe(true);
    expect(cond("data.at_utc", "equals", "2026-06-06T04:00:00-05:00", "datetime").matched).toBe(true);
    expect(cond("timestamp", "gte", "2026-06-06T10:00:00+01:00", "datetime").matched).toBe(true);
    // As strings, "11:30…+02:00" sorts after "10:00Z" although it is earlier.
    expect(test({ field: "data.at_offset", op: "lt", value: "2026-06-06T10:00:00Z" }).matched).toBe(false);
    expect(cond("data.at_offset", "lt", "2026-06-06T10:00:00Z", "datetime").matched).toBe(true);
  });

  it("is false with the reason for a value that is not a date-time with an offset", () => {
    expect(cond("data.at_bad", "lt", "2026-01-01T00:00:00Z", "datetime")).toEqual({
      matched: false,
      reason:
        'data.at_bad lt "2026-01-01T00:00:00Z" as datetime was false ("yesterday" is not an ISO 8601 date-time with an offset)',
    });
  });

  it("converts only real instants", () => {
    expect(convert("datetime", "2026-06-06T09:00:00.123456Z")).toEqual({
      ok: true,
      value: Date.parse("2026-06-06T09:00:00.123Z"),
    });
    expect(convert("datetime", "2026-06-06T09:00+0530")).toEqual({
      ok: true,
      value: Date.parse("2026-06-06T03:30:00Z"),
    });
    for (const bad of ["2026-02-30T00:00:00Z", "2026-06-06T09:00:00", "2026-06-06", "2026-13-01T00:00:00Z", 1780736400])
      expect(convert("datetime", bad).ok).toBe(false);
  });
});

describe("typed conditions are checked when the filter is saved", () => {
  it("names the type or the value that cannot work", () => {
    expect(checkFilter({ field: "data.a", op: "gt", value: 1, type: "money" })).toEqual([
      { path: "type", message: "must be one of number, string, boolean, datetime" },
    ]);
    expect(checkFilter({ field: "data.a", op: "gt", value: "soon", type: "datetime" })).toEqual([
      { path: "value", message: '"soon" is not an ISO 8601 date-time with an offset' },
    ]);
    expect(checkFilter({ all: [{ field: "data.a", op: "in", value: [1, "x"], type: "number" }] })).toEqual([
      { path: "all[0].value", message: 'item 1: "x" is not a number' },
    ]);
    expect(checkFilter({ field: "data.a", op: "gt", value: true, type: "boolean" })[0]).toMatchObject({
      path: "type",
      message: expect.stringContaining("cannot be used with op gt"),
    });
    expect(checkFilter({ field: "data.a", op: "exists", type: "number" })[0]?.path).toBe("type");
  });
});

describe("elem_match", () => {
  const items = (all: unknown[]) => test({ elem_match: { field: "data.items", all } });

  it("is true when one element satisfies every condition", () => {
    expect(
      items([
        { field: "sku", op: "equals", value: "B-2" },
        { field: "qty", op: "gte", value: 5 },
      ]).matched,
    ).toBe(true);
  });

  it("is false when the conditions are met only by different elements", () => {
    const spec = [
      { field: "sku", op: "equals", value: "A-1" },
      { field: "price", op: "gt", value: 100, type: "number" },
    ];
    expect(items(spec).matched).toBe(false);
    // Without elem_match each condition may match a different element.
    expect(
      test({
        all: [
          { field: "data.items.sku", op: "equals", value: "A-1" },
          { field: "data.items.price", op: "gt", value: 100, type: "number" },
        ],
      }).matched,
    ).toBe(true);
    expect(items(spec).reason).toBe(
      'elem_match(data.items: sku equals "A-1"; price gt 100 as number) was false (no element satisfied every condition; element 0: price gt 100 as number was false (value: 10))',
    );
  });

  it("takes typed conditions, any, not and a nested elem_match inside, all relative to the element", () => {
    expect(
      items([
        { field: "qty", op: "gte", value: 2, type: "number" },
        {
          any: [
            { field: "sku", op: "starts_with", value: "A" },
            { field: "sku", op: "equals", value: "Z" },
          ],
        },
        { not: { field: "price", op: "equals", value: 0 } },
      ]).matched,
    ).toBe(true);
    const nested = (sku: string) =>
      test({
        elem_match: {
          field: "data.orders",
          all: [
            {
              elem_match: {
                field: "lines",
                all: [
                  { field: "sku", op: "equals", value: sku },
                  { field: "qty", op: "gt", value: 5 },
                ],
              },
            },
          ],
        },
      }).matched;
    expect(nested("Y")).toBe(true);
    expect(nested("X")).toBe(false);
  });

  it("is false for a missing field, a non-array and an empty array, saying which", () => {
    const on = (field: string, env: unknown = envelope) =>
      test({ elem_match: { field, all: [{ field: "sku", op: "exists" }] } }, env).reason;
    expect(on("data.nothing")).toContain("(field missing)");
    expect(on("data.scalar")).toContain("(not an array)");
    expect(on("data.items", { ...envelope, data: { items: [] } })).toContain("(no elements)");
  });

  it("is checked when saved: a field and a non-empty all; paths inside need no envelope prefix", () => {
    expect(checkFilter({ elem_match: { field: "data.items", all: [] } })).toEqual([
      { path: "elem_match.all", message: "must be a non-empty array of filter nodes" },
    ]);
    expect(checkFilter({ elem_match: { field: "items", all: [{ field: "sku", op: "exists" }] } })[0]).toMatchObject({
      path: "elem_match.field",
    });
    expect(checkFilter({ elem_match: { all: [{ field: "sku", op: "exists" }], any: [] } })).toEqual(
      expect.arrayContaining([
        { path: "elem_match.any", message: "is not a known key" },
        expect.objectContaining({ path: "elem_match.field" }),
      ]),
    );
    expect(checkFilter({ elem_match: { field: "data.items", all: [{ field: "sku..x", op: "exists" }] } })).toEqual([
      { path: "elem_match.all[0].field", message: "must not have empty segments (leading, trailing or double dots)" },
    ]);
  });
});
