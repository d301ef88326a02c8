// Response models of /v1/endpoints and how an endpoint is rendered: the secret masked, outbound credentials and
// sensitive custom headers "****", the circuit as this process sees it.
import { t } from "elysia";
import type { Endpoint } from "../endpoints/endpoint.ts";
import { iso } from "../lib/clock.ts";
import { mask } from "../signing/secrets.ts";
import { redactAuth, redactHeaders, redactTls } from "./redact.ts";

const Json = t.Record(t.String(), t.Unknown());

const Circuit = t.Object(
  {
    state: t.Union([t.Literal("closed"), t.Literal("open"), t.Literal("half_open")]),
    since: t.String({ description: "When the circuit entered this state.", examples: ["2026-06-06T09:00:42.000Z"] }),
  },
  {
    description:
      "The endpoint's circuit breaker. After delivery.circuit_breaker.failures consecutive attempts that time out or cannot connect it opens: deliveries wait (pending, next_retry_at set) and one probe attempt per delivery.circuit_breaker.cooldown decides when it closes (half_open while probing). Kept in memory by each gateway process: a restart starts every circuit closed, and with several replicas each has its own.",
  },
);

/** An endpoint's circuit as the engine reports it. */
export interface CircuitView {
  state: "closed" | "open" | "half_open";
  since: number;
}

export const EndpointOut = t.Object(
  {
    id: t.String({ examples: ["ep_01jd3x2v7k8m9n0p1q2r3s4t5v"] }),
    tenant_id: t.String({ examples: ["default"] }),
    url: t.String({ examples: ["https://example.com/hooks"] }),
    description: t.Union([t.String(), t.Null()], { description: "null once cleared with `description: null`." }),
    events: t.Array(t.String()),
    enabled: t.Boolean(),
    status: t.Union([t.Literal("active"), t.Literal("draining")], {
      description:
        "`draining` after DELETE ?drain=true: no new deliveries; it is removed once its pending deliveries end.",
    }),
    disabled_reason: t.Union([t.Literal("manual"), t.Literal("gone"), t.Literal("failing"), t.Null()]),
    metadata: t.Record(t.String(), t.String()),
    secret: t.Union([t.String({ description: "Masked: first 8 characters and …", examples: ["whsec_Mf…"] }), t.Null()]),
    signing: Json,
    http_method: t.String({ examples: ["POST"] }),
    headers: t.Record(t.String(), t.String(), { description: 'Values of sensitive names read as "****".' }),
    auth: t.Union([Json, t.Null()], { description: 'Credentials read as "****".' }),
    filter: t.Union([Json, t.Null()]),
    transform: t.Union([t.String(), t.Null()]),
    rate_limit_per_second: t.Union([t.Number(), t.Null()]),
    timeout_ms: t.Integer({ examples: [10000] }),
    retry_schedule: t.Union([t.Array(t.String()), t.Null()]),
    proxy: t.Union([t.String(), t.Null()], {
      description:
        'The egress proxy: a name from delivery.proxies, "default" (follows delivery.default_proxy) or null (direct).',
      examples: ["default"],
    }),
    tls: t.Union(
      [
        t.Object({
          client_cert: t.String({ description: "The PEM client certificate (with its chain) as set." }),
          client_key: t.String({ description: 'Always "****": the key is never returned.', examples: ["****"] }),
          ca: t.Optional(t.String({ description: "The extra trusted roots as set." })),
        }),
        t.Null(),
      ],
      { description: 'Mutual TLS: the client certificate; the key reads "****".' },
    ),
    source: t.Union([t.Literal("api"), t.Literal("config")]),
    circuit: Circuit,
    created_at: t.String({ examples: ["2026-06-06T09:00:42.000Z"] }),
    updated_at: t.String({ examples: ["2026-06-06T09:00:42.000Z"] }),
  },
  { description: "An endpoint (subscription). The secret is masked; credentials are never returned." },
);

export const EndpointCreated = t.Object({
  data: t.Object({
    ...EndpointOut.properties,
    secret: t.String({
      description: "The full secret, shown only here and on rotate.",
      examples: ["whsec_<base64 of 32 random bytes>"],
    }),
  }),
});

export const RotateOut = t.Object({
  data: t.Object({
    secret: t.String({ examples: ["whsec_<base64 of 32 random bytes>"] }),
    previous_secret_expires_at: t.String({ examples: ["2026-06-07T09:00:42.000Z"] }),
  }),
});

/** The endpoint object (docs/api.md "Endpoints"): the secret masked, credentials and sensitive headers "****". */
export function renderEndpoint(e: Endpoint, circuit: CircuitView) {
  return {
    id: e.id,
    tenant_id: e.tenant_id,
    url: e.url,
    description: e.description,
    events: e.events,
    enabled: e.enabled,
    status: e.draining_since === null ? ("active" as const) : ("draining" as const),
    disabled_reason: e.disabled_reason,
    metadata: e.metadata,
    secret: e.secrets.length > 0 ? mask(e.secrets[0]!.secret) : null,
    signing: e.signing,
    http_method: e.http_method,
    headers: redactHeaders(e.headers),
    auth: redactAuth(e.auth),
    filter: e.filter,
    transform: e.transform,
    rate_limit_per_second: e.rate_limit_per_second,
    timeout_ms: e.timeout_ms,
    retry_schedule: e.retry_schedule,
    proxy: e.proxy,
    tls: redactTls(e.tls),
    source: e.source,
    circuit: { state: circuit.state, since: iso(circuit.since) },
    created_at: iso(e.created_at),
    updated_at: iso(e.updated_at),
  };
}
