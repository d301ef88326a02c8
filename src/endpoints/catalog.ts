// The event-type catalog in memory: names for subscription checks, JSON Schemas for publish checks (validated in
// the sandbox workers, bounded in time). Operational types (`hookgate.*`, source `system`) are listed too but do not
// make the catalog non-empty: they belong to the reserved tenant `_system` only.
import type { Clock } from "../lib/clock.ts";
import {
  ConflictError,
  type FieldProblem,
  ManagedByConfigError,
  NotFoundError,
  ValidationError,
} from "../lib/errors.ts";
import { validateInSandbox } from "../routing/schema-check.ts";
import type { EventTypeRecord, EventTypeStore } from "../store/index.ts";
import {
  OPERATIONAL_EVENT_TYPES,
  OPERATIONAL_TYPE_NAMES,
  RESERVED_TYPE_PREFIX,
  RESERVED_TYPE_RULE,
} from "./operational-types.ts";
import { type DeclaredEventType, SYSTEM_TENANT } from "./spec.ts";

const SYSTEM_RECORDS: ReadonlyMap<string, EventTypeRecord> = new Map(
  OPERATIONAL_EVENT_TYPES.map((t) => [t.name, { ...t, source: "system" as const, created_at: 0 }]),
);

interface Entry {
  record: EventTypeRecord;
  /** The schema as JSON text (what the sandbox workers compile and cache), or null without a schema. */
  schema: string | null;
}

export class EventCatalog {
  private entries = new Map<string, Entry>();
  private nameSet: ReadonlySet<string> = new Set();

  constructor(
    private readonly store: EventTypeStore,
    private readonly clock: Clock,
  ) {}

  /** Loads every type; the previous catalog serves until the new one is complete (reloads happen while serving). */
  async load(): Promise<void> {
    const records = await this.store.listEventTypes();
    this.entries = new Map();
    for (const record of records) this.put(record);
    this.refreshNames();
  }

  /** Known type names, operational ones aside; empty means any well-formed type is accepted. */
  names(): ReadonlySet<string> {
    return this.nameSet;
  }

  /** Every type by name, operational ones (source `system`) included. */
  list(): EventTypeRecord[] {
    const all = [...[...this.entries.values()].map((e) => e.record), ...SYSTEM_RECORDS.values()];
    return all.sort((a, b) => a.name.localeCompare(b.name));
  }

  get(name: string): EventTypeRecord | null {
    return SYSTEM_RECORDS.get(name) ?? this.entries.get(name)?.record ?? null;
  }

  /**
   * Problems of an event's `data` against its type: unknown type (when the catalog is non-empty) or JSON Schema
   * errors, with fields like `data.amount` (`data` as JSON text). Empty when it may be published. Validation runs in a sandbox worker
   * within SCHEMA_TIMEOUT_MS (queued per `tenant`); throws UnavailableError when no worker can take it.
   */
  async check(type: string, data: string, tenant = ""): Promise<FieldProblem[]> {
    if (tenant === SYSTEM_TENANT)
      return OPERATIONAL_TYPE_NAMES.has(type) ? [] : [{ field: "type", message: "is not an operational event type" }];
    if (this.entries.size === 0) return [];
    const entry = this.entries.get(type);
    if (!entry) return [{ field: "type", message: `unknown event type "${type}"; see GET /v1/event-types` }];
    if (entry.schema === null) return [];
    return validateInSandbox(entry.schema, type, data, tenant);
  }

  async create(input: {
    name: string;
    description?: string;
    schema?: object | null;
    example?: unknown;
  }): Promise<EventTypeRecord> {
    if (input.name.startsWith(RESERVED_TYPE_PREFIX))
      throw ValidationError.of([{ field: "name", message: RESERVED_TYPE_RULE }]);
    const record: EventTypeRecord = {
      name: input.name,
      description: input.description ?? "",
      schema: input.schema ?? null,
      example: input.example ?? null,
      source: "api",
      created_at: this.clock.now(),
    };
    if (!(await this.store.insertEventType(record)))
      throw new ConflictError(`Event type ${input.name} already exists.`);
    this.put(record);
    this.refreshNames();
    return record;
  }

  async delete(name: string): Promise<void> {
    if (SYSTEM_RECORDS.has(name))
      throw new ConflictError(`Event type ${name} is built in (an operational event type).`);
    const entry = this.entries.get(name);
    if (!entry) throw new NotFoundError(`Event type ${name}`);
    if (entry.record.source === "config") throw new ManagedByConfigError(`Event type ${name}`);
    await this.store.deleteEventType(name);
    this.entries.delete(name);
    this.refreshNames();
  }

  /** Makes the config-declared types exactly those of the file (API types with other names stay). */
  async reconcile(decls: readonly DeclaredEventType[]): Promise<{ upserted: number; removed: number }> {
    const wanted = new Set(decls.map((d) => d.name));
    let upserted = 0;
    let removed = 0;
    for (const d of decls) {
      const current = this.entries.get(d.name)?.record;
      const record: EventTypeRecord = {
        name: d.name,
        description: d.description,
        schema: d.schema,
        example: d.example ?? null,
        source: "config",
        created_at: current?.created_at ?? this.clock.now(),
      };
      if (current && JSON.stringify({ ...current }) === JSON.stringify(record)) continue;
      await this.store.upsertEventType(record);
      this.put(record);
      upserted++;
    }
    for (const [name, entry] of this.entries) {
      if (entry.record.source === "config" && !wanted.has(name)) {
        await this.store.deleteEventType(name);
        this.entries.delete(name);
        removed++;
      }
    }
    this.refreshNames();
    return { upserted, removed };
  }

  private put(record: EventTypeRecord): void {
    this.entries.set(record.name, { record, schema: record.schema ? JSON.stringify(record.schema) : null });
  }

  private refreshNames(): void {
    this.nameSet = new Set(this.entries.keys());
  }
}
