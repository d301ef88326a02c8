// Request models of /v1/endpoints (TypeBox: validation, types and the OpenAPI document; limits from
// src/endpoints/spec.ts). Responses and rendering: endpoint-render.ts.
import { t } from "elysia";
import { OAUTH2_CLIENT_AUTH } from "../endpoints/auth-rules.ts";
import { AUTH_TYPES, DEFAULT_PROXY, HTTP_METHODS, LIMITS, SIGNING_SCHEMES } from "../endpoints/spec.ts";

/**
 * A string documented (OpenAPI `enum`) as one of `values`, but checked by the shared endpoint rules rather
 * than here: inside a nullable object a TypeBox union error would name only the parent (`auth`), where the
 * rules name the field itself (`auth.type`).
 */
const oneOf = (values: readonly string[], description: string) => t.String({ enum: [...values], description });

const Signing = t.Object(
  {
    scheme: oneOf(SIGNING_SCHEMES, `One of ${SIGNING_SCHEMES.join(", ")}.`),
    header_prefix: t.Optional(
      t.String({
        description: "standard-webhooks/ed25519: header prefix (default `webhook-`; `svix-` for Svix receivers).",
      }),
    ),
    asymmetric: t.Optional(
      t.Boolean({ description: "standard-webhooks: also sign with the gateway Ed25519 key (v1a)." }),
    ),
    signature_header: t.Optional(
      t.String({ description: "hmac-sha256/timestamped-hmac: signature header name (default X-Webhook-Signature)." }),
    ),
    prefix: t.Optional(t.String({ description: "hmac-sha256: signature value prefix (default `sha256=`)." })),
    id_header: t.Optional(t.String()),
    timestamp_header: t.Optional(t.String()),
    event_header: t.Optional(t.String()),
    timestamp_source: t.Optional(
      oneOf(
        ["attempt", "event"],
        "hmac-sha256: the time in the timestamp header: the attempt's (default) or the event's, stable across retries.",
      ),
    ),
    id_value: t.Optional(
      oneOf(
        ["event", "delivery"],
        "Every scheme: the id sent (and signed, where the scheme signs the id): the event id (default) or the delivery id, stable across that delivery's retries.",
      ),
    ),
  },
  {
    additionalProperties: false,
    description: "How requests are signed (docs/api.md, Delivery).",
    examples: [{ scheme: "standard-webhooks" }, { scheme: "timestamped-hmac", signature_header: "Stripe-Signature" }],
  },
);

const Auth = t.Object(
  {
    type: oneOf(AUTH_TYPES, `One of ${AUTH_TYPES.join(", ")}.`),
    username: t.Optional(t.String()),
    password: t.Optional(t.String()),
    token: t.Optional(t.String()),
    name: t.Optional(t.String()),
    value: t.Optional(t.String()),
    token_url: t.Optional(t.String()),
    client_id: t.Optional(t.String()),
    client_secret: t.Optional(t.String()),
    scope: t.Optional(t.String()),
    audience: t.Optional(t.String()),
    client_auth: t.Optional(
      oneOf(
        OAUTH2_CLIENT_AUTH,
        "oauth2_client_credentials: how the client authenticates to token_url: `body` (client_id and client_secret as form fields, default) or `basic` (HTTP Basic, RFC 6749 §2.3.1).",
      ),
    ),
    extra_params: t.Optional(
      t.Record(t.String(), t.String(), {
        description: `oauth2_client_credentials: more form parameters of the token request (≤ ${LIMITS.oauth2ExtraParams}), e.g. {"resource": "https://api.example"}.`,
      }),
    ),
  },
  {
    description:
      'Outbound credentials, never returned: reads show "****" for password, token, value and client_secret. basic {username, password}, bearer {token}, header {name, value}, oauth2_client_credentials {token_url, client_id, client_secret, scope?, audience?, client_auth?, extra_params?}.',
    examples: [{ type: "bearer", token: "<your receiver's token>" }],
  },
);

