// The SSRF guard at delivery time, with DNS under the test's control: rebinding, metadata, embedded IPv4
// forms, connecting to the checked address (Host header and TLS name kept), certificates still verified,
// and redirects never followed.
import { afterAll, afterEach, beforeAll, describe, expect, it } from "bun:test";
import { writeFileSync } from "node:fs";
import type { Server } from "bun";
import { advance, createEndpoint, type DeliveryApp, getDelivery, publishOk, settle } from "../helpers/delivery.ts";
import {
  type Certificate,
  deliverInChild,
  type FakeDns,
  fakeDns,
  selfSignedCert,
  startFaultGateway,
} from "../helpers/faults.ts";
import { type Receiver, startReceiver } from "../helpers/receiver.ts";
import { type TempDir, tempDir } from "../helpers/temp.ts";

const S = 1000;
const PUBLIC = "93.184.216.34";

const open: { stop(): void }[] = [];
let t: DeliveryApp | null = null;

afterEach(async () => {
  for (const s of open.splice(0)) s.stop();
  await t?.cleanup();
  t = null;
});

function receiver(): Receiver {
  const r = startReceiver();
  open.push(r);
  return r;
}

async function gateway(dns: FakeDns, security: Record<string, unknown> = {}): Promise<DeliveryApp> {
  t = await startFaultGateway({
    resolver: dns.resolve,
    config: { security: { allow_private_networks: false, allowed_cidrs: [], ...security } },
  });
  return t;
}

async function publishOne(g: DeliveryApp): Promise<string[]> {
  const published = await publishOk(g, { type: "run.completed", data: { run_id: "r1" } });
  await settle(g);
  return published.deliveries.map((d: { id: string }) => d.id);
}

