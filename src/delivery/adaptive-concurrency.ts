// Per-endpoint concurrency that adapts: halved (down to 1) by each attempt that times out or cannot connect,
// raised by one per answered attempt (up to delivery.per_endpoint_concurrency), so an endpoint that stops
// answering soon holds one slot instead of its full cap. Only endpoints below the cap are remembered.
import type { Verdict } from "./circuit-breaker.ts";

export class AdaptiveConcurrency {
  private readonly limits = new Map<string, number>();

  /** @param max delivery.per_endpoint_concurrency: the cap and the starting value. */
  constructor(private readonly max: number) {}

  /** Attempts a lane (endpoint id, or `url:…`) may have in flight now. */
  limitOf(key: string): number {
    return this.limits.get(key) ?? this.max;
  }

  record(key: string, verdict: Verdict | null): void {
    if (verdict === "unreachable") {
      this.limits.set(key, Math.max(1, Math.floor(this.limitOf(key) / 2)));
    } else if (verdict === "answered") {
      const limit = this.limits.get(key);
      if (limit === undefined) return;
      if (limit + 1 >= this.max) this.limits.delete(key);
      else this.limits.set(key, limit + 1);
    }
  }

  /** Keys below the cap. */
  keys(): IterableIterator<string> {
    return this.limits.keys();
  }

  forget(key: string): void {
    this.limits.delete(key);
  }
}
