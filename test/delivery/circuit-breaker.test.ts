// The circuit breaker's state machine and the adaptive per-endpoint concurrency, on plain numbers for time:
// which outcomes count, when a circuit opens, where parked deliveries are due, one probe, closing and reopening.
import { describe, expect, it } from "bun:test";
import { AdaptiveConcurrency } from "../../src/delivery/adaptive-concurrency.ts";
import { CircuitBreaker, verdictOf } from "../../src/delivery/circuit-breaker.ts";
import type { LoadedEvent } from "../../src/delivery/envelope.ts";
import type { Job } from "../../src/delivery/lanes.ts";

const EVENT: LoadedEvent = {
  id: "evt_1",
  tenant_id: "default",
  type: "run.completed",
  payload: "{}",
  idempotency_key: null,
  created_at: 0,
};
const COOLDOWN = 30_000;
const T0 = 1_000_000;

let seq = 0;
function job(endpointId: string | null = "ep_a", manual = false): Job {
  seq++;
  return {
    deliveryId: `dlv_${seq}`,
    event: EVENT,
    endpointId,
    targetUrl: endpointId === null ? "https://x.example/h" : null,
    attempts: 0,
    retryBase: 0,
    manual,
    trigger: manual ? "manual" : "scheduled",
  };
}

/** A breaker that opens after 3 failures; `opened` has just opened it at T0. */
function breaker() {
  return new CircuitBreaker({ failures: 3, cooldownMs: COOLDOWN });
}
function opened() {
  const b = breaker();
  for (let i = 0; i < 3; i++) b.record(job(), "unreachable", T0);
  return b;
}

describe("verdictOf", () => {
  it("counts timeouts and failures to connect as unreachable", () => {
    for (const kind of ["timeout", "connection_refused", "connection_reset", "dns_error", "tls_error", "network_error"])
      expect(verdictOf(kind)).toBe("unreachable");
  });

  it("counts any HTTP answer as answered, a 500 included", () => {
    for (const outcome of ["2xx", "4xx", "5xx", "redirect_not_followed", "invalid_response"])
      expect(verdictOf(outcome)).toBe("answered");
  });

  it("says nothing when no request reached the endpoint", () => {
    for (const outcome of [null, "transform_error", "auth_error", "blocked_address", "endpoint_disabled"])
      expect(verdictOf(outcome)).toBeNull();
  });
});

