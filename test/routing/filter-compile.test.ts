// Filter validation: every class of mistake is reported with its path relative to the filter object.
import { describe, expect, it } from "bun:test";
import { checkFilter, compileFilter, FilterCompileError, type FilterProblem } from "../../src/routing/filter.ts";

const cond = { field: "data.amount", op: "gte", value: 100 };
const paths = (spec: unknown) => checkFilter(spec).map((p) => p.path);
const only = (spec: unknown): FilterProblem => {
  const problems = checkFilter(spec);
  expect(problems).toHaveLength(1);
  return problems[0];
};

describe("checkFilter", () => {
  it("returns no problems for valid trees and expressions", () => {
    expect(checkFilter(cond)).toEqual([]);
    expect(checkFilter({ all: [cond, { any: [cond, { not: cond }] }] })).toEqual([]);
    expect(checkFilter({ expression: "data.amount > 100" })).toEqual([]);
    expect(checkFilter({ field: "data.x", op: "exists" })).toEqual([]);
  });

  it("rejects a root that is not an object", () => {
    for (const spec of [null, "x", 1, [cond]]) expect(only(spec).path).toBe("");
  });

  it("rejects an empty node and a node of two kinds", () => {
    expect(only({}).path).toBe("");
    const mixed = only({ all: [cond], field: "data.x", op: "exists" });
    expect(mixed.path).toBe("");
    expect(mixed.message).toContain("found all and condition");
  });

  it("reports unknown keys at their path", () => {
    expect(paths({ all: [{ ...cond, extra: 1 }] })).toEqual(["all[0].extra"]);
    expect(paths({ any: [cond], limit: 3 })).toEqual(["limit"]);
  });

  it("requires non-empty arrays for all and any", () => {
    expect(only({ all: [] })).toEqual({ path: "all", message: "must be a non-empty array of filter nodes" });
    expect(only({ any: cond }).path).toBe("any");
  });

  it("requires an object under not", () => {
    expect(only({ not: [cond] }).path).toBe("not");
  });

  it("reports problems in nested nodes with their full path", () => {
    const spec = {
      all: [
        cond,
        { any: [cond, { field: "data.x", op: "gt", value: true }] },
        { not: { field: "data.x", op: "nope" } },
      ],
    };
    expect(paths(spec)).toEqual(["all[1].any[1].value", "all[2].not.op"]);
  });

  it("checks field paths", () => {
    expect(only({ field: "", op: "exists" }).path).toBe("field");
    expect(only({ op: "exists" }).path).toBe("field");
    expect(only({ field: "data..x", op: "exists" }).message).toContain("empty segments");
    expect(only({ field: "amount", op: "exists" }).message).toContain(
      "must start with one of id, type, timestamp, tenant_id, data",
    );
    expect(only({ field: `data.${"x".repeat(300)}`, op: "exists" }).path).toBe("field");
  });

  it("requires a known op", () => {
    expect(only({ field: "data.x" })).toEqual({ path: "op", message: "is required" });
    expect(only({ field: "data.x", op: "EQUALS", value: 1 }).message).toContain("must be one of equals, not_equals");
  });

  it("checks each op's value type", () => {
    const bad: [string, unknown][] = [
      ["equals", undefined],
      ["not_equals", Number.NaN],
      ["in", "eu"],
      ["not_in", Array.from({ length: 1001 }, (_, i) => i)],
      ["in", [1, Number.POSITIVE_INFINITY]],
      ["contains", undefined],
      ["starts_with", 1],
      ["ends_with", null],
      ["gt", true],
      ["lte", null],
      ["gte", Number.POSITIVE_INFINITY],
      ["matches", 5],
      ["matches", ""],
      ["equals", new Date()],
    ];
    for (const [op, value] of bad) {
      const spec = value === undefined ? { field: "data.x", op } : { field: "data.x", op, value };
      expect({ op, problems: paths({ all: [spec] }) }).toEqual({ op, problems: ["all[0].value"] });
    }
  });

  it("refuses a value for the ops that take none, null included", () => {
    for (const op of ["exists", "not_exists", "is_empty", "is_not_empty"]) {
      expect(only({ field: "data.x", op, value: null })).toEqual({
        path: "value",
        message: `must be omitted for op ${op}`,
      });
    }
  });

  it("accepts 1000 items for in", () => {
    expect(checkFilter({ field: "data.x", op: "in", value: Array.from({ length: 1000 }, (_, i) => i) })).toEqual([]);
  });

  it("rejects invalid, backtracking-only and over-long regular expressions", () => {
    expect(only({ field: "data.x", op: "matches", value: "([a-z" }).message).toContain(
      "not a valid regular expression",
    );
    expect(only({ field: "data.x", op: "matches", value: "(a)\\1" }).message).toContain("uses a backreference");
    expect(only({ field: "data.x", op: "matches", value: "a(?=b)" }).message).toContain("uses a lookaround");
    expect(checkFilter({ field: "data.x", op: "matches", value: "(a+)+$" })).toEqual([]);
    expect(only({ field: "data.x", op: "matches", value: "a".repeat(257) }).message).toBe(
      "must be at most 256 characters",
    );
    expect(checkFilter({ field: "data.x", op: "matches", value: "a".repeat(256) })).toEqual([]);
  });

  it("limits nesting to 8 levels", () => {
    let node: unknown = cond;
    for (let i = 0; i < 8; i++) node = { not: node };
    expect(only(node)).toEqual({
      path: "not.not.not.not.not.not.not.not",
      message: "is nested too deeply: at most 8 levels are allowed",
    });
  });

  it("limits a tree to 100 conditions", () => {
    expect(checkFilter({ all: Array.from({ length: 100 }, () => cond) })).toEqual([]);
    expect(
      only({ any: [{ all: Array.from({ length: 60 }, () => cond) }, { all: Array.from({ length: 41 }, () => cond) }] }),
    ).toEqual({
      path: "",
      message: "has 101 conditions; at most 100 are allowed",
    });
  });

  it("reports one problem, not thousands, for a huge list of bad conditions", () => {
    expect(checkFilter({ all: Array.from({ length: 5000 }, () => ({ field: "x", op: "gt" })) })).toHaveLength(201);
    expect(only({ all: Array.from({ length: 5000 }, () => cond) }).message).toBe(
      "has 5000 conditions; at most 100 are allowed",
    );
  });

  it("allows an expression only alone at the root", () => {
    expect(only({ all: [{ expression: "true" }] }).path).toBe("all[0].expression");
    expect(only({ expression: "true", all: [cond] })).toEqual({
      path: "all",
      message: "is not allowed beside expression",
    });
  });

  it("reports JSONata syntax errors at expression, with the position", () => {
    const problem = only({ expression: "data.amount >" });
    expect(problem.path).toBe("expression");
    expect(problem.message).toBe("is not valid JSONata: Unexpected end of expression (S0207, position 13)");
  });

  it("requires a non-empty expression string of at most 4096 characters", () => {
    expect(only({ expression: "" }).path).toBe("expression");
    expect(only({ expression: 42 }).path).toBe("expression");
    expect(only({ expression: `true or ${"true or ".repeat(600)}true` }).message).toBe(
      "must be at most 4096 characters",
    );
  });

  it("collects every problem at once", () => {
    const spec = { all: [{ field: "x", op: "gt", value: [] }, { any: [] }, { not: null }], extra: true };
    expect(paths(spec)).toEqual(["extra", "all[0].field", "all[0].value", "all[1].any", "all[2].not"]);
  });
});

describe("compileFilter", () => {
  it("throws FilterCompileError carrying the problems", () => {
    let caught: unknown;
    try {
      compileFilter({ all: [{ field: "data.x", op: "gt" }] });
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(FilterCompileError);
    const err = caught as FilterCompileError;
    expect(err.problems).toEqual([{ path: "all[0].value", message: "must be a finite number or a string for op gt" }]);
    expect(err.message).toBe("invalid filter: all[0].value: must be a finite number or a string for op gt");
  });

  it("compiles the same specs checkFilter accepts", () => {
    expect(() => compileFilter({ all: [cond] })).not.toThrow();
    expect(() => compileFilter({ expression: "type = 'a'" })).not.toThrow();
  });
});
