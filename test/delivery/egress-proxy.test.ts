// Egress proxies end to end, through a real forward proxy on 127.0.0.1: http deliveries are forwarded, https ones
// tunnelled with CONNECT, both to the address the SSRF guard checked (the original Host and TLS name kept); the
// default proxy, direct endpoints, OAuth2 token requests, proxy failures, and credentials that appear nowhere.
import { afterEach, describe, expect, it } from "bun:test";
import type { ConfigOverrides } from "../helpers/config.ts";
import { createEndpoint, type DeliveryApp, getDelivery, publishOk, settle } from "../helpers/delivery.ts";
import { expectInvalid } from "../helpers/endpoints.ts";
import { type FakeDns, fakeDns, startFaultGateway } from "../helpers/faults.ts";
import { type ForwardProxy, startForwardProxy } from "../helpers/forward-proxy.ts";
import { json } from "../helpers/http.ts";
import { startMtlsReceiver, testCa } from "../helpers/mtls.ts";
import { type Receiver, startReceiver } from "../helpers/receiver.ts";
import { type TempDir, tempDir } from "../helpers/temp.ts";

const USER = "hooks";
const PASSWORD = "s3cret-proxy-pw";
const BASIC = `Basic ${Buffer.from(`${USER}:${PASSWORD}`).toString("base64")}`;

const open: { stop(): void }[] = [];
const gateways: DeliveryApp[] = [];
const dirs: TempDir[] = [];
afterEach(async () => {
  for (const g of gateways.splice(0)) await g.cleanup();
  for (const s of open.splice(0)) s.stop();
  for (const d of dirs.splice(0)) d.cleanup();
});

function receiver(options: Parameters<typeof startReceiver>[0] = {}): Receiver {
  const r = startReceiver(options);
  open.push(r);
  return r;
}

async function proxy(options: Parameters<typeof startForwardProxy>[0] = {}): Promise<ForwardProxy> {
  const p = await startForwardProxy({ credentials: { user: USER, password: PASSWORD }, ...options });
  open.push(p);
  return p;
}

/** A gateway whose DNS is `dns`, allowed to reach 127.0.0.0/8 (and nothing else private), with `delivery` merged. */
async function gateway(dns: FakeDns, delivery: ConfigOverrides["delivery"], dir?: TempDir): Promise<DeliveryApp> {
  const g = await startFaultGateway({
    resolver: dns.resolve,
    dir,
    config: { security: { allowed_cidrs: ["127.0.0.0/8"] }, delivery },
  });
  gateways.push(g);
  return g;
}

async function publishAndSettle(g: DeliveryApp, body: Record<string, unknown> = {}): Promise<string[]> {
  const receipt = await publishOk(g, { type: "run.completed", data: { run_id: "r1" }, ...body });
  await settle(g);
  return receipt.deliveries.map((d: { id: string }) => d.id);
}

