// How an attempt leaves the gateway: directly or through the egress proxy its endpoint names (delivery.proxies;
// fetch tunnels HTTPS with CONNECT and forwards HTTP), presenting the endpoint's client certificate (mutual TLS).
// The SSRF guard still picks the address: the proxy is asked for the checked address, with the original Host and
// TLS server name. Proxy URLs may carry credentials: they go to fetch and nowhere else (messages use the name).
import { getCACertificates } from "node:tls";
import type { TlsSpec } from "../endpoints/spec.ts";
import { DEFAULT_PROXY } from "../endpoints/spec.ts";
import type { AttemptError } from "./retry-policy.ts";

/** delivery.proxies and delivery.default_proxy ("" when none). */
export interface EgressSettings {
  proxies: Readonly<Record<string, string>>;
  defaultProxy: string;
}

/** What fetch is given besides the request: the client certificate, key and trusted roots. */
export interface ClientTls {
  cert: string;
  key: string;
  /** The default roots plus the endpoint's `ca`; absent: the default roots. */
  ca?: string[];
}

/** The way out of one request. */
export interface Egress {
  proxy: { name: string; url: string } | null;
  tls: ClientTls | null;
}

export const DIRECT: Egress = { proxy: null, tls: null };

let defaultRoots: string[] | null = null;

/** `ca` adds roots: fetch's `ca` replaces the default ones, so they are passed along (read once). */
function withDefaultRoots(ca: string): string[] {
  defaultRoots ??= getCACertificates("default");
  return [...defaultRoots, ca];
}

export class EgressRoutes {
  /** Client TLS options per endpoint `tls` value (same object while the endpoint is unchanged). */
  private readonly tlsCache = new WeakMap<TlsSpec, ClientTls>();

  constructor(private readonly settings: EgressSettings) {}

  /**
   * The egress of an endpoint's requests (or of an ad-hoc target signed with the gateway key: `null`, which takes
   * the default proxy). An error when the endpoint names a proxy that is no longer declared (the config changed):
   * it is never sent directly instead.
   */
  of(endpoint: { proxy: string | null; tls: TlsSpec | null } | null): Egress | { error: AttemptError } {
    const choice = endpoint === null ? DEFAULT_PROXY : endpoint.proxy;
    const name = choice === DEFAULT_PROXY ? this.settings.defaultProxy || null : choice;
    let proxy: Egress["proxy"] = null;
    if (name !== null) {
      const url = Object.hasOwn(this.settings.proxies, name) ? this.settings.proxies[name] : undefined;
      if (url === undefined)
        return {
          error: {
            kind: "proxy_error",
            message: `the endpoint's proxy "${name}" is not declared in delivery.proxies; it is not sent directly instead`,
          },
        };
      proxy = { name, url };
    }
    const tls = endpoint?.tls ? this.clientTls(endpoint.tls) : null;
    return proxy === null && tls === null ? DIRECT : { proxy, tls };
  }

  private clientTls(spec: TlsSpec): ClientTls {
    let out = this.tlsCache.get(spec);
    if (!out) {
      out = { cert: spec.client_cert, key: spec.client_key, ...(spec.ca ? { ca: withDefaultRoots(spec.ca) } : {}) };
      this.tlsCache.set(spec, out);
    }
    return out;
  }
}

/** fetch options of an egress, with the TLS server name the SSRF guard chose (the original host). */
export function egressOptions(
  egress: Egress | undefined,
  serverName: { serverName: string } | undefined,
): { proxy?: string; tls?: Record<string, unknown> } {
  const tls = egress?.tls || serverName ? { ...serverName, ...egress?.tls } : undefined;
  return { ...(egress?.proxy ? { proxy: egress.proxy.url } : {}), ...(tls ? { tls } : {}) };
}

/**
 * A failed fetch explained with its egress in mind: a proxy that refused the tunnel or cannot be reached is a
 * `proxy_error` (named, never with its URL); a handshake a receiver refused says whether a client certificate was
 * presented (TLS 1.3 receivers that reject one close the connection right after the handshake).
 */
export function explainEgressError(error: AttemptError, raw: unknown, egress: Egress | undefined): AttemptError {
  const code = String((raw as { code?: unknown })?.code ?? "");
  const proxy = egress?.proxy;
  if (proxy && code === "ERR_PROXY_TUNNEL")
    return { kind: "proxy_error", message: `proxy "${proxy.name}": ${error.message}` };
  if (proxy && (error.kind === "connection_refused" || error.kind === "dns_error"))
    return { kind: "proxy_error", message: `cannot reach proxy "${proxy.name}": ${error.message}` };
  if (egress?.tls && (error.kind === "connection_reset" || code === "EPROTO"))
    return {
      kind: "tls_error",
      message: `the receiver ended the TLS handshake: it may not accept this endpoint's client certificate (${error.message})`,
    };
  if (code === "EPROTO")
    return {
      kind: "tls_error",
      message: `the TLS handshake failed: the receiver may require a client certificate (set the endpoint's tls) or not speak TLS on this port (${error.message})`,
    };
  return error;
}
