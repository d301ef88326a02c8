// Declarative endpoints and event types from a real YAML file: edits while serving are reconciled within
// 2 s (file watch), a broken edit keeps the old declarations and logs each error with its line, and the
// SIGHUP path (gateway.reload()) reports whether the file was applied.
import { afterEach, beforeEach, describe, expect, it } from "bun:test";
import { readFileSync, rmSync } from "node:fs";
import { expectError, startYamlGateway, type YamlGateway } from "../helpers/endpoints.ts";
import { json } from "../helpers/http.ts";
import { waitFor } from "../helpers/process.ts";

const ENV = { ALPHA_SECRET: "alpha-secret-0123456789", BETA_SECRET: "beta-secret-0123456789" };

/** The declarative part of the file; private addresses are allowed so deliveries target a closed local port. */
function declarations(endpoints: string[][], types = ["run.completed", "run.started"]): string {
  return [
    "security: {allow_private_networks: true}",
    "event_types:",
    ...types.map((name) => `  - {name: ${name}, description: "${name} happened"}`),
    "endpoints:",
    ...endpoints.flat(),
  ].join("\n");
}

const endpoint = (id: string, url: string, events: string, secret: string) => [
  `  - id: ${id}`,
  `    url: ${url}`,
  `    events: ${events}`,
  `    secret: ${secret}`,
];
const ALPHA = endpoint("alpha", "https://127.0.0.1:1/alpha", "[run.completed]", "${ALPHA_SECRET}");
const BETA = endpoint("beta", "https://127.0.0.1:1/beta", "['run.*']", "${BETA_SECRET}");
const GAMMA = endpoint("gamma", "https://127.0.0.1:1/gamma", "['*']", "gamma-secret-0123456789");

/** Polls until `probe` is truthy, at most 2 s (the reload promise of the file watch). */
const within2s = <T>(what: string, probe: () => Promise<T | null | undefined | false>) =>
  waitFor(probe, { timeoutMs: 2000, intervalMs: 50, what });

