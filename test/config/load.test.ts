// The config loader: defaults, ${ENV} interpolation, and every kind of problem reported as `<file>:<line> <path>: <message>`.
import { describe, expect, it } from "bun:test";
import { readFileSync } from "node:fs";
import { ConfigError, type LoadOptions, loadConfig } from "../../src/config/index.ts";

const FILE = "hg.yaml";
const ADMIN = "an-admin-key-of-24-chars-or-more";
const SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

/** The problems loadConfig reports for `text`; fails the test when it loads without error. */
function problemsOf(text: string, options: Partial<LoadOptions> = {}): string[] {
  try {
    loadConfig(text, { file: FILE, env: {}, ...options });
  } catch (e) {
    if (e instanceof ConfigError) return e.problems;
    throw e;
  }
  throw new Error("expected a ConfigError, but the config loaded");
}

const load = (text: string, options: Partial<LoadOptions> = {}) =>
  loadConfig(text, { file: FILE, env: {}, ...options });

/** Lines joined with \n, so YAML fixtures can be written one line per array entry (line numbers are visible). */
const yaml = (...lines: string[]) => `${lines.join("\n")}\n`;

describe("config", () => {
  describe("defaults", () => {
    it("uses the built-in defaults when there is no file", () => {
      const config = loadConfig("", { file: null, env: {} });
      expect(config.server).toEqual({ host: "0.0.0.0", port: 8080, max_body_bytes: 262_144, public_url: "" });
      expect(config.storage).toEqual({ path: "./data/hookgate.db", synchronous: "normal", url: "", pool_size: 10 });
      expect(config.auth.admin_keys).toEqual([]);
      expect(config.security).toEqual({
        allow_http: false,
        allow_private_networks: false,
        allowed_cidrs: [],
        master_key_file: "",
      });
      expect(config.signing).toEqual({ default_scheme: "standard-webhooks", ed25519_key_file: "./data/ed25519.key" });
      expect(config.delivery.retry_schedule).toEqual(["5s", "5m", "30m", "2h", "5h", "10h", "10h"]);
      expect(config.delivery.timeout_ms).toBe(10_000);
      expect(config.delivery.jitter).toBe(0.2);
      expect(config.delivery.lease_seconds).toBe(30);
      expect(config.retention.days).toBe(30);
      expect(config.metrics.require_auth).toBe(false);
      expect(config.log.level).toBe("info");
      expect(config.console).toEqual({ frame_ancestors: [] });
      expect(config.event_types).toEqual([]);
      expect(config.endpoints).toEqual([]);
      expect(config.dev).toBe(false);
      expect(config.file).toBeNull();
    });

    it("fills every key a file leaves out", () => {
      const config = load(yaml("server:", "  port: 9000"));
      expect(config.server).toEqual({ host: "0.0.0.0", port: 9000, max_body_bytes: 262_144, public_url: "" });
      expect(config.retention.days).toBe(30);
      expect(config.file).toBe(FILE);
    });

    it("treats an empty section like an absent one", () => {
      expect(load(yaml("server:", "storage:")).server.port).toBe(8080);
    });

    it("returns a deeply frozen config", () => {
      const config = load(yaml("server:", "  port: 9000"));
      expect(Object.isFrozen(config)).toBe(true);
      expect(Object.isFrozen(config.server)).toBe(true);
      expect(Object.isFrozen(config.delivery.retry_schedule)).toBe(true);
      expect(() => {
        (config.server as { port: number }).port = 1;
      }).toThrow(TypeError);
    });

    it("loads the shipped config.example.yaml", () => {
      const text = readFileSync(new URL("../../config.example.yaml", import.meta.url), "utf8");
      const config = loadConfig(text, { file: "config.example.yaml", env: {} });
      expect(config.server.host).toBe("127.0.0.1");
      expect(config.server.port).toBe(8080);
      expect(config.auth.admin_keys).toEqual([]);
      expect(config.event_types.map((t) => t.name)).toContain("run.completed");
    });
  });

  describe("YAML syntax errors", () => {
    it("reports a tab used as indentation with its line", () => {
      const problems = problemsOf(
        yaml("server:", "  port: 9000", "storage:", "\tpath: x.db", "retention:", "  days: 3"),
      );
      expect(problems).toHaveLength(1);
      expect(problems[0]).toStartWith(`${FILE}:4 `);
      expect(problems[0]).toContain("Tabs are not allowed as indentation");
    });

    it("reports a duplicate key with its line", () => {
      const problems = problemsOf(yaml("server:", "  port: 9000", "  port: 9001"));
      expect(problems).toEqual([`${FILE}:3 Map keys must be unique`]);
    });

    it("reports an unterminated quote with a line number", () => {
      const problems = problemsOf(yaml("storage:", '  path: "abc', "log:", "  level: info"));
      expect(problems.length).toBeGreaterThan(0);
      for (const p of problems) expect(p).toMatch(new RegExp(`^${FILE}:\\d+ `));
    });

    it("keeps listing the other problems after a syntax error, each with its line", () => {
      const problems = problemsOf(
        yaml(
          "server:",
          "  port: 99999",
          "endpoints:",
          "  - id: billing",
          "    url: https://billing.example.com/hooks",
          "    events: [run.completed]",
          "    auth: {type: basic, username: hooks, password: ${PW}}",
        ),
      );
      expect(problems).toEqual([
        `${FILE}:2 server.port: must be ≤ 65535`,
        `${FILE}:7 Unexpected flow-map-start at node end`,
      ]);
    });

    it("leaves out what the syntax error itself causes (its echoes and the node it breaks)", () => {
      const problems = problemsOf(yaml("retention:", "  days: 0", "storage:", '  path: "abc', "log:", "  level: loud"));
      expect(problems[0]).toBe(`${FILE}:2 retention.days: must be ≥ 1`);
      expect(problems).toHaveLength(2);
      expect(problems[1]).toMatch(new RegExp(`^${FILE}:\\d+ Missing closing "quote`));
    });

    it("refuses a file that is not a mapping of sections", () => {
      expect(problemsOf(yaml("- server", "- storage"))).toEqual([
        `${FILE}:1 the file must be a YAML mapping of sections (server, storage, …)`,
      ]);
    });
  });

  describe("unknown keys", () => {
    it("reports an unknown top-level section with its line", () => {
      expect(problemsOf(yaml("server:", "  port: 9000", "sever:", "  port: 1"))).toEqual([
        `${FILE}:3 sever: unknown key (expected one of: server, storage, auth, security, signing, delivery, retention, metrics, console, log)`,
      ]);
    });

    it("reports an unknown key inside a section with its line", () => {
      expect(problemsOf(yaml("server:", "  host: 127.0.0.1", "  prot: 9000"))).toEqual([
        `${FILE}:3 server.prot: unknown key (expected one of: host, port, max_body_bytes, public_url)`,
      ]);
    });

    it("reports an unknown key of an event type", () => {
      expect(problemsOf(yaml("event_types:", "  - name: run.completed", "    descripton: typo"))).toEqual([
        `${FILE}:3 event_types[0].descripton: unknown key (expected one of: name, description, schema, example)`,
      ]);
    });

    it("reports unknown keys of an endpoint and of its signing options", () => {
      const problems = problemsOf(
        yaml(
          "endpoints:",
          "  - id: billing",
          "    url: https://billing.example.com/hooks",
          "    events: [run.completed]",
          `    secret: ${SECRET}`,
          "    evnets: [run.failed]",
          "    signing:",
          "      scheme: hmac-sha256",
          "      header_prefix: x-",
        ),
      );
      expect(problems).toEqual([
        `${FILE}:6 endpoints[0].evnets: unknown field`,
        `${FILE}:9 endpoints[0].signing.header_prefix: is not an option of hmac-sha256 (options: signature_header, prefix, id_header, timestamp_header, event_header, timestamp_source, id_value)`,
      ]);
    });
  });

  describe("wrong types and values", () => {
    it("reports a string where an integer belongs", () => {
      expect(problemsOf(yaml("server:", '  port: "9000"'))).toEqual([
        `${FILE}:2 server.port: must be an integer, got a string`,
      ]);
    });

    it("reports a string where a boolean belongs", () => {
      expect(problemsOf(yaml("security:", "  allow_http: yes please"))).toEqual([
        `${FILE}:2 security.allow_http: must be true or false, got a string`,
      ]);
    });

    it("reports a scalar where a section belongs", () => {
      expect(problemsOf(yaml("log: {level: info}", "server: 5"))).toEqual([
        `${FILE}:2 server: must be a mapping, got a number`,
      ]);
    });

    it("reports a scalar where a list belongs", () => {
      expect(problemsOf(yaml("delivery:", "  retry_schedule: 5s"))).toEqual([
        `${FILE}:2 delivery.retry_schedule: must be a list, got a string`,
      ]);
    });

    it("reports a value outside its enum", () => {
      expect(problemsOf(yaml("storage:", "  synchronous: off"))).toEqual([
        `${FILE}:2 storage.synchronous: must be one of normal, full; got "off"`,
      ]);
      expect(problemsOf(yaml("signing:", "  default_scheme: md5"))).toEqual([
        `${FILE}:2 signing.default_scheme: must be one of standard-webhooks, hmac-sha256, timestamped-hmac, ed25519; got "md5"`,
      ]);
    });

    it("reports numbers out of range", () => {
      expect(problemsOf(yaml("retention:", "  days: 0", "server:", "  port: 70000", "  max_body_bytes: 10"))).toEqual([
        `${FILE}:2 retention.days: must be ≥ 1`,
        `${FILE}:4 server.port: must be ≤ 65535`,
        `${FILE}:5 server.max_body_bytes: must be ≥ 1024`,
      ]);
    });

    it("reports a bad CIDR, duration and retry schedule entry", () => {
      expect(
        problemsOf(
          yaml(
            "security:",
            "  allowed_cidrs: [10.0.0.0/8, not-a-cidr]",
            "delivery:",
            "  disable_after: soon",
            "  retry_schedule: [5s, forever]",
          ),
        ),
      ).toEqual([
        `${FILE}:2 security.allowed_cidrs[1]: "not-a-cidr" is not a CIDR such as 10.1.0.0/16`,
        `${FILE}:4 delivery.disable_after: must be a duration such as 30s, 5m, 2h, 5d`,
        `${FILE}:5 delivery.retry_schedule: "forever" is not a duration such as 5s, 5m, 2h, 1d`,
      ]);
    });

    it("reports an admin key that is too short", () => {
      expect(problemsOf(yaml("auth:", "  admin_keys: [short]"))).toEqual([
        `${FILE}:2 auth.admin_keys[0]: admin keys must be at least 24 characters`,
      ]);
    });
  });

  describe("environment variables", () => {
    it("substitutes ${VAR}", () => {
      const config = load(yaml("storage:", "  path: ${DATA_DIR}/hookgate.db"), {
        env: { DATA_DIR: "/var/lib/hookgate" },
      });
      expect(config.storage.path).toBe("/var/lib/hookgate/hookgate.db");
    });

    it("reports a missing variable with its path and line", () => {
      expect(problemsOf(yaml("server:", "  port: 9000", "storage:", "  path: ${DATA_DIR}/hookgate.db"))).toEqual([
        `${FILE}:4 storage.path: environment variable DATA_DIR is not set (write \${DATA_DIR:-default} to make it optional)`,
      ]);
    });

    it("reports every missing variable of one value", () => {
      const problems = problemsOf(yaml("storage:", "  path: ${A}/${B}.db"));
      expect(problems).toEqual([
        `${FILE}:2 storage.path: environment variable A is not set (write \${A:-default} to make it optional)`,
        `${FILE}:2 storage.path: environment variable B is not set (write \${B:-default} to make it optional)`,
      ]);
    });

    it("reports a missing variable once, not also as an invalid empty value", () => {
      expect(problemsOf(yaml("storage:", "  path: ${DATA_FILE}"))).toEqual([
        `${FILE}:2 storage.path: environment variable DATA_FILE is not set (write \${DATA_FILE:-default} to make it optional)`,
      ]);
    });

    it("uses the default of ${VAR:-default} only when the variable is unset", () => {
      const text = yaml("server:", "  host: ${HOST:-127.0.0.1}");
      expect(load(text).server.host).toBe("127.0.0.1");
      expect(load(text, { env: { HOST: "0.0.0.0" } }).server.host).toBe("0.0.0.0");
    });

    it("treats an empty variable as set", () => {
      expect(
        load(yaml("storage:", "  path: ./data${SUFFIX:-/x}/hookgate.db"), { env: { SUFFIX: "" } }).storage.path,
      ).toBe("./data/hookgate.db");
    });

    it("writes a literal ${ for $${ and does not look it up", () => {
      expect(load(yaml("storage:", "  path: ./$${HOME}/hookgate.db")).storage.path).toBe("./${HOME}/hookgate.db");
    });

    it("coerces an interpolated number, boolean and fraction", () => {
      const config = load(
        yaml(
          "server:",
          "  port: ${PORT}",
          "security:",
          "  allow_http: ${ALLOW_HTTP}",
          "delivery:",
          "  jitter: ${JITTER}",
        ),
        {
          env: { PORT: "9090", ALLOW_HTTP: "true", JITTER: "0.5" },
        },
      );
      expect(config.server.port).toBe(9090);
      expect(config.security.allow_http).toBe(true);
      expect(config.delivery.jitter).toBe(0.5);
    });

    it("reports an interpolated value that is not a number", () => {
      expect(problemsOf(yaml("server:", "  port: ${PORT}"), { env: { PORT: "eighty" } })).toEqual([
        `${FILE}:2 server.port: must be an integer, got a string`,
      ]);
    });

    it("reports an interpolated number that is out of range", () => {
      expect(problemsOf(yaml("server:", "  port: ${PORT}"), { env: { PORT: "99999" } })).toEqual([
        `${FILE}:2 server.port: must be ≤ 65535`,
      ]);
    });
  });

  describe("admin key", () => {
    it("defaults auth.admin_keys to HOOKGATE_ADMIN_KEY", () => {
      expect(load("", { env: { HOOKGATE_ADMIN_KEY: ADMIN } }).auth.admin_keys).toEqual([ADMIN]);
    });

    it("ignores HOOKGATE_ADMIN_KEY when the file lists admin keys", () => {
      const other = "another-admin-key-with-24-chars";
      expect(
        load(yaml("auth:", `  admin_keys: [${other}]`), { env: { HOOKGATE_ADMIN_KEY: ADMIN } }).auth.admin_keys,
      ).toEqual([other]);
    });

    it("refuses a HOOKGATE_ADMIN_KEY shorter than 24 characters", () => {
      expect(problemsOf("", { env: { HOOKGATE_ADMIN_KEY: "too-short" } })).toEqual([
        `${FILE}:1 auth.admin_keys: HOOKGATE_ADMIN_KEY must be at least 24 characters`,
      ]);
    });

    it("drops empty entries such as an unset ${VAR:-}", () => {
      const text = yaml("auth:", '  admin_keys: ["${HOOKGATE_ADMIN_KEY:-}"]');
      expect(load(text).auth.admin_keys).toEqual([]);
      expect(load(text, { env: { HOOKGATE_ADMIN_KEY: ADMIN } }).auth.admin_keys).toEqual([ADMIN]);
    });
  });

  describe("--dev", () => {
    it("allows http and private networks and marks the config", () => {
      const config = load("", { dev: true });
      expect(config.dev).toBe(true);
      expect(config.security.allow_http).toBe(true);
      expect(config.security.allow_private_networks).toBe(true);
    });

    it("accepts an http loopback endpoint that is refused without it", () => {
      const text = yaml(
        "endpoints:",
        "  - id: local",
        "    url: http://127.0.0.1:9000/hooks",
        "    events: [run.completed]",
        `    secret: ${SECRET}`,
      );
      expect(load(text, { dev: true }).endpoints.map((e) => e.url)).toEqual(["http://127.0.0.1:9000/hooks"]);
      expect(problemsOf(text)).toEqual([
        `${FILE}:3 endpoints[0].url: must be an absolute https URL (http is allowed only with security.allow_http)`,
      ]);
    });
  });

  describe("event types", () => {
    it("loads names, descriptions, schemas and examples", () => {
      const config = load(
        yaml(
          "event_types:",
          "  - name: run.completed",
          "    description: A run finished.",
          "    schema: {type: object, required: [run_id]}",
          "    example: {run_id: r1}",
          "  - name: run.failed",
        ),
      );
      expect(config.event_types).toEqual([
        {
          name: "run.completed",
          description: "A run finished.",
          schema: { type: "object", required: ["run_id"] },
          example: { run_id: "r1" },
        },
        { name: "run.failed", description: "", schema: null, example: null },
      ]);
    });

    it("reports a bad JSON Schema with its line", () => {
      const problems = problemsOf(yaml("event_types:", "  - name: run.completed", "    schema:", "      type: nope"));
      expect(problems).toHaveLength(1);
      expect(problems[0]).toStartWith(`${FILE}:3 event_types[0].schema: is not a valid JSON Schema: `);
    });

    it("reports an example that does not match its schema", () => {
      expect(
        problemsOf(
          yaml(
            "event_types:",
            "  - name: run.completed",
            "    schema: {type: object, required: [run_id]}",
            "    example: {amount: 1}",
          ),
        ),
      ).toEqual([
        `${FILE}:4 event_types[0].example: does not match the schema: data must have required property 'run_id'`,
      ]);
    });

    it("reports a bad name and a duplicate name", () => {
      expect(
        problemsOf(yaml("event_types:", "  - name: run completed", "  - name: run.failed", "  - name: run.failed")),
      ).toEqual([
        `${FILE}:2 event_types[0].name: must be a dot-separated name of letters, digits, - and _ (≤ 128 characters)`,
        `${FILE}:4 event_types[2].name: duplicate event type "run.failed"`,
      ]);
    });

    it("reports event_types that is not a list", () => {
      expect(problemsOf(yaml("event_types:", "  name: run.completed"))).toEqual([
        `${FILE}:1 event_types: must be a list`,
      ]);
    });
  });

  describe("endpoints", () => {
    const endpoint = (...extra: string[]) =>
      yaml(
        "endpoints:",
        "  - id: billing",
        "    url: https://billing.example.com/hooks",
        "    events: [run.completed]",
        `    secret: ${SECRET}`,
        ...extra,
      );

    it("loads a YAML endpoint with defaults", () => {
      const [ep] = load(endpoint()).endpoints;
      expect(ep).toMatchObject({
        id: "billing",
        tenant_id: "default",
        url: "https://billing.example.com/hooks",
        events: ["run.completed"],
        enabled: true,
        secret: SECRET,
        signing: { scheme: "standard-webhooks" },
        http_method: "POST",
        timeout_ms: 10_000,
        filter: null,
        transform: null,
      });
    });

    it("reports each bad field with its path and line", () => {
      const problems = problemsOf(
        yaml(
          "endpoints:",
          "  - id: billing",
          "    url: ftp://billing.example.com/hooks",
          "    events: []",
          `    secret: ${SECRET}`,
          "    timeout_ms: 50",
          "    http_method: TRACE",
        ),
      );
      expect(problems).toEqual([
        `${FILE}:3 endpoints[0].url: must be an absolute https URL (http is allowed only with security.allow_http)`,
        `${FILE}:4 endpoints[0].events: must be a non-empty list of event types`,
        `${FILE}:6 endpoints[0].timeout_ms: must be an integer from 1000 to 30000`,
        `${FILE}:7 endpoints[0].http_method: must be one of POST, PUT, PATCH, GET, DELETE, HEAD, OPTIONS`,
      ]);
    });

    it("refuses a private address and the cloud metadata address", () => {
      const problems = problemsOf(
        yaml(
          "endpoints:",
          "  - id: a",
          "    url: https://10.1.2.3/hooks",
          "    events: [x]",
          `    secret: ${SECRET}`,
          "  - id: b",
          "    url: https://169.254.169.254/latest",
          "    events: [x]",
          `    secret: ${SECRET}`,
        ),
      );
      expect(problems).toEqual([
        `${FILE}:3 endpoints[0].url: points to a private address (allowed only with security.allow_private_networks or security.allowed_cidrs)`,
        `${FILE}:7 endpoints[1].url: points to a cloud metadata address, which is always refused`,
      ]);
    });

    it("requires an id and refuses a duplicate one", () => {
      const problems = problemsOf(
        yaml(
          "endpoints:",
          "  - url: https://a.example.com/",
          "    events: [x]",
          `    secret: ${SECRET}`,
          "  - id: same",
          "    url: https://b.example.com/",
          "    events: [x]",
          `    secret: ${SECRET}`,
          "  - id: same",
          "    url: https://c.example.com/",
          "    events: [x]",
          `    secret: ${SECRET}`,
        ),
      );
      expect(problems).toEqual([
        `${FILE}:2 endpoints[0].id: is required: 1–64 letters, digits, - and _ (it identifies the endpoint across reloads)`,
        `${FILE}:9 endpoints[2].id: duplicate endpoint id "same"`,
      ]);
    });

    it("requires a secret unless the scheme is ed25519", () => {
      const base = [
        "endpoints:",
        "  - id: billing",
        "    url: https://billing.example.com/hooks",
        "    events: [run.completed]",
      ];
      expect(problemsOf(yaml(...base))).toEqual([
        `${FILE}:2 endpoints[0].secret: is required for a YAML endpoint (write secret: \${SOME_ENV_VAR}); only the ed25519 scheme needs none`,
      ]);
      expect(load(yaml(...base, "    signing: {scheme: ed25519}")).endpoints[0]!.secret).toBeNull();
    });

    it("reports a secret that is too short", () => {
      expect(
        problemsOf(
          yaml(
            "endpoints:",
            "  - id: billing",
            "    url: https://billing.example.com/hooks",
            "    events: [run.completed]",
            "    secret: short",
          ),
        ),
      ).toEqual([`${FILE}:5 endpoints[0].secret: must be 16–256 characters`]);
    });

    it("reads the secret from the environment", () => {
      const text = yaml(
        "endpoints:",
        "  - id: billing",
        "    url: https://billing.example.com/hooks",
        "    events: [run.completed]",
        "    secret: ${BILLING_SECRET}",
      );
      expect(load(text, { env: { BILLING_SECRET: SECRET } }).endpoints[0]!.secret).toBe(SECRET);
      expect(problemsOf(text)).toContain(
        `${FILE}:5 endpoints[0].secret: environment variable BILLING_SECRET is not set (write \${BILLING_SECRET:-default} to make it optional)`,
      );
    });

    it("refuses an event type that the declared catalog does not know", () => {
      expect(
        problemsOf(
          yaml(
            "event_types:",
            "  - name: run.completed",
            ...endpoint().trimEnd().split("\n").slice(0, 3),
            "    events: [run.completed, run.exploded]",
            `    secret: ${SECRET}`,
          ),
        ),
      ).toEqual([`${FILE}:6 endpoints[0].events[1]: unknown event type "run.exploded"`]);
    });

    it("reports filter problems at their line inside the filter", () => {
      const text = endpoint(
        "    filter:",
        "      all:",
        "        - {field: data.amount, op: gte, value: 100}",
        "        - field: data.amount",
        "          op: bigger",
        "          value: 1",
      );
      const problems = problemsOf(text);
      expect(problems).toHaveLength(1);
      expect(problems[0]).toStartWith(`${FILE}:10 endpoints[0].filter.all[1].op: must be one of equals,`);
    });

    it("reports transform problems (compiled as JSONata) at their line", () => {
      const problems = problemsOf(endpoint("    transform: '{\"a\": ('"));
      expect(problems).toHaveLength(1);
      expect(problems[0]).toStartWith(`${FILE}:6 endpoints[0].transform: `);
    });
  });

  describe("reporting", () => {
    it("reports every problem at once, sorted by line", () => {
      const problems = problemsOf(
        yaml(
          "event_types:",
          "  - name: bad name",
          "server:",
          "  port: -1",
          "  colour: blue",
          "storage:",
          "  synchronous: sometimes",
          "  path: ./x${NOPE}.db",
          "endpoints:",
          "  - id: billing",
          "    url: not a url",
          "    events: [x]",
          `    secret: ${SECRET}`,
        ),
      );
      expect(problems).toEqual([
        `${FILE}:2 event_types[0].name: must be a dot-separated name of letters, digits, - and _ (≤ 128 characters)`,
        `${FILE}:4 server.port: must be ≥ 0`,
        `${FILE}:5 server.colour: unknown key (expected one of: host, port, max_body_bytes, public_url)`,
        `${FILE}:7 storage.synchronous: must be one of normal, full; got "sometimes"`,
        `${FILE}:8 storage.path: environment variable NOPE is not set (write \${NOPE:-default} to make it optional)`,
        `${FILE}:11 endpoints[0].url: must be an absolute https URL`,
      ]);
    });

    it("says how many problems there are in the error message", () => {
      try {
        load(yaml("server:", "  port: x", "  host: 1"));
        throw new Error("expected a ConfigError");
      } catch (e) {
        expect(e).toBeInstanceOf(ConfigError);
        expect((e as ConfigError).message).toBe(
          `invalid configuration:\n${FILE}:2 server.port: must be an integer, got a string\n${FILE}:3 server.host: must be a string, got a number`,
        );
      }
    });
  });
});

