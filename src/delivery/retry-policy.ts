// Decides what happens after an attempt: one pure function, so every branch is unit-tested and the
// worker only applies the decision.

export type ErrorKind =
  | "timeout"
  | "connection_refused"
  | "connection_reset"
  | "dns_error"
  | "tls_error"
  | "blocked_address"
  | "redirect_not_followed"
  | "transform_error"
  | "auth_error"
  | "http_error"
  | "invalid_response"
  | "network_error"
  | "proxy_error"
  | "endpoint_disabled"
  | "endpoint_deleted";

/** What went wrong in an attempt: a kind (docs/api.md "Delivery") and a short text. */
export interface AttemptError {
  kind: ErrorKind;
  message: string;
}

/** Errors that will not go away by waiting: the delivery fails at once. */
const PERMANENT: ReadonlySet<ErrorKind> = new Set([
  "transform_error",
  "blocked_address",
  "endpoint_disabled",
  "endpoint_deleted",
]);

export interface AttemptOutcome {
  httpStatus: number | null;
  error: ErrorKind | null;
  /** The raw Retry-After header of a 429/503, if any. */
  retryAfter: string | null;
}

export interface RetryInput {
  outcome: AttemptOutcome;
  /** 1-based number of this attempt within the current run (a recover starts a new run). */
  attemptInRun: number;
  /** Waits after failed attempts 1, 2, …; the schedule is 0-based: after attempt k comes scheduleMs[k-1]. */
  scheduleMs: readonly number[];
  /** Fraction of random spread, 0.2 = ±20%. */
  jitter: number;
  now: number;
  /** Manual replays and test sends are never retried. */
  manual: boolean;
  /** When the endpoint's current run of failures began (null when its last attempt succeeded). */
  failingSince: number | null;
  disableAfterMs: number;
  random?: () => number;
}

export type Decision =
  | { status: "delivered"; endpoint: "healthy" }
  | { status: "pending"; nextAttemptAt: number; endpoint: "failing" }
  | {
      status: "failed";
      reason: "exhausted" | "permanent" | "manual" | "gone" | "endpoint_failing";
      endpoint: "failing" | "disable_gone" | "disable_failing";
    };

const isSuccess = (o: AttemptOutcome) =>
  o.error === null && o.httpStatus !== null && o.httpStatus >= 200 && o.httpStatus < 300;

/**
 * Parses Retry-After: delay-seconds or an HTTP date, relative to `now`. Returns milliseconds ≥ 0, or null
 * for a missing or unparsable value (garbage is ignored).
 */
export function parseRetryAfter(value: string | null, now: number): number | null {
  if (value === null) return null;
  const text = value.trim();
  if (/^\d{1,10}$/.test(text)) return Number(text) * 1000;
  if (!/^[A-Za-z]{3}, \d{2} [A-Za-z]{3} \d{4} \d{2}:\d{2}:\d{2} GMT$/.test(text)) return null;
  const at = Date.parse(text);
  return Number.isFinite(at) ? Math.max(0, at - now) : null;
}

/** The decision after an attempt. See docs/api.md "Delivery". */
export function decide(input: RetryInput): Decision {
  const { outcome, now } = input;
  if (isSuccess(outcome)) return { status: "delivered", endpoint: "healthy" };
  if (outcome.httpStatus === 410 && outcome.error === null)
    return { status: "failed", reason: "gone", endpoint: "disable_gone" };
  const failingFor = input.failingSince === null ? 0 : now - input.failingSince;
  if (failingFor >= input.disableAfterMs && input.failingSince !== null)
    return { status: "failed", reason: "endpoint_failing", endpoint: "disable_failing" };
  if (input.manual) return { status: "failed", reason: "manual", endpoint: "failing" };
  if (outcome.error !== null && PERMANENT.has(outcome.error))
    return { status: "failed", reason: "permanent", endpoint: "failing" };
  if (input.attemptInRun > input.scheduleMs.length)
    return { status: "failed", reason: "exhausted", endpoint: "failing" };
  const base = input.scheduleMs[input.attemptInRun - 1]!;
  const random = input.random ?? Math.random;
  let wait = Math.round(base * (1 + (random() * 2 - 1) * input.jitter));
  if (outcome.httpStatus === 429 || outcome.httpStatus === 503) {
    const asked = parseRetryAfter(outcome.retryAfter, now);
    if (asked !== null) wait = Math.max(wait, Math.min(asked, Math.max(...input.scheduleMs)));
  }
  return { status: "pending", nextAttemptAt: now + Math.max(0, wait), endpoint: "failing" };
}
