// Durations as people write them in config and API bodies: 5s, 5m, 2h, 1d (also 250ms).

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
const PATTERN = /^(\d{1,9})(ms|s|m|h|d)$/;

/** Milliseconds for `5s`/`5m`/`2h`/`1d`, or null when the text is not such a duration. */
export function parseDuration(text: string): number | null {
  const match = PATTERN.exec(text.trim());
  if (!match) return null;
  return Number(match[1]) * UNITS[match[2]!]!;
}

/** The shortest exact spelling of a millisecond count (`300000` → `5m`). */
export function formatDuration(ms: number): string {
  for (const unit of ["d", "h", "m", "s"]) {
    const size = UNITS[unit]!;
    if (ms >= size && ms % size === 0) return `${ms / size}${unit}`;
  }
  return `${ms}ms`;
}
