// The console's only way to the server: the public /v1 API with `Authorization: Bearer <key>`.
import type { paths } from "../../../clients/typescript/src/schema.ts";
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

/** True when the key has `scope` (admin has every scope). */
export const can = (me: Me, scope: string): boolean => me.scopes.includes("admin") || me.scopes.includes(scope);

export interface Page<T> {
  data: T[];
  next_cursor: string | null;
  has_more: boolean;
}

/** The `data` of an answer of the /v1 API, typed by the OpenAPI document's generated types. */
type Data<P extends keyof paths, M extends keyof paths[P]> = paths[P][M] extends {
  responses: { 200: { content: { "application/json": { data: infer D } } } };
}
  ? D
  : never;
type Item<P extends keyof paths> = Data<P, "get" & keyof paths[P]> extends (infer I)[] ? I : never;

export type Me = Data<"/v1/me", "get">;
export type Endpoint = Data<"/v1/endpoints/{id}", "get">;
/** A delivery as lists show it; GET /v1/deliveries/{id} adds its attempts (`history`). */
export type Delivery = Item<"/v1/deliveries">;
export type DeliveryWithHistory = Data<"/v1/deliveries/{id}", "get">;
export type Attempt = DeliveryWithHistory["history"][number];
export type EventOut = Data<"/v1/events/{id}", "get">;
export type EventType = Data<"/v1/event-types/{name}", "get">;
export type Stats = Data<"/v1/stats", "get">;
export type ApiKey = Item<"/v1/api-keys">;
export type TestResult = Data<"/v1/endpoints/{id}/test", "post">;
/** A dry run of a delivery: whether the filter matched, and the request as it would be sent. */
export type Preview = Data<"/v1/endpoints/{id}/preview", "post">;
