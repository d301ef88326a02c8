// The retry policy is one pure function: every branch of docs/api.md "Delivery" is decided here.
import { describe, expect, it } from "bun:test";
import {
  type AttemptOutcome,
  decide,
  type ErrorKind,
  parseRetryAfter,
  type RetryInput,
} from "../../src/delivery/retry-policy.ts";

const NOW = Date.parse("2026-06-06T09:00:00.000Z");
const S = 1000;
const MIN = 60 * S;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
/** The default schedule (docs/api.md "Delivery"): 5s, 5m, 30m, 2h, 5h, 10h, 10h. */
const SCHEDULE = [5 * S, 5 * MIN, 30 * MIN, 2 * HOUR, 5 * HOUR, 10 * HOUR, 10 * HOUR];

const http = (status: number, retryAfter: string | null = null): AttemptOutcome => ({
  httpStatus: status,
  error: null,
  retryAfter,
});
const failure = (error: ErrorKind, status: number | null = null): AttemptOutcome => ({
  httpStatus: status,
  error,
  retryAfter: null,
});

/** A failed first attempt on the default schedule, no jitter, a healthy endpoint; `over` replaces fields. */
function input(over: Partial<RetryInput> = {}): RetryInput {
  return {
    outcome: http(500),
    attemptInRun: 1,
    scheduleMs: SCHEDULE,
    jitter: 0,
    now: NOW,
    manual: false,
    failingSince: null,
    disableAfterMs: 5 * DAY,
    random: () => 0.5,
    ...over,
  };
}

