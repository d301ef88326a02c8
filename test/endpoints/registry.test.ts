// The endpoint registry over a real temp store: the per-tenant type index that fan-out uses (exact names,
// prefix.* and * patterns; enabled endpoints of the tenant only), rebuilt on create, patch, delete,
// disable, reconcile and load.
import { afterEach, beforeEach, describe, expect, it } from "bun:test";
import { randomBytes } from "node:crypto";
import { loadConfig } from "../../src/config/index.ts";
import { EventCatalog } from "../../src/endpoints/catalog.ts";
import { EndpointRegistry } from "../../src/endpoints/registry.ts";
import { endpointRules } from "../../src/endpoints/rules.ts";
import type { DeclaredEndpoint } from "../../src/endpoints/spec.ts";
import { ManualClock } from "../../src/lib/clock.ts";
import { ManagedByConfigError, ValidationError } from "../../src/lib/errors.ts";
import { memoryLogger } from "../../src/lib/logger.ts";
import { openSqliteStore, type Store } from "../../src/store/index.ts";
import { testConfig } from "../helpers/config.ts";
import { type TempDir, tempDir } from "../helpers/temp.ts";

/** Config-declared endpoints, loaded from YAML the way the gateway does it. */
function declared(yaml: string): DeclaredEndpoint[] {
  return loadConfig(yaml, { file: "hookgate.yaml", env: { SINK_SECRET: "sink-secret-0123456789" } }).endpoints;
}

const SINK = [
  "endpoints:",
  "  - id: sink",
  "    url: https://sink.example.com/",
  "    events: ['run.*']",
  "    secret: ${SINK_SECRET}",
];

