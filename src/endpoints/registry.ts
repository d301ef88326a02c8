// Endpoints in memory, kept in step with the store: the fan-out index (rebuilt on every change, API or YAML) and
// the create/update/delete/rotate operations the API and the config reconciler share.
import type { Clock } from "../lib/clock.ts";
import { ManagedByConfigError, NotFoundError, ValidationError } from "../lib/errors.ts";
import { newId } from "../lib/ids.ts";
import type { Logger } from "../lib/logger.ts";
import { buildTypeIndex, type TypeIndex } from "../routing/type-index.ts";
import { generateSecret } from "../signing/secrets.ts";
import type { EndpointListFilter, EndpointStore } from "../store/index.ts";
import {
  decodeEndpoint,
  type Endpoint,
  encodeEndpoint,
  fromDeclaration,
  refuseDraining,
  rotated,
  specOf,
  withCompiled,
} from "./endpoint.ts";
import { checkEndpoint, type EndpointRules } from "./rules.ts";
import type { DeclaredEndpoint } from "./spec.ts";

export class EndpointRegistry {
  private byId = new Map<string, Endpoint>();
  private indexes = new Map<string, TypeIndex<Endpoint>>();
  /** Told of every change to an endpoint that was there before (operational events: disabled, enabled). */
  onChange: ((before: Endpoint, after: Endpoint) => void) | null = null;

  constructor(
    private readonly store: EndpointStore,
    private readonly masterKey: Uint8Array,
    readonly rules: EndpointRules,
    private readonly clock: Clock,
    private readonly logger: Logger,
  ) {}

  /** Loads every endpoint; the previous set serves until the new one is complete (reloads happen while serving). */
  async load(): Promise<void> {
    const records = await this.store.allEndpoints();
    this.byId = new Map(records.map((record) => [record.id, decodeEndpoint(record, this.masterKey)]));
    this.rebuild();
  }

  /** Re-reads one endpoint from the store (another replica created, changed or deleted it). */
  async refresh(id: string): Promise<void> {
    const record = await this.store.endpointById(id);
    if (record) this.byId.set(id, decodeEndpoint(record, this.masterKey));
    else this.byId.delete(id);
    this.rebuild();
  }

  get(id: string): Endpoint | undefined {
    return this.byId.get(id);
  }

  /** How many endpoints exist. */
  get size(): number {
    return this.byId.size;
  }

  /** Enabled endpoints of `tenant` subscribed to `type` (exact or wildcard). */
  match(tenant: string, type: string): Endpoint[] {
    return this.indexes.get(tenant)?.match(type) ?? [];
  }

  /** A page of endpoints, newest first (the store orders; memory supplies the decoded objects). */
  async list(filter: EndpointListFilter): Promise<Endpoint[]> {
    const records = await this.store.listEndpoints(filter);
    return records.map((r) => this.byId.get(r.id) ?? decodeEndpoint(r, this.masterKey));
  }

  /** Validates and stores a new endpoint; returns it with the full secret (shown once). */
  async create(input: unknown): Promise<{ endpoint: Endpoint; secret: string }> {
    const checked = checkEndpoint(input, this.rules);
    if (checked.problems.length > 0) throw ValidationError.of(checked.problems);
    const now = this.clock.now();
    const secret = checked.secret ?? generateSecret();
    const endpoint = withCompiled({
      ...checked.spec,
      id: newId("ep"),
      disabled_reason: checked.spec.enabled === false ? "manual" : null,
      source: "api",
      failing_since: null,
      draining_since: null,
      created_at: now,
      updated_at: now,
      secrets: [{ secret, expires_at: null }],
    });
    await this.store.insertEndpoint(encodeEndpoint(endpoint, this.masterKey));
    this.put(endpoint);
    return { endpoint, secret };
  }

