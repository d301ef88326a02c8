// The delivery options of docs/api.md "Delivery options" in YAML endpoints: accepted as in the API, refused with
// the file's line, and in effect once the file is loaded (a gateway from a real file, a real receiver).
import { afterEach, describe, expect, it } from "bun:test";
import { ConfigError, loadConfig } from "../../src/config/index.ts";
import { getDelivery, publishOk, settle } from "../helpers/delivery.ts";
import { startYamlGateway, type YamlGateway } from "../helpers/endpoints.ts";
import { type Receiver, startReceiver } from "../helpers/receiver.ts";

const FILE = "hg.yaml";
const SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
const yaml = (...lines: string[]) => `${lines.join("\n")}\n`;

function problemsOf(text: string): string[] {
  try {
    loadConfig(text, { file: FILE, env: {} });
  } catch (e) {
    if (e instanceof ConfigError) return e.problems;
    throw e;
  }
  throw new Error("expected a ConfigError, but the config loaded");
}

describe("YAML endpoints with delivery options", () => {
  it("accepts every option the API accepts", () => {
    const config = loadConfig(
      yaml(
        "endpoints:",
        "  - id: partner",
        "    url: https://partner.example.com/hooks",
        "    events: [order.*]",
        `    secret: ${SECRET}`,
        "    description: null",
        "    http_method: OPTIONS",
        "    retry_schedule: []",
        "    signing: {scheme: hmac-sha256, timestamp_source: event, id_value: delivery}",
        "    auth:",
        "      type: oauth2_client_credentials",
        "      token_url: https://auth.example.com/token",
        "      client_id: hookgate",
        "      client_secret: s3cret",
        "      client_auth: basic",
        "      extra_params: {resource: 'https://partner.example.com'}",
        "    filter:",
        "      all:",
        "        - {field: data.total, op: gte, value: 100, type: number}",
        "        - elem_match:",
        "            field: data.lines",
        "            all:",
        "              - {field: sku, op: starts_with, value: A}",
        "              - {field: shipped_at, op: lt, value: '2026-07-01T00:00:00+02:00', type: datetime}",
      ),
      { file: FILE, env: {} },
    );
    expect(config.endpoints[0]).toMatchObject({
      description: null,
      http_method: "OPTIONS",
      retry_schedule: [],
      signing: { scheme: "hmac-sha256", timestamp_source: "event", id_value: "delivery" },
      auth: { client_auth: "basic", extra_params: { resource: "https://partner.example.com" } },
    });
  });

  it("refuses bad options with their lines", () => {
    expect(
      problemsOf(
        yaml(
          "endpoints:",
          "  - id: partner",
          "    url: https://partner.example.com/hooks",
          "    events: ['*']",
          `    secret: ${SECRET}`,
          "    signing: {scheme: timestamped-hmac, id_value: message}",
          "    auth:",
          "      type: oauth2_client_credentials",
          "      token_url: https://auth.example.com/token",
          "      client_id: hookgate",
          "      client_secret: s3cret",
          "      client_auth: header",
          "      extra_params:",
          "        grant_type: password",
          "    filter:",
          "      elem_match:",
          "        field: data.lines",
          "        all:",
          "          - {field: qty, op: gt, value: lots, type: number}",
        ),
      ),
    ).toEqual([
      `${FILE}:6 endpoints[0].signing.id_value: must be one of event, delivery`,
      `${FILE}:12 endpoints[0].auth.client_auth: must be one of body, basic`,
      `${FILE}:14 endpoints[0].auth.extra_params.grant_type: cannot set grant_type; hookgate sends it`,
      `${FILE}:19 endpoints[0].filter.elem_match.all[0].value: "lots" is not a number`,
    ]);
  });
});

describe("a gateway from a YAML file with a typed filter and elem_match", () => {
  let y: YamlGateway | null = null;
  let receiver: Receiver | null = null;
  afterEach(async () => {
    receiver?.stop();
    await y?.cleanup();
  });

  it("delivers the events the filter takes and records why it skipped the others", async () => {
    receiver = startReceiver();
    y = await startYamlGateway(
      yaml(
        "security: {allow_http: true, allow_private_networks: true}",
        "endpoints:",
        "  - id: big-orders",
        `    url: ${receiver.url}/hooks`,
        "    events: [order.*]",
        `    secret: ${SECRET}`,
        "    filter:",
        "      all:",
        "        - {field: data.total, op: gte, value: 100, type: number}",
        "        - elem_match: {field: data.lines, all: [{field: sku, op: equals, value: A-1}, {field: qty, op: gte, value: 2, type: number}]}",
      ),
    );
    const taken = await publishOk(y, {
      type: "order.paid",
      data: { total: "150.00", lines: [{ sku: "A-1", qty: "3" }] },
    });
    const split = await publishOk(y, {
      type: "order.paid",
      data: {
        total: 150,
        lines: [
          { sku: "A-1", qty: 1 },
          { sku: "B-2", qty: 5 },
        ],
      },
    });
    const small = await publishOk(y, { type: "order.paid", data: { total: "99", lines: [{ sku: "A-1", qty: 3 }] } });
    await settle(y);
    expect(receiver.requests.map((r) => JSON.parse(r.text).id)).toEqual([taken.id]);
    expect(split.deliveries[0].status).toBe("skipped");
    expect((await getDelivery(y, split.deliveries[0].id)).last_error).toStartWith(
      'filtered: elem_match(data.lines: sku equals "A-1"; qty gte 2 as number) was false',
    );
    expect((await getDelivery(y, small.deliveries[0].id)).last_error).toBe(
      "filtered: data.total gte 100 as number was false (value: 99)",
    );
  });
});