describe("endpoint registry", () => {
  let dir: TempDir;
  let store: Store;
  let clock: ManualClock;
  let catalog: EventCatalog;
  let registry: EndpointRegistry;
  const masterKey = randomBytes(32);
  const config = testConfig();

  const open = async () => {
    const r = new EndpointRegistry(
      store,
      masterKey,
      endpointRules(config, () => catalog.names()),
      clock,
      memoryLogger(),
    );
    await r.load();
    return r;
  };
  beforeEach(async () => {
    dir = tempDir();
    store = openSqliteStore({ path: dir.file("hookgate.db"), synchronous: "normal" });
    clock = new ManualClock();
    catalog = new EventCatalog(store, clock);
    await catalog.load();
    registry = await open();
  });
  afterEach(async () => {
    await store.close();
    dir.cleanup();
  });

  const create = async (body: Record<string, unknown>) =>
    (await registry.create({ url: "https://example.com/hooks", ...body })).endpoint.id;
  /** Ids of the endpoints `tenant` fans `type` out to, sorted. */
  const matched = (tenant: string, type: string, r = registry) =>
    r
      .match(tenant, type)
      .map((e) => e.id)
      .sort();

  describe("the type index", () => {
    let exact: string, prefix: string, all: string, invoice: string, disabled: string, otherTenant: string;
    beforeEach(async () => {
      exact = await create({ events: ["run.completed"] });
      prefix = await create({ events: ["run.*"] });
      all = await create({ events: ["*"] });
      invoice = await create({ events: ["invoice.paid", "invoice.voided"] });
      disabled = await create({ events: ["*"], enabled: false });
      otherTenant = await create({ events: ["*"], tenant_id: "globex" });
    });

    it("matches exact names, prefix.* and *", () => {
      expect(matched("default", "run.completed")).toEqual([exact, prefix, all].sort());
      expect(matched("default", "run.started")).toEqual([prefix, all].sort());
      expect(matched("default", "run.step.done")).toEqual([prefix, all].sort());
      expect(matched("default", "invoice.voided")).toEqual([invoice, all].sort());
    });

    it("does not let prefix.* match the bare prefix or a longer word", () => {
      expect(matched("default", "run")).toEqual([all]);
      expect(matched("default", "runs.completed")).toEqual([all]);
    });

    it("leaves out disabled endpoints", () => {
      expect(matched("default", "anything")).toEqual([all]);
      expect(matched("default", "anything")).not.toContain(disabled);
    });

    it("leaves out other tenants' endpoints", () => {
      expect(matched("default", "run.completed")).not.toContain(otherTenant);
      expect(matched("globex", "run.completed")).toEqual([otherTenant]);
      expect(matched("initech", "run.completed")).toEqual([]);
    });

    it("returns each endpoint once even when several of its patterns match", async () => {
      const many = await create({ events: ["run.completed", "run.*", "*"], tenant_id: "dup" });
      expect(registry.match("dup", "run.completed").map((e) => e.id)).toEqual([many]);
    });

    it("is rebuilt after a patch of events", async () => {
      await registry.update(exact, { events: ["invoice.paid"] });
      expect(matched("default", "run.completed")).toEqual([prefix, all].sort());
      expect(matched("default", "invoice.paid")).toEqual([exact, invoice, all].sort());
    });

    it("is rebuilt after a patch of enabled", async () => {
      await registry.update(prefix, { enabled: false });
      expect(matched("default", "run.started")).toEqual([all]);
      await registry.update(disabled, { enabled: true });
      expect(matched("default", "run.started")).toEqual([all, disabled].sort());
    });

    it("is rebuilt after a delete", async () => {
      await registry.remove(all);
      expect(matched("default", "run.completed")).toEqual([exact, prefix].sort());
      expect(registry.get(all)).toBeUndefined();
    });

    it("is rebuilt after the engine disables an endpoint", async () => {
      await registry.disable(exact, "gone");
      expect(matched("default", "run.completed")).toEqual([prefix, all].sort());
      expect(registry.get(exact)).toMatchObject({ enabled: false, disabled_reason: "gone" });
    });

    it("is rebuilt from the store by load()", async () => {
      await registry.update(invoice, { enabled: false });
      const reopened = await open();
      for (const type of ["run.completed", "run.started", "invoice.paid", "x"])
        expect(matched("default", type, reopened)).toEqual(matched("default", type));
      expect(matched("globex", "x", reopened)).toEqual([otherTenant]);
    });

    it("is not changed by a refused create or patch", async () => {
      await expect(registry.create({ url: "http://example.com/", events: ["run.completed"] })).rejects.toBeInstanceOf(
        ValidationError,
      );
      await expect(registry.update(exact, { events: [] })).rejects.toBeInstanceOf(ValidationError);
      expect(matched("default", "run.completed")).toEqual([exact, prefix, all].sort());
    });
  });

  describe("reconcile", () => {
    it("adds config endpoints to the index with source config and the file's secret", async () => {
      const api = await create({ events: ["run.completed"] });
      const result = await registry.reconcile(declared(SINK.join("\n")));
      expect(result).toEqual({ created: ["sink"], updated: [], removed: [] });
      expect(matched("default", "run.completed")).toEqual([api, "sink"].sort());
      expect(registry.get("sink")).toMatchObject({
        source: "config",
        secrets: [{ secret: "sink-secret-0123456789", expires_at: null }],
      });
    });

    it("updates changed entries and rebuilds the index", async () => {
      await registry.reconcile(declared(SINK.join("\n")));
      const changed = SINK.map((l) =>
        l.replace("['run.*']", "[invoice.paid]").replace("sink.example.com", "new-sink.example.com"),
      );
      expect(await registry.reconcile(declared(changed.join("\n")))).toEqual({
        created: [],
        updated: ["sink"],
        removed: [],
      });
      expect(matched("default", "run.completed")).toEqual([]);
      expect(matched("default", "invoice.paid")).toEqual(["sink"]);
      expect(registry.get("sink")!.url).toBe("https://new-sink.example.com/");
    });

    it("leaves unchanged entries (and their runtime state) alone", async () => {
      await registry.reconcile(declared(SINK.join("\n")));
      await registry.disable("sink", "failing");
      expect(await registry.reconcile(declared(SINK.join("\n")))).toEqual({ created: [], updated: [], removed: [] });
      expect(registry.get("sink")).toMatchObject({ enabled: false, disabled_reason: "failing" });
      expect(matched("default", "run.x")).toEqual([]);
    });

    it("keeps an engine disable across a restart (load, then reconcile the same file)", async () => {
      await registry.reconcile(declared(SINK.join("\n")));
      await registry.disable("sink", "gone");
      const restarted = await open();
      expect(await restarted.reconcile(declared(SINK.join("\n")))).toEqual({ created: [], updated: [], removed: [] });
      expect(restarted.get("sink")).toMatchObject({ enabled: false, disabled_reason: "gone" });
      expect(matched("default", "run.x", restarted)).toEqual([]);
    });

    it("gives a changed entry a fresh start, enabled as the file says", async () => {
      await registry.reconcile(declared(SINK.join("\n")));
      await registry.disable("sink", "failing");
      await registry.reconcile(
        declared(SINK.map((l) => l.replace("sink.example.com", "fixed.example.com")).join("\n")),
      );
      expect(registry.get("sink")).toMatchObject({
        enabled: true,
        disabled_reason: null,
        url: "https://fixed.example.com/",
      });
      expect(matched("default", "run.x")).toEqual(["sink"]);
    });

    it("removes entries no longer declared, keeping API endpoints", async () => {
      const api = await create({ events: ["*"] });
      await registry.reconcile(declared(SINK.join("\n")));
      expect(await registry.reconcile([])).toEqual({ created: [], updated: [], removed: ["sink"] });
      expect(matched("default", "run.completed")).toEqual([api]);
      expect(registry.get("sink")).toBeUndefined();
      expect(await store.endpointById("sink")).toBeNull();
    });

    it("declares disabled entries without putting them in the index", async () => {
      await registry.reconcile(declared([...SINK, "    enabled: false"].join("\n")));
      expect(registry.get("sink")).toMatchObject({ enabled: false, disabled_reason: "manual" });
      expect(matched("default", "run.completed")).toEqual([]);
    });

    it("keeps config endpoints read-only for the API operations", async () => {
      await registry.reconcile(declared(SINK.join("\n")));
      await expect(registry.update("sink", { description: "x" })).rejects.toBeInstanceOf(ManagedByConfigError);
      await expect(registry.remove("sink")).rejects.toBeInstanceOf(ManagedByConfigError);
      await expect(registry.rotateSecret("sink", undefined, 60)).rejects.toBeInstanceOf(ManagedByConfigError);
      expect(matched("default", "run.completed")).toEqual(["sink"]);
    });
  });
});
