// OAuth2 client-credentials tokens for outbound auth: fetched once per endpoint, shared by concurrent
// deliveries (one token request, not one per delivery), cached until shortly before they expire. Token requests
// leave like the endpoint's deliveries: through its egress proxy, presenting its client certificate.
import { createHash } from "node:crypto";
import type { Endpoint } from "../endpoints/endpoint.ts";
import type { AuthSpec } from "../endpoints/spec.ts";
import type { Clock } from "../lib/clock.ts";
import { type Egress, type EgressRoutes, egressOptions } from "./egress.ts";
import { AuthError, staticAuthHeaders } from "./request.ts";
import { connectionFor, type Guard } from "./ssrf-guard.ts";

type OAuth2 = Extract<AuthSpec, { type: "oauth2_client_credentials" }>;

interface CachedToken {
  token: string;
  tokenType: string;
  expiresAt: number;
}

/** Tokens are renewed this long before they expire. */
const EARLY_MS = 30_000;
const DEFAULT_TTL_S = 300;

/** Digests of credentials, by the endpoint's auth object (made once per loaded endpoint, not per attempt). */
const digests = new WeakMap<OAuth2, string>();

/** A digest of the credentials, in the token cache's key so that a changed secret never reuses the old token. */
function credentialsDigest(auth: OAuth2): string {
  let digest = digests.get(auth);
  if (digest === undefined) {
    digest = createHash("sha256").update(JSON.stringify(auth)).digest("base64url");
    digests.set(auth, digest);
  }
  return digest;
}

export class OAuth2Tokens {
  private cache = new Map<string, CachedToken>();
  private inFlight = new Map<string, Promise<CachedToken>>();
  /** Token requests made (tests check that concurrent deliveries share one). */
  requests = 0;

  constructor(
    private readonly clock: Clock,
    private readonly userAgent: string,
    /** Token URLs go through the same SSRF guard as deliveries. */
    private readonly guard?: Guard,
    /** Proxies and client certificates of endpoints (none: direct). */
    private readonly egress?: EgressRoutes,
  ) {}

  /** Auth headers for any endpoint: static credentials, or a bearer token from its token URL. */
  readonly headersFor = async (endpoint: Endpoint): Promise<Record<string, string>> => {
    const fixed = staticAuthHeaders(endpoint);
    if (fixed) return fixed;
    const auth = endpoint.auth as OAuth2;
    const way = this.egress?.of(endpoint);
    if (way && "error" in way) throw new AuthError(`token request not sent: ${way.error.message}`);
    const token = await this.token(endpoint.id, auth, way);
    return { authorization: `${/^bearer$/i.test(token.tokenType) ? "Bearer" : token.tokenType} ${token.token}` };
  };

  private async token(endpointId: string, auth: OAuth2, egress: Egress | undefined): Promise<CachedToken> {
    const key = `${endpointId}:${credentialsDigest(auth)}`;
    const cached = this.cache.get(key);
    if (cached && cached.expiresAt - EARLY_MS > this.clock.now()) return cached;
    let pending = this.inFlight.get(key);
    if (!pending) {
      pending = this.fetchToken(auth, egress).finally(() => this.inFlight.delete(key));
      this.inFlight.set(key, pending);
    }
    const token = await pending;
    this.cache.set(key, token);
    return token;
  }

  private async fetchToken(auth: OAuth2, egress: Egress | undefined): Promise<CachedToken> {
    this.requests++;
    const form = new URLSearchParams({ grant_type: "client_credentials" });
    const headers: Record<string, string> = {
      "content-type": "application/x-www-form-urlencoded",
      accept: "application/json",
      "user-agent": this.userAgent,
    };
    if (auth.client_auth === "basic") {
      // RFC 6749 §2.3.1: id and secret are form-urlencoded before they are joined and base64-encoded.
      const pair = `${formEncode(auth.client_id)}:${formEncode(auth.client_secret)}`;
      headers.authorization = `Basic ${Buffer.from(pair, "utf8").toString("base64")}`;
    } else {
      form.set("client_id", auth.client_id);
      form.set("client_secret", auth.client_secret);
    }
    if (auth.scope) form.set("scope", auth.scope);
    if (auth.audience) form.set("audience", auth.audience);
    for (const [name, value] of Object.entries(auth.extra_params ?? {})) form.set(name, value);
    const connection = await connectionFor(auth.token_url, headers, this.guard);
    if (!connection.ok) throw new AuthError(`token URL refused: ${connection.error.message}`);
    let response: Response;
    try {
      response = await fetch(connection.url, {
        method: "POST",
        headers: connection.headers,
        body: form.toString(),
        redirect: "manual",
        signal: AbortSignal.timeout(10_000),
        ...egressOptions(egress, connection.tls),
      });
    } catch (e) {
      const via = egress?.proxy ? ` via proxy "${egress.proxy.name}"` : "";
      throw new AuthError(`token request to ${new URL(auth.token_url).host}${via} failed: ${(e as Error).message}`);
    }
    const text = await response.text().catch(() => "");
    if (!response.ok) throw new AuthError(`token endpoint answered HTTP ${response.status}`);
    let body: { access_token?: unknown; expires_in?: unknown; token_type?: unknown };
    try {
      body = JSON.parse(text);
    } catch {
      throw new AuthError("token endpoint did not answer JSON");
    }
    if (typeof body.access_token !== "string" || !/^[\x21-\x7e]{1,8192}$/.test(body.access_token))
      throw new AuthError("token endpoint answered without a usable access_token");
    const ttl = typeof body.expires_in === "number" && body.expires_in > 0 ? body.expires_in : DEFAULT_TTL_S;
    const tokenType =
      typeof body.token_type === "string" && /^[A-Za-z]+$/.test(body.token_type) ? body.token_type : "Bearer";
    return { token: body.access_token, tokenType, expiresAt: this.clock.now() + ttl * 1000 };
  }
}

/** application/x-www-form-urlencoded encoding of one value (spaces as +), as RFC 6749 asks for Basic credentials. */
function formEncode(value: string): string {
  return new URLSearchParams({ v: value }).toString().slice(2);
}
