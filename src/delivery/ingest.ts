// Publishing, in domain terms: validate an event against the catalog, plan one delivery per matching endpoint
// (planDelivery: filters), and hand the event to the engine, which commits and queues it. The API resolves the
// tenant and renders the receipt; see docs/architecture.md "The life of an event".
import type { EventCatalog } from "../endpoints/catalog.ts";
import type { Endpoint } from "../endpoints/endpoint.ts";
import { type FilterPlan, filterPlan } from "../endpoints/plan.ts";
import type { EndpointRegistry } from "../endpoints/registry.ts";
import type { Clock } from "../lib/clock.ts";
import { type FieldProblem, ValidationError } from "../lib/errors.ts";
import { appendField } from "../lib/field-names.ts";
import { newId } from "../lib/ids.ts";
import type { DeliveryLogStore, EventStore } from "../store/index.ts";
import type { Admission, PlannedDelivery } from "./admission.ts";
import type { DeliveryEngine } from "./engine.ts";
import { envelopeOf, type LoadedEvent } from "./envelope.ts";
import { fingerprintOf, replayReceipt, seal } from "./idempotency.ts";
import type { PublishCommand, PublishReceipt, PublishResult } from "./publish.ts";
import { recipientsOf } from "./recipients.ts";
import type { AttemptReport } from "./waiters.ts";

export type { PublishCommand, PublishReceipt, PublishResult, ReceiptDelivery } from "./publish.ts";

/** A publish ready to commit (or answered already by an earlier event with its idempotency key). */
type Prepared =
  | { replayed: PublishResult }
  | { admission: Admission; receipt: PublishReceipt; waitMs: number; cmd: PublishCommand; replayed?: undefined };

const WAIT_SLACK_MS = 5000;
/** Events in one batch publish. */
export const MAX_BATCH = 500;

