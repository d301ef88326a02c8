// Builds the request of one attempt: the envelope (or its transform), custom and auth headers, and the
// signature computed over exactly the bytes that are sent, with the attempt's own timestamp.

import { type Endpoint, liveSecrets } from "../endpoints/endpoint.ts";
import { BODILESS_METHODS } from "../endpoints/spec.ts";
import type { Ed25519Signer } from "../signing/ed25519.ts";
import { type SigningConfig, signatureHeaders } from "../signing/schemes.ts";
import { envelopeOf, envelopeValueOf, type LoadedEvent } from "./envelope.ts";
import type { AttemptError } from "./retry-policy.ts";
import type { OutboundRequest } from "./sender.ts";

export interface RequestContext {
  now: number;
  userAgent: string;
  signer: Ed25519Signer;
  /** Outbound auth headers of an endpoint (OAuth2 tokens are fetched here); throws AuthError on failure. */
  authHeaders(endpoint: Endpoint): Promise<Record<string, string>> | Record<string, string>;
}

export class AuthError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "AuthError";
  }
}

/** `transformed`: the body is a transform's result rather than the event envelope (the attempt records it). */
export type BuiltRequest =
  | { ok: true; request: OutboundRequest; transformed: boolean }
  | { ok: false; error: AttemptError };

/** Whose request an attempt sends: its delivery id, and for an ad-hoc target signed like an endpoint, the URL. */
export interface RequestTarget {
  /** Required by `signing.id_value: delivery`. */
  deliveryId?: string;
  /** Send to this URL with POST instead of the endpoint's URL and method (publish `target.like_endpoint_id`). */
  url?: string;
}

const ED25519: SigningConfig = { scheme: "ed25519" };

/** The request for an ad-hoc `target_url` delivery: default envelope, Ed25519-signed (v1a). */
export function adHocRequest(
  event: LoadedEvent,
  url: string,
  ctx: Omit<RequestContext, "authHeaders">,
  timeoutMs: number,
  deliveryId?: string,
): OutboundRequest {
  const body = envelopeOf(event);
  const headers: Record<string, string> = { "content-type": "application/json", "user-agent": ctx.userAgent };
  Object.assign(
    headers,
    signatureHeaders(ED25519, {
      id: event.id,
      deliveryId,
      eventType: event.type,
      timestampMs: ctx.now,
      body,
      secrets: [],
      signer: ctx.signer,
    }),
  );
  return { url, method: "POST", headers, body, timeoutMs };
}

/**
 * The request for an endpoint (or for an ad-hoc target signed like it); a failing transform or token fetch is
 * reported as that attempt's error. GET, HEAD and OPTIONS carry no body.
 */
export async function endpointRequest(
  event: LoadedEvent,
  endpoint: Endpoint,
  ctx: RequestContext,
  target: RequestTarget = {},
): Promise<BuiltRequest> {
  const method = target.url === undefined ? endpoint.http_method : "POST";
  const bodiless = BODILESS_METHODS.has(method);
  let body = "";
  let contentType = "application/json";
  let transformed = false;
  if (!bodiless) {
    if (endpoint.compiled.transform) {
      const outcome = await endpoint.compiled.transform.apply(envelopeValueOf(event), undefined, envelopeOf(event));
      if (!outcome.ok) return { ok: false, error: { kind: "transform_error", message: outcome.error } };
      body = outcome.body;
      contentType = outcome.contentType;
      transformed = true;
    } else body = envelopeOf(event);
  }
  const headers: Record<string, string> = {};
  let hasContentType = false;
  let hasUserAgent = false;
  for (const [name, value] of Object.entries(endpoint.headers)) {
    headers[name] = value;
    const lower = name.toLowerCase();
    if (lower === "content-type") hasContentType = true;
    else if (lower === "user-agent") hasUserAgent = true;
  }
  if (endpoint.auth) {
    try {
      Object.assign(headers, await ctx.authHeaders(endpoint));
    } catch (e) {
      return { ok: false, error: { kind: "auth_error", message: (e as Error).message } };
    }
  }
  if (!bodiless && !hasContentType) headers["content-type"] = contentType;
  if (!hasUserAgent) headers["user-agent"] = ctx.userAgent;
  Object.assign(
    headers,
    signatureHeaders(endpoint.signing, {
      id: event.id,
      deliveryId: target.deliveryId,
      eventType: event.type,
      timestampMs: ctx.now,
      eventTimestampMs: event.created_at,
      body,
      secrets: liveSecrets(endpoint, ctx.now),
      signer: ctx.signer,
    }),
  );
  return {
    ok: true,
    request: {
      url: target.url ?? endpoint.url,
      method,
      headers,
      body: bodiless ? null : body,
      timeoutMs: endpoint.timeout_ms,
    },
    transformed,
  };
}

/** Static outbound credentials (basic, bearer, header); OAuth2 goes through the token cache. */
export function staticAuthHeaders(endpoint: Endpoint): Record<string, string> | null {
  const auth = endpoint.auth;
  if (!auth) return {};
  switch (auth.type) {
    case "basic":
      return { authorization: `Basic ${Buffer.from(`${auth.username}:${auth.password}`, "utf8").toString("base64")}` };
    case "bearer":
      return { authorization: `Bearer ${auth.token}` };
    case "header":
      return { [auth.name]: auth.value };
    default:
      return null;
  }
}