describe("circuit breaker", () => {
  it("opens after `failures` consecutive unreachable attempts, not before", () => {
    const b = breaker();
    expect(b.record(job(), "unreachable", T0)).toBeNull();
    expect(b.record(job(), "unreachable", T0)).toBeNull();
    expect(b.view("ep_a", 0)).toEqual({ state: "closed", since: T0 });
    expect(b.record(job(), "unreachable", T0 + 5)).toEqual({ kind: "opened" });
    expect(b.view("ep_a", 0)).toEqual({ state: "open", since: T0 + 5 });
    expect(b.openings).toBe(1);
    expect(b.counts()).toEqual({ open: 1, half_open: 0 });
  });

  it("starts counting again after an answer (even a 500)", () => {
    const b = breaker();
    b.record(job(), "unreachable", T0);
    b.record(job(), "unreachable", T0);
    b.record(job(), "answered", T0);
    b.record(job(), "unreachable", T0);
    expect(b.record(job(), "unreachable", T0)).toBeNull();
    expect(b.view("ep_a", 0).state).toBe("closed");
  });

  it("keeps each endpoint's circuit apart", () => {
    const b = opened();
    expect(b.view("ep_b", 42)).toEqual({ state: "closed", since: 42 });
    expect(b.gate(job("ep_b"), T0)).toBeNull();
  });

  it("lets every job through while closed, and ad-hoc targets always", () => {
    const b = breaker();
    expect(b.gate(job(), T0)).toBeNull();
    expect(b.admission("ep_a", T0)).toBeNull();
    expect(b.gate(job(null), T0)).toBeNull();
  });

  it("while open, parks the first delivery until the probe time and the others a cooldown later", () => {
    const b = opened();
    expect(b.gate(job(), T0 + 1000)).toBe(T0 + COOLDOWN);
    expect(b.gate(job(), T0 + 2000)).toBe(T0 + 2 * COOLDOWN);
    expect(b.admission("ep_a", T0 + 3000)).toBe(T0 + 2 * COOLDOWN);
  });

  it("lets manual replays through while open", () => {
    const b = opened();
    expect(b.gate(job("ep_a", true), T0 + 1000)).toBeNull();
    expect(b.view("ep_a", 0).state).toBe("open");
  });

  it("takes the first job after the cooldown as the one probe (half_open); others wait", () => {
    const b = opened();
    const probe = job();
    expect(b.gate(probe, T0 + COOLDOWN)).toBeNull();
    expect(b.view("ep_a", 0)).toEqual({ state: "half_open", since: T0 + COOLDOWN });
    // Parked for as long as the outage has lasted (30 s), past the time of the probe.
    expect(b.gate(job(), T0 + COOLDOWN)).toBe(T0 + 2 * COOLDOWN);
    expect(b.admission("ep_a", T0 + COOLDOWN)).toBe(T0 + 2 * COOLDOWN);
  });

  it("an open circuit due for its probe takes a fresh delivery in (it becomes the probe)", () => {
    const b = opened();
    expect(b.admission("ep_a", T0 + COOLDOWN)).toBeNull();
  });

  it("closes when the probe is answered and reports how far deliveries were parked", () => {
    const b = opened();
    b.gate(job(), T0 + 1000); // parked until the probe time
    b.gate(job(), T0 + 2000); // parked until T0 + 2 cooldowns
    const probe = job();
    b.gate(probe, T0 + COOLDOWN);
    expect(b.record(probe, "answered", T0 + COOLDOWN + 40)).toEqual({ kind: "closed", parkedUntil: T0 + 2 * COOLDOWN });
    expect(b.view("ep_a", 0)).toEqual({ state: "closed", since: T0 + COOLDOWN + 40 });
    expect(b.gate(job(), T0 + COOLDOWN + 50)).toBeNull();
    expect(b.counts()).toEqual({ open: 0, half_open: 0 });
  });

  it("reopens when the probe fails: the next probe is a cooldown after, and the first parked one is due then", () => {
    const b = opened();
    const probe = job();
    b.gate(probe, T0 + COOLDOWN);
    const failedAt = T0 + 2 * COOLDOWN; // the probe timed out after 30 s
    expect(b.record(probe, "unreachable", failedAt)).toEqual({ kind: "reopened" });
    expect(b.view("ep_a", 0)).toEqual({ state: "open", since: failedAt });
    expect(b.gate(job(), failedAt + 1)).toBe(failedAt + COOLDOWN);
    expect(b.gate(job(), failedAt + 1)).toBeGreaterThan(failedAt + COOLDOWN);
    expect(b.openings).toBe(1);
  });

  it("ignores failures of attempts that were in flight when it opened", () => {
    const b = opened();
    expect(b.record(job(), "unreachable", T0 + 100)).toBeNull();
    const probe = job();
    b.gate(probe, T0 + COOLDOWN);
    expect(b.record(job(), "unreachable", T0 + COOLDOWN + 1)).toBeNull();
    expect(b.view("ep_a", 0).state).toBe("half_open");
  });

  it("closes on any answer, e.g. a slow attempt from before it opened", () => {
    const b = opened();
    expect(b.record(job(), "answered", T0 + 500)?.kind).toBe("closed");
  });

  it("parks longer the longer the outage lasts, at most an hour past the next probe", () => {
    const b = opened();
    const tenMinutes = 10 * 60_000;
    let probe = job();
    b.gate(probe, T0 + COOLDOWN);
    b.record(probe, "unreachable", T0 + tenMinutes);
    b.gate(job(), T0 + tenMinutes); // the candidate for the next probe
    expect(b.gate(job(), T0 + tenMinutes)).toBe(T0 + tenMinutes + COOLDOWN + tenMinutes);
    probe = job();
    b.gate(probe, T0 + 5 * 3_600_000);
    b.record(probe, "unreachable", T0 + 5 * 3_600_000);
    b.gate(job(), T0 + 5 * 3_600_000);
    expect(b.gate(job(), T0 + 5 * 3_600_000)).toBe(T0 + 5 * 3_600_000 + COOLDOWN + 3_600_000);
  });

  it("after a probe that said nothing (no request made), probes again with the next job", () => {
    const b = opened();
    const probe = job();
    b.gate(probe, T0 + COOLDOWN);
    expect(b.record(probe, null, T0 + COOLDOWN + 1)).toBeNull();
    expect(b.view("ep_a", 0).state).toBe("open");
    expect(b.gate(job(), T0 + COOLDOWN + 2)).toBeNull();
    expect(b.view("ep_a", 0).state).toBe("half_open");
  });

  it("forgets the circuit of a deleted endpoint", () => {
    const b = opened();
    b.forget("ep_a");
    expect(b.view("ep_a", 7)).toEqual({ state: "closed", since: 7 });
    expect(b.counts()).toEqual({ open: 0, half_open: 0 });
  });
});

describe("adaptive concurrency", () => {
  it("starts at the configured cap", () => {
    expect(new AdaptiveConcurrency(32).limitOf("ep_a")).toBe(32);
  });

  it("halves the cap on each unreachable attempt, down to 1", () => {
    const a = new AdaptiveConcurrency(32);
    const limits: number[] = [];
    for (let i = 0; i < 7; i++) {
      a.record("ep_a", "unreachable");
      limits.push(a.limitOf("ep_a"));
    }
    expect(limits).toEqual([16, 8, 4, 2, 1, 1, 1]);
    expect(a.limitOf("ep_b")).toBe(32);
  });

  it("adds one per answered attempt, up to the cap; other outcomes change nothing", () => {
    const a = new AdaptiveConcurrency(4);
    a.record("ep_a", "unreachable");
    a.record("ep_a", "unreachable");
    expect(a.limitOf("ep_a")).toBe(1);
    a.record("ep_a", null);
    expect(a.limitOf("ep_a")).toBe(1);
    a.record("ep_a", "answered");
    expect(a.limitOf("ep_a")).toBe(2);
    for (let i = 0; i < 5; i++) a.record("ep_a", "answered");
    expect(a.limitOf("ep_a")).toBe(4);
  });
});
