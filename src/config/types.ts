// The shape of a loaded, validated configuration.
import type { DeclaredEndpoint, DeclaredEventType } from "../endpoints/spec.ts";

export interface Settings {
  server: { host: string; port: number; max_body_bytes: number; public_url: string };
  storage: { path: string; synchronous: "normal" | "full"; url: string; pool_size: number };
  auth: { admin_keys: string[]; rate_limit_per_minute: number };
  security: {
    allow_http: boolean;
    allow_private_networks: boolean;
    allowed_cidrs: string[];
    master_key_file: string;
  };
  signing: { default_scheme: string; ed25519_key_file: string };
  delivery: {
    timeout_ms: number;
    retry_schedule: string[];
    jitter: number;
    concurrency: number;
    per_endpoint_concurrency: number;
    disable_after: string;
    /** Egress proxies by name (URLs may carry credentials: never log them). */
    proxies: Record<string, string>;
    /** A name in `proxies`, or "" (direct). */
    default_proxy: string;
    circuit_breaker: { failures: number; cooldown: string };
    lease_seconds: number;
  };
  retention: { days: number };
  metrics: { require_auth: boolean };
  console: { frame_ancestors: string[] };
  log: { level: "debug" | "info" | "warn" | "error" };
}

export interface Config extends Settings {
  event_types: DeclaredEventType[];
  endpoints: DeclaredEndpoint[];
  /** Started with --dev (http and private addresses allowed). */
  dev: boolean;
  /** The config file path, or null when running on built-in defaults. */
  file: string | null;
}
