// Publishing, in domain terms: validate an event against the catalog, plan one delivery per matching endpoint
// (planDelivery: filters), and hand the event to the engine, which commits and queues it. The API resolves the
// tenant and renders the receipt; see docs/architecture.md "The life of an event".
import type { EventCatalog } from "../endpoints/catalog.ts";
import type { Endpoint } from "../endpoints/endpoint.ts";
import { type DeliveryPlan, planDelivery } from "../endpoints/plan.ts";
import type { EndpointRegistry } from "../endpoints/registry.ts";
import { urlProblem } from "../endpoints/rules.ts";
import type { Clock } from "../lib/clock.ts";
import { type FieldProblem, ValidationError } from "../lib/errors.ts";
import { newId } from "../lib/ids.ts";
import type { DeliveryLogStore, EventStore } from "../store/index.ts";
import type { AttemptReport, DeliveryEngine, PlannedDelivery } from "./engine.ts";
import { envelopeOf, type LoadedEvent } from "./envelope.ts";
import { fingerprintOf, replayReceipt, seal } from "./idempotency.ts";

export interface PublishCommand {
  /** The tenant whose endpoints receive it (resolved by the API from the key and the request). */
  tenantId: string;
  type: string;
  data: unknown;
  idempotencyKey: string | null;
  /** Only these endpoints (they must exist in the tenant). */
  endpointIds?: readonly string[];
  /** Also deliver once to this URL, signed with the gateway Ed25519 key. */
  targetUrl?: string;
  /** Wait for the first attempt of each delivery (bounded by the endpoints' timeouts). */
  wait?: boolean;
}

export interface ReceiptDelivery {
  id: string;
  endpoint_id: string | null;
  status: string;
  http_status?: number | null;
  response_time_ms?: number | null;
  error?: string | null;
}

/** What a publish answers, and what is stored with its idempotency key to answer a repeat. */
export interface PublishReceipt {
  id: string;
  type: string;
  tenant_id: string;
  created_at: string;
  deliveries: ReceiptDelivery[];
}

export interface PublishResult {
  /** True when an earlier event with the same idempotency key answered. */
  replayed: boolean;
  receipt: PublishReceipt;
}

const WAIT_SLACK_MS = 5000;

/** What a plan decided at publish records on the delivery (a delivery to attempt records nothing). */
function settledBy(plan: DeliveryPlan): PlannedDelivery["settled"] {
  if (plan.kind === "skip") return { status: "skipped", kind: "filtered", reason: plan.reason };
  if (plan.kind === "fail") return { status: "failed", kind: "filter_error", reason: plan.reason };
  return null;
}

export class Ingest {
  constructor(
    private readonly d: {
      store: Pick<EventStore, "eventByIdempotencyKey"> & Pick<DeliveryLogStore, "deliveriesOfEvent">;
      registry: EndpointRegistry;
      catalog: EventCatalog;
      engine: DeliveryEngine;
      clock: Clock;
      /** Timeout of deliveries without an endpoint (ad-hoc targets). */
      defaultTimeoutMs: number;
    },
  ) {}