/** What a plan decided at publish records on the delivery (a delivery to attempt records nothing). */
function settledBy(plan: FilterPlan): PlannedDelivery["settled"] {
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
    const prepared = await this.prepare(cmd);
    if (prepared.replayed) return prepared.replayed;
    const [admitted] = await this.d.engine.admit([prepared.admission], cmd.wait ? { waitMs: prepared.waitMs } : {});
    // Not inserted: another publish with this key committed first (a concurrent repeat).
    if (!admitted.inserted) return this.repeatOf(cmd, admitted.receipt);
    if (admitted.attempts) merge(prepared.receipt, await admitted.attempts);
    return { replayed: false, receipt: prepared.receipt };
  }

  /**
   * Publishes 1–500 events all or nothing: every event is validated first (problems name `events[i].field`), then
   * all are committed in one transaction. Answers each event's result in order; idempotency works per event (a key
   * repeated inside the batch answers the first one's receipt; with a different request it is refused).
   */
  async publishBatch(cmds: readonly PublishCommand[]): Promise<PublishResult[]> {
    if (cmds.length === 0 || cmds.length > MAX_BATCH)
      throw ValidationError.of([{ field: "events", message: `must hold 1–${MAX_BATCH} events` }]);
    const problems: FieldProblem[] = [];
    const prepared: (Prepared | null)[] = [];
    const keys = new Map<string, { i: number; fingerprint: string }>();
    for (const [i, cmd] of cmds.entries()) {
      if (cmd.idempotencyKey !== null) {
        const seen = keys.get(cmd.idempotencyKey);
        const fingerprint = fingerprintOf(cmd);
        if (seen && seen.fingerprint !== fingerprint)
          problems.push({
            field: `events[${i}].idempotency_key`,
            message: `repeats the key of events[${seen.i}] with a different request`,
          });
        else if (!seen) keys.set(cmd.idempotencyKey, { i, fingerprint });
      }
      try {
        prepared.push(await this.prepare({ ...cmd, wait: false }));
      } catch (e) {
        if (!(e instanceof ValidationError)) throw e;
        for (const p of e.details) problems.push({ field: appendField(`events[${i}]`, p.field), message: p.message });
        prepared.push(null);
      }
    }
    if (problems.length > 0) throw ValidationError.of(problems);
    const fresh = prepared.flatMap((p) => (p && !p.replayed ? [p] : []));
    const admitted = await this.d.engine.admit(fresh.map((p) => p.admission));
    const results = new Map<Prepared, PublishResult>();
    for (const [i, p] of fresh.entries()) {
      const a = admitted[i]!;
      results.set(p, a.inserted ? { replayed: false, receipt: p.receipt } : await this.repeatOf(p.cmd, a.receipt, p));
    }
    return prepared.map((p) => (p!.replayed ? p!.replayed : results.get(p!)!));
  }

  /** Validates a publish and plans its deliveries; an earlier event with its idempotency key answers instead. */
  private async prepare(cmd: PublishCommand): Promise<Prepared> {
    const { store, catalog, clock } = this.d;
    const tenant = cmd.tenantId;
    const key = cmd.idempotencyKey;
    if (key !== null) {
      if (key.length === 0 || key.length > 255 || /[\0-\x1f\x7f]/.test(key))
        throw ValidationError.of([{ field: "idempotency_key", message: "must be 1–255 printable characters" }]);
      // A repeat is answered before the catalog is asked: the first publish was valid, and a repeat must not
      // depend on what the catalog says now. A different request with the key is refused (409).
      const first = await store.eventByIdempotencyKey(tenant, key);
      if (first?.response) return { replayed: await this.replay(first.response, cmd) };
    }
    // The data as JSON text, made once: validated, fingerprinted and stored as this text.
    const payload = JSON.stringify(cmd.data);
    const { endpoints, like } = recipientsOf(this.d.registry, cmd, await catalog.check(cmd.type, payload, tenant));

    const now = clock.now();
    const id = newId("evt");
    const timestamp = new Date(now).toISOString();
    const event: LoadedEvent = {
      id,
      tenant_id: tenant,
      type: cmd.type,
      payload,
      idempotency_key: key,
      created_at: now,
      envelopeValue: { id, type: cmd.type, timestamp, tenant_id: tenant, data: cmd.data },
    };
    const deliveries: PlannedDelivery[] = [];
    for (const endpoint of endpoints) {
      // An expression filter runs in a worker; one that cannot run (pool overloaded) throws UnavailableError (503).
      const json = endpoint.compiled.filter ? envelopeOf(event) : undefined;
      const planned = filterPlan(endpoint, event.envelopeValue!, json);
      const plan = planned instanceof Promise ? await planned : planned;
      const settled = settledBy(plan);
      deliveries.push({
        id: newId("dlv"),
        endpoint_id: endpoint.id,
        target_url: null,
        like_endpoint_id: null,
        settled,
      });
    }
    if (cmd.target !== undefined)
      deliveries.push({
        id: newId("dlv"),
        endpoint_id: null,
        target_url: cmd.target.url,
        like_endpoint_id: like?.id ?? null,
        settled: null,
      });

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
    return {
      admission: { event, receipt: key === null ? null : seal(receipt, fingerprintOf(cmd, payload)), deliveries },
      receipt,
      waitMs: this.waitBound(like ? [...endpoints, like] : endpoints),
      cmd,
    };
  }

  /** The answer to a repeat whose key another publish took first: its receipt (or what the store holds). */
  private async repeatOf(
    cmd: PublishCommand,
    stored: string | null,
    p?: Extract<Prepared, { admission: Admission }>,
  ): Promise<PublishResult> {
    if (stored) return this.replay(stored, cmd);
    if (p) return { replayed: true, receipt: await this.storedReceipt(p) };
    throw ValidationError.of([{ field: "idempotency_key", message: "already used" }]);
  }

  /** The first receipt of an idempotency key, with its deliveries' current status; 409 for a different request. */
  private async replay(stored: string, cmd: PublishCommand): Promise<PublishResult> {
    const fingerprint = fingerprintOf(cmd);
    const receipt = replayReceipt(stored, fingerprint, async (eventId) => this.d.store.deliveriesOfEvent(eventId));
    return { replayed: true, receipt: await receipt };
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
    const delivery = {
      id: newId("dlv"),
      endpoint_id: endpoint.id,
      target_url: null,
      like_endpoint_id: null,
      settled: null,
    };
    return this.d.engine.attemptNow(event, delivery, endpoint.timeout_ms + WAIT_SLACK_MS);
  }

  /**
   * The answer for an event whose idempotency key another publish took first although no receipt was stored with
   * it (hookgate always stores one; an imported store might not): that event, without its deliveries.
   */
  private async storedReceipt(p: Extract<Prepared, { admission: Admission }>): Promise<PublishReceipt> {
    const { tenant_id, idempotency_key } = p.admission.event;
    const first = await this.d.store.eventByIdempotencyKey(tenant_id, idempotency_key!);
    const e = first?.event ?? p.admission.event;
    return { id: e.id, type: e.type, tenant_id, created_at: new Date(e.created_at).toISOString(), deliveries: [] };
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
    d.response_body = r?.response_body ?? null;
    d.response_body_encoding = r?.response_body_encoding ?? null;
  }
}