describe("SSRF guard at delivery time", () => {
  it("DNS rebinding: a name that was public is loopback when sending → blocked_address, failed without retry, nothing sent", async () => {
    const r = receiver();
    const dns = fakeDns({ "rebind.example.test": [PUBLIC] });
    const g = await gateway(dns);
    await createEndpoint(g, { url: `http://rebind.example.test:${r.port}/hooks` });
    expect(dns.calls).toEqual([]); // creation checks literal addresses only, never DNS
    dns.set("rebind.example.test", ["127.0.0.1"]);
    const [id] = await publishOne(g);

    const d = await getDelivery(g, id!);
    expect(d).toMatchObject({ status: "failed", attempts: 1, http_status: null, next_retry_at: null });
    expect(d.last_error).toStartWith("blocked_address");
    expect(d.history[0].error).toContain("127.0.0.1");
    await advance(g, 10 * 60 * S);
    expect((await getDelivery(g, id!)).attempts).toBe(1);
    expect(r.requests).toHaveLength(0);
    expect(dns.calls).toEqual(["rebind.example.test"]);
  });

  it("refuses a mixed answer (one public, one loopback address): every address is checked", async () => {
    const r = receiver();
    const dns = fakeDns({ "mixed.example.test": [PUBLIC, "127.0.0.1"] });
    const g = await gateway(dns);
    await createEndpoint(g, { url: `http://mixed.example.test:${r.port}/hooks` });
    const [id] = await publishOne(g);
    const d = await getDelivery(g, id!);
    expect(d.status).toBe("failed");
    expect(d.last_error).toStartWith("blocked_address");
    expect(r.requests).toHaveLength(0);
  });

  it("keeps cloud metadata blocked even when allowed_cidrs covers 169.254.0.0/16 or private networks are allowed", async () => {
    for (const security of [
      { allowed_cidrs: ["169.254.0.0/16"] },
      { allow_private_networks: true },
      { allowed_cidrs: ["0.0.0.0/0", "::/0"] },
    ]) {
      const dns = fakeDns({
        "metadata.example.test": ["169.254.169.254"],
        "metadata6.example.test": ["fd00:ec2::254"],
        "alibaba.example.test": ["100.100.100.200"],
      });
      const g = await gateway(dns, security);
      for (const name of ["metadata", "metadata6", "alibaba"])
        await createEndpoint(g, { url: `http://${name}.example.test/latest/meta-data/` });
      const ids = await publishOne(g);
      expect(ids).toHaveLength(3);
      for (const id of ids) {
        const d = await getDelivery(g, id);
        expect({ security, status: d.status, error: d.last_error?.split(":")[0] }).toEqual({
          security,
          status: "failed",
          error: "blocked_address",
        });
        expect(d.last_error).toContain("metadata");
      }
      await g.cleanup();
      t = null;
    }
  });

  it("allowed_cidrs 127.0.0.0/8: reaches a loopback receiver at the checked address, with the original Host header", async () => {
    const r = receiver();
    // hooks.example.test exists only in the fake DNS: the request can only arrive if the sender connects
    // to the address the guard checked instead of resolving the name again.
    const dns = fakeDns({ "hooks.example.test": ["127.0.0.1"] });
    const g = await gateway(dns, { allowed_cidrs: ["127.0.0.0/8"] });
    await createEndpoint(g, { url: `http://hooks.example.test:${r.port}/hooks?x=1` });
    const [id] = await publishOne(g);
    expect((await getDelivery(g, id!)).status).toBe("delivered");
    expect(r.requests).toHaveLength(1);
    expect(r.requests[0]!.headers.get("host")).toBe(`hooks.example.test:${r.port}`);
    expect(r.requests[0]!.path).toBe("/hooks?x=1");
    expect(dns.calls).toEqual(["hooks.example.test"]);
  });

  it("blocks IPv4-mapped, NAT64, 6to4 and IPv4-compatible answers by the IPv4 address they embed", async () => {
    const r = receiver();
    const answers: Record<string, string> = {
      mapped: "::ffff:127.0.0.1",
      "mapped-hex": "::ffff:7f00:1",
      "mapped-private": "::ffff:10.0.0.1",
      "mapped-metadata": "::ffff:169.254.169.254",
      nat64: "64:ff9b::7f00:1",
      "nat64-private": "64:ff9b::c0a8:1",
      "nat64-metadata": "64:ff9b::a9fe:a9fe",
      sixtofour: "2002:7f00:1::1",
      compatible: "::127.0.0.1",
      loopback6: "::1",
      linklocal6: "fe80::1",
      ula: "fd12:3456::1",
      unspecified: "0.0.0.0",
      unspecified6: "::",
      cgnat: "100.64.0.1",
      multicast: "224.0.0.1",
    };
    const dns = fakeDns(Object.fromEntries(Object.entries(answers).map(([name, a]) => [`${name}.example.test`, [a]])));
    const g = await gateway(dns);
    const endpointOf = new Map<string, string>();
    for (const name of Object.keys(answers))
      endpointOf.set((await createEndpoint(g, { url: `http://${name}.example.test:${r.port}/hooks` })).id, name);
    const ids = await publishOne(g);
    expect(ids).toHaveLength(Object.keys(answers).length);
    const outcome: Record<string, string> = {};
    for (const id of ids) {
      const d = await getDelivery(g, id);
      outcome[endpointOf.get(d.endpoint_id)!] = `${d.status} ${d.last_error?.split(":")[0]}`;
    }
    expect(outcome).toEqual(Object.fromEntries(Object.keys(answers).map((name) => [name, "failed blocked_address"])));
    expect(r.requests).toHaveLength(0);
  });

  it("never follows a redirect, not even to a private address or the metadata service", async () => {
    const target = receiver();
    const r = receiver();
    const dns = fakeDns({ "hooks.example.test": ["127.0.0.1"] });
    const g = await gateway(dns, { allowed_cidrs: ["127.0.0.0/8"] });
    r.script(
      { status: 302, headers: { location: `http://127.0.0.1:${target.port}/internal` } },
      { status: 307, headers: { location: "http://169.254.169.254/latest/meta-data/" } },
    );
    await createEndpoint(g, { url: `http://hooks.example.test:${r.port}/hooks` });
    const [id] = await publishOne(g);
    let d = await getDelivery(g, id!);
    expect(d).toMatchObject({ status: "pending", attempts: 1, http_status: 302 });
    expect(d.history[0].error).toStartWith("redirect_not_followed");
    await advance(g, 5 * S);
    d = await getDelivery(g, id!);
    expect(d).toMatchObject({ attempts: 2, http_status: 307 });
    expect(d.history[1].error).toStartWith("redirect_not_followed");
    expect(r.requests).toHaveLength(2);
    expect(target.requests).toHaveLength(0);
  });
});