describe("egress proxies", () => {
  it("forwards http deliveries through the endpoint's proxy, to the checked address with the original Host", async () => {
    const r = receiver();
    const p = await proxy();
    const g = await gateway(fakeDns({ "hooks.acme.test": ["127.0.0.1"] }), {
      proxies: { corp: p.urlWith(USER, PASSWORD) },
    });
    await createEndpoint(g, { url: `http://hooks.acme.test:${r.port}/in`, proxy: "corp" });
    const [id] = await publishAndSettle(g);
    expect((await getDelivery(g, id!)).status).toBe("delivered");
    expect(p.requests).toEqual([
      {
        method: "POST",
        target: `http://127.0.0.1:${r.port}/in`,
        host: `hooks.acme.test:${r.port}`,
        proxyAuthorization: BASIC,
      },
    ]);
    expect(r.requests).toHaveLength(1);
    expect(r.requests[0]!.headers.get("host")).toBe(`hooks.acme.test:${r.port}`);
    expect(r.requests[0]!.headers.get("proxy-authorization")).toBeNull();
    expect(r.requests[0]!.headers.get("webhook-signature")).toStartWith("v1,");
  });

  it("tunnels https deliveries with CONNECT to the checked address; TLS is verified against the original name", async () => {
    const dir = tempDir();
    dirs.push(dir);
    const ca = testCa(dir);
    const mtls = await startMtlsReceiver(ca.issue("receiver.acme.test", "server"), ca.cert);
    open.push(mtls);
    const client = ca.issue("acme-client", "client");
    const p = await proxy();
    const g = await gateway(fakeDns({ "receiver.acme.test": ["127.0.0.1"] }), {
      proxies: { corp: p.urlWith(USER, PASSWORD) },
    });
    await createEndpoint(g, {
      url: `https://receiver.acme.test:${mtls.port}/in`,
      proxy: "corp",
      tls: { client_cert: client.cert, client_key: client.key, ca: ca.cert },
    });
    const [id] = await publishAndSettle(g);
    expect((await getDelivery(g, id!)).status).toBe("delivered");
    expect(p.requests).toEqual([
      {
        method: "CONNECT",
        target: `127.0.0.1:${mtls.port}`,
        host: `127.0.0.1:${mtls.port}`,
        proxyAuthorization: BASIC,
      },
    ]);
    expect(mtls.requests).toEqual([expect.objectContaining({ method: "POST", path: "/in", clientCn: "acme-client" })]);
    expect(mtls.requests[0]!.headers.host).toBe(`receiver.acme.test:${mtls.port}`);
  });

  it("sends endpoints that name no proxy, and ad-hoc targets, through delivery.default_proxy; proxy: null goes direct", async () => {
    const r = receiver();
    const p = await proxy();
    const g = await gateway(fakeDns({ "hooks.acme.test": ["127.0.0.1"] }), {
      proxies: { corp: p.urlWith(USER, PASSWORD) },
      default_proxy: "corp",
    });
    const viaDefault = await createEndpoint(g, { url: `http://hooks.acme.test:${r.port}/default` });
    expect(viaDefault.data.proxy).toBe("default");
    const direct = await createEndpoint(g, { url: `http://hooks.acme.test:${r.port}/direct`, proxy: null });
    expect(direct.data.proxy).toBeNull();
    await publishAndSettle(g, { target_url: `http://hooks.acme.test:${r.port}/adhoc` });
    expect(r.requests.map((q) => q.path).sort()).toEqual(["/adhoc", "/default", "/direct"]);
    expect(p.requests.map((q) => q.target).sort()).toEqual([
      `http://127.0.0.1:${r.port}/adhoc`,
      `http://127.0.0.1:${r.port}/default`,
    ]);
  });

  it("sends OAuth2 token requests through the endpoint's proxy too", async () => {
    const r = receiver();
    const tokens = receiver({
      default: {
        status: 200,
        headers: { "content-type": "application/json" },
        body: '{"access_token":"tok-1","expires_in":3600}',
      },
    });
    const p = await proxy();
    const dns = fakeDns({ "hooks.acme.test": ["127.0.0.1"], "auth.acme.test": ["127.0.0.1"] });
    const g = await gateway(dns, { proxies: { corp: p.urlWith(USER, PASSWORD) } });
    await createEndpoint(g, {
      url: `http://hooks.acme.test:${r.port}/in`,
      proxy: "corp",
      auth: {
        type: "oauth2_client_credentials",
        token_url: `http://auth.acme.test:${tokens.port}/token`,
        client_id: "acme",
        client_secret: "client-secret-1",
      },
    });
    await publishAndSettle(g);
    expect(p.requests.map((q) => [q.method, q.target])).toEqual([
      ["POST", `http://127.0.0.1:${tokens.port}/token`],
      ["POST", `http://127.0.0.1:${r.port}/in`],
    ]);
    expect(tokens.requests[0]!.headers.get("host")).toBe(`auth.acme.test:${tokens.port}`);
    expect(r.requests[0]!.headers.get("authorization")).toBe("Bearer tok-1");
  });

  it("still applies the SSRF rules to the target: a name resolving to a blocked address never reaches the proxy", async () => {
    const p = await proxy();
    const g = await gateway(fakeDns({ "internal.acme.test": ["10.0.0.7"] }), {
      proxies: { corp: p.urlWith(USER, PASSWORD) },
    });
    expectInvalid(
      await json(g.app, "POST", "/v1/endpoints", {
        key: g.adminKey,
        body: { url: "https://10.0.0.7/hooks", events: ["*"], proxy: "corp" },
      }),
      "url",
    );
    await createEndpoint(g, { url: "https://internal.acme.test/hooks", proxy: "corp" });
    const [id] = await publishAndSettle(g);
    const delivery = await getDelivery(g, id!);
    expect(delivery).toMatchObject({ status: "failed" });
    expect(delivery.last_error).toStartWith("blocked_address:");
    expect(p.requests).toEqual([]);
  });

  it("takes only declared proxies by name", async () => {
    const g = await gateway(fakeDns(), { proxies: { corp: "http://127.0.0.1:3128", eu: "http://127.0.0.1:3129" } });
    for (const proxyValue of ["elsewhere", "http://127.0.0.1:3128", 7, ""]) {
      const res = await json(g.app, "POST", "/v1/endpoints", {
        key: g.adminKey,
        body: { url: "https://hooks.acme.test/in", events: ["*"], proxy: proxyValue },
      });
      expectInvalid(res, "proxy");
    }
    const res = await json(g.app, "POST", "/v1/endpoints", {
      key: g.adminKey,
      body: { url: "https://hooks.acme.test/in", events: ["*"], proxy: "nope" },
    });
    expect(res.body.error.details[0].message).toBe(
      'must be a declared egress proxy (corp, eu), "default" (delivery.default_proxy) or null (direct)',
    );
    const created = await createEndpoint(g, { url: "https://hooks.acme.test/in", proxy: "eu" });
    const patched = await json(g.app, "PATCH", `/v1/endpoints/${created.id}`, {
      key: g.adminKey,
      body: { proxy: "default" },
    });
    expect(patched.body.data.proxy).toBe("default");
  });

  it("fails an attempt whose proxy refuses the tunnel or cannot be reached with proxy_error, never going direct", async () => {
    const r = receiver();
    const refusing = await proxy({ refuse: () => true });
    const g = await gateway(fakeDns({ "hooks.acme.test": ["127.0.0.1"] }), {
      proxies: { corp: refusing.urlWith(USER, PASSWORD), down: `http://${USER}:${PASSWORD}@127.0.0.1:9` },
    });
    const a = await createEndpoint(g, {
      url: `https://hooks.acme.test:${r.port}/a`,
      proxy: "corp",
      events: ["run.completed"],
    });
    const b = await createEndpoint(g, {
      url: `http://hooks.acme.test:${r.port}/b`,
      proxy: "down",
      events: ["run.completed"],
    });
    const ids = await publishAndSettle(g);
    const byEndpoint = new Map<string, Record<string, any>>();
    for (const id of ids) {
      const d = await getDelivery(g, id);
      byEndpoint.set(d.endpoint_id, d);
    }
    expect(byEndpoint.get(a.id)).toMatchObject({
      status: "pending",
      last_error: 'proxy_error: proxy "corp": Proxy refused to open a tunnel: 403 Forbidden',
    });
    expect(byEndpoint.get(b.id)!.last_error).toStartWith('proxy_error: cannot reach proxy "down":');
    expect(r.requests).toEqual([]);
    // The proxy credentials appear in no answer and no log line.
    for (const id of ids)
      expect((await json(g.app, "GET", `/v1/deliveries/${id}`, { key: g.adminKey })).text).not.toContain(PASSWORD);
    expect((await json(g.app, "GET", `/v1/endpoints/${a.id}`, { key: g.adminKey })).text).not.toContain(PASSWORD);
    expect(g.logger.lines?.join("\n") ?? "").not.toContain(PASSWORD);
  });

  it("does not send an endpoint whose proxy is no longer declared (after a restart) directly: proxy_error", async () => {
    const r = receiver();
    const dir = tempDir();
    dirs.push(dir);
    const dns = fakeDns({ "hooks.acme.test": ["127.0.0.1"] });
    const first = await gateway(dns, { proxies: { corp: "http://127.0.0.1:3128" } }, dir);
    await createEndpoint(first, { url: `http://hooks.acme.test:${r.port}/in`, proxy: "corp" });
    await first.cleanup();
    const second = await gateway(dns, { proxies: {} }, dir);
    const [id] = await publishAndSettle(second);
    expect((await getDelivery(second, id!)).last_error).toBe(
      'proxy_error: the endpoint\'s proxy "corp" is not declared in delivery.proxies; it is not sent directly instead',
    );
    expect(r.requests).toEqual([]);
  });
});
