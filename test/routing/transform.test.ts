// Payload transforms: exact body bytes and content type per result kind, errors as outcomes, and the
// 100 ms budget enforced per call even while other applies run concurrently.
import { beforeAll, describe, expect, it } from "bun:test";
import { sandbox } from "../../src/routing/sandbox.ts";
import { checkTransform, compileTransform } from "../../src/routing/transform.ts";

// Workers start once per process; their start-up is not part of what these tests time.
beforeAll(() => sandbox().ready());

const envelope = {
  id: "evt_01JXAMPLE",
  type: "run.completed",
  timestamp: "2026-06-06T09:00:42.000Z",
  tenant_id: "acme",
  data: { run_id: "r_42", status: "ok", customer: { name: "Łukasz", email: "l@example.com" }, items: [1, 2, 3] },
};
/**
 * Applies with a generous budget unless a test is about time: the sandbox's bounds are wall-clock bounded, and a
 * loaded machine must not turn a test of results into a test of speed.
 */
const apply = (expression: string, env: unknown = envelope, timeoutMs = 5000) =>
  compileTransform(expression).apply(env, timeoutMs);
const SLOW = "($f := function($n){ $n > 0 ? $f($n-1) + $f($n-1) : 1 }; $f(40))";

describe("transform results", () => {
  it("renders a Slack-style object as compact JSON, byte for byte", async () => {
    expect(await apply('{"text": "Run " & data.run_id & " finished"}')).toEqual({
      ok: true,
      body: '{"text":"Run r_42 finished"}',
      contentType: "application/json",
    });
  });

  it("picks fields", async () => {
    const out = await apply('{"id": id, "status": data.status, "items": data.items}');
    expect(out).toEqual({
      ok: true,
      body: '{"id":"evt_01JXAMPLE","status":"ok","items":[1,2,3]}',
      contentType: "application/json",
    });
  });

  it("renames keys and keeps non-ASCII text as is", async () => {
    const out = await apply('{"event_id": id, "kind": type, "who": data.customer.name}');
    expect(out).toEqual({
      ok: true,
      body: '{"event_id":"evt_01JXAMPLE","kind":"run.completed","who":"Łukasz"}',
      contentType: "application/json",
    });
  });

  it("renders arrays as JSON", async () => {
    expect(await apply("data.items.($ * 10)")).toEqual({
      ok: true,
      body: "[10,20,30]",
      contentType: "application/json",
    });
  });

  it("sends a string as is, as text/plain", async () => {
    expect(await apply('"Run " & data.run_id & " by " & data.customer.name & " ✅"')).toEqual({
      ok: true,
      body: "Run r_42 by Łukasz ✅",
      contentType: "text/plain",
    });
  });

  it("renders numbers, booleans and null as JSON", async () => {
    expect(await apply("$count(data.items)")).toEqual({ ok: true, body: "3", contentType: "application/json" });
    expect(await apply("data.status = 'ok'")).toEqual({ ok: true, body: "true", contentType: "application/json" });
    expect(await apply("null")).toEqual({ ok: true, body: "null", contentType: "application/json" });
  });

  it("drops functions inside objects, as JSON does", async () => {
    expect(await apply('{"f": $uppercase, "a": 1}')).toEqual({
      ok: true,
      body: '{"a":1}',
      contentType: "application/json",
    });
  });
});

describe("transform failures", () => {
  it("fails when nothing matches", async () => {
    expect(await apply("data.nothing")).toEqual({ ok: false, error: "transform produced no value" });
  });

  it("fails when the result is a function", async () => {
    expect(await apply("function($x){ $x }")).toEqual({
      ok: false,
      error: "transform produced a function, not a value",
    });
  });

  it("fails with JSONata's message on evaluation errors", async () => {
    const out = await apply("data.status + 1");
    expect(out.ok).toBe(false);
    if (!out.ok)
      expect(out.error).toBe(
        'transform failed: The left side of the "+" operator must evaluate to a number (T2001, position 13)',
      );
    expect(await apply("$error('custom')")).toEqual({
      ok: false,
      error: "transform failed: custom (D3137, position 7)",
    });
  });

  it("fails when the output is larger than 1 MiB, counting UTF-8 bytes", async () => {
    expect(await apply('$pad("", 1048576, "x")')).toMatchObject({ ok: true });
    expect(await apply('$pad("", 1048577, "x")')).toEqual({
      ok: false,
      error: "transform failed: $pad to a string larger than 1048576 bytes (the memory bound) would be built",
    });
    expect(await apply('$pad("", 524288, "é")')).toMatchObject({ ok: true });
    expect(await apply('$pad("", 524289, "é")')).toEqual({
      ok: false,
      error: "transform output is larger than 1048576 bytes",
    });
  });

  it("refuses huge ranges before building them", async () => {
    const started = performance.now();
    const out = await apply("$map([1..10000000], function($x){ $x * 2 })");
    expect(out.ok).toBe(false);
    if (!out.ok) expect(out.error).toContain("maximum sequence length");
    expect(performance.now() - started).toBeLessThan(2000);
  });

  it("stops deep non-tail recursion at 500 nested calls", async () => {
    // A generous time budget, so that on a busy machine the depth limit, not the clock, is what stops it.
    expect(await apply("($f := function($n){ $n = 0 ? 0 : 1 + $f($n-1) }; $f(100000))", envelope, 5000)).toEqual({
      ok: false,
      error: "transform failed: more than 500 nested function calls",
    });
    expect(await apply("($f := function($n){ $n = 0 ? 0 : 1 + $f($n-1) }; $f(400))", envelope, 5000)).toEqual({
      ok: true,
      body: "400",
      contentType: "application/json",
    });
  });

  it("does not count wide, flat work as depth", async () => {
    const items = Array.from({ length: 2000 }, (_, i) => ({ sku: `s${i}`, n: i }));
    const out = await apply("$count($keys(data.items{sku: $sum(n)}))", { data: { items } }, 2000);
    expect(out).toEqual({ ok: true, body: "2000", contentType: "application/json" });
  });
});

