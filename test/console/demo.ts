// A gateway with two tenants, real receivers on 127.0.0.1 and some traffic, for the browser tests and the
// README screenshots. Everything goes through the public API, as a user's product would do it.
import type { Clock } from "../../src/lib/clock.ts";
import { buildTestApp, type TestApp } from "../helpers/app.ts";
import { json } from "../helpers/http.ts";
import { type Receiver, startReceiver } from "../helpers/receiver.ts";

export interface Demo {
  t: TestApp;
  origin: string;
  /** Answers 200 `{"received": true}`. */
  ok: Receiver;
  /** Answers 503 until told otherwise. */
  flaky: Receiver;
  /** Endpoints by name: acme's billing (ok) and alerts (flaky), globex's crm (ok). */
  endpoints: { billing: string; alerts: string; crm: string };
  /** POST /v1/events with the admin key; returns the 202 body's data. */
  publish(body: Record<string, unknown>, wait?: boolean): Promise<any>;
  stop(): Promise<void>;
}

export const GLOBEX_URL_PATH = "/globex-crm-hooks";

export async function startDemo(options: { clock?: Clock } = {}): Promise<Demo> {
  const ok = startReceiver({
    default: { status: 200, body: '{"received": true}', headers: { "content-type": "application/json" } },
  });
  const flaky = startReceiver({ default: { status: 503, body: "maintenance", headers: { "retry-after": "1" } } });
  const t = await buildTestApp({
    listen: true,
    clock: options.clock,
    config: { security: { allow_http: true, allow_private_networks: true }, delivery: { jitter: 0 } },
  });
  const admin = async (method: string, path: string, body?: unknown) => {
    const res = await json(t.app, method, path, { key: t.adminKey, body });
    if (res.status >= 300) throw new Error(`${method} ${path} answered ${res.status}: ${res.text}`);
    return res.body?.data;
  };
  await admin("POST", "/v1/event-types", {
    name: "invoice.paid",
    description: "An invoice was paid.",
    schema: { type: "object", required: ["invoice_id", "amount"] },
    example: { invoice_id: "inv_1042", amount: 4900, currency: "EUR", customer: "cus_77" },
  });
  await admin("POST", "/v1/event-types", {
    name: "run.completed",
    description: "A run finished.",
    example: { run_id: "run_8812", status: "succeeded", duration_s: 42 },
  });
  const billing = await admin("POST", "/v1/endpoints", {
    tenant_id: "acme",
    url: `${ok.url}/billing`,
    events: ["invoice.*"],
    description: "Billing sink",
  });
  const alerts = await admin("POST", "/v1/endpoints", {
    tenant_id: "acme",
    url: `${flaky.url}/alerts`,
    events: ["run.completed"],
    description: "Run alerts",
    retry_schedule: ["1s"],
    transform: '{"text": "Run " & data.run_id & " " & data.status}',
  });
  const crm = await admin("POST", "/v1/endpoints", {
    tenant_id: "globex",
    url: `${ok.url}${GLOBEX_URL_PATH}`,
    events: ["*"],
    description: "Globex CRM",
  });
  const publish = (body: Record<string, unknown>, wait = false) =>
    admin("POST", `/v1/events${wait ? "?wait=true" : ""}`, body);
  return {
    t,
    origin: t.url!,
    ok,
    flaky,
    endpoints: { billing: billing.id, alerts: alerts.id, crm: crm.id },
    publish,
    async stop() {
      await t.cleanup();
      ok.stop();
      flaky.stop();
    },
  };
}
