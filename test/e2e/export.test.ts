// `hookgate export`: API-managed event types and endpoints become config YAML that check-config accepts and that a
// fresh gateway turns back into the same endpoints (ids, urls, events, signing), signing with the same secrets;
// the secrets themselves never reach stdout, only the --env-file (0600).
import { afterEach, describe, expect, it } from "bun:test";
import { readFileSync, statSync, writeFileSync } from "node:fs";
import { Webhook } from "standardwebhooks";
import { verifyWebhook } from "../../src/signing/verify.ts";
import { runHookgate } from "../helpers/cli.ts";
import { createEndpoint, publishOk } from "../helpers/delivery.ts";
import { startYamlGateway, type YamlGateway } from "../helpers/endpoints.ts";
import { json } from "../helpers/http.ts";
import { testCa } from "../helpers/mtls.ts";
import { startReceiver } from "../helpers/receiver.ts";
import { tempDir } from "../helpers/temp.ts";

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const LOCAL = "security: {allow_http: true, allow_private_networks: true}\n";
const DECLARED = `endpoints:
  - {id: declared-sink, url: "https://declared.example.com/h", events: ["*"], secret: "\${DECLARED_SECRET}"}
`;
const DECLARED_ENV = { DECLARED_SECRET: "declared-secret-0123456789" };
/** The fields an exported endpoint must keep. */
const FIELDS = ["id", "tenant_id", "url", "events", "signing", "description", "metadata", "headers", "filter", "tls"];
const pick = (e: Record<string, unknown>) => Object.fromEntries(FIELDS.map((f) => [f, e[f]]));
const byId = (x: Record<string, unknown>, y: Record<string, unknown>) => (String(x.id) < String(y.id) ? -1 : 1);

/** NAME=value entries (values bare, or double-quoted with \-escapes and possibly several lines) as an env object. */
function parseEnvFile(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [, name, value] of text.matchAll(/^([A-Z0-9_]+)=("(?:[^"\\]|\\.)*"|.*)$/gm))
    out[name!] = value!.startsWith('"') ? value!.slice(1, -1).replace(/\\(.)/gs, "$1") : value!;
  return out;
}

async function endpointsOf(t: YamlGateway): Promise<Record<string, any>[]> {
  const res = await json(t.app, "GET", "/v1/endpoints?limit=100", { key: t.adminKey });
  return res.body.data;
}

