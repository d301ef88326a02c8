// Every key of the config file, with its default and a one-line description (the README reference is checked against this).

import { retryScheduleProblem } from "../endpoints/field-rules.ts";
import { DEFAULT_PROXY, PROXY_NAME, SIGNING_SCHEMES } from "../endpoints/spec.ts";
import { parseDuration } from "../lib/duration.ts";
import { isValidCidr } from "../lib/net.ts";
import { proxyUrlProblem } from "./egress-settings.ts";
import { bool, dict, int, list, num, obj, str } from "./schema.ts";

const duration = (description: string, def: string) =>
  str({
    description,
    default: def,
    validate: (v) => (parseDuration(v) === null ? "must be a duration such as 30s, 5m, 2h, 5d" : null),
  });

/** server.public_url: empty, or an absolute http(s) URL without query or fragment. */
function publicUrlProblem(v: string): string | null {
  if (v === "") return null;
  let url: URL;
  try {
    url = new URL(v);
  } catch {
    return "must be an absolute http(s) URL such as https://hooks.example.com";
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") return "must be an http or https URL";
  if (url.search || url.hash || v.includes("#")) return "must not have a query or fragment";
  return null;
}

/** console.frame_ancestors: one CSP source, an origin (optionally *.host) or 'self'; nothing that could end the directive. */
function frameAncestorProblem(v: string): string | null {
  if (v === "'self'") return null;
  return /^https?:\/\/(\*\.)?[a-zA-Z0-9-]+(\.[a-zA-Z0-9-]+)*(:\d{1,5})?$/.test(v)
    ? null
    : `"${v}" is not an origin such as https://app.example.com (or https://*.example.com, or 'self')`;
}

export const settingsSpec = obj(
  {
    server: obj(
      {
        host: str({ description: "Address to listen on.", default: "0.0.0.0" }),
        port: int({ description: "TCP port to listen on (0 picks a free one).", default: 8080, min: 0, max: 65535 }),
        max_body_bytes: int({
          description: "Largest accepted request body; larger → 413.",
          default: 262_144,
          min: 1024,
          max: 16 * 1024 * 1024,
        }),
        public_url: str({
          description:
            "Base URL through which users reach hookgate (portal links are built on it); empty: http://<server.host>:<server.port>, with 127.0.0.1 for 0.0.0.0.",
          default: "",
          validate: publicUrlProblem,
        }),
      },
      { description: "HTTP listener." },
    ),
    storage: obj(
      {
        path: str({
          description: "SQLite database file (created with its directory).",
          default: "./data/hookgate.db",
          minLength: 1,
        }),
        synchronous: str({
          description:
            "SQLite synchronous mode: normal (fast, durable across process crashes) or full (also across power loss).",
          default: "normal",
          enum: ["normal", "full"],
        }),
        url: str({
          description:
            "PostgreSQL connection URL (postgres://user:pass@host:5432/db) for several replicas on one database; empty: SQLite at storage.path.",
          default: "",
          validate: (v) =>
            v === "" || /^postgres(ql)?:\/\/[^\s]+$/.test(v)
              ? null
              : "must be a postgres:// or postgresql:// URL (or empty for SQLite)",
        }),
        pool_size: int({
          description: "PostgreSQL connections per replica (plus one for LISTEN/NOTIFY).",
          default: 10,
          min: 2,
          max: 200,
        }),
      },
      { description: "The store: embedded SQLite (default) or PostgreSQL." },
    ),
    auth: obj(
      {
        admin_keys: list(
          str({
            description: "An admin API key (≥ 24 characters).",
            validate: (v) => (v.length > 0 && v.length < 24 ? "admin keys must be at least 24 characters" : null),
          }),
          {
            description:
              "API keys with the admin scope over all tenants. Empty entries (e.g. an unset ${VAR:-}) are ignored. When absent, HOOKGATE_ADMIN_KEY is used.",
            default: [],
          },
        ),
        rate_limit_per_minute: int({
          description:
            "Requests per minute per API key on the management API (publishing events is not limited); over it → 429.",
          default: 1200,
          min: 1,
          max: 1_000_000,
        }),
      },
      { description: "Management API authentication." },
    ),
    security: obj(
      {
        allow_http: bool({ description: "Accept http:// endpoint URLs.", default: false }),
        allow_private_networks: bool({
          description: "Accept and deliver to private, loopback, link-local, CGNAT and ULA addresses.",
          default: false,
        }),
        allowed_cidrs: list(
          str({
            description: "A CIDR range",
            validate: (v) => (isValidCidr(v) ? null : `"${v}" is not a CIDR such as 10.1.0.0/16`),
          }),
          {
            description: "Non-public ranges that are allowed anyway (cloud metadata stays blocked).",
            default: [],
          },
        ),
        master_key_file: str({
          description:
            "File holding the 32-byte master key (hex or base64, mode 0600) when HOOKGATE_MASTER_KEY is not set; never created. Empty: SQLite keeps master.key beside its database.",
          default: "",
        }),
      },
      { description: "Where webhooks may be sent." },
    ),
    signing: obj(
      {
        default_scheme: str({
          description: "Signature scheme of endpoints that do not choose one.",
          default: "standard-webhooks",
          enum: SIGNING_SCHEMES,
        }),
        ed25519_key_file: str({
          description: "Gateway Ed25519 signing key (PEM or whsk_…), created 0600 when absent.",
          default: "./data/ed25519.key",
          minLength: 1,
        }),
      },
      { description: "Request signing." },
    ),
    delivery: obj(
      {
        timeout_ms: int({
          description: "Default per-attempt timeout of an endpoint.",
          default: 10_000,
          min: 1000,
          max: 30_000,
        }),
        retry_schedule: list(str({ description: "A wait before the next attempt." }), {
          description: "Waits between attempts after the first (attempt 1 is immediate).",
          default: ["5s", "5m", "30m", "2h", "5h", "10h", "10h"],
          validate: retryScheduleProblem,
        }),
        jitter: num({
          description: "Random spread of each wait, as a fraction (0.2 = ±20%).",
          default: 0.2,
          min: 0,
          max: 1,
        }),
        concurrency: int({ description: "Attempts in flight at once, in total.", default: 256, min: 1, max: 10_000 }),
        per_endpoint_concurrency: int({
          description: "Attempts in flight at once to one endpoint.",
          default: 32,
          min: 1,
          max: 1000,
        }),
        disable_after: duration("An endpoint failing without a success for this long is disabled (failing).", "5d"),
        proxies: dict(str({ description: "An egress proxy URL.", validate: proxyUrlProblem }), {
          description:
            "Egress proxies by name: http(s)://[user:password@]host:port. HTTPS deliveries tunnel through with CONNECT, HTTP ones are forwarded; endpoints choose one with `proxy`. Credentials are never logged or returned.",
          default: {},
          names: PROXY_NAME,
          namesHint: `proxy names are 1–64 letters, digits, - and _ ("${DEFAULT_PROXY}" is reserved)`,
          maxKeys: 100,
        }),
        default_proxy: str({
          description:
            "The proxy (a name in delivery.proxies) of endpoints whose `proxy` is `default`; empty: they connect directly.",
          default: "",
        }),
        circuit_breaker: obj(
          {
            failures: int({
              description:
                "Consecutive attempts of an endpoint that time out or cannot connect before its circuit opens (its deliveries then wait instead of taking slots).",
              default: 10,
              min: 1,
              max: 1000,
            }),
            cooldown: str({
              description:
                "While an endpoint's circuit is open, one probe attempt per this interval decides when it closes.",
              default: "30s",
              validate: (v) => {
                const ms = parseDuration(v);
                return ms === null || ms < 1000 || ms > 3_600_000
                  ? "must be a duration from 1s to 1h, such as 30s"
                  : null;
              },
            }),
          },
          { description: "Circuit breaker for endpoints that stop answering." },
        ),
        lease_seconds: int({
          description:
            "How long a replica's claim on a delivery lasts without renewal; a replica that dies loses its claims to the others after this (PostgreSQL).",
          default: 30,
          min: 2,
          max: 3600,
        }),
      },
      { description: "Delivery engine." },
    ),
    retention: obj(
      {
        days: int({
          description: "Events, deliveries and attempts older than this are purged.",
          default: 30,
          min: 1,
          max: 3650,
        }),
      },
      { description: "History retention." },
    ),
    metrics: obj(
      { require_auth: bool({ description: "Require an admin API key for GET /metrics.", default: false }) },
      { description: "Prometheus metrics." },
    ),
    console: obj(
      {
        frame_ancestors: list(
          str({ description: "An origin such as https://app.example.com", validate: frameAncestorProblem }),
          {
            description:
              "Origins that may embed the tenant portal (/console/portal) in an iframe (CSP frame-ancestors); empty: none may. The operator console is never framed.",
            default: [],
          },
        ),
      },
      { description: "Web console and tenant portal." },
    ),
    log: obj(
      {
        level: str({
          description: "Least severe level written: debug, info, warn or error.",
          default: "info",
          enum: ["debug", "info", "warn", "error"],
        }),
      },
      { description: "Logging (JSON lines on stdout)." },
    ),
  },
  { description: "hookgate settings" },
);
