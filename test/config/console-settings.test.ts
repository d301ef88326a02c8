// Config keys of the console: server.public_url (portal links) and console.frame_ancestors (who may frame the portal).
import { describe, expect, it } from "bun:test";
import { ConfigError, loadConfig } from "../../src/config/index.ts";

const problemsOf = (yaml: string): string[] => {
  try {
    loadConfig(yaml, { file: "hg.yaml", env: {} });
    return [];
  } catch (e) {
    if (e instanceof ConfigError) return e.problems.map(String);
    throw e;
  }
};

describe("config: console settings", () => {
  it("defaults to no public url (derived from the listen address) and no framing origin", () => {
    const config = loadConfig("", { file: null, env: {} });
    expect(config.server.public_url).toBe("");
    expect(config.console.frame_ancestors).toEqual([]);
  });

  it("accepts an http(s) public url and origins, wildcards and 'self' as frame ancestors", () => {
    const config = loadConfig(
      "server:\n  public_url: https://hooks.example.com/base\nconsole:\n  frame_ancestors: ['https://app.example.com', 'https://*.example.org:8443', \"'self'\"]\n",
      { file: "hg.yaml", env: {} },
    );
    expect(config.server.public_url).toBe("https://hooks.example.com/base");
    expect(config.console.frame_ancestors).toEqual(["https://app.example.com", "https://*.example.org:8443", "'self'"]);
  });

  it("refuses a public url that is not an absolute http(s) URL, or has a query or fragment", () => {
    expect(problemsOf("server:\n  public_url: hooks.example.com\n")).toEqual([
      "hg.yaml:2 server.public_url: must be an absolute http(s) URL such as https://hooks.example.com",
    ]);
    expect(problemsOf("server:\n  public_url: ftp://hooks.example.com\n")[0]).toContain("must be an http or https URL");
    expect(problemsOf("server:\n  public_url: https://hooks.example.com/?a=1\n")[0]).toContain("query or fragment");
  });

  it("refuses frame ancestors that are not origins, so nothing can be injected into the CSP", () => {
    for (const bad of [
      "*",
      "'none'",
      "https://a.example.com; script-src *",
      "https://a.example.com/path",
      "javascript:x",
      "app.example.com",
    ])
      expect(problemsOf(`console:\n  frame_ancestors: [${JSON.stringify(bad)}]\n`)[0]).toContain(
        "console.frame_ancestors[0]",
      );
  });
});
