// The group-commit writer: one flush writes everything queued, and a failing store is not retried in a loop.
import { describe, expect, it } from "bun:test";
import { WriteBatcher, type Written } from "../../src/delivery/write-batcher.ts";
import { silentLogger } from "../../src/lib/logger.ts";

const result = (i: number): Written => ({
  attempt: null,
  update: {
    id: `dlv_${i}`,
    status: "delivered",
    attempts: 1,
    next_attempt_at: null,
    http_status: 200,
    last_error: null,
    delivered_at: 1,
  },
});

function writer(fail: () => boolean) {
  const calls: number[] = [];
  const committed: number[] = [];
  const w = new WriteBatcher(
    {
      async writeBatch(events, _attempts, updates) {
        calls.push(updates.length);
        if (fail()) throw new Error("SQLITE_FULL");
        return events.map(() => ({ inserted: true as const }));
      },
    },
    silentLogger,
    { beforeCommit: () => {}, afterCommit: (batch) => void committed.push(batch.length) },
  );
  return { w, calls, committed };
}

describe("WriteBatcher", () => {
  it("writes every queued result in one flush, in batches of at most 2,000", async () => {
    const { w, calls, committed } = writer(() => false);
    for (let i = 0; i < 2500; i++) w.addResult(result(i));
    await w.flush();
    expect(w.pendingResults).toBe(0);
    expect(calls.reduce((a, b) => a + b, 0)).toBe(2500);
    expect(Math.max(...calls)).toBeLessThanOrEqual(2000);
    expect(committed.reduce((a, b) => a + b, 0)).toBe(2500);
  });

  it("tries a failing store once per flush and keeps the results for the retry", async () => {
    let failing = true;
    const { w, calls } = writer(() => failing);
    for (let i = 0; i < 10; i++) w.addResult(result(i));
    await w.flush();
    expect(calls).toEqual([10]);
    expect(w.pendingResults).toBe(10);
    failing = false;
    await w.flush();
    expect(w.pendingResults).toBe(0);
  });

  it("answers queued publishes with 503 unavailable when the store fails", async () => {
    const { w } = writer(() => true);
    const publish = w.submitEvent({
      event: { id: "evt_1", tenant_id: "default", type: "a.b", payload: "{}", idempotency_key: null, created_at: 1 },
      idempotency_response: null,
      deliveries: [],
    });
    await expect(publish).rejects.toMatchObject({ status: 503, code: "unavailable" });
  });
});