describe("transform time budget", () => {
  // Upper bounds here are loose (the machine may be busy); precise figures are in bench/isolation.ts.
  it("stops an exponential expression at its default budget of 100 ms", async () => {
    const started = performance.now();
    const out = await compileTransform(SLOW).apply(envelope);
    const elapsed = performance.now() - started;
    expect(out).toEqual({ ok: false, error: "transform timed out after 100 ms" });
    expect(elapsed).toBeGreaterThanOrEqual(95);
    expect(elapsed).toBeLessThan(5000);
  });

  it("stops a long computation over small values", async () => {
    expect(await apply("$sum([1..1000].($sum([1..1000].($ * 2))))", envelope, 100)).toEqual({
      ok: false,
      error: "transform timed out after 100 ms",
    });
  });

  it("stops an expression hidden in $eval", async () => {
    expect(await apply(`$eval('${SLOW}')`, envelope, 100)).toEqual({
      ok: false,
      error: "transform timed out after 100 ms",
    });
  });

  it("honours a custom budget", async () => {
    const started = performance.now();
    expect(await apply(SLOW, envelope, 20)).toEqual({ ok: false, error: "transform timed out after 20 ms" });
    expect(performance.now() - started).toBeLessThan(5000);
  });

  it("keeps each apply's clock and result separate when applies overlap", async () => {
    const transform = compileTransform(
      '$exists(data.n) ? {"n": data.n * 2} : ($f := function($n){ $n > 0 ? $f($n-1) + $f($n-1) : 1 }; $f(40))',
    );
    const started = performance.now();
    const slow = transform.apply({ data: {} });
    const fast = await Promise.all(Array.from({ length: 20 }, (_, n) => transform.apply({ data: { n } })));
    const late = transform.apply({ data: { n: 1000 } }, 1000);
    expect(fast.map((o) => (o.ok ? o.body : o.error))).toEqual(Array.from({ length: 20 }, (_, n) => `{"n":${n * 2}}`));
    expect(await slow).toEqual({ ok: false, error: "transform timed out after 100 ms" });
    expect(performance.now() - started).toBeLessThan(10_000);
    expect(await late).toEqual({ ok: true, body: '{"n":2000}', contentType: "application/json" });
  });

  it("does not let a timed-out apply poison the next one", async () => {
    const transform = compileTransform(
      'data.n > 0 ? ($f := function($n){ $n > 0 ? $f($n-1) + $f($n-1) : 1 }; $f(40)) : "done"',
    );
    expect(await transform.apply({ data: { n: 1 } })).toEqual({ ok: false, error: "transform timed out after 100 ms" });
    expect(await transform.apply({ data: { n: 0 } })).toEqual({ ok: true, body: "done", contentType: "text/plain" });
  });
});

describe("checkTransform / compileTransform", () => {
  it("accepts valid expressions", () => {
    expect(checkTransform('{"text": data.run_id}')).toBeNull();
  });

  it("reports syntax errors with code and position", () => {
    expect(checkTransform('{"text": }')).toBe('The symbol "}" cannot be used as a unary operator (S0211, position 10)');
    expect(checkTransform("[1, 2")).toBe('Expected "]" before end of expression (S0203, position 5)');
  });

  it("throws the same message from compileTransform", () => {
    expect(() => compileTransform("[1, 2")).toThrow('Expected "]" before end of expression (S0203, position 5)');
  });
});
