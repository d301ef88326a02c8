// Callers waiting for a delivery's next attempt (`?wait=true` publishes, the endpoint test route): registered
// before the attempt is queued, answered once its result is committed, or given up after a bound.
import type { Clock } from "../lib/clock.ts";
import type { DeliveryStatus } from "../store/index.ts";

/** What `?wait=true` and the test route report about a delivery's attempt. */
export interface AttemptReport {
  delivery_id: string;
  status: DeliveryStatus;
  http_status: number | null;
  response_time_ms: number | null;
  error: string | null;
  /** The first 4 KiB of the receiver's answer (`response_body_encoding` says utf8 or base64); null without one. */
  response_body: string | null;
  response_body_encoding: "utf8" | "base64" | null;
}

export class AttemptWaiters {
  private waiters = new Map<string, ((r: AttemptReport) => void)[]>();

  constructor(private readonly clock: Clock) {}

  /** True when someone waits for this delivery (so its report is worth building). */
  has(deliveryId: string): boolean {
    return this.waiters.has(deliveryId);
  }

  /** Answers everyone waiting for `report.delivery_id`. */
  report(report: AttemptReport): void {
    const waiting = this.waiters.get(report.delivery_id);
    if (!waiting) return;
    this.waiters.delete(report.delivery_id);
    for (const w of waiting) w(report);
  }

  /** Resolves with each delivery's next attempt report, or after `timeoutMs` with what is known by then. */
  waitFor(deliveryIds: readonly string[], timeoutMs: number): Promise<Map<string, AttemptReport>> {
    const out = new Map<string, AttemptReport>();
    if (deliveryIds.length === 0) return Promise.resolve(out);
    return new Promise((resolve) => {
      let left = deliveryIds.length;
      const callbacks = new Map<string, (r: AttemptReport) => void>();
      const timer = this.clock.setTimeout(() => {
        // Give up: forget our callbacks so they do not pile up.
        for (const [id, cb] of callbacks) {
          const rest = (this.waiters.get(id) ?? []).filter((w) => w !== cb);
          if (rest.length > 0) this.waiters.set(id, rest);
          else this.waiters.delete(id);
        }
        resolve(out);
      }, timeoutMs);
      for (const id of deliveryIds) {
        const cb = (report: AttemptReport) => {
          out.set(id, report);
          callbacks.delete(id);
          if (--left === 0) {
            this.clock.clearTimeout(timer);
            resolve(out);
          }
        };
        callbacks.set(id, cb);
        const list = this.waiters.get(id) ?? [];
        list.push(cb);
        this.waiters.set(id, list);
      }
    });
  }
}
