// The circuit breaker of each endpoint: after a run of attempts that time out or cannot connect, the endpoint's
// deliveries wait in the store instead of holding slots, and one probe per cooldown decides when it closes.
// Pure state (no I/O, no timers): endpoint-guard.ts applies its decisions. Kept in memory per process.
import type { Job } from "./lanes.ts";

export type CircuitState = "closed" | "open" | "half_open";

/** What an attempt says about an endpoint: it answered (any HTTP status), or it could not be reached in time. */
export type Verdict = "answered" | "unreachable";

const UNREACHABLE: ReadonlySet<string> = new Set([
  "timeout",
  "connection_refused",
  "connection_reset",
  "dns_error",
  "tls_error",
  "network_error",
]);
const ANSWERED: ReadonlySet<string> = new Set(["redirect_not_followed", "invalid_response"]);

/**
 * The verdict of an attempt's outcome (`2xx`, `5xx`, … or an error kind); null when it says nothing about the
 * endpoint's reachability (no request made, a transform or token error, a blocked address).
 */
export function verdictOf(outcome: string | null): Verdict | null {
  if (outcome === null) return null;
  if (UNREACHABLE.has(outcome)) return "unreachable";
  if (ANSWERED.has(outcome) || /^\dxx$/.test(outcome)) return "answered";
  return null;
}

export interface CircuitOptions {
  /** Consecutive unreachable attempts that open the circuit. */
  failures: number;
  /** Time between probes of an open circuit. */
  cooldownMs: number;
}

/** What a recorded attempt changed. */
export type Transition = { kind: "opened" } | { kind: "reopened" } | { kind: "closed"; parkedUntil: number } | null;

interface Circuit {
  state: CircuitState;
  /** When the current state began. */
  since: number;
  /** Consecutive unreachable attempts. */
  failures: number;
  /** When the circuit last opened from closed (the start of this outage). */
  openedAt: number;
  /** The earliest time of the next probe (open). */
  probeAt: number;
  /** The delivery being tried as the probe (half_open). */
  probeId: string | null;
  /** A delivery has been parked to be due at probeAt (to be the probe). */
  candidate: boolean;
  /** The latest time a delivery was parked until in this outage (resumed when the circuit closes). */
  parkedUntil: number;
}

/** Parked deliveries wait at most this long past the next probe (a restart forgets open circuits). */
const MAX_PARK_MS = 60 * 60_000;

export class CircuitBreaker {
  private readonly circuits = new Map<string, Circuit>();
  /** Times a circuit opened (from closed) since start. */
  openings = 0;

  constructor(private readonly o: CircuitOptions) {}

  /**
   * Whether a job may be attempted now: null (go) or the time to park it until. An open circuit whose cooldown
   * is over lets one job through as its probe (half_open). Manual replays always go.
   */
  gate(job: Job, now: number): number | null {
    const c = job.endpointId === null || job.manual ? undefined : this.circuits.get(job.endpointId);
    if (!c || c.state === "closed") return null;
    if (c.state === "open" && now >= c.probeAt) {
      c.state = "half_open";
      c.since = now;
      c.probeId = job.deliveryId;
      return null;
    }
    return this.park(c, now);
  }

  /**
   * For a fresh delivery of `endpointId`: null when it may be queued now, else when it should be due (its
   * circuit is open). An open circuit due for its probe takes the delivery in, to probe with it.
   */
  admission(endpointId: string, now: number): number | null {
    const c = this.circuits.get(endpointId);
    if (!c || c.state === "closed" || (c.state === "open" && now >= c.probeAt)) return null;
    return this.park(c, now);
  }

  /** Records an attempt's verdict; returns the transition it caused, if any. */
  record(job: Job, verdict: Verdict | null, now: number): Transition {
    if (job.endpointId === null) return null;
    const key = job.endpointId;
    let c = this.circuits.get(key);
    if (verdict === "answered") {
      if (!c) return null;
      if (c.state === "closed") {
        c.failures = 0;
        return null;
      }
      const parkedUntil = c.parkedUntil;
      Object.assign(c, { state: "closed", since: now, failures: 0, probeId: null, candidate: false, parkedUntil: 0 });
      return { kind: "closed", parkedUntil };
    }
    if (!c) {
      if (verdict === null) return null;
      c = {
        state: "closed",
        since: now,
        failures: 0,
        openedAt: 0,
        probeAt: 0,
        probeId: null,
        candidate: false,
        parkedUntil: 0,
      };
      this.circuits.set(key, c);
    }
    const isProbe = c.state === "half_open" && c.probeId === job.deliveryId;
    if (verdict === null) {
      // The probe said nothing (no request was made): the next delivery probes at once.
      if (isProbe) Object.assign(c, { state: "open", since: now, probeAt: now, probeId: null, candidate: false });
      return null;
    }
    c.failures++;
    if (c.state === "closed" && c.failures >= this.o.failures) {
      this.openings++;
      Object.assign(c, {
        state: "open",
        since: now,
        openedAt: now,
        probeAt: now + this.o.cooldownMs,
        candidate: false,
      });
      c.parkedUntil = 0;
      return { kind: "opened" };
    }
    if (isProbe) {
      Object.assign(c, {
        state: "open",
        since: now,
        probeAt: now + this.o.cooldownMs,
        probeId: null,
        candidate: false,
      });
      return { kind: "reopened" };
    }
    return null;
  }

  /** The circuit of an endpoint as reads show it; `since` defaults to `closedSince` when nothing happened yet. */
  view(endpointId: string, closedSince: number): { state: CircuitState; since: number } {
    const c = this.circuits.get(endpointId);
    return c ? { state: c.state, since: c.since } : { state: "closed", since: closedSince };
  }

  /** Circuits that are not closed, by state. */
  counts(): { open: number; half_open: number } {
    const n = { open: 0, half_open: 0 };
    for (const c of this.circuits.values()) if (c.state !== "closed") n[c.state]++;
    return n;
  }

  /** Endpoint ids with a remembered circuit. */
  endpointIds(): IterableIterator<string> {
    return this.circuits.keys();
  }

  /** Drops an endpoint's circuit (the endpoint was deleted). */
  forget(endpointId: string): void {
    this.circuits.delete(endpointId);
  }

  /**
   * When a delivery of an open circuit is due again: the first one parked in an outage at the next probe (it
   * will be the probe), the others later — a cooldown past the probe, or as long as the outage has lasted (at most
   * an hour), so a long outage does not have its deliveries claimed and parked again every cooldown.
   */
  private park(c: Circuit, now: number): number {
    let until: number;
    if (c.state === "open" && !c.candidate) {
      c.candidate = true;
      until = Math.max(c.probeAt, now);
    } else {
      const outage = Math.min(MAX_PARK_MS, Math.max(this.o.cooldownMs, now - c.openedAt));
      until = Math.max(c.probeAt, now) + outage;
    }
    c.parkedUntil = Math.max(c.parkedUntil, until);
    return until;
  }
}
