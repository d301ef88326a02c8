// The shape of a loaded, validated configuration.
import type { EndpointSpec } from "./endpoint-spec.ts";

export interface Settings {
  server: { host: string; port: number; max_body_bytes: number; public_url: string };
  storage: { path: string; synchronous: "normal" | "full" };
  auth: { admin_keys: string[]; rate_limit_per_minute: number };
  security: { allow_http: boolean; allow_private_networks: boolean; allowed_cidrs: string[] };
  signing: { default_scheme: string; ed25519_key_file: string };
  delivery: {
    timeout_ms: number;
    retry_schedule: string[];
    jitter: number;
    concurrency: number;
    per_endpoint_concurrency: number;
    disable_after: string;
  };
  retention: { days: number };
  metrics: { require_auth: boolean };
  console: { frame_ancestors: string[] };
  log: { level: "debug" | "info" | "warn" | "error" };
}

export interface EventTypeDecl {
  name: string;
  description: string;
  schema: object | null;
  example: unknown;
}

/** A YAML-declared endpoint: its id comes from the file; `secret` via ${ENV} (null → generated and kept). */
export interface ConfigEndpoint extends EndpointSpec {
  id: string;
  secret: string | null;
}

export interface Config extends Settings {
  event_types: EventTypeDecl[];
  endpoints: ConfigEndpoint[];
  /** Started with --dev (http and private addresses allowed). */
  dev: boolean;
  /** The config file path, or null when running on built-in defaults. */
  file: string | null;
}
