// Builds the request of one attempt: the envelope (or its transform), custom and auth headers, and the
// signature computed over exactly the bytes that are sent, with the attempt's own timestamp.

import type { Ed25519Signer } from "../signing/ed25519.ts";
import { type SigningConfig, signatureHeaders } from "../signing/schemes.ts";
import type { EventRecord } from "../store/index.ts";
import { type Endpoint, liveSecrets } from "./endpoint.ts";
import type { AttemptError } from "./retry-policy.ts";
import type { OutboundRequest } from "./sender.ts";

/** The envelope that filters and transforms see, and that the default body serialises. */
export interface Envelope {
  id: string;
  type: string;
  timestamp: string;
  tenant_id: string;
  data: unknown;
}

/**
 * An event as the engine carries it. Both forms of the envelope are built at most once per event and shared
 * by all its deliveries: `envelope` (the default body) and `envelopeValue` (ingest sets it from the parsed
 * request, so fresh events are never parsed again).
 */
export interface LoadedEvent extends EventRecord {
  envelope?: string;
  envelopeValue?: Envelope;
}

/** The envelope as a value (filters, transforms); `data` is parsed from the stored payload only once. */
export function envelopeValueOf(event: LoadedEvent): Envelope {
  event.envelopeValue ??= {
    id: event.id,
    type: event.type,
    timestamp: new Date(event.created_at).toISOString(),
    tenant_id: event.tenant_id,
    data: JSON.parse(event.payload),
  };
  return event.envelopeValue;
}

/** The default body: compact JSON `{id, type, timestamp, tenant_id, data}`, with `data` spliced in as stored. */
export function envelopeOf(event: LoadedEvent): string {
  if (event.envelope === undefined) {
    const timestamp = event.envelopeValue?.timestamp ?? new Date(event.created_at).toISOString();
    event.envelope = `{"id":${JSON.stringify(event.id)},"type":${JSON.stringify(event.type)},"timestamp":"${timestamp}","tenant_id":${JSON.stringify(event.tenant_id)},"data":${event.payload}}`;
  }
  return event.envelope;
}

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

export type BuiltRequest = { ok: true; request: OutboundRequest } | { ok: false; error: AttemptError };

const ED25519: SigningConfig = { scheme: "ed25519" };

/** The request for an ad-hoc `target_url` delivery: default envelope, Ed25519-signed (v1a). */
export function adHocRequest(
  event: LoadedEvent,
  url: string,
  ctx: Omit<RequestContext, "authHeaders">,
  timeoutMs: number,
): OutboundRequest {
  const body = envelopeOf(event);
  const headers: Record<string, string> = { "content-type": "application/json", "user-agent": ctx.userAgent };
  Object.assign(
    headers,
    signatureHeaders(ED25519, {
      id: event.id,
      eventType: event.type,
      timestampMs: ctx.now,
      body,
      secrets: [],
      signer: ctx.signer,
    }),
  );
  return { url, method: "POST", headers, body, timeoutMs };
}

/** The request for an endpoint; a failing transform or token fetch is reported as that attempt's error. */
export async function endpointRequest(
  event: LoadedEvent,
  endpoint: Endpoint,
  ctx: RequestContext,
): Promise<BuiltRequest> {
  let body = "";
  let contentType = "application/json";
  if (endpoint.http_method !== "GET") {
    if (endpoint.compiled.transform) {
      const outcome = await endpoint.compiled.transform.apply(envelopeValueOf(event), undefined, envelopeOf(event));
      if (!outcome.ok) return { ok: false, error: { kind: "transform_error", message: outcome.error } };
      body = outcome.body;
      contentType = outcome.contentType;
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
  if (endpoint.http_method !== "GET" && !hasContentType) headers["content-type"] = contentType;
  if (!hasUserAgent) headers["user-agent"] = ctx.userAgent;
  const signing = endpoint.signing as SigningConfig;
  Object.assign(
    headers,
    signatureHeaders(signing, {
      id: event.id,
      eventType: event.type,
      timestampMs: ctx.now,
      body,
      secrets: liveSecrets(endpoint, ctx.now),
      signer: ctx.signer,
    }),
  );
  return {
    ok: true,
    request: {
      url: endpoint.url,
      method: endpoint.http_method,
      headers,
      body: endpoint.http_method === "GET" ? null : body,
      timeoutMs: endpoint.timeout_ms,
    },
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
