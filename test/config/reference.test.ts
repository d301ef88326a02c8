// The README's configuration reference is the one generated from the config schema.
import { describe, expect, it } from "bun:test";
import { readFileSync } from "node:fs";
import { configReference } from "../../src/config/reference.ts";

describe("configuration reference", () => {
  it("in the README matches the config schema key for key", () => {
    const readme = readFileSync(new URL("../../README.md", import.meta.url), "utf8");
    const block = readme.split("<!-- config-reference:start -->")[1]?.split("<!-- config-reference:end -->")[0]?.trim();
    expect(block).toBe(configReference());
  });

  it("documents every key with a description", () => {
    for (const line of configReference().split("\n").slice(2))
      expect(line).toMatch(/^\| `[a-z0-9_.]+` \| .+ \| .* \| .* \| .{10,} \|$/);
  });

  it("gives the accepted range of every bounded number", () => {
    const row = (key: string) =>
      configReference()
        .split("\n")
        .find((l) => l.startsWith(`| \`${key}\` |`));
    expect(row("server.port")).toContain("| 0–65535 |");
    expect(row("delivery.timeout_ms")).toContain("| 1000–30000 |");
    expect(row("delivery.jitter")).toContain("| 0–1 |");
    expect(row("server.host")).toContain('| `"0.0.0.0"` |  | Address');
  });
});
