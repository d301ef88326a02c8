// Mutual TLS end to end: a real HTTPS receiver that requires a client certificate signed by its CA (certificates
// made here), an endpoint that presents one (its `ca` trusting the receiver's private CA), tls_error when the
// receiver refuses, PEMs checked at save, and a private key that never reads back and is encrypted at rest.
import { afterAll, afterEach, beforeAll, describe, expect, it } from "bun:test";
import { sqlRows } from "../helpers/app.ts";
import { createEndpoint, type DeliveryApp, getDelivery, publishOk, settle } from "../helpers/delivery.ts";
import { expectInvalid } from "../helpers/endpoints.ts";
import { fakeDns, startFaultGateway } from "../helpers/faults.ts";
import { json } from "../helpers/http.ts";
import { type MtlsReceiver, type Pem, startMtlsReceiver, type TestCa, testCa } from "../helpers/mtls.ts";
import { type TempDir, tempDir } from "../helpers/temp.ts";

const HOST = "receiver.acme.test";

let dir: TempDir;
let ca: TestCa;
let otherCa: TestCa;
let client: Pem;
let receiver: MtlsReceiver;
let t: DeliveryApp | null = null;

beforeAll(async () => {
  dir = tempDir();
  ca = testCa(dir, "receiver-ca");
  otherCa = testCa(dir, "other-ca");
  client = ca.issue("acme-client", "client");
  receiver = await startMtlsReceiver(ca.issue(HOST, "server"), ca.cert);
});
afterAll(() => {
  receiver?.stop();
  dir?.cleanup();
});
afterEach(async () => {
  await t?.cleanup();
  t = null;
  receiver.requests.length = 0;
});

async function gateway(): Promise<DeliveryApp> {
  t = await startFaultGateway({
    resolver: fakeDns({ [HOST]: ["127.0.0.1"] }).resolve,
    config: { security: { allowed_cidrs: ["127.0.0.0/8"] } },
  });
  return t;
}

const url = () => `https://${HOST}:${receiver.port}/hooks`;

/** Publishes one event to every endpoint and returns each delivery by endpoint id. */
async function deliver(g: DeliveryApp): Promise<Map<string, Record<string, any>>> {
  const receipt = await publishOk(g, { type: "run.completed", data: { run_id: "r1" } });
  await settle(g);
  const out = new Map<string, Record<string, any>>();
  for (const d of receipt.deliveries) out.set(d.endpoint_id, await getDelivery(g, d.id));
  return out;
}

