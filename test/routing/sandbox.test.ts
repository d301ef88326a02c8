// The sandbox pool: tenant JSONata and schema validation in worker threads that are terminated and replaced when
// a task overruns its bound, with queued tasks served round-robin between lanes (tenants).
import { afterAll, describe, expect, it } from "bun:test";
import { SandboxError, SandboxPool } from "../../src/routing/sandbox.ts";

const RUNAWAY = "($f := function($n){ $n > 0 ? $f($n-1) + $f($n-1) : 1 }; $f(40))";

describe("sandbox pool", () => {
  const pools: SandboxPool[] = [];
  const pool = (workers: number) => {
    const p = new SandboxPool({ workers, maxBytes: 1 << 20 });
    pools.push(p);
    return p;
  };
  afterAll(() => {
    for (const p of pools) p.stop();
  });

  it("evaluates filters, transforms and schema validation off the event loop", async () => {
    const p = pool(1);
    await p.ready();
    const input = JSON.stringify({ tenant_id: "t", data: { n: 5 } });
    expect(await p.run({ op: "filter", source: "data.n > 1", input, timeoutMs: 1000 }, "t")).toEqual({ matched: true });
    expect(await p.run({ op: "filter", source: "data.n", input, timeoutMs: 1000 }, "t")).toEqual({
      matched: false,
      returned: "5",
    });
    expect(await p.run({ op: "transform", source: '{"m": data.n * 2}', input, timeoutMs: 1000 }, "t")).toEqual({
      ok: true,
      body: '{"m":10}',
      contentType: "application/json",
    });
    const schema = JSON.stringify({ type: "object", required: ["x"] });
    expect(await p.run({ op: "validate", source: schema, input: "{}", timeoutMs: 1000 }, "t")).toEqual({
      valid: false,
      errors: [{ instancePath: "", message: "must have required property 'x'" }],
    });
  });

  it("terminates a worker blocked inside one built-in and replaces it", async () => {
    const p = pool(1);
    await p.ready();
    const input = JSON.stringify({ data: { list: Array.from({ length: 18_000 }, (_, i) => ({ a: i })) } });
    const started = performance.now();
    const err = await p
      .run({ op: "transform", source: "$count($distinct(data.list))", input, timeoutMs: 100 }, "t")
      .catch((e) => e);
    expect(err).toBeInstanceOf(SandboxError);
    expect((err as SandboxError).limit).toBe("timeout");
    expect(p.terminated).toBe(1);
    expect(performance.now() - started).toBeLessThan(2000);
    expect(await p.run({ op: "filter", source: "true", input: "{}", timeoutMs: 1000 }, "t")).toEqual({ matched: true });
  });

  it("stops $pad beyond the memory bound before it allocates", async () => {
    const p = pool(1);
    await p.ready();
    const err = await p
      .run({ op: "transform", source: '$pad("", 300000000)', input: "{}", timeoutMs: 1000 }, "t")
      .catch((e) => e);
    expect((err as SandboxError).limit).toBe("memory");
    expect(p.terminated).toBe(0);
  });

  it("serves lanes in turn: one lane's queue of slow tasks does not hold back another lane's task", async () => {
    const p = pool(1);
    await p.ready();
    const done: string[] = [];
    const slow = (n: number) =>
      p
        .run({ op: "transform", source: RUNAWAY, input: "{}", timeoutMs: 30 }, "noisy")
        .catch(() => done.push(`noisy${n}`));
    const tasks = [1, 2, 3, 4, 5].map(slow);
    tasks.push(
      p.run({ op: "filter", source: "true", input: "{}", timeoutMs: 1000 }, "quiet").then(() => done.push("quiet")),
    );
    await Promise.all(tasks);
    // noisy1 was running and noisy2 was first in turn when quiet arrived; quiet goes next, before noisy3.
    expect(done.indexOf("quiet")).toBeLessThan(done.indexOf("noisy3"));
  }, 20_000);

  it("lets one lane hold at most half the workers, so another lane's task never waits behind it", async () => {
    const p = pool(2);
    await p.ready();
    const done: string[] = [];
    const tasks = [1, 2, 3, 4].map((n) =>
      p
        .run({ op: "transform", source: RUNAWAY, input: "{}", timeoutMs: 30 }, "noisy")
        .catch(() => done.push(`noisy${n}`)),
    );
    tasks.push(
      p.run({ op: "filter", source: "true", input: "{}", timeoutMs: 1000 }, "quiet").then(() => done.push("quiet")),
    );
    await Promise.all(tasks);
    expect(done[0]).toBe("quiet");
  }, 20_000);
});
