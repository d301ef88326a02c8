// POST /v1/events behind the API: validate, match endpoints, evaluate filters, write the event and its
// deliveries in one group-committed transaction, then hand the fresh deliveries to the engine.
import { type Config, urlProblem } from "../config/index.ts";
import type { Clock } from "../lib/clock.ts";
import { type FieldProblem, ForbiddenError, ValidationError } from "../lib/errors.ts";
import { newId } from "../lib/ids.ts";
import type { Logger } from "../lib/logger.ts";
import type { NewDelivery, Store } from "../store/index.ts";
import type { EventCatalog } from "./catalog.ts";
import type { Endpoint } from "./endpoint.ts";
import { type AttemptReport, type DeliveryEngine, LEASE_MS } from "./engine.ts";
import type { Job } from "./lanes.ts";
import type { EndpointRegistry } from "./registry.ts";
import type { LoadedEvent } from "./request.ts";

export interface PublishInput {
  type: string;
  data: unknown;
  tenant_id?: string;
  idempotency_key?: string;
  endpoint_ids?: string[];
  target_url?: string;
}

export interface PublishedDelivery {
  id: string;
  endpoint_id: string | null;
  status: string;
  http_status?: number | null;
  response_time_ms?: number | null;
  error?: string | null;
}

export interface PublishedEvent {
  id: string;
  type: string;
  tenant_id: string;
  created_at: string;
  deliveries: PublishedDelivery[];
}

export interface PublishResult {
  /** True when an earlier event with the same idempotency key answered (status 200). */
  replayed: boolean;
  data: PublishedEvent;
}

export class Ingest {
  constructor(
    private readonly d: {
      store: Store;
      registry: EndpointRegistry;
      catalog: EventCatalog;
      engine: DeliveryEngine;
      config: Config;
      clock: Clock;
      logger: Logger;
    },
  ) {}

  /** Publishes an event for `principal`'s tenant. Throws ValidationError/ForbiddenError/UnavailableError. */
  async publish(
    input: PublishInput,
    principal: { tenantId: string | null },
    options: { idempotencyHeader?: string; wait?: boolean } = {},
  ): Promise<PublishResult> {
    const { store, registry, catalog, engine, clock } = this.d;
    const tenant = principal.tenantId ?? input.tenant_id ?? "default";
    if (principal.tenantId !== null && input.tenant_id !== undefined && input.tenant_id !== principal.tenantId) {
      throw new ForbiddenError(`This API key may only publish events for tenant ${principal.tenantId}.`);
    }
    const key = this.idempotencyKey(input.idempotency_key, options.idempotencyHeader);
    if (key !== null) {
      const first = await store.eventByIdempotencyKey(tenant, key);
      if (first?.response) return { replayed: true, data: JSON.parse(first.response) };
    }
    const problems: FieldProblem[] = await catalog.check(input.type, input.data, tenant);
    if (input.target_url !== undefined) {
      const why = urlProblem(input.target_url, registry.rules);
      if (why) problems.push({ field: "target_url", message: why });
    }
    let endpoints = registry.match(tenant, input.type);
    if (input.endpoint_ids !== undefined) {
      const wanted = new Set(input.endpoint_ids);
      input.endpoint_ids.forEach((id, i) => {
        const e = registry.get(id);
        if (!e || e.tenant_id !== tenant)
          problems.push({ field: `endpoint_ids[${i}]`, message: `no endpoint ${id} in tenant ${tenant}` });
      });
      endpoints = endpoints.filter((e) => wanted.has(e.id));
    }
    if (problems.length > 0) throw ValidationError.of(problems);

    const now = clock.now();
    const id = newId("evt");
    const envelope = {
      id,
      type: input.type,
      timestamp: new Date(now).toISOString(),
      tenant_id: tenant,
      data: input.data,
    };
    const event: LoadedEvent = {
      id,
      tenant_id: tenant,
      type: input.type,
      payload: JSON.stringify(input.data),
      idempotency_key: key,
      created_at: now,
      envelopeValue: envelope,
    };
    const deliveries: NewDelivery[] = [];
    for (const endpoint of endpoints) {
      const verdict = endpoint.compiled.filter ? await endpoint.compiled.filter.test(envelope) : null;
      const skipped = verdict !== null && !verdict.matched && !verdict.error;
      const delivery = this.newDelivery(
        event,
        endpoint.id,
        null,
        skipped ? `filtered: ${verdict.reason ?? "the filter did not match"}` : null,
        now,
      );
      // A filter that could not decide (error, time or memory bound) fails the delivery: no attempt, no retry.
      if (verdict?.error)
        Object.assign(delivery, {
          status: "failed",
          next_attempt_at: null,
          last_error: `filter_error: ${verdict.reason}`,
        });
      deliveries.push(delivery);
    }
    if (input.target_url !== undefined) deliveries.push(this.newDelivery(event, null, input.target_url, null, now));

    const data: PublishedEvent = {
      id: event.id,
      type: event.type,
      tenant_id: tenant,
      created_at: envelope.timestamp,
      deliveries: deliveries.map((d) => ({
        id: d.id,
        endpoint_id: d.endpoint_id,
        status: d.status === "skipped" || d.status === "failed" ? d.status : "pending",
      })),
    };
    const outcome = await engine.submitEvent({
      event,
      idempotency_response: key === null ? null : JSON.stringify(data),
      deliveries,
    });
    if (!outcome.inserted) {
      if (outcome.response) return { replayed: true, data: JSON.parse(outcome.response) };
      throw new ValidationError("idempotency_key was already used for another event.", [
        { field: "idempotency_key", message: "already used" },
      ]);
    }
    engine.metrics.eventsIngested++;

    const toSend = deliveries.filter((d) => d.status !== "skipped" && d.status !== "failed");
    const waiting = options.wait
      ? engine.waitForAttempts(
          toSend.map((d) => d.id),
          this.waitBound(toSend),
        )
      : null;
    const jobs: Job[] = [];
    for (const d of toSend) {
      if (d.status === "delivering")
        jobs.push({
          deliveryId: d.id,
          event,
          endpointId: d.endpoint_id,
          targetUrl: d.target_url,
          attempts: 0,
          retryBase: 0,
          manual: false,
          trigger: "scheduled",
        });
    }
    if (jobs.length > 0) engine.enqueue(jobs);
    if (jobs.length < toSend.length) engine.wake(now);
    if (waiting) this.merge(data, await waiting);
    return { replayed: false, data };
  }

