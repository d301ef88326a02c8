// User regexes run on a linear-time engine (RE2 semantics): syntax that needs backtracking is refused when saved,
// and patterns that make a backtracking engine explode finish in linear time.
import { describe, expect, it } from "bun:test";
import jsonata from "jsonata";
import { compileLinearRegex, LinearRegExp, regexProblem } from "../../src/lib/regex.ts";

describe("regexProblem", () => {
  it("accepts ordinary patterns, including ones a backtracking engine cannot run safely", () => {
    for (const ok of [
      "^ord_[0-9]+$",
      "^(eu|us)-[a-z]+$",
      "(a+)+$",
      "^(a|aa)+$",
      "a*a*a*a*a*a*a*b",
      "\\u00e9",
      "(?<n>x)",
    ])
      expect({ ok, why: regexProblem(ok) }).toEqual({ ok, why: null });
  });

  it("refuses backreferences and lookarounds, which need backtracking", () => {
    for (const bad of ["(a)\\1", "(?<n>a)\\k<n>"]) expect(regexProblem(bad)).toContain("uses a backreference");
    for (const bad of ["a(?=b)", "a(?!b)", "(?<=a)b", "(?<!a)b"])
      expect(regexProblem(bad)).toContain("uses a lookaround");
  });

  it("refuses invalid and overlong patterns", () => {
    expect(regexProblem("(")).toContain("is not a valid regular expression (RE2 syntax): missing closing )");
    expect(regexProblem("a".repeat(300))).toBe("must be at most 256 characters");
  });
});

describe("compileLinearRegex", () => {
  it("matches a*a*a*a*a*a*a*b against 4,096 × a in linear time", () => {
    const re = compileLinearRegex("a*a*a*a*a*a*a*b");
    const text = "a".repeat(4096);
    const started = performance.now();
    expect(re.test(text)).toBe(false);
    expect(re.test(`${text}b`)).toBe(true);
    expect(performance.now() - started).toBeLessThan(500);
  });
});

describe("LinearRegExp as JSONata's regex engine", () => {
  const run = (expr: string, input: unknown = {}) =>
    jsonata(expr, { RegexEngine: LinearRegExp as unknown as RegExpConstructor }).evaluate(input);

  it("gives $match, $replace, $split and $contains their usual results", async () => {
    expect(await run('$match("xaab aaab", /(a+)+b/)')).toEqual([
      { match: "aab", index: 1, groups: ["aa"] },
      { match: "aaab", index: 5, groups: ["aaa"] },
    ]);
    expect(await run('$replace("a😀b😀", /😀/, "-")')).toBe("a-b-");
    expect(await run('$split("a1b22c", /\\d+/)')).toEqual(["a", "b", "c"]);
    expect(await run('$contains("Hello", /hello/i)')).toBe(true);
  });

  it("runs /(a+)+b/ over 4,096 × a in linear time", async () => {
    const started = performance.now();
    expect(await run("$contains(s, /(a+)+b/)", { s: "a".repeat(4096) })).toBe(false);
    expect(performance.now() - started).toBeLessThan(500);
  });
});