describe("mutual TLS", () => {
  it("presents the endpoint's client certificate to a receiver that asks for one", async () => {
    const g = await gateway();
    const e = await createEndpoint(g, {
      url: url(),
      tls: { client_cert: client.cert, client_key: client.key, ca: ca.cert },
    });
    expect((await deliver(g)).get(e.id)).toMatchObject({ status: "delivered", http_status: 200 });
    expect(receiver.requests).toEqual([
      expect.objectContaining({ method: "POST", path: "/hooks", clientCn: "acme-client" }),
    ]);
    expect(receiver.requests[0]!.headers["webhook-signature"]).toStartWith("v1,");
  });

  it("gives tls_error when the receiver refuses the certificate, or gets none", async () => {
    const g = await gateway();
    const rogue = otherCa.issue("rogue-client", "client");
    const refused = await createEndpoint(g, {
      url: url(),
      tls: { client_cert: rogue.cert, client_key: rogue.key, ca: ca.cert },
    });
    // No client certificate at all (and no trust in the private CA: the receiver's own certificate fails first).
    const without = await createEndpoint(g, { url: url() });
    const byEndpoint = await deliver(g);
    const refusedDelivery = byEndpoint.get(refused.id)!;
    expect(refusedDelivery.status).toBe("pending");
    expect(refusedDelivery.last_error).toStartWith(
      "tls_error: the receiver ended the TLS handshake: it may not accept",
    );
    expect(byEndpoint.get(without.id)!.last_error).toStartWith("tls_error:");
    expect(receiver.requests).toEqual([]);
  });

  it("trusts the extra roots of `ca` for that endpoint only, on top of the default ones", async () => {
    const g = await gateway();
    // The same certificate without `ca`: the receiver's private CA is not trusted.
    const e = await createEndpoint(g, { url: url(), tls: { client_cert: client.cert, client_key: client.key } });
    const d = (await deliver(g)).get(e.id)!;
    expect(d.last_error).toStartWith("tls_error:");
    expect(d.last_error).toMatch(/certificate/i);
  });

  it("presents the certificate to an OAuth2 token server that asks for one too", async () => {
    const tokenServer = await startMtlsReceiver(ca.issue(HOST, "server"), ca.cert, {
      body: '{"access_token":"tok-mtls","expires_in":3600}',
      contentType: "application/json",
    });
    try {
      const g = await gateway();
      const e = await createEndpoint(g, {
        url: url(),
        tls: { client_cert: client.cert, client_key: client.key, ca: ca.cert },
        auth: {
          type: "oauth2_client_credentials",
          token_url: `https://${HOST}:${tokenServer.port}/token`,
          client_id: "acme",
          client_secret: "client-secret-1",
        },
      });
      expect((await deliver(g)).get(e.id)!.status).toBe("delivered");
      expect(tokenServer.requests).toEqual([expect.objectContaining({ path: "/token", clientCn: "acme-client" })]);
      expect(receiver.requests[0]!.headers.authorization).toBe("Bearer tok-mtls");
    } finally {
      tokenServer.stop();
    }
  });

  it("never returns the private key, and stores it encrypted", async () => {
    const g = await gateway();
    const e = await createEndpoint(g, {
      url: url(),
      tls: { client_cert: client.cert, client_key: client.key, ca: ca.cert },
    });
    const expected = { client_cert: client.cert, client_key: "****", ca: ca.cert };
    expect(e.data.tls).toEqual(expected);
    const read = await json(g.app, "GET", `/v1/endpoints/${e.id}`, { key: g.adminKey });
    expect(read.body.data.tls).toEqual(expected);
    const listed = await json(g.app, "GET", "/v1/endpoints", { key: g.adminKey });
    expect(listed.text).not.toContain("PRIVATE KEY");
    const keyBody = client.key.split("\n")[1]!;
    const rows = sqlRows<{ tls_enc: string }>(g, "SELECT tls_enc FROM endpoints");
    expect(rows).toHaveLength(1);
    expect(rows[0]!.tls_enc).not.toContain("PRIVATE KEY");
    expect(rows[0]!.tls_enc).not.toContain(keyBody);
    expect(rows[0]!.tls_enc).not.toContain("BEGIN CERTIFICATE");
  });

  it("checks the PEMs at save: a certificate and a key that parse and match, roots that are certificates", async () => {
    const g = await gateway();
    const other = ca.issue("someone-else", "client");
    const post = (tls: unknown) =>
      json(g.app, "POST", "/v1/endpoints", { key: g.adminKey, body: { url: url(), events: ["*"], tls } });
    const mismatch = await post({ client_cert: client.cert, client_key: other.key });
    expectInvalid(mismatch, "tls.client_key");
    expect(mismatch.body.error.details[0].message).toBe("does not match the certificate in tls.client_cert");
    expect(mismatch.text).not.toContain("PRIVATE KEY");
    expectInvalid(await post({ client_cert: "not a certificate", client_key: client.key }), "tls.client_cert");
    expectInvalid(await post({ client_cert: client.key, client_key: client.key }), "tls.client_cert");
    expectInvalid(await post({ client_cert: client.cert, client_key: client.cert }), "tls.client_key");
    expectInvalid(await post({ client_cert: client.cert }), "tls.client_key");
    expectInvalid(await post({ client_cert: client.cert, client_key: client.key, ca: "junk" }), "tls.ca");
    expectInvalid(await post({ client_cert: client.cert, client_key: client.key, passphrase: "x" }), "tls.passphrase");
    expectInvalid(await post("pem"), "tls");
    const encrypted = Bun.spawnSync(["openssl", "pkcs8", "-topk8", "-passout", "pass:x"], {
      stdin: Buffer.from(client.key),
    });
    const refused = await post({ client_cert: client.cert, client_key: encrypted.stdout.toString() });
    expect(refused.body.error.details[0]).toEqual({
      field: "tls.client_key",
      message: "must be an unencrypted private key (hookgate encrypts it at rest itself)",
    });
  });

  it("replaces the certificate on PATCH and removes it with null", async () => {
    const g = await gateway();
    const e = await createEndpoint(g, { url: url() });
    const patch = (body: unknown) => json(g.app, "PATCH", `/v1/endpoints/${e.id}`, { key: g.adminKey, body });
    const set = await patch({ tls: { client_cert: client.cert, client_key: client.key, ca: ca.cert } });
    expect(set.body.data.tls.client_key).toBe("****");
    expect((await deliver(g)).get(e.id)!.status).toBe("delivered");
    expect((await patch({ tls: null })).body.data.tls).toBeNull();
    expect(sqlRows<{ tls_enc: string | null }>(g, "SELECT tls_enc FROM endpoints")[0]!.tls_enc).toBeNull();
  });
});