// client_cert and client_key are required, checked by the endpoint rules (which name `tls.client_key`; TypeBox
// would name only `tls`).
const Tls = t.Object(
  {
    client_cert: t.Optional(
      t.String({
        maxLength: LIMITS.tls.clientCert,
        description:
          "Required. PEM certificate presented to receivers that ask for one, optionally followed by its chain.",
      }),
    ),
    client_key: t.Optional(
      t.String({
        maxLength: LIMITS.tls.clientKey,
        description:
          'Required. Its unencrypted PEM private key (must match client_cert). Encrypted at rest under the master key; reads show "****".',
      }),
    ),
    ca: t.Optional(
      t.String({
        maxLength: LIMITS.tls.ca,
        description:
          "PEM certificates trusted as roots for this endpoint's receiver, in addition to the default ones (a private CA).",
      }),
    ),
  },
  {
    description:
      "Mutual TLS: the client certificate this endpoint's deliveries (and OAuth2 token requests) present when the receiver asks. Validated at save: the certificate and key must parse and match. A receiver that refuses it fails the attempt with `tls_error`. Replaced whole on PATCH; null removes it.",
    examples: [
      {
        client_cert: "-----BEGIN CERTIFICATE-----\n…\n-----END CERTIFICATE-----\n",
        client_key: "-----BEGIN PRIVATE KEY-----\n…\n-----END PRIVATE KEY-----\n",
      },
    ],
  },
);

const ProxyChoice = t.String({
  maxLength: 64,
  description: `The egress proxy of this endpoint's deliveries and OAuth2 token requests: a name declared in the config file's delivery.proxies (no other is accepted), "${DEFAULT_PROXY}" (the default: follow delivery.default_proxy, direct when none is set), or null to connect directly even when a default proxy is set. HTTPS deliveries tunnel with CONNECT, HTTP ones are forwarded; the target is still resolved and checked against the SSRF rules by the gateway, and the proxy is asked for the checked address.`,
  examples: ["egress-eu"],
});

const fields = {
  url: t.String({
    maxLength: LIMITS.url,
    description: "Absolute https URL (http and private addresses only when the config allows them).",
    examples: ["https://example.com/hooks"],
  }),
  description: t.String({ maxLength: LIMITS.description, examples: ["Billing sink"] }),
  events: t.Array(t.String(), {
    minItems: 1,
    maxItems: LIMITS.events,
    description: "Event types: exact names, `prefix.*` wildcards or `*`.",
    examples: [["run.completed", "run.*"]],
  }),
  enabled: t.Boolean({ description: "false pauses: no new deliveries are created; history and secret are kept." }),
  metadata: t.Record(t.String(), t.String(), {
    description:
      '≤ 50 keys (≤ 40 chars), string values ≤ 500 chars. On PATCH, omitted keys stay, a key set to "" is removed, null or {} clears all.',
    examples: [{ team: "billing" }],
  }),
  signing: Signing,
  http_method: t.Union(
    HTTP_METHODS.map((m) => t.Literal(m)),
    { description: "Default POST; GET, HEAD and OPTIONS send no body (the signature covers the empty body)." },
  ),
  headers: t.Record(t.String(), t.String(), {
    description:
      'Custom request headers (≤ 20); signature, content and auth headers cannot be overridden. Reads show "****" for the value of a name containing auth, token, secret, key, password, cookie or signature (any case).',
    examples: [{ "X-Team": "billing" }],
  }),
  auth: Auth,
  filter: t.Record(t.String(), t.Unknown(), {
    description:
      "A condition tree ({all|any|not|elem_match|field,op,value,type?}) or {expression: JSONata}. `type` (number, string, boolean, datetime) converts both sides before comparing; `elem_match: {field, all: [...]}` is true when one array element satisfies every condition (paths relative to the element). See docs/api.md, Filters.",
    examples: [
      { all: [{ field: "data.amount", op: "gte", value: 100 }] },
      {
        all: [
          { field: "data.amount", op: "gt", value: 100, type: "number" },
          { elem_match: { field: "data.items", all: [{ field: "sku", op: "equals", value: "A-1" }] } },
        ],
      },
    ],
  }),
  transform: t.String({
    maxLength: LIMITS.transform,
    description: "JSONata over the envelope; its result is the request body.",
    examples: ['{"text": "Run " & data.run_id & " finished"}'],
  }),
  rate_limit_per_second: t.Number({
    exclusiveMinimum: 0,
    maximum: LIMITS.rateLimit.max,
    description: "Token bucket; excess deliveries wait instead of failing.",
  }),
  timeout_ms: t.Integer({
    minimum: LIMITS.timeoutMs.min,
    maximum: LIMITS.timeoutMs.max,
    description: "Per-attempt timeout (default from config, 10000).",
  }),
  retry_schedule: t.Array(t.String(), {
    maxItems: LIMITS.retrySchedule.entries,
    description:
      "Waits after each failed attempt (5s, 5m, 2h, 1d); default from config. `[]`: a single attempt, no retries.",
    examples: [["5s", "1m", "10m"]],
  }),
};

