// User regexes that could backtrack catastrophically are refused when saved.
import { describe, expect, it } from "bun:test";
import { regexProblem } from "../../src/lib/regex.ts";

describe("regexProblem", () => {
  it("accepts ordinary patterns, including alternation that is not repeated", () => {
    for (const ok of ["^ord_[0-9]+$", "^(eu|us)-[a-z]+$", "[a-z|]+", "\\(a|b\\)+", "^\\d{4}-\\d{2}-\\d{2}$"])
      expect({ ok, why: regexProblem(ok) }).toEqual({ ok, why: null });
  });

  it("refuses nested quantifiers and repeated alternations", () => {
    for (const bad of ["(a+)+$", "^(a|aa)+$", "(x|x)*y", "((a|b)c)*d", "(a|b){2,}x"])
      expect(regexProblem(bad)).toContain("unsafe");
  });

  it("refuses invalid and overlong patterns", () => {
    expect(regexProblem("(")).toContain("not a valid regular expression");
    expect(regexProblem("a".repeat(300))).toBe("must be at most 256 characters");
  });
});
