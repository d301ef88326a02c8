// Failed authentications per client address: past the limit within a window, that address is answered 429 (with
// Retry-After) without its key being looked at, so nobody can probe keys or flood the logs at full speed.

/** The address requests are counted under when the server cannot tell (app.handle in tests, Unix sockets). */
export const UNKNOWN_ADDRESS = "unknown";

export class FailedAuthThrottle {
  /** Per address, the times (ms) of its recent failures, oldest first; at most `limit` are kept. */
  private failures = new Map<string, number[]>();

  constructor(
    private readonly limit = 30,
    private readonly windowMs = 60_000,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** Seconds `address` must wait before it may authenticate again; 0 when it may now. */
  retryAfter(address: string): number {
    const times = this.failures.get(address);
    if (!times || times.length < this.limit) return 0;
    const wait = times[0]! + this.windowMs - this.now();
    if (wait > 0) return Math.max(1, Math.ceil(wait / 1000));
    this.prune(address, times);
    return 0;
  }

  /** Records a failed authentication from `address`. */
  fail(address: string): void {
    let times = this.failures.get(address);
    if (!times) {
      // Bounded memory: a flood of distinct addresses resets the table rather than growing it.
      if (this.failures.size >= 10_000) this.failures.clear();
      times = [];
      this.failures.set(address, times);
    }
    times.push(this.now());
    if (times.length > this.limit) times.shift();
  }

  private prune(address: string, times: number[]): void {
    const since = this.now() - this.windowMs;
    while (times.length > 0 && times[0]! <= since) times.shift();
    if (times.length === 0) this.failures.delete(address);
  }
}
