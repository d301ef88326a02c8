// Egress settings and the egress/operational parts of YAML endpoints: declared proxies (credentials from ${ENV},
// never repeated in a message), the default proxy, endpoint `proxy` and `tls` checked as in the API, the reserved
// tenant and the reserved event-type prefix; every problem with the file's line.
import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { ConfigError, loadConfig } from "../../src/config/index.ts";
import { startYamlGateway } from "../helpers/endpoints.ts";
import { json } from "../helpers/http.ts";
import { type Pem, testCa } from "../helpers/mtls.ts";
import { type TempDir, tempDir } from "../helpers/temp.ts";

const FILE = "hg.yaml";
const SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
const yaml = (...lines: string[]) => `${lines.join("\n")}\n`;

function problemsOf(text: string, env: Record<string, string> = {}): string[] {
  try {
    loadConfig(text, { file: FILE, env });
  } catch (e) {
    if (e instanceof ConfigError) return e.problems;
    throw e;
  }
  throw new Error("expected a ConfigError, but the config loaded");
}

let dir: TempDir;
let client: Pem;
let other: Pem;
beforeAll(() => {
  dir = tempDir();
  const ca = testCa(dir);
  client = ca.issue("acme-client", "client");
  other = ca.issue("someone-else", "client");
});
afterAll(() => dir?.cleanup());

describe("egress settings", () => {
  it("declares proxies by name, with credentials from the environment, and a default", () => {
    const config = loadConfig(
      yaml(
        "delivery:",
        "  proxies:",
        "    corp: http://hooks:${PROXY_PASSWORD}@proxy.internal:3128",
        "    eu: https://egress-eu.internal:8443",
        "  default_proxy: corp",
      ),
      { file: FILE, env: { PROXY_PASSWORD: "pw-from-env" } },
    );
    expect(config.delivery.proxies).toEqual({
      corp: "http://hooks:pw-from-env@proxy.internal:3128",
      eu: "https://egress-eu.internal:8443",
    });
    expect(config.delivery.default_proxy).toBe("corp");
    expect(loadConfig("", { file: null, env: {} }).delivery).toMatchObject({ proxies: {}, default_proxy: "" });
  });

  it("refuses unusable proxies with the line, never repeating the URL", () => {
    const problems = problemsOf(
      yaml(
        "delivery:",
        "  proxies:",
        "    corp: ftp://user:hunter2@proxy.internal:21",
        "    path: http://user:hunter2@proxy.internal:3128/squid",
        "    default: http://proxy.internal:3128",
        "    'bad name': http://proxy.internal:3128",
        "    notaurl: hunter2",
        "  default_proxy: elsewhere",
      ),
    );
    expect(problems).toEqual([
      `${FILE}:3 delivery.proxies.corp: must be an http:// or https:// proxy URL`,
      `${FILE}:4 delivery.proxies.path: must not have a path, query or fragment (http://host:port)`,
      `${FILE}:5 delivery.proxies.default: "default" is reserved (an endpoint's proxy: default follows delivery.default_proxy); choose another name`,
      `${FILE}:6 delivery.proxies.bad name: proxy names are 1–64 letters, digits, - and _ ("default" is reserved)`,
      `${FILE}:7 delivery.proxies.notaurl: must be a proxy URL such as http://proxy.internal:3128 (credentials as http://user:password@host:port)`,
      `${FILE}:8 delivery.default_proxy: names no proxy: declare it in delivery.proxies first`,
    ]);
    expect(problems.join("\n")).not.toContain("hunter2");
  });

  it("refuses a default proxy that is not declared", () => {
    expect(problemsOf(yaml("delivery:", "  default_proxy: corp"))).toEqual([
      `${FILE}:2 delivery.default_proxy: names no proxy: declare it in delivery.proxies first`,
    ]);
    expect(problemsOf(yaml("delivery:", "  proxies: {corp: 'http://p:3128'}", "  default_proxy: eu"))).toEqual([
      `${FILE}:3 delivery.default_proxy: must be one of the proxies in delivery.proxies (corp), or empty`,
    ]);
  });
});

describe("YAML endpoints with egress settings", () => {
  const endpoint = (...extra: string[]) =>
    yaml(
      "delivery: {proxies: {corp: 'http://proxy.internal:3128'}}",
      "endpoints:",
      "  - id: partner",
      "    url: https://partner.example.com/hooks",
      "    events: [order.*]",
      `    secret: ${SECRET}`,
      ...extra,
    );

  it("take a declared proxy, null (direct) and a client certificate", () => {
    const config = loadConfig(
      endpoint(
        "    proxy: corp",
        `    tls: {client_cert: ${JSON.stringify(client.cert)}, client_key: ${JSON.stringify(client.key)}}`,
        "  - id: direct",
        "    url: https://direct.example.com/hooks",
        "    events: ['*']",
        `    secret: ${SECRET}`,
        "    proxy: null",
      ),
      { file: FILE, env: {} },
    );
    expect(config.endpoints.map((e) => [e.id, e.proxy])).toEqual([
      ["partner", "corp"],
      ["direct", null],
    ]);
    expect(config.endpoints[0]!.tls).toEqual({ client_cert: client.cert, client_key: client.key });
  });

  it("refuse an undeclared proxy and a key that does not match, with the line", () => {
    expect(
      problemsOf(
        endpoint(
          "    proxy: elsewhere",
          `    tls: {client_cert: ${JSON.stringify(client.cert)}, client_key: ${JSON.stringify(other.key)}}`,
        ),
      ),
    ).toEqual([
      `${FILE}:7 endpoints[0].proxy: must be a declared egress proxy (corp), "default" (delivery.default_proxy) or null (direct)`,
      `${FILE}:8 endpoints[0].tls.client_key: does not match the certificate in tls.client_cert`,
    ]);
  });
});

describe("the reserved tenant and type prefix in YAML", () => {
  it("takes _system endpoints subscribed to operational types, and refuses other tenants starting with _", () => {
    const problems = problemsOf(
      yaml(
        "endpoints:",
        "  - id: ops",
        "    tenant_id: _system",
        "    url: https://ops.example.com/hooks",
        "    events: [hookgate.endpoint.disabled]",
        `    secret: ${SECRET}`,
        "  - id: sneaky",
        "    tenant_id: _acme",
        "    url: https://ops.example.com/hooks",
        "    events: ['*']",
        `    secret: ${SECRET}`,
        "event_types:",
        "  - name: hookgate.custom",
      ),
    );
    expect(problems).toEqual([
      `${FILE}:8 endpoints[1].tenant_id: must be 1–64 letters, digits, - and _, not starting with _ (reserved); _system is the one reserved tenant (operational events)`,
      `${FILE}:13 event_types[0].name: names starting with "hookgate." are reserved for hookgate's operational events`,
    ]);
  });

  it("registers a _system endpoint from the file, which tenant keys never see", async () => {
    const g = await startYamlGateway(
      yaml(
        "endpoints:",
        "  - id: ops-chat",
        "    tenant_id: _system",
        "    url: https://chat.example.com/hooks",
        "    events: [hookgate.*]",
        `    secret: ${SECRET}`,
      ),
    );
    try {
      const read = await json(g.app, "GET", "/v1/endpoints/ops-chat", { key: g.adminKey });
      expect(read.body.data).toMatchObject({ tenant_id: "_system", source: "config", proxy: "default" });
    } finally {
      await g.cleanup();
    }
  });
});
