// The group-commit writer: one flush writes everything queued, results wait at most a few milliseconds (by the
// injected clock), and a failing store is retried a second later, not in a loop.
import { describe, expect, it } from "bun:test";
import { WriteBatcher, type Written } from "../../src/delivery/write-batcher.ts";
import { ManualClock } from "../../src/lib/clock.ts";
import { silentLogger } from "../../src/lib/logger.ts";

const result = (i: number, committed: number[] = []): Written => ({
  attempt: null,
  update: {
    id: `dlv_${i}`,
    status: "delivered",
    attempts: 1,
    next_attempt_at: null,
    http_status: 200,
    error_kind: null,
    last_error: null,
    delivered_at: 1,
  },
  onCommitted: () => void committed.push(i),
});

function writer(fail: () => boolean) {
  const calls: number[] = [];
  const clock = new ManualClock();
  const w = new WriteBatcher(
    {
      parallelWrites: 1,
      async writeBatch(events, _attempts, updates) {
        calls.push(updates.length);
        if (fail()) throw new Error("SQLITE_FULL");
        return events.map(() => ({ inserted: true as const }));
      },
    },
    silentLogger,
    clock,
  );
  return { w, calls, clock };
}

/** Lets the writes a timer started finish. */
const turn = () => new Promise<void>((r) => setImmediate(r));

describe("WriteBatcher", () => {
  it("writes every queued result in one flush, in batches of at most 2,000", async () => {
    const { w, calls } = writer(() => false);
    const committed: number[] = [];
    for (let i = 0; i < 2500; i++) w.addResult(result(i, committed));
    await w.flush();
    expect(w.pendingResults).toBe(0);
    expect(calls.reduce((a, b) => a + b, 0)).toBe(2500);
    expect(Math.max(...calls)).toBeLessThanOrEqual(2000);
    expect(committed).toHaveLength(2500);
  });

  it("writes a result when its 5 ms window ends, by the clock", async () => {
    const { w, calls, clock } = writer(() => false);
    w.addResult(result(1));
    clock.advance(4);
    await turn();
    expect(calls).toEqual([]);
    clock.advance(1);
    await turn();
    expect(calls).toEqual([1]);
  });

  it("writes a result someone waits for in this turn, without the window", async () => {
    const { w, calls } = writer(() => false);
    w.addResult(result(1), true);
    await turn();
    await turn();
    expect(calls).toEqual([1]);
  });

  it("tries a failing store once per flush and retries the results a second later", async () => {
    let failing = true;
    const { w, calls, clock } = writer(() => failing);
    for (let i = 0; i < 10; i++) w.addResult(result(i));
    await w.flush();
    expect(calls).toEqual([10]);
    expect(w.pendingResults).toBe(10);
    expect(w.writesFailing).toBe(true);
    failing = false;
    clock.advance(999);
    await turn();
    expect(calls).toEqual([10]);
    clock.advance(1);
    await turn();
    await turn();
    expect(calls).toEqual([10, 10]);
    expect(w.pendingResults).toBe(0);
    expect(w.writesFailing).toBe(false);
  });

  it("refuses queued admissions with unavailable when the store fails", async () => {
    const { w } = writer(() => true);
    const admission = w.submitEvent({
      event: { id: "evt_1", tenant_id: "default", type: "a.b", payload: "{}", idempotency_key: null, created_at: 1 },
      idempotency_response: null,
      deliveries: [],
    });
    await expect(admission).rejects.toMatchObject({ code: "unavailable" });
  });

  it("writes up to the store's parallelWrites batches at once, and flush waits for all of them", async () => {
    let inFlight = 0;
    let most = 0;
    const releases: (() => void)[] = [];
    const w = new WriteBatcher(
      {
        parallelWrites: 3,
        async writeBatch(events) {
          inFlight++;
          most = Math.max(most, inFlight);
          await new Promise<void>((resolve) => releases.push(resolve));
          inFlight--;
          return events.map(() => ({ inserted: true as const }));
        },
      },
      silentLogger,
      new ManualClock(),
    );
    const event = (i: number) => ({
      event: { id: `evt_${i}`, tenant_id: "default", type: "a.b", payload: "{}", idempotency_key: null, created_at: 1 },
      idempotency_response: null,
      deliveries: [],
    });
    const admitted: Promise<unknown>[] = [];
    for (let i = 0; i < 5; i++) {
      admitted.push(w.submitEvent(event(i)));
      await turn();
    }
    expect(most).toBe(3);
    let flushed = false;
    const flushing = w.flush().then(() => {
      flushed = true;
    });
    while (releases.length > 0 || inFlight > 0) {
      releases.shift()?.();
      await turn();
      if (inFlight > 0) expect(flushed).toBe(false);
    }
    await flushing;
    await Promise.all(admitted);
    expect(most).toBe(3);
  });
});

describe("WriteBatcher: events submitted together", () => {
  const event = (id: string) => ({
    event: { id, tenant_id: "default", type: "t", payload: "{}", idempotency_key: null, created_at: 1 },
    idempotency_response: null,
    deliveries: [],
  });

  it("writes them in one transaction even when the queue ahead nearly fills a transaction", async () => {
    const batches: string[][] = [];
    const w = new WriteBatcher(
      {
        parallelWrites: 1,
        async writeBatch(events) {
          batches.push(events.map((e) => e.event.id));
          return events.map(() => ({ inserted: true as const }));
        },
      },
      silentLogger,
      new ManualClock(),
    );
    const singles = Array.from({ length: 1800 }, (_, i) => w.submitEvent(event(`single_${i}`)));
    const group = Array.from({ length: 500 }, (_, i) => event(`batch_${i}`));
    const outcomes = await w.submitEvents(group);
    await Promise.all(singles);
    expect(outcomes).toHaveLength(500);
    const holding = batches.filter((b) => b.some((id) => id.startsWith("batch_")));
    expect(holding).toHaveLength(1);
    expect(holding[0]!.filter((id) => id.startsWith("batch_"))).toHaveLength(500);
    expect(batches.flat()).toHaveLength(2300);
  });

  it("answers each submission with its own outcomes, in order", async () => {
    const w = new WriteBatcher(
      {
        parallelWrites: 1,
        async writeBatch(events) {
          return events.map((e) =>
            e.event.id.endsWith("dup") ? { inserted: false as const, response: "first" } : { inserted: true as const },
          );
        },
      },
      silentLogger,
      new ManualClock(),
    );
    const [a, b] = await Promise.all([
      w.submitEvents([event("a1"), event("a2dup")]),
      w.submitEvents([event("b1dup"), event("b2"), event("b3")]),
    ]);
    expect(a).toEqual([{ inserted: true }, { inserted: false, response: "first" }]);
    expect(b).toEqual([{ inserted: false, response: "first" }, { inserted: true }, { inserted: true }]);
  });
});