describe("config: event type schemas", () => {
  it("refuses a JSON Schema pattern that needs backtracking, with its line", () => {
    const text = [
      "event_types:",
      "  - name: a.b",
      "    schema:",
      "      type: object",
      "      properties:",
      "        code: {type: string, pattern: '^(a)\\1$'}",
    ].join("\n");
    try {
      loadConfig(text, { file: "hg.yaml", env: {} });
      throw new Error("expected a ConfigError");
    } catch (e) {
      expect((e as { problems: string[] }).problems).toEqual([
        expect.stringMatching(/^hg\.yaml:6 event_types\[0\]\.schema\.properties\.code\.pattern: uses a backreference/),
      ]);
    }
  });
});

describe("config: event type schemas that recurse without end", () => {
  it('refuses {"$ref": "#"} with its line', () => {
    const text = ["event_types:", "  - name: a.b", "    schema:", "      $ref: '#'"].join("\n");
    expect(() => loadConfig(text, { file: "hg.yaml", env: {} })).toThrow(
      expect.objectContaining({
        problems: [expect.stringMatching(/^hg\.yaml:4 event_types\[0\]\.schema\.\$ref: recurses without end/)],
      }),
    );
  });
});

describe("config: endpoint filters and transforms", () => {
  it("reports a bad filter and a bad JSONata transform of a YAML endpoint with their lines", async () => {
    const text = [
      "endpoints:",
      "  - id: sink",
      "    url: https://sink.example.com/hooks",
      "    events: ['*']",
      "    secret: whsec_c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0",
      "    filter: {all: [{field: data.amount, op: bigger, value: 1}]}",
      "    transform: '{\"a\": '",
    ].join("\n");
    try {
      loadConfig(text, { file: "hg.yaml", env: {} });
      throw new Error("expected a ConfigError");
    } catch (e) {
      const problems = (e as { problems: string[] }).problems;
      expect(problems).toHaveLength(2);
      expect(problems[0]).toMatch(/^hg\.yaml:6 endpoints\[0\]\.filter\.all\[0\]\.op: /);
      expect(problems[1]).toMatch(/^hg\.yaml:7 endpoints\[0\]\.transform: /);
    }
  });
});
