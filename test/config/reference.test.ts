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
      expect(line).toMatch(/^\| `[a-z0-9_.]+` \| .+ \| .* \| .{10,} \|$/);
  });
});
