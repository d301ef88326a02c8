// The ready queue: fair round robin across endpoints, per-endpoint caps, and token buckets on an injected clock.
import { describe, expect, it } from "bun:test";
import type { LoadedEvent } from "../../src/delivery/envelope.ts";
import { type Job, type LaneOptions, Lanes, laneKey } from "../../src/delivery/lanes.ts";

const EVENT: LoadedEvent = {
  id: "evt_1",
  tenant_id: "default",
  type: "run.completed",
  payload: "{}",
  idempotency_key: null,
  created_at: 0,
};

let seq = 0;
function job(endpointId: string | null, targetUrl: string | null = null): Job {
  seq++;
  return {
    deliveryId: `dlv_${seq}`,
    event: EVENT,
    endpointId,
    targetUrl,
    attempts: 0,
    retryBase: 0,
    manual: false,
    trigger: "scheduled",
  };
}

/** A Lanes whose monotonic clock the test moves (starts at 1000 ms). */
function lanes(options: Partial<LaneOptions> & { rates?: Record<string, number> } = {}) {
  const clock = { t: 1000 };
  const q = new Lanes({
    perEndpoint: options.perEndpoint ?? 32,
    concurrency: options.concurrency,
    limitOf: options.limitOf,
    rateOf: options.rateOf ?? ((key) => options.rates?.[key] ?? null),
    now: () => clock.t,
  });
  return { q, clock };
}

/** Takes jobs until next() gives none; returns their endpoint ids (or url keys). */
function takeAll(q: Lanes): Job[] {
  const out: Job[] = [];
  for (;;) {
    const { job } = q.next();
    if (!job) return out;
    out.push(job);
  }
}