describe("TLS to the checked address", () => {
  let certs: TempDir;
  let hooks: Certificate;
  let other: Certificate;
  const servers: Server<undefined>[] = [];

  beforeAll(() => {
    certs = tempDir();
    hooks = selfSignedCert(certs, "hooks.example.test");
    other = selfSignedCert(certs, "other.example.test");
  });
  afterAll(() => {
    for (const s of servers) s.stop(true);
    certs.cleanup();
  });

  /** An HTTPS server on 127.0.0.1 with `cert`, answering with the Host header it saw. */
  function https(cert: Certificate): { port: number; hits: string[] } {
    const hits: string[] = [];
    const server = Bun.serve({
      hostname: "127.0.0.1",
      port: 0,
      tls: { cert: cert.cert, key: cert.key },
      fetch(req) {
        hits.push(req.headers.get("host") ?? "");
        return new Response("ok");
      },
    });
    servers.push(server);
    return { port: server.port!, hits };
  }

  it("an untrusted (self-signed) certificate fails with tls_error although the address is allowed", async () => {
    const s = https(hooks);
    const dns = fakeDns({ "hooks.example.test": ["127.0.0.1"] });
    const g = await gateway(dns, { allowed_cidrs: ["127.0.0.0/8"] });
    await createEndpoint(g, { url: `https://hooks.example.test:${s.port}/hooks` });
    const [id] = await publishOne(g);
    const d = await getDelivery(g, id!);
    expect(d).toMatchObject({ status: "pending", attempts: 1, http_status: null });
    expect(d.history[0].error).toStartWith("tls_error");
    expect(s.hits).toHaveLength(0);
  });

  it("verifies the certificate against the original name: trusted for that name → delivered; trusted but for another name → tls_error", async () => {
    const work = tempDir();
    try {
      const good = https(hooks);
      const wrong = https(other);
      const dns = { "hooks.example.test": ["127.0.0.1"], "alias.example.test": ["127.0.0.1"] };
      // The child trusts both certificates (NODE_EXTRA_CA_CERTS is read at process start).
      writeFileSync(work.file("ca.pem"), hooks.cert + other.cert);
      const [trusted, mismatch, alias] = await deliverInChild(
        {
          dir: work.path,
          urls: [
            `https://hooks.example.test:${good.port}/hooks`,
            `https://hooks.example.test:${wrong.port}/hooks`,
            `https://alias.example.test:${good.port}/hooks`,
          ],
          dns,
          allowed_cidrs: ["127.0.0.0/8"],
        },
        { NODE_EXTRA_CA_CERTS: work.file("ca.pem") },
      );
      // Connected to 127.0.0.1, yet verified against hooks.example.test (the certificate has no IP entry).
      expect(trusted).toMatchObject({ status: "delivered", http_status: 200 });
      expect(good.hits).toEqual([`hooks.example.test:${good.port}`]);
      // A trusted certificate for another name does not do.
      expect(mismatch).toMatchObject({ status: "pending", http_status: null });
      expect(mismatch!.history[0].error).toStartWith("tls_error");
      expect(mismatch!.history[0].error).toMatch(/ALTNAME|hostname/i);
      expect(wrong.hits).toHaveLength(0);
      // Nor does a kept-alive connection to the same address, opened and verified for another name.
      expect(alias).toMatchObject({ status: "pending", http_status: null });
      expect(alias!.history[0].error).toStartWith("tls_error");
      expect(good.hits).toHaveLength(1);
    } finally {
      work.cleanup();
    }
  }, 30_000);
});
