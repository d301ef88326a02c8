// Event-type subscription matching: exact names, "prefix.*" wildcards, "*", ordering and de-duplication.
import { describe, expect, it } from "bun:test";
import { buildTypeIndex, matchesType } from "../../src/routing/type-index.ts";

describe("matchesType", () => {
  it("matches an exact name only when identical", () => {
    expect(matchesType("run.completed", "run.completed")).toBe(true);
    expect(matchesType("run.completed", "run.completed.x")).toBe(false);
    expect(matchesType("run.completed", "run")).toBe(false);
  });

  it("matches prefix.* against any deeper type, but not the prefix itself nor a longer word", () => {
    expect(matchesType("run.*", "run.completed")).toBe(true);
    expect(matchesType("run.*", "run.x.y")).toBe(true);
    expect(matchesType("run.*", "run")).toBe(false);
    expect(matchesType("run.*", "runs.x")).toBe(false);
    expect(matchesType("run.*", "run.")).toBe(false);
    expect(matchesType("run.x.*", "run.x.y")).toBe(true);
    expect(matchesType("run.x.*", "run.y.z")).toBe(false);
  });

  it("matches everything with *", () => {
    expect(matchesType("*", "a")).toBe(true);
    expect(matchesType("*", "run.x.y")).toBe(true);
  });
});

describe("buildTypeIndex", () => {
  const index = buildTypeIndex([
    { patterns: ["run.completed"], value: "exact" },
    { patterns: ["run.*"], value: "run-wild" },
    { patterns: ["*"], value: "all" },
    { patterns: ["invoice.paid", "invoice.*", "run.completed"], value: "multi" },
    { patterns: ["run.x.*"], value: "run-x-wild" },
    { patterns: ["runs.created"], value: "runs" },
  ]);

  it("returns exact, wildcard and * subscribers in insertion order", () => {
    expect(index.match("run.completed")).toEqual(["exact", "run-wild", "all", "multi"]);
  });

  it("does not match run.* against run nor runs.x", () => {
    expect(index.match("run")).toEqual(["all"]);
    expect(index.match("runs.x")).toEqual(["all"]);
    expect(index.match("runs.created")).toEqual(["all", "runs"]);
  });

  it("matches nested wildcards at every dot-prefix", () => {
    expect(index.match("run.x.y")).toEqual(["run-wild", "all", "run-x-wild"]);
  });

  it("returns a value once even when several of its patterns match", () => {
    expect(index.match("invoice.paid")).toEqual(["all", "multi"]);
  });

  it("returns only * subscribers for an unknown type", () => {
    expect(index.match("nothing.here")).toEqual(["all"]);
  });

  it("counts distinct values", () => {
    expect(index.size).toBe(6);
  });

  it("de-duplicates a value given by several items and keeps its first position", () => {
    const shared = { id: "ep_shared" };
    const other = { id: "ep_other" };
    const idx = buildTypeIndex([
      { patterns: ["b.*"], value: shared },
      { patterns: ["b.c"], value: other },
      { patterns: ["b.c", "*"], value: shared },
    ]);
    expect(idx.match("b.c")).toEqual([shared, other]);
    expect(idx.size).toBe(2);
  });

  it("is empty without items", () => {
    const idx = buildTypeIndex<string>([]);
    expect(idx.match("a.b")).toEqual([]);
    expect(idx.size).toBe(0);
  });

  it("returns a fresh array the caller may change", () => {
    const idx = buildTypeIndex([{ patterns: ["a"], value: 1 }]);
    idx.match("a").push(2);
    expect(idx.match("a")).toEqual([1]);
  });

  it("agrees with matchesType for every pattern and type", () => {
    const patterns = ["*", "a", "a.*", "a.b", "a.b.*", "ab.*", "b.*", "a.b.c"];
    const types = ["a", "ab", "a.b", "a.bc", "a.b.c", "a.b.c.d", "ab.c", "b", "b.a", "a."];
    const idx = buildTypeIndex(patterns.map((p) => ({ patterns: [p], value: p })));
    for (const type of types) {
      expect(idx.match(type)).toEqual(patterns.filter((p) => matchesType(p, type)));
    }
  });

  it("accepts any iterable, such as a generator", () => {
    function* items() {
      yield { patterns: ["x.*"], value: "gen" };
    }
    expect(buildTypeIndex(items()).match("x.y")).toEqual(["gen"]);
  });
});