describe("lanes", () => {
  it("keys a job by its endpoint, or by its target URL when ad hoc", () => {
    expect(laneKey(job("ep_a"))).toBe("ep_a");
    expect(laneKey(job(null, "https://x.example/h"))).toBe("url:https://x.example/h");
  });

  it("serves endpoints round robin so one busy endpoint does not starve others", () => {
    const { q } = lanes();
    for (let i = 0; i < 4; i++) q.push(job("ep_a"));
    for (let i = 0; i < 2; i++) q.push(job("ep_b"));
    q.push(job("ep_c"));
    expect(q.size).toBe(7);
    expect(takeAll(q).map((j) => j.endpointId)).toEqual(["ep_a", "ep_b", "ep_c", "ep_a", "ep_b", "ep_a", "ep_a"]);
    expect(q.size).toBe(0);
    expect(q.inFlight).toBe(7);
  });

  it("keeps each endpoint's jobs in order", () => {
    const { q } = lanes();
    const pushed = [job("ep_a"), job("ep_a"), job("ep_a")];
    for (const j of pushed) q.push(j);
    expect(takeAll(q).map((j) => j.deliveryId)).toEqual(pushed.map((j) => j.deliveryId));
  });

  it("caps the attempts in flight per endpoint and frees a slot on done()", () => {
    const { q } = lanes({ perEndpoint: 2 });
    for (let i = 0; i < 5; i++) q.push(job("ep_a"));
    const first = takeAll(q);
    expect(first).toHaveLength(2);
    expect(q.inFlight).toBe(2);
    expect(q.size).toBe(3);
    expect(q.next()).toEqual({ job: null, wakeAt: null });

    q.done(first[0]!);
    expect(q.inFlight).toBe(1);
    const { job: third } = q.next();
    expect(third?.endpointId).toBe("ep_a");
    expect(q.next().job).toBeNull();
  });

  it("lets other endpoints run while one is at its cap", () => {
    const { q } = lanes({ perEndpoint: 1 });
    q.push(job("ep_a"));
    q.push(job("ep_a"));
    q.push(job("ep_b"));
    expect(takeAll(q).map((j) => j.endpointId)).toEqual(["ep_a", "ep_b"]);
    expect(q.size).toBe(1);
  });

  it("answers null when every lane is capped or empty", () => {
    const { q } = lanes({ perEndpoint: 1 });
    expect(q.next()).toEqual({ job: null, wakeAt: null });
    q.push(job("ep_a"));
    q.push(job("ep_a"));
    q.push(job("ep_b"));
    q.push(job("ep_b"));
    takeAll(q);
    expect(q.inFlight).toBe(2);
    expect(q.next()).toEqual({ job: null, wakeAt: null });
  });

  it("forgets an emptied lane and serves it again on the next push", () => {
    const { q } = lanes();
    const j = job("ep_a");
    q.push(j);
    q.next();
    q.done(j);
    expect(q.inFlight).toBe(0);
    q.push(job("ep_a"));
    expect(q.next().job?.endpointId).toBe("ep_a");
  });

  describe("token bucket", () => {
    it("at 2/s lets 2 go at once, then reports a ~500 ms wait via wakeAt", () => {
      const { q, clock } = lanes({ rates: { ep_a: 2 } });
      for (let i = 0; i < 5; i++) q.push(job("ep_a"));
      const first = takeAll(q);
      expect(first).toHaveLength(2);
      const blocked = q.next();
      expect(blocked.job).toBeNull();
      expect(blocked.wakeAt).not.toBeNull();
      expect(blocked.wakeAt! - clock.t).toBeGreaterThanOrEqual(499);
      expect(blocked.wakeAt! - clock.t).toBeLessThanOrEqual(501);
    });

    it("refills: after the wait one more goes, then it blocks again", () => {
      const { q, clock } = lanes({ rates: { ep_a: 2 } });
      for (let i = 0; i < 5; i++) q.push(job("ep_a"));
      takeAll(q);
      const { wakeAt } = q.next();

      clock.t = wakeAt! - 1;
      q.unblock();
      expect(q.next().job).toBeNull();

      clock.t = wakeAt!;
      q.unblock();
      expect(q.next().job?.endpointId).toBe("ep_a");
      const again = q.next();
      expect(again.job).toBeNull();
      expect(again.wakeAt! - clock.t).toBeGreaterThanOrEqual(499);
      expect(again.wakeAt! - clock.t).toBeLessThanOrEqual(501);
    });

    it("refills to capacity after a long pause, not beyond", () => {
      const { q, clock } = lanes({ rates: { ep_a: 2 } });
      for (let i = 0; i < 10; i++) q.push(job("ep_a"));
      takeAll(q);
      clock.t += 60_000;
      q.unblock();
      expect(takeAll(q)).toHaveLength(2);
    });

    it("keeps the bucket of a rate-limited lane that went empty (no free refill by re-creation)", () => {
      const { q } = lanes({ rates: { ep_a: 1 } });
      const a = job("ep_a");
      q.push(a);
      expect(q.next().job).toBe(a);
      q.done(a);
      q.push(job("ep_a"));
      const r = q.next();
      expect(r.job).toBeNull();
      expect(r.wakeAt).not.toBeNull();
    });

    it("does not hold back other endpoints", () => {
      const { q } = lanes({ rates: { ep_a: 1 } });
      q.push(job("ep_a"));
      q.push(job("ep_a"));
      q.push(job("ep_b"));
      q.push(job("ep_b"));
      expect(takeAll(q).map((j) => j.endpointId)).toEqual(["ep_a", "ep_b", "ep_b"]);
      expect(q.size).toBe(1);
    });

    it("reports the earliest wake time of several blocked lanes", () => {
      const { q, clock } = lanes({ rates: { ep_a: 1, ep_b: 4 } });
      for (let i = 0; i < 6; i++) q.push(job("ep_a"));
      for (let i = 0; i < 6; i++) q.push(job("ep_b"));
      takeAll(q);
      const { wakeAt } = q.next();
      expect(wakeAt! - clock.t).toBeGreaterThanOrEqual(249);
      expect(wakeAt! - clock.t).toBeLessThanOrEqual(251);
    });

    it("paces a fractional rate (0.5/s → one every 2 s)", () => {
      const { q, clock } = lanes({ rates: { ep_a: 0.5 } });
      for (let i = 0; i < 3; i++) q.push(job("ep_a"));
      expect(takeAll(q)).toHaveLength(1);
      const { wakeAt } = q.next();
      expect(wakeAt! - clock.t).toBeGreaterThanOrEqual(1999);
      expect(wakeAt! - clock.t).toBeLessThanOrEqual(2001);
    });
  });

  it("drain() hands back every queued job and leaves in-flight ones counted", () => {
    const { q } = lanes({ perEndpoint: 1 });
    for (let i = 0; i < 3; i++) q.push(job("ep_a"));
    q.push(job("ep_b"));
    q.push(job(null, "https://adhoc.example/h"));
    const running = q.next().job!;
    const drained = q.drain();
    expect(drained).toHaveLength(4);
    expect(drained.map((j) => j.deliveryId)).not.toContain(running.deliveryId);
    expect(q.size).toBe(0);
    expect(q.inFlight).toBe(1);
    expect(q.next().job).toBeNull();
  });

  describe("fair shares of the global cap", () => {
    /** Takes jobs as the dispatcher does: while fewer than `concurrency` are in flight. */
    function fill(q: Lanes, concurrency: number): Job[] {
      const out: Job[] = [];
      while (q.inFlight < concurrency) {
        const { job } = q.next();
        if (!job) break;
        out.push(job);
      }
      return out;
    }
    function count(jobs: Job[]): Record<string, number> {
      const n: Record<string, number> = {};
      for (const j of jobs) n[j.endpointId!] = (n[j.endpointId!] ?? 0) + 1;
      return n;
    }

    it("keeps a reserve of slots free, so an endpoint that gets work later starts at once", () => {
      // 32 slots (reserve 2), 4 endpoints with plenty of work, 8 per endpoint: without shares they would take all 32.
      const { q } = lanes({ perEndpoint: 8, concurrency: 32 });
      for (const ep of ["ep_a", "ep_b", "ep_c", "ep_d"]) for (let i = 0; i < 20; i++) q.push(job(ep));
      const first = fill(q, 32);
      expect(first).toHaveLength(30);
      expect(Object.values(count(first)).every((n) => n >= 6)).toBe(true);

      q.push(job("ep_new"));
      expect(fill(q, 32).map((j) => j.endpointId)).toEqual(["ep_new"]);
      expect(q.busyLanes).toBe(5);
    });

    it("lets an endpoint under its share (concurrency / (endpoints with work + 1)) take the last slots", () => {
      const { q } = lanes({ perEndpoint: 32, concurrency: 12 });
      for (let i = 0; i < 40; i++) q.push(job("ep_slow"));
      expect(fill(q, 12)).toHaveLength(11); // one slot stays in reserve
      for (let i = 0; i < 3; i++) q.push(job("ep_b"));
      // ep_b's share is 12 / 3 = 4: it may use the reserve, then waits for freed slots.
      expect(fill(q, 12).map((j) => j.endpointId)).toEqual(["ep_b"]);
    });

    it("offers a lane held back by its share again when a slot frees, keeping the reserve", () => {
      const { q } = lanes({ perEndpoint: 8, concurrency: 32 });
      for (const ep of ["ep_a", "ep_b", "ep_c", "ep_d"]) for (let i = 0; i < 20; i++) q.push(job(ep));
      const running = fill(q, 32);
      expect(q.next().job).toBeNull(); // 2 free: that is the reserve
      for (const finished of running.slice(0, 3)) {
        q.done(finished);
        expect(fill(q, 32)).toHaveLength(1);
        expect(q.inFlight).toBe(30);
      }
    });

    it("gives a lone endpoint its full cap", () => {
      const { q } = lanes({ perEndpoint: 32, concurrency: 32 });
      for (let i = 0; i < 40; i++) q.push(job("ep_a"));
      // Its share is 32 / 2 = 16; beyond that it takes slots while more than the reserve (2) stays free.
      expect(fill(q, 32)).toHaveLength(30);
    });

    it("applies each lane's own cap (adaptive concurrency) below perEndpoint", () => {
      const { q } = lanes({ perEndpoint: 8, concurrency: 64, limitOf: (key) => (key === "ep_slow" ? 1 : 8) });
      for (let i = 0; i < 10; i++) q.push(job("ep_slow"));
      for (let i = 0; i < 10; i++) q.push(job("ep_b"));
      expect(count(fill(q, 64))).toEqual({ ep_slow: 1, ep_b: 8 });
    });
  });

  it("withdraw() takes one lane's queued jobs out, oldest first; its in-flight jobs stay counted", () => {
    const { q } = lanes({ perEndpoint: 1 });
    const a = [job("ep_a"), job("ep_a"), job("ep_a")];
    for (const j of a) q.push(j);
    q.push(job("ep_b"));
    expect(q.next().job).toBe(a[0]!);
    expect(q.queuedFor("ep_a")).toBe(2);
    expect(q.withdraw("ep_a").map((j) => j.deliveryId)).toEqual([a[1]!.deliveryId, a[2]!.deliveryId]);
    expect(q.queuedFor("ep_a")).toBe(0);
    expect(q.size).toBe(1);
    expect(q.busyLanes).toBe(2); // ep_a still has one in flight
    q.done(a[0]!);
    expect(q.busyLanes).toBe(1);
    expect(q.withdraw("ep_none")).toEqual([]);
  });
});