describe("YAML-declared endpoints", () => {
  let y: YamlGateway;
  afterEach(() => y?.cleanup());

  const list = async () => {
    const res = await json(y.app, "GET", "/v1/endpoints?limit=100", { key: y.adminKey });
    expect(res.status).toBe(200);
    return res.body.data as { id: string; url: string; source: string; events: string[] }[];
  };
  const ids = async () => (await list()).map((e) => e.id).sort();
  const publish = async (type: string) => {
    const res = await json(y.app, "POST", "/v1/events", { key: y.adminKey, body: { type, data: {} } });
    expect(res.status).toBe(202);
    return res.body.data as { id: string; deliveries: { id: string; endpoint_id: string }[] };
  };
  /** Log lines of rejected reloads. */
  const rejections = () =>
    y.logger.lines.filter((l) => l.includes("config reload rejected")).map((l) => JSON.parse(l).problem as string);
  /** 1-based line of the file that contains `text`. */
  const lineOf = (text: string) =>
    readFileSync(y.file, "utf8")
      .split("\n")
      .findIndex((l) => l.includes(text)) + 1;

  describe("while serving (file watch)", () => {
    beforeEach(async () => {
      y = await startYamlGateway(declarations([ALPHA, BETA]), { env: ENV, watch: true });
    });

    it("are reconciled from the file at start, with source config", async () => {
      expect((await list()).map((e) => [e.id, e.source]).sort()).toEqual([
        ["alpha", "config"],
        ["beta", "config"],
      ]);
      const all = (await json(y.app, "GET", "/v1/event-types", { key: y.adminKey })).body.data;
      const types = all.filter((t: { source: string }) => t.source !== "system");
      expect(types.map((t: { name: string; source: string }) => [t.name, t.source])).toEqual([
        ["run.completed", "config"],
        ["run.started", "config"],
      ]);
      expect(y.gateway.registry.get("alpha")!.secrets[0]!.secret).toBe(ENV.ALPHA_SECRET);
    });

    it("shows an endpoint added to the file within 2 s", async () => {
      y.write(declarations([ALPHA, BETA, GAMMA]));
      await within2s("gamma to appear", async () => (await ids()).includes("gamma"));
      expect(await ids()).toEqual(["alpha", "beta", "gamma"]);
      expect(y.gateway.registry.get("gamma")).toMatchObject({
        source: "config",
        secrets: [{ secret: "gamma-secret-0123456789", expires_at: null }],
      });
    });

    it("shows a changed URL within 2 s", async () => {
      y.write(
        declarations([endpoint("alpha", "https://127.0.0.1:1/alpha-v2", "[run.completed]", "${ALPHA_SECRET}"), BETA]),
      );
      await within2s(
        "alpha's new URL",
        async () => (await list()).find((e) => e.id === "alpha")?.url === "https://127.0.0.1:1/alpha-v2",
      );
      expect((await list()).find((e) => e.id === "beta")!.url).toBe("https://127.0.0.1:1/beta");
    });

    it("drops an endpoint removed from the file within 2 s; it gets no new deliveries", async () => {
      const before = await publish("run.completed");
      expect(before.deliveries.map((d) => d.endpoint_id).sort()).toEqual(["alpha", "beta"]);
      y.write(declarations([ALPHA]));
      await within2s("beta to disappear", async () => !(await ids()).includes("beta"));
      expect(await ids()).toEqual(["alpha"]);
      expectError(await json(y.app, "GET", "/v1/endpoints/beta", { key: y.adminKey }), 404, "not_found");
      const after = await publish("run.completed");
      expect(after.deliveries.map((d) => d.endpoint_id)).toEqual(["alpha"]);
      expect((await publish("run.started")).deliveries).toEqual([]);
    });

    it("applies event-type changes too", async () => {
      y.write(declarations([ALPHA, BETA], ["run.completed", "run.started", "run.failed"]));
      await within2s(
        "run.failed to appear",
        async () => (await json(y.app, "GET", "/v1/event-types/run.failed", { key: y.adminKey })).status === 200,
      );
      expect((await json(y.app, "GET", "/v1/event-types/run.failed", { key: y.adminKey })).body.data.source).toBe(
        "config",
      );
    });

    it("keeps the old endpoints after a broken YAML edit and logs the error with its line", async () => {
      y.write(`${declarations([ALPHA, BETA, GAMMA])}\n  - id: [unclosed\n`);
      await within2s("the reload to be rejected", async () => rejections().length > 0);
      const line = lineOf("- id: [unclosed");
      expect(rejections()).toContainEqual(expect.stringMatching(new RegExp(`hookgate\\.yaml:(${line}|${line + 1}) `)));
      expect(await ids()).toEqual(["alpha", "beta"]);
      expect((await publish("run.completed")).deliveries.map((d) => d.endpoint_id).sort()).toEqual(["alpha", "beta"]);
    });

    it("keeps the old endpoints after an edit with an invalid URL and logs each error with its line", async () => {
      y.write(
        declarations([
          endpoint("alpha", "http://alpha.example.com/in", "[run.completed]", "${ALPHA_SECRET}"),
          BETA,
          endpoint("gamma", "https://169.254.169.254/", "['*']", "gamma-secret-0123456789"),
        ]),
      );
      await within2s("the reload to be rejected", async () => rejections().length >= 2);
      expect(rejections()).toContainEqual(
        expect.stringContaining(
          `hookgate.yaml:${lineOf("http://alpha.example.com/in")} endpoints[0].url: must be an absolute https URL`,
        ),
      );
      expect(rejections()).toContainEqual(
        expect.stringContaining(`hookgate.yaml:${lineOf("169.254.169.254")} endpoints[2].url:`),
      );
      expect(await ids()).toEqual(["alpha", "beta"]);
      expect((await list()).find((e) => e.id === "alpha")!.url).toBe("https://127.0.0.1:1/alpha");
    });

    it("applies the next good edit after a broken one", async () => {
      y.write("endpoints: [unclosed");
      await within2s("the reload to be rejected", async () => rejections().length > 0);
      y.write(declarations([GAMMA]));
      await within2s("gamma alone", async () => (await ids()).join() === "gamma");
    });
  });

  describe("SIGHUP (gateway.reload())", () => {
    beforeEach(async () => {
      y = await startYamlGateway(declarations([ALPHA, BETA]), { env: ENV, watch: false });
    });

    it("returns false for a bad file, keeps the old endpoints and logs the error with its line", async () => {
      y.write(declarations([endpoint("alpha", "not a url", "[run.completed]", "${ALPHA_SECRET}"), BETA]));
      expect(await y.gateway.reload()).toBe(false);
      expect(rejections()).toEqual([expect.stringContaining(`hookgate.yaml:${lineOf("not a url")} endpoints[0].url:`)]);
      expect(await ids()).toEqual(["alpha", "beta"]);

      y.write("endpoints:\n  - id: a\n    url: [");
      expect(await y.gateway.reload()).toBe(false);
      expect(await ids()).toEqual(["alpha", "beta"]);
    });

    it("returns false for a file that references a missing variable", async () => {
      y.write(declarations([endpoint("alpha", "https://127.0.0.1:1/alpha", "[run.completed]", "${NOT_SET}"), BETA]));
      expect(await y.gateway.reload()).toBe(false);
      expect(rejections()).toContainEqual(expect.stringContaining("NOT_SET"));
      expect(y.gateway.registry.get("alpha")!.secrets[0]!.secret).toBe(ENV.ALPHA_SECRET);
    });

    it("returns false when the file is missing, keeping the old endpoints", async () => {
      rmSync(y.file);
      expect(await y.gateway.reload()).toBe(false);
      expect(rejections()).toHaveLength(1);
      expect(await ids()).toEqual(["alpha", "beta"]);
    });

    it("changes nothing when the file is unchanged", async () => {
      const before = await list();
      const reconciled = () => y.logger.lines.filter((l) => l.includes('"config reconciled"')).length;
      const logged = reconciled();
      expect(await y.gateway.reload()).toBe(true);
      expect(await y.gateway.reload()).toBe(true);
      expect(reconciled()).toBe(logged);
      expect(await list()).toEqual(before);
    });

    it("returns true for a good file and applies it at once", async () => {
      y.write(declarations([endpoint("alpha", "https://127.0.0.1:1/alpha-v2", "['*']", "${ALPHA_SECRET}"), GAMMA]));
      expect(await y.gateway.reload()).toBe(true);
      const now = await list();
      expect(now.map((e) => e.id).sort()).toEqual(["alpha", "gamma"]);
      expect(now.find((e) => e.id === "alpha")).toMatchObject({ url: "https://127.0.0.1:1/alpha-v2", events: ["*"] });
      expect((await publish("run.started")).deliveries.map((d) => d.endpoint_id).sort()).toEqual(["alpha", "gamma"]);
    });
  });
});