  /** Publishes an event. Throws ValidationError (naming the field) or UnavailableError (store refuses writes). */
  async publish(cmd: PublishCommand): Promise<PublishResult> {
    const { store, catalog, engine, clock } = this.d;
    // A repeat is checked before the catalog: the first publish was valid, and a repeat must not depend on what
    // the catalog says now.
    const tenant = cmd.tenantId;
    const key = cmd.idempotencyKey;
    if (key !== null) {
      if (key.length === 0 || key.length > 255 || /[\0-\x1f\x7f]/.test(key))
        throw ValidationError.of([{ field: "idempotency_key", message: "must be 1–255 printable characters" }]);
      const first = await store.eventByIdempotencyKey(tenant, key);
      if (first?.response) return this.replay(first.event.id, first.response, cmd);
    }
    const endpoints = this.recipients(cmd, await catalog.check(cmd.type, cmd.data, tenant));

    const now = clock.now();
    const id = newId("evt");
    const timestamp = new Date(now).toISOString();
    const event: LoadedEvent = {
      id,
      tenant_id: tenant,
      type: cmd.type,
      payload: JSON.stringify(cmd.data),
      idempotency_key: key,
      created_at: now,
      envelopeValue: { id, type: cmd.type, timestamp, tenant_id: tenant, data: cmd.data },
    };
    const deliveries: PlannedDelivery[] = [];
    for (const endpoint of endpoints) {
      // An expression filter runs in a worker; one that cannot run (pool overloaded) throws UnavailableError (503).
      const planned = planDelivery(
        endpoint,
        event.envelopeValue!,
        endpoint.compiled.filter ? envelopeOf(event) : undefined,
      );
      const plan = planned instanceof Promise ? await planned : planned;
      if (plan.kind === "unsubscribed") continue;
      deliveries.push({ id: newId("dlv"), endpoint_id: endpoint.id, target_url: null, settled: settledBy(plan) });
    }
    if (cmd.targetUrl !== undefined)
      deliveries.push({ id: newId("dlv"), endpoint_id: null, target_url: cmd.targetUrl, settled: null });

    const receipt: PublishReceipt = {
      id,
      type: cmd.type,
      tenant_id: tenant,
      created_at: timestamp,
      deliveries: deliveries.map((d) => ({
        id: d.id,
        endpoint_id: d.endpoint_id,
        status: d.settled ? d.settled.status : "pending",
      })),
    };
    const admitted = await engine.admit(
      { event, receipt: key === null ? null : seal(receipt, fingerprintOf(cmd)), deliveries },
      cmd.wait ? { waitMs: this.waitBound(endpoints) } : {},
    );
    if (!admitted.inserted) {
      // Another publish with this key committed first (a concurrent repeat).
      const first = await store.eventByIdempotencyKey(tenant, key!);
      if (first?.response) return this.replay(first.event.id, first.response, cmd);
      throw ValidationError.of([{ field: "idempotency_key", message: "already used" }]);
    }
    if (admitted.attempts) merge(receipt, await admitted.attempts);
    return { replayed: false, receipt };
  }

  /** The answer to a repeat of an idempotency key: the first receipt, with its deliveries' current status. */
  private async replay(eventId: string, stored: string, cmd: PublishCommand): Promise<PublishResult> {
    const fingerprint = fingerprintOf(cmd);
    return {
      replayed: true,
      receipt: replayReceipt(stored, fingerprint, await this.d.store.deliveriesOfEvent(eventId)),
    };
  }

  /** Sends one `webhook.test` event to an endpoint now, recorded with trigger `test` and never retried. */
  sendTest(endpoint: Endpoint): Promise<AttemptReport | null> {
    const now = this.d.clock.now();
    const event: LoadedEvent = {
      id: newId("evt"),
      tenant_id: endpoint.tenant_id,
      type: "webhook.test",
      payload: JSON.stringify({ message: "This is a test event from hookgate.", endpoint_id: endpoint.id }),
      idempotency_key: null,
      created_at: now,
    };
    const delivery = { id: newId("dlv"), endpoint_id: endpoint.id, target_url: null, settled: null };
    return this.d.engine.attemptNow(event, delivery, endpoint.timeout_ms + WAIT_SLACK_MS);
  }

  /** The endpoints an event goes to; throws with every problem of the command (`problems` come in from the catalog). */
  private recipients(cmd: PublishCommand, problems: FieldProblem[]): Endpoint[] {
    const { registry } = this.d;
    if (cmd.targetUrl !== undefined) {
      const why = urlProblem(cmd.targetUrl, registry.rules);
      if (why) problems.push({ field: "target_url", message: why });
    }
    let endpoints = registry.match(cmd.tenantId, cmd.type);
    if (cmd.endpointIds !== undefined) {
      const wanted = new Set(cmd.endpointIds);
      cmd.endpointIds.forEach((id, i) => {
        const e = registry.get(id);
        if (!e || e.tenant_id !== cmd.tenantId)
          problems.push({ field: `endpoint_ids[${i}]`, message: `no endpoint ${id} in tenant ${cmd.tenantId}` });
      });
      endpoints = endpoints.filter((e) => wanted.has(e.id));
    }
    if (problems.length > 0) throw ValidationError.of(problems);
    return endpoints;
  }

  /** How long `wait` waits: the slowest timeout among the recipients plus queueing slack. */
  private waitBound(endpoints: readonly Endpoint[]): number {
    let timeout = this.d.defaultTimeoutMs;
    for (const e of endpoints) timeout = Math.max(timeout, e.timeout_ms);
    return timeout + WAIT_SLACK_MS;
  }
}

/** Puts each sent delivery's first attempt report into the receipt. */
function merge(receipt: PublishReceipt, reports: Map<string, AttemptReport>): void {
  for (const d of receipt.deliveries) {
    if (d.status === "skipped" || d.status === "failed") continue;
    const r = reports.get(d.id);
    d.status = r?.status ?? "pending";
    d.http_status = r?.http_status ?? null;
    d.response_time_ms = r?.response_time_ms ?? null;
    d.error = r?.error ?? null;
  }
}