describe("hookgate export", () => {
  it("turns API-managed endpoints into YAML a fresh gateway serves with the same ids and secrets", async () => {
    const receiver = startReceiver();
    cleanups.push(() => receiver.stop());
    const a = await startYamlGateway(LOCAL + DECLARED, { env: DECLARED_ENV });
    cleanups.push(() => a.cleanup());
    const type = await json(a.app, "POST", "/v1/event-types", {
      key: a.adminKey,
      body: { name: "order.paid", description: "An order was paid (${not a variable})", schema: { type: "object" } },
    });
    expect(type.status).toBe(201);
    const plain = await createEndpoint(a, {
      url: `${receiver.url}/plain`,
      events: ["order.paid"],
      description: "billing",
      metadata: { team: "billing" },
      headers: { "X-Team": "billing" },
      filter: { all: [{ field: "data.amount", op: "gte", value: 100 }] },
    });
    const hmac = await createEndpoint(a, {
      url: `${receiver.url}/hmac`,
      events: ["order.*"],
      signing: { scheme: "hmac-sha256" },
      auth: { type: "basic", username: "hooks", password: 'pa ss"$word' },
    });
    const acme = await createEndpoint(a, { url: `${receiver.url}/acme`, tenant_id: "acme", events: ["*"] });
    const rotated = await createEndpoint(a, { url: `${receiver.url}/rotated`, events: ["order.paid"] });
    const certs = tempDir();
    cleanups.push(() => certs.cleanup());
    const client = testCa(certs).issue("hookgate-client", "client");
    const mtls = await createEndpoint(a, {
      url: "https://mtls.example.com/h",
      events: ["order.paid"],
      filter: { all: [{ field: "data.amount", op: "lt", value: 0 }] },
      tls: { client_cert: client.cert, client_key: client.key },
    });
    const rotation = await json(a.app, "POST", `/v1/endpoints/${rotated.id}/rotate-secret`, {
      key: a.adminKey,
      body: {},
    });
    const before = (await endpointsOf(a)).filter((e) => e.source === "api");
    expect(before).toHaveLength(5);

    const dir = tempDir();
    cleanups.push(() => dir.cleanup());
    const run = await runHookgate(["export", "--config", a.file, "--env-file", "secrets.env"], {
      cwd: dir.path,
      env: DECLARED_ENV,
    });
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    const yaml = run.stdout;
    for (const secret of [
      plain.secret,
      hmac.secret,
      acme.secret,
      rotation.body.data.secret,
      rotated.secret,
      'pa ss"$word',
      client.key.trim().split("\n")[1]!,
    ])
      expect(yaml).not.toContain(secret);
    expect(yaml).not.toContain("declared-sink");
    expect(yaml).toContain(
      `# note: ${rotated.id}: 1 rotated-out secret(s) still in their grace period are not carried over`,
    );
    expect(yaml).toContain(`secret: \${HOOKGATE_${plain.id.toUpperCase()}_SECRET}`);
    expect(statSync(dir.file("secrets.env")).mode & 0o777).toBe(0o600);
    const env = parseEnvFile(readFileSync(dir.file("secrets.env"), "utf8"));
    expect(env[`HOOKGATE_${plain.id.toUpperCase()}_SECRET`]).toBe(plain.secret);
    expect(env[`HOOKGATE_${hmac.id.toUpperCase()}_AUTH_PASSWORD`]).toBe('pa ss"$word');
    expect(env[`HOOKGATE_${rotated.id.toUpperCase()}_SECRET`]).toBe(rotation.body.data.secret);
    expect(env[`HOOKGATE_${mtls.id.toUpperCase()}_TLS_CLIENT_KEY`]).toBe(client.key);

    writeFileSync(dir.file("exported.yaml"), LOCAL + yaml);
    const check = await runHookgate(["check-config", "exported.yaml"], { cwd: dir.path, env });
    expect(check.stderr).toBe("");
    expect(check.stdout).toBe("exported.yaml: ok (5 endpoint(s), 1 event type(s))\n");

    const b = await startYamlGateway(LOCAL + yaml, { env });
    cleanups.push(() => b.cleanup());
    const after = await endpointsOf(b);
    expect(after.map(pick).sort(byId)).toEqual(before.map(pick).sort(byId));
    expect(after.every((e) => e.source === "config")).toBe(true);
    const types = await json(b.app, "GET", "/v1/event-types/order.paid", { key: b.adminKey });
    expect(types.body.data).toMatchObject({ description: "An order was paid (${not a variable})", source: "config" });

    // The new gateway signs with the secrets the receivers already have.
    await publishOk(b, { type: "order.paid", data: { amount: 150 } });
    const got = await receiver.waitForRequests(3, 10_000);
    const at = (path: string) => got.find((r) => r.path === path)!;
    const headers = (path: string) => Object.fromEntries(at(path).headers.entries());
    expect(new Webhook(plain.secret).verify(at("/plain").text, headers("/plain"))).toMatchObject({
      type: "order.paid",
    });
    expect(new Webhook(rotation.body.data.secret).verify(at("/rotated").text, headers("/rotated"))).toBeTruthy();
    expect(
      verifyWebhook({
        config: { scheme: "hmac-sha256" },
        headers: at("/hmac").headers,
        body: at("/hmac").body,
        secret: hmac.secret,
      }),
    ).toMatchObject({ ok: true });
    expect(at("/hmac").headers.get("authorization")).toBe(`Basic ${btoa('hooks:pa ss"$word')}`);
  }, 60_000);

  it("exports one tenant with --tenant, and without --env-file says the values were not written", async () => {
    const a = await startYamlGateway(LOCAL);
    cleanups.push(() => a.cleanup());
    await createEndpoint(a, { url: "https://default.example.com/h" });
    const acme = await createEndpoint(a, { url: "https://acme.example.com/h", tenant_id: "acme" });
    const dir = tempDir();
    cleanups.push(() => dir.cleanup());
    const run = await runHookgate(["export", "--config", a.file, "--tenant", "acme"], { cwd: dir.path });
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`id: ${acme.id}`);
    expect(run.stdout).not.toContain("default.example.com");
    expect(run.stdout).not.toContain(acme.secret);
    expect(run.stderr).toBe("hookgate export: 1 secret value(s) not written; pass --env-file PATH to get them\n");
  });
});
