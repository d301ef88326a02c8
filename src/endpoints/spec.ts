// What a user sets on an endpoint, and the limits of each field: the one source that the validator (rules.ts), the
// YAML loader and the API models (src/api/endpoint-models.ts) all read, so no limit is written twice.
import type { SigningConfig } from "../signing/schemes.ts";

export { SIGNING_SCHEMES, type SigningScheme } from "../lib/signature-headers.ts";
export type { SigningConfig } from "../signing/schemes.ts";

export const HTTP_METHODS = ["POST", "PUT", "PATCH", "GET", "DELETE", "HEAD", "OPTIONS"] as const;
export type HttpMethod = (typeof HTTP_METHODS)[number];
/** Methods whose requests carry no body (nothing is transformed; the signature covers the empty body). */
export const BODILESS_METHODS: ReadonlySet<string> = new Set(["GET", "HEAD", "OPTIONS"]);

export const AUTH_TYPES = ["basic", "bearer", "header", "oauth2_client_credentials"] as const;

export type AuthSpec =
  | { type: "basic"; username: string; password: string }
  | { type: "bearer"; token: string }
  | { type: "header"; name: string; value: string }
  | {
      type: "oauth2_client_credentials";
      token_url: string;
      client_id: string;
      client_secret: string;
      scope?: string;
      audience?: string;
      /** How the client authenticates to the token URL: form fields (default) or HTTP Basic (RFC 6749 §2.3.1). */
      client_auth?: "body" | "basic";
      /** More form parameters of the token request, e.g. resource. */
      extra_params?: Record<string, string>;
    };

/** A client certificate for mutual TLS: PEM text; `ca` adds trusted roots for this endpoint's receiver. */
export interface TlsSpec {
  client_cert: string;
  client_key: string;
  ca?: string;
}

/** `proxy` value that follows `delivery.default_proxy` (direct when none is set); not a usable proxy name. */
export const DEFAULT_PROXY = "default";

/** A filter as written by the user; compiled by src/routing/filter.ts. */
export type FilterSpec = Record<string, unknown>;

/** Everything about an endpoint that a user sets (the stored row adds id, secrets, state and timestamps). */
export interface EndpointSpec {
  tenant_id: string;
  url: string;
  /** null when cleared (`description: null`). */
  description: string | null;
  events: string[];
  enabled: boolean;
  metadata: Record<string, string>;
  signing: SigningConfig;
  http_method: HttpMethod;
  headers: Record<string, string>;
  auth: AuthSpec | null;
  filter: FilterSpec | null;
  transform: string | null;
  rate_limit_per_second: number | null;
  timeout_ms: number;
  retry_schedule: string[] | null;
  /** A declared egress proxy, DEFAULT_PROXY (follow delivery.default_proxy), or null (direct). */
  proxy: string | null;
  tls: TlsSpec | null;
}

/** An endpoint declared in the config file: its id comes from the file; `secret` null → generated and kept. */
export interface DeclaredEndpoint extends EndpointSpec {
  id: string;
  secret: string | null;
}

/** An event type declared in the config file. */
export interface DeclaredEventType {
  name: string;
  description: string;
  schema: object | null;
  example: unknown;
}

/** Event type names: dot-separated segments of letters, digits, - and _. */
export const TYPE_NAME = /^[a-zA-Z0-9_-]+(\.[a-zA-Z0-9_-]+)*$/;
/** Tenant ids: letters, digits, - and _, not starting with _ (that prefix is reserved: SYSTEM_TENANT). */
export const TENANT_ID = /^[a-zA-Z0-9-][a-zA-Z0-9_-]{0,63}$/;
export const TENANT_ID_RULE = "must be 1–64 letters, digits, - and _, not starting with _ (reserved)";
/** The reserved tenant of operational events (`hookgate.*`): only admin keys and the config file reach it. */
export const SYSTEM_TENANT = "_system";
/** Names of egress proxies (`delivery.proxies`). */
export const PROXY_NAME = /^[a-zA-Z0-9_-]{1,64}$/;
export const DECLARED_ENDPOINT_ID = /^[a-zA-Z0-9_-]{1,64}$/;

/** The limits of every endpoint field (docs/api.md "Endpoints"). */
export const LIMITS = {
  url: 2048,
  description: 255,
  events: 100,
  typeName: 128,
  metadataKeys: 50,
  metadataKey: 40,
  metadataValue: 500,
  secret: { min: 16, max: 256 },
  headers: 20,
  oauth2ExtraParams: 10,
  headerName: 128,
  headerValue: 4096,
  transform: 10_000,
  rateLimit: { max: 10_000 },
  timeoutMs: { min: 1000, max: 30_000 },
  retrySchedule: { entries: 20, minMs: 1000, maxMs: 7 * 86_400_000 },
  graceSeconds: { max: 604_800, default: 86_400 },
  /** PEM text of `tls.client_cert` (with its chain), `tls.client_key` and `tls.ca`, in characters. */
  tls: { clientCert: 32_768, clientKey: 16_384, ca: 131_072 },
} as const;

/** Fields a request may set on create (`id` is added for YAML declarations). */
export const ENDPOINT_FIELDS = [
  "tenant_id",
  "url",
  "description",
  "events",
  "enabled",
  "metadata",
  "secret",
  "signing",
  "http_method",
  "headers",
  "auth",
  "filter",
  "transform",
  "rate_limit_per_second",
  "timeout_ms",
  "retry_schedule",
  "proxy",
  "tls",
] as const;