describe("decide", () => {
  describe("success", () => {
    it("marks any 2xx delivered and the endpoint healthy", () => {
      for (const status of [200, 201, 202, 204, 299]) {
        expect(decide(input({ outcome: http(status) }))).toEqual({ status: "delivered", endpoint: "healthy" });
      }
    });

    it("delivers a manual replay that succeeds", () => {
      expect(decide(input({ outcome: http(200), manual: true }))).toEqual({ status: "delivered", endpoint: "healthy" });
    });

    it("delivers even when the endpoint has been failing longer than disable_after", () => {
      expect(decide(input({ outcome: http(200), failingSince: NOW - 30 * DAY }))).toEqual({
        status: "delivered",
        endpoint: "healthy",
      });
    });
  });

  describe("schedule", () => {
    it("retries a failed attempt 1 after schedule[0]", () => {
      expect(decide(input())).toEqual({ status: "pending", nextAttemptAt: NOW + 5 * S, endpoint: "failing" });
    });

    it("uses schedule[k-1] after failed attempt k", () => {
      SCHEDULE.forEach((wait, i) => {
        expect(decide(input({ attemptInRun: i + 1 }))).toEqual({
          status: "pending",
          nextAttemptAt: NOW + wait,
          endpoint: "failing",
        });
      });
    });

    it("fails as exhausted after the attempt that used the last schedule entry", () => {
      expect(decide(input({ attemptInRun: SCHEDULE.length + 1 }))).toEqual({
        status: "failed",
        reason: "exhausted",
        endpoint: "failing",
      });
      expect(decide(input({ attemptInRun: 3, scheduleMs: [5 * S, MIN] }))).toEqual({
        status: "failed",
        reason: "exhausted",
        endpoint: "failing",
      });
    });

    it("fails a first attempt at once with an empty schedule", () => {
      expect(decide(input({ scheduleMs: [] }))).toEqual({ status: "failed", reason: "exhausted", endpoint: "failing" });
    });

    it("counts attempts within the current run, so a recovered delivery starts the schedule again", () => {
      // 8 attempts were made before the recover (retry_base 8); the 9th is attempt 1 of the new run.
      const attempts = 9;
      const retryBase = 8;
      expect(decide(input({ attemptInRun: attempts - retryBase }))).toEqual({
        status: "pending",
        nextAttemptAt: NOW + 5 * S,
        endpoint: "failing",
      });
      expect(decide(input({ attemptInRun: 16 - retryBase }))).toEqual({
        status: "failed",
        reason: "exhausted",
        endpoint: "failing",
      });
    });
  });

  describe("jitter", () => {
    const at = (random: number, jitter = 0.2, base = 5 * MIN) => {
      const d = decide(input({ scheduleMs: [base], jitter, random: () => random }));
      if (d.status !== "pending") throw new Error(`expected pending, got ${d.status}`);
      return d.nextAttemptAt - NOW;
    };

    it("waits base - jitter when random() is 0", () => {
      expect(at(0)).toBe(4 * MIN);
    });

    it("waits base + jitter when random() is (almost) 1", () => {
      expect(at(1)).toBe(6 * MIN);
    });

    it("waits exactly base when random() is 0.5", () => {
      expect(at(0.5)).toBe(5 * MIN);
    });

    it("stays within ±jitter with the real Math.random", () => {
      const { random: _fixed, ...real } = input({ scheduleMs: [10 * S], jitter: 0.2 });
      for (let i = 0; i < 1000; i++) {
        const d = decide(real);
        if (d.status !== "pending") throw new Error(`expected pending, got ${d.status}`);
        expect(d.nextAttemptAt - NOW).toBeGreaterThanOrEqual(8 * S);
        expect(d.nextAttemptAt - NOW).toBeLessThanOrEqual(12 * S);
      }
    });

    it("is exact with jitter 0 whatever random() says", () => {
      expect(at(0, 0)).toBe(5 * MIN);
      expect(at(1, 0)).toBe(5 * MIN);
    });
  });

  describe("permanent outcomes", () => {
    it("fails a 410 as gone and asks to disable the endpoint", () => {
      expect(decide(input({ outcome: http(410) }))).toEqual({
        status: "failed",
        reason: "gone",
        endpoint: "disable_gone",
      });
    });

    it("treats 410 as gone on a manual replay and on the last attempt too", () => {
      expect(decide(input({ outcome: http(410), manual: true }))).toEqual({
        status: "failed",
        reason: "gone",
        endpoint: "disable_gone",
      });
      expect(decide(input({ outcome: http(410), attemptInRun: 99 }))).toEqual({
        status: "failed",
        reason: "gone",
        endpoint: "disable_gone",
      });
    });

    it("fails transform_error and blocked_address at once (permanent)", () => {
      for (const kind of ["transform_error", "blocked_address"] as const) {
        expect(decide(input({ outcome: failure(kind) }))).toEqual({
          status: "failed",
          reason: "permanent",
          endpoint: "failing",
        });
      }
    });

    it("fails an attempt against a disabled endpoint at once", () => {
      expect(decide(input({ outcome: failure("endpoint_disabled") }))).toEqual({
        status: "failed",
        reason: "permanent",
        endpoint: "failing",
      });
    });

    it("does not retry a failed manual replay or test send", () => {
      expect(decide(input({ outcome: http(500), manual: true }))).toEqual({
        status: "failed",
        reason: "manual",
        endpoint: "failing",
      });
      expect(decide(input({ outcome: failure("timeout"), manual: true }))).toEqual({
        status: "failed",
        reason: "manual",
        endpoint: "failing",
      });
    });
  });

  describe("retried outcomes", () => {
    it("retries other 4xx and 5xx answers", () => {
      for (const status of [400, 401, 403, 404, 408, 409, 422, 429, 500, 502, 503, 504]) {
        expect(decide(input({ outcome: http(status) })).status).toBe("pending");
      }
    });

    it("retries a 3xx (redirect_not_followed)", () => {
      for (const status of [301, 302, 307, 308]) {
        expect(decide(input({ outcome: failure("redirect_not_followed", status) }))).toEqual({
          status: "pending",
          nextAttemptAt: NOW + 5 * S,
          endpoint: "failing",
        });
      }
    });

    it("retries timeouts, connection, DNS, TLS and auth errors", () => {
      const kinds: ErrorKind[] = [
        "timeout",
        "connection_refused",
        "connection_reset",
        "dns_error",
        "tls_error",
        "network_error",
        "auth_error",
      ];
      for (const kind of kinds) {
        expect(decide(input({ outcome: failure(kind) }))).toEqual({
          status: "pending",
          nextAttemptAt: NOW + 5 * S,
          endpoint: "failing",
        });
      }
    });
  });

  describe("Retry-After", () => {
    const waitFor = (outcome: AttemptOutcome, over: Partial<RetryInput> = {}) => {
      const d = decide(input({ outcome, ...over }));
      if (d.status !== "pending") throw new Error(`expected pending, got ${d.status}`);
      return d.nextAttemptAt - NOW;
    };

    it("waits at least the seconds a 429 or 503 asks for", () => {
      expect(waitFor(http(429, "120"))).toBe(120 * S);
      expect(waitFor(http(503, "120"))).toBe(120 * S);
    });

    it("keeps the scheduled wait when Retry-After asks for less", () => {
      expect(waitFor(http(503, "1"))).toBe(5 * S);
      expect(waitFor(http(429, "0"))).toBe(5 * S);
    });

    it("honours an HTTP date", () => {
      const date = new Date(NOW + 10 * MIN).toUTCString();
      expect(date).toEndWith("GMT");
      expect(waitFor(http(503, date))).toBe(10 * MIN);
    });

    it("treats an HTTP date in the past as no extra wait", () => {
      expect(waitFor(http(503, new Date(NOW - HOUR).toUTCString()))).toBe(5 * S);
    });

    it("caps the wait at the schedule's maximum", () => {
      expect(waitFor(http(429, "999999"))).toBe(10 * HOUR);
      expect(waitFor(http(503, "3600"), { scheduleMs: [5 * S, MIN] })).toBe(MIN);
    });

    it("never waits less than asked because of negative jitter", () => {
      expect(waitFor(http(503, "120"), { jitter: 0.2, random: () => 0, scheduleMs: [100 * S, 10 * MIN] })).toBe(
        120 * S,
      );
    });

    it("ignores garbage", () => {
      for (const junk of ["soon", "-5", "1.5", "", "   ", "12abc", "Sat, 06 Jun 2026 09:10:00", "0x10"]) {
        expect(waitFor(http(503, junk))).toBe(5 * S);
      }
    });

    it("is ignored on other statuses", () => {
      expect(waitFor(http(500, "120"))).toBe(5 * S);
      expect(waitFor(http(502, "120"))).toBe(5 * S);
      expect(waitFor(http(400, "120"))).toBe(5 * S);
    });

    it("does not keep retrying an exhausted delivery", () => {
      expect(decide(input({ outcome: http(503, "60"), attemptInRun: SCHEDULE.length + 1 }))).toEqual({
        status: "failed",
        reason: "exhausted",
        endpoint: "failing",
      });
    });
  });

  describe("endpoint health", () => {
    const FIVE_DAYS = 5 * DAY;

    it("keeps an endpoint failing for less than disable_after", () => {
      expect(decide(input({ failingSince: NOW - FIVE_DAYS + 1 }))).toEqual({
        status: "pending",
        nextAttemptAt: NOW + 5 * S,
        endpoint: "failing",
      });
    });

    it("disables an endpoint failing for disable_after or longer", () => {
      expect(decide(input({ failingSince: NOW - FIVE_DAYS }))).toEqual({
        status: "failed",
        reason: "endpoint_failing",
        endpoint: "disable_failing",
      });
      expect(decide(input({ failingSince: NOW - 6 * DAY, outcome: failure("timeout") }))).toEqual({
        status: "failed",
        reason: "endpoint_failing",
        endpoint: "disable_failing",
      });
    });

    it("does not disable an endpoint whose first failure this is", () => {
      expect(decide(input({ failingSince: null, disableAfterMs: 0 })).status).toBe("pending");
    });
  });
});

describe("parseRetryAfter", () => {
  it("reads delay-seconds as milliseconds", () => {
    expect(parseRetryAfter("0", NOW)).toBe(0);
    expect(parseRetryAfter("120", NOW)).toBe(120_000);
    expect(parseRetryAfter(" 30 ", NOW)).toBe(30_000);
  });

  it("reads an IMF-fixdate relative to now", () => {
    expect(parseRetryAfter("Sat, 06 Jun 2026 09:02:00 GMT", NOW)).toBe(120_000);
  });

  it("never returns a negative wait for a past date", () => {
    expect(parseRetryAfter("Sat, 06 Jun 2026 08:00:00 GMT", NOW)).toBe(0);
  });

  it("returns null for a missing value", () => {
    expect(parseRetryAfter(null, NOW)).toBeNull();
  });

  it("returns null for garbage", () => {
    for (const junk of [
      "",
      "soon",
      "-1",
      "1.5",
      "1e3",
      "12345678901",
      "Sat, 06 Jun 2026 09:02:00",
      "Sat, 99 Jun 2026 09:02:00 GMT",
      "2026-06-06T09:02:00Z",
    ]) {
      expect(parseRetryAfter(junk, NOW)).toBeNull();
    }
  });
});