  /** Applies a partial update to an API-managed endpoint (not while it drains). */
  async update(id: string, patch: unknown): Promise<Endpoint> {
    const current = this.require(id);
    if (current.source === "config") throw new ManagedByConfigError(`Endpoint ${id}`);
    refuseDraining(current, "changed");
    const checked = checkEndpoint(patch, this.rules, specOf(current));
    if (checked.problems.length > 0) throw ValidationError.of(checked.problems);
    const enabled = (patch as { enabled?: unknown }).enabled;
    const next: Omit<Endpoint, "compiled"> = { ...current, ...checked.spec, updated_at: this.clock.now() };
    if (enabled === true) {
      next.disabled_reason = null;
      next.failing_since = null;
    } else if (enabled === false && current.enabled) next.disabled_reason = "manual";
    const endpoint = withCompiled(next);
    await this.store.updateEndpoint(encodeEndpoint(endpoint, this.masterKey));
    this.put(endpoint);
    return endpoint;
  }

  /** Deletes an API-managed endpoint with its deliveries and attempts (a draining one too, at once). */
  async remove(id: string): Promise<void> {
    const current = this.require(id);
    if (current.source === "config") throw new ManagedByConfigError(`Endpoint ${id}`);
    await this.store.deleteEndpoint(id);
    this.byId.delete(id);
    this.rebuild();
  }

  /**
   * Starts draining an API-managed endpoint (DELETE ?drain=true): from now on it gets no new deliveries, and once
   * nothing of it is pending (finishDrain) it is removed with its history. Returns the endpoint, or null when
   * nothing was pending and it is already removed.
   */
  async drain(id: string): Promise<Endpoint | null> {
    const current = this.require(id);
    if (current.source === "config") throw new ManagedByConfigError(`Endpoint ${id}`);
    if (current.draining_since === null) {
      const now = this.clock.now();
      await this.store.setEndpointDraining(id, now);
      // Re-read after the await, like disable(): a result may have changed its health meanwhile.
      const latest = this.byId.get(id);
      if (latest) this.put({ ...latest, draining_since: now });
      this.logger.info("endpoint draining", { endpoint_id: id });
    }
    return (await this.finishDrain(id)) ? null : this.require(id);
  }

  /** Removes a draining endpoint once none of its deliveries is pending or delivering; true when it was removed. */
  async finishDrain(id: string): Promise<boolean> {
    if (this.byId.get(id)?.draining_since == null) return false;
    if (!(await this.store.deleteDrainedEndpoint(id))) return false;
    this.byId.delete(id);
    this.rebuild();
    this.logger.info("drained endpoint removed", { endpoint_id: id });
    return true;
  }

  /** Ids of the endpoints that are draining (checked again on start). */
  draining(): string[] {
    return [...this.byId.values()].filter((e) => e.draining_since !== null).map((e) => e.id);
  }

