// Durations as written in config and API bodies.
import { describe, expect, it } from "bun:test";
import { formatDuration, parseDuration } from "../../src/lib/duration.ts";

describe("durations", () => {
  it("parse ms, s, m, h and d", () => {
    expect(parseDuration("250ms")).toBe(250);
    expect(parseDuration("5s")).toBe(5000);
    expect(parseDuration("5m")).toBe(300_000);
    expect(parseDuration("2h")).toBe(7_200_000);
    expect(parseDuration("1d")).toBe(86_400_000);
    expect(parseDuration(" 30s ")).toBe(30_000);
  });

  it("refuse anything else", () => {
    for (const text of ["", "5", "5 s", "1.5h", "-5s", "5w", "s", "10000000000s"])
      expect(parseDuration(text)).toBeNull();
  });

  it("format to the largest exact unit", () => {
    expect(formatDuration(300_000)).toBe("5m");
    expect(formatDuration(90_000)).toBe("90s");
    expect(formatDuration(86_400_000)).toBe("1d");
    expect(formatDuration(1500)).toBe("1500ms");
    for (const text of ["5s", "5m", "30m", "2h", "5h", "10h"]) expect(formatDuration(parseDuration(text)!)).toBe(text);
  });
});
