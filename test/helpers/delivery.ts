// Delivery-test harness: a gateway on a ManualClock that may reach 127.0.0.1, with no jitter and a short
// retry schedule, plus helpers to create endpoints, publish, move time and read deliveries.
import { ManualClock } from "../../src/lib/clock.ts";
import { buildTestApp, type TestApp } from "./app.ts";
import type { ConfigOverrides } from "./config.ts";
import { type JsonResponse, json } from "./http.ts";

/** The schedule of delivery tests unless a test sets its own: attempt 2 after 5 s, attempt 3 a minute later. */
export const TEST_SCHEDULE = ["5s", "1m"];

export interface DeliveryApp extends TestApp {
  clock: ManualClock;
}

/** Overrides that let endpoints point at local receivers and make retry times exact. */
export function deliveryConfig(overrides: ConfigOverrides = {}): ConfigOverrides {
  return {
    ...overrides,
    security: { allow_http: true, allow_private_networks: true, ...overrides.security },
    delivery: { jitter: 0, retry_schedule: TEST_SCHEDULE, ...overrides.delivery },
  };
}

/** A gateway over a temp database with a ManualClock (`app.handle`, no socket). Always call `cleanup()`. */
export async function startDeliveryApp(
  options: { config?: ConfigOverrides; clock?: ManualClock; ownDb?: boolean } = {},
): Promise<DeliveryApp> {
  const clock = options.clock ?? new ManualClock();
  const t = await buildTestApp({ config: deliveryConfig(options.config), clock, ownDb: options.ownDb });
  return { ...t, clock };
}

export interface CreatedEndpoint {
  id: string;
  /** The full signing secret (only shown on create). */
  secret: string;
  data: Record<string, any>;
}

/** Creates an endpoint (events default to `*`); throws unless the API answers 201. */
export async function createEndpoint(
  t: Pick<TestApp, "app" | "adminKey">,
  body: Record<string, unknown>,
  key = t.adminKey,
): Promise<CreatedEndpoint> {
  const res = await json(t.app, "POST", "/v1/endpoints", { key, body: { events: ["*"], ...body } });
  if (res.status !== 201) throw new Error(`creating an endpoint answered ${res.status}: ${res.text}`);
  return { id: res.body.data.id, secret: res.body.data.secret, data: res.body.data };
}

/** POST /v1/events (`query` such as `?wait=true`). */
export function publish(
  t: Pick<TestApp, "app" | "adminKey">,
  body: Record<string, unknown>,
  options: { key?: string; headers?: Record<string, string>; query?: string } = {},
): Promise<JsonResponse> {
  return json(t.app, "POST", `/v1/events${options.query ?? ""}`, {
    key: options.key ?? t.adminKey,
    body,
    headers: options.headers,
  });
}

/** Publishes and returns the 202 body's data; throws on any other status. */
export async function publishOk(
  t: Pick<TestApp, "app" | "adminKey">,
  body: Record<string, unknown>,
  options: { key?: string; headers?: Record<string, string>; query?: string } = {},
): Promise<Record<string, any>> {
  const res = await publish(t, body, options);
  if (res.status !== 202) throw new Error(`publishing answered ${res.status}: ${res.text}`);
  return res.body.data;
}

/** Waits until nothing is queued or in flight and every result is written (twice, across a macrotask). */
export async function settle(t: Pick<TestApp, "gateway">): Promise<void> {
  await t.gateway.engine.settle();
  await new Promise<void>((r) => setImmediate(r));
  await t.gateway.engine.settle();
}

/** Moves the clock, claims what became due and waits for those attempts and their results. */
export async function advance(t: Pick<DeliveryApp, "gateway" | "clock">, ms: number): Promise<void> {
  t.clock.advance(ms);
  await t.gateway.engine.poll();
  await settle(t);
}

/** GET /v1/deliveries/:id → the delivery with its `history`; throws unless 200. */
export async function getDelivery(
  t: Pick<TestApp, "app" | "adminKey">,
  id: string,
  key = t.adminKey,
): Promise<Record<string, any>> {
  const res = await json(t.app, "GET", `/v1/deliveries/${id}`, { key });
  if (res.status !== 200) throw new Error(`GET /v1/deliveries/${id} answered ${res.status}: ${res.text}`);
  return res.body.data;
}

/** GET /v1/endpoints/:id data; throws unless 200. */
export async function getEndpoint(t: Pick<TestApp, "app" | "adminKey">, id: string): Promise<Record<string, any>> {
  const res = await json(t.app, "GET", `/v1/endpoints/${id}`, { key: t.adminKey });
  if (res.status !== 200) throw new Error(`GET /v1/endpoints/${id} answered ${res.status}: ${res.text}`);
  return res.body.data;
}