const nullable = <T extends Parameters<typeof t.Optional>[0]>(schema: T) => t.Optional(t.Union([schema, t.Null()]));

/** How deliveries are made: the same optional fields on create and patch (null clears). */
const delivery = {
  auth: nullable(fields.auth),
  filter: nullable(fields.filter),
  transform: nullable(fields.transform),
  rate_limit_per_second: nullable(fields.rate_limit_per_second),
  timeout_ms: t.Optional(fields.timeout_ms),
  retry_schedule: nullable(fields.retry_schedule),
  proxy: nullable(ProxyChoice),
  tls: nullable(Tls),
};

export const EndpointIn = t.Object(
  {
    tenant_id: t.Optional(
      t.String({
        description:
          "Tenant (default `default`): letters, digits, - and _, not starting with _. Tenant-scoped keys may only use their own. Admin keys may also use the reserved tenant `_system`, whose endpoints receive hookgate's operational events (`hookgate.*` types only).",
        examples: ["acme"],
      }),
    ),
    url: fields.url,
    description: nullable(fields.description),
    events: fields.events,
    enabled: t.Optional(fields.enabled),
    metadata: t.Optional(fields.metadata),
    secret: t.Optional(
      t.String({
        minLength: LIMITS.secret.min,
        maxLength: LIMITS.secret.max,
        description: "Your own signing secret; otherwise `whsec_` + base64(32 random bytes) is generated.",
      }),
    ),
    signing: t.Optional(fields.signing),
    http_method: t.Optional(fields.http_method),
    headers: t.Optional(fields.headers),
    ...delivery,
  },
  {
    additionalProperties: false,
    examples: [
      {
        url: "https://example.com/hooks",
        events: ["run.completed"],
        description: "Billing sink",
        metadata: { team: "billing" },
      },
    ],
  },
);

export const EndpointPatch = t.Object(
  {
    url: t.Optional(fields.url),
    description: nullable(fields.description),
    events: t.Optional(fields.events),
    enabled: t.Optional(fields.enabled),
    metadata: nullable(fields.metadata),
    signing: nullable(fields.signing),
    http_method: t.Optional(fields.http_method),
    headers: nullable(fields.headers),
    ...delivery,
  },
  {
    additionalProperties: false,
    description:
      'Only given fields change; null clears optional ones (`proxy: null` means direct; `"default"` follows the default proxy again).',
    examples: [{ enabled: false }, { metadata: { team: "", owner: "ana" } }],
  },
);

export const RotateIn = t.Object(
  {
    secret: t.Optional(
      t.String({
        minLength: LIMITS.secret.min,
        maxLength: LIMITS.secret.max,
        description: "Your own new secret; otherwise one is generated.",
      }),
    ),
    grace_period_seconds: t.Optional(
      t.Integer({
        minimum: 0,
        maximum: LIMITS.graceSeconds.max,
        description: "How long the previous secret keeps signing too (default 86400).",
      }),
    ),
  },
  { additionalProperties: false },
);
