// rate_limit_per_second for the cluster as a whole: the token bucket lives in the shared store, and a replica
// reserves tokens in small grants (at most what the endpoint's lane has queued, at most a tenth of a second's
// worth), so the store is asked a few times a second per busy endpoint, never once per attempt. A grant is used
// at once by jobs already waiting; what is left of it is dropped after a moment rather than saved for a burst.
import type { Logger } from "../lib/logger.ts";
import type { Cluster } from "../store/index.ts";
import type { TokenSource } from "./lanes.ts";

/** How long a lane waits before looking again while its grant is being reserved. */
const RESERVING_WAIT_MS = 3;
/** Tokens of a grant not used within this are dropped (they were reserved for jobs that left the lane). */
const GRANT_TTL_MS = 250;
/** After a failed reservation, the lane waits this long (the store is unreachable: attempts could not be recorded). */
const FAILED_WAIT_MS = 1000;

interface Grant {
  tokens: number;
  grantedAt: number;
  retryAt: number;
  reserving: boolean;
}

export class SharedTokens implements TokenSource {
  private readonly grants = new Map<string, Grant>();

  constructor(
    private readonly cluster: Pick<Cluster, "reserveTokens">,
    private readonly logger: Logger,
    private readonly now: () => number = () => performance.now(),
  ) {}

  take(key: string, rate: number, queued: number): number {
    const now = this.now();
    let g = this.grants.get(key);
    if (!g) {
      g = { tokens: 0, grantedAt: 0, retryAt: 0, reserving: false };
      this.grants.set(key, g);
    }
    if (g.tokens >= 1 && now - g.grantedAt > GRANT_TTL_MS) g.tokens = 0;
    if (g.tokens >= 1) {
      g.tokens--;
      return 0;
    }
    if (g.reserving) return RESERVING_WAIT_MS;
    if (now < g.retryAt) return Math.ceil(g.retryAt - now);
    this.reserve(key, g, rate, Math.max(1, Math.min(queued, Math.ceil(rate / 10))));
    return RESERVING_WAIT_MS;
  }

  private reserve(key: string, g: Grant, rate: number, want: number): void {
    g.reserving = true;
    this.cluster
      .reserveTokens(key, rate, want)
      .then(({ granted, retryInMs }) => {
        const now = this.now();
        g.tokens = granted;
        g.grantedAt = now;
        g.retryAt = granted > 0 ? 0 : now + retryInMs;
      })
      .catch((error) => {
        g.retryAt = this.now() + FAILED_WAIT_MS;
        this.logger.error("reserving rate-limit tokens failed", { endpoint_id: key, error });
      })
      .finally(() => {
        g.reserving = false;
      });
  }
}
