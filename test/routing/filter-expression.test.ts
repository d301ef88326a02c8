// Expression filters ({expression: "<JSONata>"}): match only on exactly `true`, never throw, stay bounded (they run
// in the sandbox workers: 25 ms, memory bound); a filter that cannot decide is an error, not a non-match.
import { beforeAll, describe, expect, it } from "bun:test";
import { compileFilter } from "../../src/routing/filter.ts";
import { sandbox } from "../../src/routing/sandbox.ts";

// Workers start once per process; their start-up is not part of what these tests time.
beforeAll(() => sandbox().ready());

const envelope = {
  id: "evt_01J",
  type: "order.created",
  timestamp: "2026-06-06T09:00:42.000Z",
  tenant_id: "acme",
  data: {
    amount: 150,
    region: "eu",
    city: "Zürich",
    items: [
      { sku: "A", qty: 2 },
      { sku: "B", qty: 5 },
    ],
  },
};
const test = (expression: string) => compileFilter({ expression }).test(envelope);

describe("expression filters", () => {
  it("returns a Promise", () => {
    expect(test("true")).toBeInstanceOf(Promise);
  });

  it("matches when the expression returns true", async () => {
    expect(await test("data.amount > 100")).toEqual({ matched: true, reason: null });
    expect(await test("type = 'order.created' and data.region in ['eu', 'us']")).toEqual({
      matched: true,
      reason: null,
    });
    expect(await test("$sum(data.items.qty) = 7")).toEqual({ matched: true, reason: null });
    expect(await test("data.city = 'Zürich'")).toEqual({ matched: true, reason: null });
  });

  it("does not match false and says so", async () => {
    expect(await test("data.amount > 1000")).toEqual({ matched: false, reason: "expression returned false" });
  });

  it("requires exactly true: truthy values do not match", async () => {
    expect(await test("data.amount")).toEqual({ matched: false, reason: "expression returned 150" });
    expect(await test("'true'")).toEqual({ matched: false, reason: 'expression returned "true"' });
    expect(await test("[true]")).toEqual({ matched: false, reason: "expression returned [true]" });
    expect(await test("data.nothing")).toEqual({ matched: false, reason: "expression returned no value" });
  });

  it("turns evaluation errors into an error result with the JSONata message", async () => {
    const result = await test("data.region + 1");
    expect(result.matched).toBe(false);
    expect(result.error).toBe(true);
    expect(result.reason).toStartWith('expression error: The left side of the "+" operator must evaluate to a number');
    expect((await test("$error('nope')")).reason).toStartWith("expression error: nope");
  });

  it("stops a runaway expression after 25 ms, as an error", async () => {
    const started = performance.now();
    const result = await test("($f := function($n){ $n > 0 ? $f($n-1) + $f($n-1) : 1 }; $f(40)) > 0");
    const elapsed = performance.now() - started;
    expect(result).toEqual({ matched: false, reason: "expression error: timed out after 25 ms", error: true });
    expect(elapsed).toBeGreaterThanOrEqual(24);
    expect(elapsed).toBeLessThan(5000);
  });

  it("stops a regex literal that would backtrack catastrophically elsewhere: it runs in linear time", async () => {
    const started = performance.now();
    const aaa = { ...envelope, data: { s: "a".repeat(4096) } };
    expect(await compileFilter({ expression: "$contains(data.s, /(a+)+b/)" }).test(aaa)).toEqual({
      matched: false,
      reason: "expression returned false",
    });
    // A backtracking engine would not finish this in years; a loose bound, the machine may be busy.
    expect(performance.now() - started).toBeLessThan(5000);
  });

  it("refuses at compile time a regex literal that needs backtracking", () => {
    expect(() => compileFilter({ expression: "$contains(data.s, /(a)\\1/)" })).toThrow("uses a backreference");
  });

  it("sees only the envelope: no process, no env", async () => {
    expect(await test("$exists($process) or $exists(process) or $exists($env)")).toEqual({
      matched: false,
      reason: "expression returned false",
    });
  });

  it("evaluates concurrent events independently", async () => {
    const filter = compileFilter({ expression: "data.amount > 100" });
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) => filter.test({ ...envelope, data: { amount: i % 2 ? 150 : 50 } })),
    );
    expect(results.map((r) => r.matched)).toEqual(Array.from({ length: 50 }, (_, i) => i % 2 === 1));
  });
});
