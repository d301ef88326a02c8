// The console's only way to the server: the public /v1 API with `Authorization: Bearer <key>`.
import { getKey } from "./session.ts";

export interface FieldProblem {
  field: string;
  message: string;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: FieldProblem[] = [],
  ) {
    super(message);
  }
}

/** Called when the API answers 401 (key expired or revoked): the app signs out. */
let onUnauthorized: (error: ApiError) => void = () => {};
export const setUnauthorizedHandler = (f: (error: ApiError) => void) => {
  onUnauthorized = f;
};

/** A query string from the set values of `params` (undefined and "" are left out), with its leading `?`. */
export function qs(params: Record<string, string | number | boolean | undefined | null>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== "") q.set(k, String(v));
  const s = q.toString();
  return s ? `?${s}` : "";
}

/** Calls the API; resolves with the parsed JSON (undefined for 204), rejects with an ApiError. */
export async function api<T = unknown>(method: string, path: string, body?: unknown, key = getKey()): Promise<T> {
  const headers: Record<string, string> = { accept: "application/json" };
  if (key) headers.authorization = `Bearer ${key}`;
  if (body !== undefined) headers["content-type"] = "application/json";
  let res: Response;
  try {
    res = await fetch(path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: "omit",
      cache: "no-store",
    });
  } catch {
    throw new ApiError(0, "network_error", "hookgate did not answer; check that it is running.");
  }
  if (res.status === 204) return undefined as T;
  const json = (await res.json().catch(() => null)) as {
    error?: { code?: string; message?: string; details?: FieldProblem[] };
  } | null;
  if (!res.ok) {
    const e = json?.error;
    const error = new ApiError(res.status, e?.code ?? "error", e?.message ?? `HTTP ${res.status}`, e?.details ?? []);
    if (res.status === 401 && key === getKey()) onUnauthorized(error);
    throw error;
  }
  return json as T;
}

export interface Me {
  id: string;
  kind: "config" | "api_key" | "portal_session";
  name: string;
  tenant_id: string | null;
  scopes: string[];
  expires_at: string | null;
}

/** True when the key has `scope` (admin has every scope). */
export const can = (me: Me, scope: string): boolean => me.scopes.includes("admin") || me.scopes.includes(scope);

export interface Page<T> {
  data: T[];
  next_cursor: string | null;
  has_more: boolean;
}

export interface Endpoint {
  id: string;
  tenant_id: string;
  url: string;
  description: string;
  events: string[];
  enabled: boolean;
  disabled_reason: "manual" | "gone" | "failing" | null;
  metadata: Record<string, string>;
  secret: string | null;
  signing: Record<string, unknown>;
  http_method: string;
  headers: Record<string, string>;
  auth: Record<string, unknown> | null;
  filter: Record<string, unknown> | null;
  transform: string | null;
  rate_limit_per_second: number | null;
  timeout_ms: number;
  retry_schedule: string[] | null;
  source: "api" | "config";
  created_at: string;
  updated_at: string;
  /** Present once the circuit breaker lands (fair delivery). */
  circuit?: { state: "closed" | "open" | "half_open"; since: string | null };
  status?: string;
}

export interface Delivery {
  id: string;
  event_id: string;
  endpoint_id: string | null;
  target_url: string | null;
  event_type: string;
  status: "pending" | "delivering" | "delivered" | "failed" | "skipped";
  attempts: number;
  http_status: number | null;
  last_error: string | null;
  created_at: string;
  delivered_at: string | null;
  next_retry_at: string | null;
}

export interface Attempt {
  id: string;
  attempt: number;
  trigger: string;
  started_at: string;
  duration_ms: number;
  http_status: number | null;
  response_headers: Record<string, string> | null;
  response_body: string | null;
  response_body_encoding: "utf8" | "base64" | null;
  request_body?: string | null;
  error: string | null;
}

export interface EventOut {
  id: string;
  type: string;
  tenant_id: string;
  data: unknown;
  idempotency_key: string | null;
  created_at: string;
}

export interface EventType {
  name: string;
  description: string;
  schema: Record<string, unknown> | null;
  example: unknown;
  source: string;
}

export interface Counts {
  delivered: number;
  failed: number;
  retrying: number;
  skipped: number;
  p50_ms: number | null;
  p95_ms: number | null;
}

export interface Stats {
  since: string;
  until: string;
  bucket: string;
  buckets: (Counts & { start: string })[];
  totals: Counts & { success_rate: number | null };
}
