// hookgate's events about itself (operational webhooks): published like any event into the reserved tenant
// `_system` (admitted by the engine, so durable, and delivered to `_system` endpoints signed, filtered and
// transformed like any other). Never about a `_system` endpoint: an operator's own hook cannot feed back.
import type { Endpoint } from "../endpoints/endpoint.ts";
import { OPERATIONAL_TYPES, type OperationalType } from "../endpoints/operational-types.ts";
import { SYSTEM_TENANT } from "../endpoints/spec.ts";
import type { Logger } from "../lib/logger.ts";
import type { PublishCommand } from "./publish.ts";

/** What the engine reports (the endpoint guard, outcomes) and the registry's state changes are turned into events. */
export interface OperationalSink {
  endpointChanged(before: Endpoint, after: Endpoint): void;
  circuitOpened(endpointId: string, lastError: string | null): void;
  circuitClosed(endpointId: string): void;
  /** A delivery failed after its last scheduled retry. `endpoint` null: an ad-hoc target (`url` says where). */
  deliveryExhausted(d: {
    endpoint: Endpoint | null;
    url: string | null;
    deliveryId: string;
    event: { id: string; type: string; tenant_id: string };
    attempts: number;
    httpStatus: number | null;
    lastError: string | null;
  }): void;
}

type Publish = (cmd: PublishCommand) => Promise<unknown>;

export class OperationalEvents implements OperationalSink {
  private publish: Publish | null = null;
  private inFlight = new Set<Promise<void>>();
  private stopped = false;

  constructor(
    private readonly d: {
      logger: Logger;
      /** The endpoint of an id, as the registry holds it now. */
      endpoint(id: string): Endpoint | undefined;
    },
  ) {}

  /** Connects the publisher (ingest is built after the engine and registry that report here). */
  attach(publish: Publish): void {
    this.publish = publish;
  }

  /** Publishes nothing more (shutdown); resolves once what was started is admitted. */
  async stop(): Promise<void> {
    this.stopped = true;
    await this.flush();
  }

  /** Resolves once every event emitted so far is admitted (or failed and was logged). */
  async flush(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.all([...this.inFlight]);
  }

  endpointChanged(before: Endpoint, after: Endpoint): void {
    if (before.enabled === after.enabled) return;
    if (after.enabled) this.emit(OPERATIONAL_TYPES.endpointEnabled, after, { reason: "manual" });
    else this.emit(OPERATIONAL_TYPES.endpointDisabled, after, { reason: after.disabled_reason ?? "manual" });
  }

  circuitOpened(endpointId: string, lastError: string | null): void {
    const endpoint = this.d.endpoint(endpointId);
    if (endpoint)
      this.emit(OPERATIONAL_TYPES.circuitOpened, endpoint, { reason: "unreachable", last_error: lastError });
  }

  circuitClosed(endpointId: string): void {
    const endpoint = this.d.endpoint(endpointId);
    if (endpoint) this.emit(OPERATIONAL_TYPES.circuitClosed, endpoint, { reason: "answered" });
  }

  deliveryExhausted(d: Parameters<OperationalSink["deliveryExhausted"]>[0]): void {
    const subject = d.endpoint ?? { id: null, tenant_id: d.event.tenant_id, url: d.url ?? "" };
    this.emit(OPERATIONAL_TYPES.deliveryExhausted, subject, {
      reason: "exhausted",
      delivery_id: d.deliveryId,
      event_id: d.event.id,
      event_type: d.event.type,
      attempts: d.attempts,
      http_status: d.httpStatus,
      last_error: d.lastError,
    });
  }

  private emit(
    type: OperationalType,
    subject: { id: string | null; tenant_id: string; url: string },
    extra: Record<string, unknown>,
  ): void {
    if (subject.tenant_id === SYSTEM_TENANT || this.stopped || !this.publish) return;
    const data = { tenant_id: subject.tenant_id, endpoint_id: subject.id, url: subject.url, ...extra };
    const work = this.publish({ tenantId: SYSTEM_TENANT, type, data, idempotencyKey: null })
      .then(() => undefined)
      .catch((e) => this.d.logger.error("publishing an operational event failed", { type, error: e }))
      .finally(() => this.inFlight.delete(work));
    this.inFlight.add(work);
  }
}
