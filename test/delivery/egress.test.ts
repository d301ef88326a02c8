// Which way an attempt leaves (EgressRoutes) and how a failure on that way is explained: the endpoint's proxy, the
// default, direct, a proxy no longer declared; `ca` added to the default roots; proxy and handshake errors.
import { describe, expect, it } from "bun:test";
import { getCACertificates } from "node:tls";
import { DIRECT, EgressRoutes, egressOptions, explainEgressError } from "../../src/delivery/egress.ts";

const PROXIES = { corp: "http://u:pw@proxy.internal:3128", eu: "http://egress-eu.internal:3128" };
const TLS = { client_cert: "CERT", client_key: "KEY" };

describe("egress routes", () => {
  const withDefault = new EgressRoutes({ proxies: PROXIES, defaultProxy: "corp" });
  const noDefault = new EgressRoutes({ proxies: PROXIES, defaultProxy: "" });

  it("takes the endpoint's own proxy, else the default one, and goes direct for null", () => {
    expect(withDefault.of({ proxy: "eu", tls: null })).toEqual({ proxy: { name: "eu", url: PROXIES.eu }, tls: null });
    expect(withDefault.of({ proxy: "default", tls: null })).toEqual({
      proxy: { name: "corp", url: PROXIES.corp },
      tls: null,
    });
    expect(withDefault.of({ proxy: null, tls: null })).toBe(DIRECT);
    expect(noDefault.of({ proxy: "default", tls: null })).toBe(DIRECT);
  });

  it("sends ad-hoc targets signed with the gateway key through the default proxy", () => {
    expect(withDefault.of(null)).toEqual({ proxy: { name: "corp", url: PROXIES.corp }, tls: null });
    expect(noDefault.of(null)).toBe(DIRECT);
  });

  it("refuses a proxy that is not declared rather than going direct, without its URL in the message", () => {
    const way = noDefault.of({ proxy: "gone", tls: null });
    expect(way).toEqual({ error: { kind: "proxy_error", message: expect.stringContaining('"gone" is not declared') } });
    expect(new EgressRoutes({ proxies: {}, defaultProxy: "corp" }).of(null)).toMatchObject({
      error: { kind: "proxy_error" },
    });
  });

  it("adds the endpoint's ca to the default roots, and hands fetch the same options while the endpoint is unchanged", () => {
    const spec = { ...TLS, ca: "EXTRA-ROOT" };
    const way = noDefault.of({ proxy: null, tls: spec });
    if ("error" in way) throw new Error("unexpected");
    const roots = getCACertificates("default");
    expect(way.tls!.ca).toHaveLength(roots.length + 1);
    expect(way.tls!.ca!.at(-1)).toBe("EXTRA-ROOT");
    expect(way.tls!.ca!.slice(0, 3)).toEqual(roots.slice(0, 3));
    const again = noDefault.of({ proxy: null, tls: spec });
    expect("error" in again ? null : again.tls).toBe(way.tls);
    const plain = noDefault.of({ proxy: null, tls: TLS });
    expect("error" in plain ? null : plain.tls).toEqual({ cert: "CERT", key: "KEY" });
  });

  it("merges the client certificate with the TLS name the SSRF guard chose", () => {
    const way = { proxy: { name: "corp", url: PROXIES.corp }, tls: { cert: "C", key: "K" } };
    expect(egressOptions(way, { serverName: "hooks.acme.test" })).toEqual({
      proxy: PROXIES.corp,
      tls: { serverName: "hooks.acme.test", cert: "C", key: "K" },
    });
    expect(egressOptions(DIRECT, undefined)).toEqual({});
    expect(egressOptions(undefined, { serverName: "x.test" })).toEqual({ tls: { serverName: "x.test" } });
  });
});

describe("egress errors", () => {
  const viaCorp = { proxy: { name: "corp", url: PROXIES.corp }, tls: null };
  const withCert = { proxy: null, tls: { cert: "C", key: "K" } };

  it("names the proxy, never its URL, when it refuses the tunnel or cannot be reached", () => {
    const tunnel = explainEgressError(
      { kind: "network_error", message: "Proxy refused to open a tunnel: 407 Proxy Authentication Required" },
      { code: "ERR_PROXY_TUNNEL" },
      viaCorp,
    );
    expect(tunnel).toEqual({
      kind: "proxy_error",
      message: 'proxy "corp": Proxy refused to open a tunnel: 407 Proxy Authentication Required',
    });
    const refused = explainEgressError({ kind: "connection_refused", message: "Unable to connect" }, {}, viaCorp);
    expect(refused).toEqual({ kind: "proxy_error", message: 'cannot reach proxy "corp": Unable to connect' });
    expect(JSON.stringify([tunnel, refused])).not.toContain("pw@");
  });

  it("says a receiver may have refused the client certificate when it ends the handshake", () => {
    expect(
      explainEgressError({ kind: "connection_reset", message: "closed" }, { code: "ECONNRESET" }, withCert),
    ).toEqual({
      kind: "tls_error",
      message: "the receiver ended the TLS handshake: it may not accept this endpoint's client certificate (closed)",
    });
    const none = explainEgressError({ kind: "tls_error", message: "EPROTO" }, { code: "EPROTO" }, DIRECT);
    expect(none.message).toContain("may require a client certificate");
  });

  it("leaves other failures as they are", () => {
    const timeout = { kind: "timeout" as const, message: "the receiver did not answer in time" };
    expect(explainEgressError(timeout, { name: "TimeoutError" }, viaCorp)).toBe(timeout);
    const reset = { kind: "connection_reset" as const, message: "closed" };
    expect(explainEgressError(reset, { code: "ECONNRESET" }, DIRECT)).toBe(reset);
  });
});
