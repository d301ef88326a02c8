// Time is injected whole, the clock and its timers, so tests move a clock instead of sleeping and nothing compares
// wall-clock time on a loaded machine. (The sender's network deadlines stay on real timers: they bound real I/O.)

/** An opaque timer handle from a Clock. */
export type Timer = { readonly id: number } | ReturnType<typeof setTimeout>;

export interface Clock {
  /** Milliseconds since the Unix epoch. */
  now(): number;
  /** Calls `fn` once, `ms` milliseconds from now (by this clock). */
  setTimeout(fn: () => void, ms: number): Timer;
  clearTimeout(timer: Timer | null | undefined): void;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (timer) => {
    if (timer) clearTimeout(timer as ReturnType<typeof setTimeout>);
  },
};

interface VirtualTimer {
  readonly id: number;
  at: number;
  fn: () => void;
}

/**
 * A clock tests move by hand. Its timers fire (in due order) when `advance` or `set` passes their time; a timer
 * that is already due when it is set fires on the next turn of the event loop, as a real one would.
 */
export class ManualClock implements Clock {
  private timers: VirtualTimer[] = [];
  private nextId = 1;

  constructor(private current = Date.parse("2026-06-06T09:00:00.000Z")) {}

  now(): number {
    return this.current;
  }

  setTimeout(fn: () => void, ms: number): Timer {
    const timer: VirtualTimer = { id: this.nextId++, at: this.current + Math.max(0, ms), fn };
    this.timers.push(timer);
    if (ms <= 0) setImmediate(() => this.set(this.current));
    return timer;
  }

  clearTimeout(timer: Timer | null | undefined): void {
    if (!timer) return;
    this.timers = this.timers.filter((t) => t !== timer);
  }

  /** Timers waiting to fire. */
  get pendingTimers(): number {
    return this.timers.length;
  }

  advance(ms: number): void {
    this.set(this.current + ms);
  }

  /** Moves to `ms` (forward or back) and fires every timer that is due by then, earliest first. */
  set(ms: number): void {
    this.current = ms;
    for (;;) {
      let due: VirtualTimer | null = null;
      for (const t of this.timers) if (t.at <= this.current && (due === null || t.at < due.at)) due = t;
      if (due === null) return;
      this.timers = this.timers.filter((t) => t !== due);
      due.fn();
    }
  }
}

export function iso(ms: number): string {
  return new Date(ms).toISOString();
}
