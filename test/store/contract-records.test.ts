// The store contract, part 1 (meta, API keys, event types, endpoints, events): the same tests run against every
// backend (SQLite and PostgreSQL), so both behave alike for everything above the store.
import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { newId } from "../../src/lib/ids.ts";
import type { Store } from "../../src/store/index.ts";
import { BACKENDS, endpointRecord, newEvent, type OpenedTestStore } from "../helpers/stores.ts";

for (const backend of BACKENDS) {
  describe.skipIf(!backend.available)(`store contract (${backend.name}): records`, () => {
    let opened: OpenedTestStore;
    let store: Store;
    beforeAll(async () => {
      opened = await backend.open();
      store = opened.store;
    });
    afterAll(() => opened.cleanup());

    describe("meta", () => {
      it("answers ping", async () => {
        expect(await store.ping()).toBe(true);
      });

      it("reads null for a missing key, then what was put, replaced by a later put", async () => {
        expect(await store.getMeta("m1")).toBeNull();
        await store.putMeta("m1", "a");
        await store.putMeta("m1", "b");
        expect(await store.getMeta("m1")).toBe("b");
      });

      it("keeps the first value of insertMetaIfAbsent", async () => {
        expect(await store.insertMetaIfAbsent("m2", "first")).toBe(true);
        expect(await store.insertMetaIfAbsent("m2", "second")).toBe(false);
        expect(await store.getMeta("m2")).toBe("first");
      });
    });

    describe("API keys", () => {
      const key = (name: string, at: number) => ({
        id: newId("key"),
        hash: `hash-${name}`,
        prefix: "hgk_abc",
        name,
        tenant_id: name === "tenant" ? "acme" : null,
        scopes: ["events:write" as const, "deliveries:read" as const],
        expires_at: name === "expiring" ? 2_000_000_000_000 : null,
        revoked_at: null,
        created_at: at,
      });

      it("finds a key by hash and by id, with its fields as written", async () => {
        const k = key("tenant", 5);
        await store.insertApiKey(k);
        expect(await store.apiKeyByHash(k.hash)).toEqual(k);
        expect(await store.apiKeyById(k.id)).toEqual(k);
        expect(await store.apiKeyByHash("nope")).toBeNull();
      });

      it("lists newest first in pages and revokes once", async () => {
        const a = key("expiring", 6);
        const b = key("b", 7);
        await store.insertApiKey(a);
        await store.insertApiKey(b);
        const first = await store.listApiKeys(null, 2);
        expect(first.map((k) => k.id)).toEqual([b.id, a.id]);
        const next = await store.listApiKeys(a.id, 10);
        expect(next.every((k) => k.id < a.id)).toBe(true);
        expect(await store.revokeApiKey(a.id, 99)).toBe(true);
        expect(await store.revokeApiKey(a.id, 100)).toBe(false);
        expect((await store.apiKeyById(a.id))?.revoked_at).toBe(99);
        expect(await store.revokeApiKey("key_missing", 1)).toBe(false);
      });
    });

    describe("event types", () => {
      const type = (name: string) => ({
        name,
        description: "d",
        schema: { type: "object", required: ["n"] },
        example: { n: 1 },
        source: "api" as const,
        created_at: 3,
      });

      it("inserts once, upserts, lists by name and deletes", async () => {
        expect(await store.insertEventType(type("z.type"))).toBe(true);
        expect(await store.insertEventType(type("z.type"))).toBe(false);
        await store.upsertEventType({ ...type("a.type"), schema: null, example: null, source: "config" });
        await store.upsertEventType({ ...type("z.type"), description: "changed" });
        const list = await store.listEventTypes();
        expect(list.map((t) => t.name)).toEqual(["a.type", "z.type"]);
        expect(list[0]).toEqual({ ...type("a.type"), schema: null, example: null, source: "config" });
        expect(list[1]?.description).toBe("changed");
        expect(await store.deleteEventType("a.type")).toBe(true);
        expect(await store.deleteEventType("a.type")).toBe(false);
      });
    });

    describe("endpoints", () => {
      it("reads back every field as written", async () => {
        const e = endpointRecord({
          tenant_id: "rt",
          enabled: false,
          disabled_reason: "manual",
          metadata: { team: "x" },
          headers: { "X-A": "b" },
          auth_enc: "v1.auth",
          filter: { all: [{ field: "data.n", op: "gte", value: 1 }] },
          transform: '{"a": 1}',
          rate_limit_per_second: 2.5,
          retry_schedule: ["1s", "2s"],
          failing_since: 1_700_000_000_123,
          proxy: null,
          tls_enc: "v1.tls",
          created_at: 1_700_000_000_000,
          updated_at: 1_700_000_000_001,
        });
        await store.insertEndpoint(e);
        expect(await store.endpointById(e.id)).toEqual(e);
        expect((await store.allEndpoints()).find((x) => x.id === e.id)).toEqual(e);
        expect(await store.endpointById("ep_missing")).toBeNull();
      });

      it("updates every column but id and created_at, and changes state and failing_since", async () => {
        const e = endpointRecord({ tenant_id: "ut" });
        await store.insertEndpoint(e);
        const changed = { url: "https://example.com/2", proxy: "egress", tls_enc: "v1.tls2", updated_at: 9_000 };
        await store.updateEndpoint({ ...e, ...changed, created_at: 5 });
        expect(await store.endpointById(e.id)).toEqual({ ...e, ...changed });
        await store.setEndpointState(e.id, false, "gone", 9_500);
        await store.setEndpointFailingSince(e.id, 9_400);
        const after = await store.endpointById(e.id);
        expect([after?.enabled, after?.disabled_reason, after?.updated_at, after?.failing_since]).toEqual([
          false,
          "gone",
          9_500,
          9_400,
        ]);
        await store.setEndpointFailingSince(e.id, null);
        expect((await store.endpointById(e.id))?.failing_since).toBeNull();
      });

      it("lists newest first by tenant and state, paging after (created_at, id)", async () => {
        const made = [1, 2, 2, 3].map((at) => endpointRecord({ tenant_id: "lt", created_at: at, enabled: at !== 3 }));
        for (const e of made) await store.insertEndpoint(e);
        const all = await store.listEndpoints({ tenant_id: "lt", limit: 10 });
        expect(all.map((e) => e.created_at)).toEqual([3, 2, 2, 1]);
        const enabled = await store.listEndpoints({ tenant_id: "lt", enabled: true, limit: 10 });
        expect(enabled.map((e) => e.created_at)).toEqual([2, 2, 1]);
        const page1 = await store.listEndpoints({ tenant_id: "lt", limit: 2 });
        const last = page1[1]!;
        const page2 = await store.listEndpoints({ tenant_id: "lt", after: last, limit: 10 });
        expect([...page1, ...page2].map((e) => e.id)).toEqual(all.map((e) => e.id));
      });

      it("deletes an endpoint with its deliveries and their attempts", async () => {
        const e = endpointRecord({ tenant_id: "dt" });
        await store.insertEndpoint(e);
        const ev = newEvent([e.id]);
        await store.writeBatch([ev], [], []);
        const dlv = ev.deliveries[0]!.id;
        expect(await store.deliveryById(dlv)).not.toBeNull();
        expect(await store.deleteEndpoint(e.id)).toBe(true);
        expect(await store.deleteEndpoint(e.id)).toBe(false);
        expect(await store.deliveryById(dlv)).toBeNull();
        expect(await store.eventById(ev.event.id)).not.toBeNull();
      });
    });

    describe("events", () => {
      it("stores an event with its deliveries in one batch and reads it back", async () => {
        const e = endpointRecord();
        await store.insertEndpoint(e);
        const ev = newEvent([e.id], { at: 1_700_000_000_000 });
        expect(await store.writeBatch([ev], [], [])).toEqual([{ inserted: true }]);
        expect(await store.eventById(ev.event.id)).toEqual(ev.event);
        expect(await store.eventsByIds([ev.event.id, "evt_missing"])).toEqual([ev.event]);
        expect(await store.eventsByIds([])).toEqual([]);
        const [d] = await store.deliveriesOfEvent(ev.event.id);
        expect(d).toMatchObject({
          id: ev.deliveries[0]!.id,
          status: "pending",
          event_type: "order.created",
          attempts: 0,
        });
      });

      it("keeps an event's payload byte for byte", async () => {
        const payloads = [
          '{"b":1,"a":[1,2.50,"é\\u00e9\\n"],"n":12345678901234567890}',
          '"text"',
          "[]",
          "null",
          '{"q":"\\"x\\""}',
        ];
        const evs = payloads.map((payload) => {
          const ev = newEvent([]);
          ev.event.payload = payload;
          return ev;
        });
        await store.writeBatch(evs, [], []);
        for (const ev of evs) expect((await store.eventById(ev.event.id))?.payload).toBe(ev.event.payload);
      });

      it("writes one event per tenant and idempotency key, answering repeats with the first receipt", async () => {
        const e = endpointRecord();
        await store.insertEndpoint(e);
        const first = newEvent([e.id], { key: "k-1", receipt: "R1" });
        const sameBatch = newEvent([e.id], { key: "k-1", receipt: "R2" });
        const otherTenant = newEvent([], { key: "k-1", receipt: "R3", tenant: "other" });
        expect(await store.writeBatch([first, sameBatch, otherTenant], [], [])).toEqual([
          { inserted: true },
          { inserted: false, response: "R1" },
          { inserted: true },
        ]);
        const later = newEvent([e.id], { key: "k-1", receipt: "R4" });
        expect(await store.writeBatch([later], [], [])).toEqual([{ inserted: false, response: "R1" }]);
        expect(await store.deliveriesOfEvent(later.event.id)).toEqual([]);
        const found = await store.eventByIdempotencyKey("default", "k-1");
        expect(found).toEqual({ event: first.event, response: "R1" });
        expect(await store.eventByIdempotencyKey("default", "k-2")).toBeNull();
      });

      it("lists events newest first by id, filtered by tenant, type, time and cursor", async () => {
        const evs = [10, 20, 30].map((at) => newEvent([], { at, tenant: "lst" }));
        await store.writeBatch(evs, [], []);
        const ids = evs.map((e) => e.event.id).reverse();
        expect((await store.listEvents({ tenant_id: "lst", limit: 10 })).map((e) => e.id)).toEqual(ids);
        expect((await store.listEvents({ tenant_id: "lst", since: 20, limit: 10 })).map((e) => e.id)).toEqual(
          ids.slice(0, 2),
        );
        expect((await store.listEvents({ tenant_id: "lst", until: 20, limit: 10 })).map((e) => e.id)).toEqual(
          ids.slice(2),
        );
        expect((await store.listEvents({ tenant_id: "lst", before: ids[0], limit: 1 })).map((e) => e.id)).toEqual([
          ids[1]!,
        ]);
        expect(await store.listEvents({ tenant_id: "lst", type: "other.type", limit: 10 })).toEqual([]);
      });
    });
  });
}