  /**
   * The endpoints that would receive an event of `type` now (enabled, not draining, subscribed exactly or by a
   * wildcard), of one tenant or of all; newest first (created_at, then id), after `after` when given.
   */
  receivers(
    tenant: string | undefined,
    type: string,
    after: { created_at: number; id: string } | undefined,
    limit: number,
  ): Endpoint[] {
    const tenants = tenant === undefined ? [...this.indexes.keys()] : [tenant];
    const found = tenants.flatMap((t) => this.match(t, type));
    found.sort((a, b) => b.created_at - a.created_at || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0));
    const start = after
      ? found.findIndex(
          (e) => e.created_at < after.created_at || (e.created_at === after.created_at && e.id < after.id),
        )
      : 0;
    return start < 0 ? [] : found.slice(start, start + limit);
  }

  /**
   * Makes `secret` (or a generated one) current. The previous current secret keeps signing until
   * now + graceSeconds; expired ones are dropped (see `rotated`).
   */
  async rotateSecret(
    id: string,
    secret: string | undefined,
    graceSeconds: number,
  ): Promise<{ secret: string; previous_secret_expires_at: number }> {
    const current = this.require(id);
    if (current.source === "config") throw new ManagedByConfigError(`Endpoint ${id}`);
    const now = this.clock.now();
    const expiresAt = now + graceSeconds * 1000;
    const fresh = secret ?? generateSecret();
    const endpoint = withCompiled({ ...current, secrets: rotated(current, fresh, expiresAt, now), updated_at: now });
    await this.store.updateEndpoint(encodeEndpoint(endpoint, this.masterKey));
    this.put(endpoint);
    return { secret: fresh, previous_secret_expires_at: expiresAt };
  }

  /** Disables an endpoint for a reason (`gone`, `failing`); used by the delivery engine. */
  async disable(id: string, reason: "gone" | "failing" | "manual"): Promise<void> {
    if (!this.byId.get(id)?.enabled) return;
    const now = this.clock.now();
    await this.store.setEndpointState(id, false, reason, now);
    // Re-read after the await: a PATCH may have replaced the endpoint meanwhile.
    const current = this.byId.get(id);
    if (!current) return;
    this.put({ ...current, enabled: false, disabled_reason: reason, updated_at: now });
    this.logger.warn("endpoint disabled", { endpoint_id: id, reason });
  }

  /** Records the start (or end, with null) of a run of failures. */
  async setFailingSince(id: string, since: number | null): Promise<void> {
    const before = this.byId.get(id);
    if (!before || before.failing_since === since) return;
    await this.store.setEndpointFailingSince(id, since);
    const current = this.byId.get(id);
    if (current) this.byId.set(id, { ...current, failing_since: since });
  }

  /**
   * Makes the config-declared endpoints exactly those of the file: created, updated (secret replaced
   * when the file's secret changed) and removed by id. Returns what changed.
   */
  async reconcile(
    declared: readonly DeclaredEndpoint[],
  ): Promise<{ created: string[]; updated: string[]; removed: string[] }> {
    const result = { created: [] as string[], updated: [] as string[], removed: [] as string[] };
    const now = this.clock.now();
    const wanted = new Set(declared.map((d) => d.id));
    for (const d of declared) {
      const current = this.byId.get(d.id);
      const endpoint = fromDeclaration(d, current, now);
      if (!endpoint) continue;
      const id = d.id;
      if (current) {
        await this.store.updateEndpoint(encodeEndpoint(endpoint, this.masterKey));
        result.updated.push(id);
        this.onChange?.(current, endpoint);
      } else {
        await this.store.insertEndpoint(encodeEndpoint(endpoint, this.masterKey));
        result.created.push(id);
      }
      this.byId.set(id, endpoint);
    }
    for (const [id, e] of this.byId) {
      if (e.source === "config" && !wanted.has(id)) {
        await this.store.deleteEndpoint(id);
        this.byId.delete(id);
        result.removed.push(id);
      }
    }
    this.rebuild();
    return result;
  }

  private require(id: string): Endpoint {
    const e = this.byId.get(id);
    if (!e) throw new NotFoundError(`Endpoint ${id}`);
    return e;
  }

  private put(endpoint: Endpoint): void {
    const before = this.byId.get(endpoint.id);
    this.byId.set(endpoint.id, endpoint);
    this.rebuild();
    if (before) this.onChange?.(before, endpoint);
  }

  /** Rebuilds the per-tenant type indexes over enabled endpoints that are not draining. */
  private rebuild(): void {
    const byTenant = new Map<string, { patterns: readonly string[]; value: Endpoint }[]>();
    for (const e of this.byId.values()) {
      if (!e.enabled || e.draining_since !== null) continue;
      let list = byTenant.get(e.tenant_id);
      if (!list) {
        list = [];
        byTenant.set(e.tenant_id, list);
      }
      list.push({ patterns: e.events, value: e });
    }
    this.indexes = new Map([...byTenant].map(([tenant, items]) => [tenant, buildTypeIndex(items)]));
  }
}