  /** Sends one `webhook.test` event to an endpoint now, recorded with trigger `test` and never retried. */
  async sendTest(endpoint: Endpoint): Promise<AttemptReport | null> {
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
      ...this.newDelivery(event, endpoint.id, null, null, now),
      status: "delivering" as const,
      lease_until: now + LEASE_MS,
      manual: true,
    };
    await this.d.store.writeBatch([{ event, idempotency_response: null, deliveries: [delivery] }], [], []);
    return this.d.engine.attemptNow(
      {
        deliveryId: delivery.id,
        event,
        endpointId: endpoint.id,
        targetUrl: null,
        attempts: 0,
        retryBase: 0,
        manual: true,
        trigger: "test",
      },
      endpoint.timeout_ms + 5000,
    );
  }

  private newDelivery(
    event: LoadedEvent,
    endpointId: string | null,
    targetUrl: string | null,
    skipReason: string | null,
    now: number,
  ): NewDelivery {
    return {
      id: newId("dlv"),
      event_id: event.id,
      endpoint_id: endpointId,
      tenant_id: event.tenant_id,
      target_url: targetUrl,
      status: skipReason ? "skipped" : "pending",
      next_attempt_at: skipReason ? null : now,
      lease_until: null,
      last_error: skipReason,
      manual: false,
      created_at: now,
    };
  }

  private idempotencyKey(field: string | undefined, header: string | undefined): string | null {
    if (field !== undefined && header !== undefined && field !== header) {
      throw ValidationError.of([
        { field: "idempotency_key", message: "differs from the Idempotency-Key header; send one or make them equal" },
      ]);
    }
    const key = field ?? header;
    if (key === undefined) return null;
    if (key.length === 0 || key.length > 255 || /[\0-\x1f\x7f]/.test(key))
      throw ValidationError.of([{ field: "idempotency_key", message: "must be 1–255 printable characters" }]);
    return key;
  }

  /** How long `?wait=true` waits: the slowest endpoint timeout plus queueing slack. */
  private waitBound(deliveries: NewDelivery[]): number {
    let timeout = this.d.config.delivery.timeout_ms;
    for (const d of deliveries)
      if (d.endpoint_id) timeout = Math.max(timeout, this.d.registry.get(d.endpoint_id)?.timeout_ms ?? 0);
    return timeout + 5000;
  }

  private merge(data: PublishedEvent, reports: Map<string, AttemptReport>): void {
    for (const d of data.deliveries) {
      if (d.status === "skipped" || d.status === "failed") continue;
      const r = reports.get(d.id);
      d.status = r?.status ?? "pending";
      d.http_status = r?.http_status ?? null;
      d.response_time_ms = r?.response_time_ms ?? null;
      d.error = r?.error ?? null;
    }
  }
}
