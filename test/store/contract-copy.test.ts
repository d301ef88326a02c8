// The store contract, the copy part (RecordStore): every kind of record is read back in pages exactly as written, on
// both backends, and copyRecords moves a whole store between any two of them into an empty one — leases cleared,
// the marker of an interrupted copy refused.
import { afterEach, describe, expect, it } from "bun:test";
import { newId } from "../../src/lib/ids.ts";
import {
  COPY_MARKER,
  copyRecords,
  interruptedCopy,
  openPostgresStore,
  RECORD_KINDS,
  type RecordKind,
  type Store,
  StoreCopyError,
  type StoreRecords,
} from "../../src/store/index.ts";
import { createTestDatabase, PG_AVAILABLE } from "../helpers/postgres.ts";
import { waitFor } from "../helpers/process.ts";
import { BACKENDS, endpointRecord, type OpenedTestStore } from "../helpers/stores.ts";

type Records = { [K in RecordKind]: StoreRecords[K][] };

/** One of everything a store holds, with the unusual values too (nulls, a cleared description, an ad-hoc target). */
function sampleRecords(): Records {
  const [a, b] = [
    endpointRecord({
      description: null,
      metadata: { team: "billing" },
      headers: { "X-Team": "b" },
      auth_enc: "v1.sealed-auth",
      filter: { all: [{ field: "data.n", op: "gte", value: 1 }] },
      transform: '{"n": data.n}',
      rate_limit_per_second: 2.5,
      retry_schedule: ["5s", "1m"],
      failing_since: 1_500,
      enabled: false,
      disabled_reason: "failing",
    }),
    endpointRecord({ source: "config", draining_since: 2_000, signing: { scheme: "hmac-sha256", header: "X-Sig" } }),
  ];
  const events = [0, 1, 2].map((i) => ({
    id: newId("evt"),
    tenant_id: "default",
    type: "order.created",
    payload: `{"n":${i},"s":"ünïcode \\u0000"}`,
    idempotency_key: i === 0 ? "key-0" : null,
    idempotency_response: i === 0 ? '{"data":{"id":"evt"}}' : null,
    created_at: 1_000 + i,
  }));
  const delivery = (event: number, over: Partial<StoreRecords["deliveries"]>): StoreRecords["deliveries"] => ({
    id: newId("dlv"),
    event_id: events[event]!.id,
    endpoint_id: a!.id,
    tenant_id: "default",
    target_url: null,
    like_endpoint_id: null,
    status: "delivered",
    attempts: 1,
    retry_base: 0,
    next_attempt_at: null,
    lease_until: null,
    http_status: 200,
    error_kind: null,
    last_error: null,
    manual: false,
    created_at: 1_000 + event,
    delivered_at: 1_100,
    ...over,
  });
  const deliveries = [
    delivery(0, {}),
    delivery(1, { status: "pending", attempts: 2, retry_base: 1, next_attempt_at: 9_000, http_status: 500 }),
    delivery(1, { endpoint_id: b!.id, status: "failed", error_kind: "timeout", last_error: "timeout: 10 s" }),
    delivery(2, { endpoint_id: null, target_url: "https://cb.example.com/x", like_endpoint_id: a!.id, manual: true }),
  ];
  const attempt = (d: number, n: number, over: Partial<StoreRecords["attempts"]> = {}) => ({
    id: newId("att"),
    delivery_id: deliveries[d]!.id,
    n,
    trigger: "scheduled" as const,
    started_at: 1_050 + n,
    duration_ms: 12,
    http_status: 200,
    response_headers: { "content-type": "text/plain" },
    response_body: "ok",
    body_encoding: "utf8" as const,
    request_body: null,
    error_kind: null,
    error: null,
    ...over,
  });
  return {
    meta: [
      { key: "master_key_check", value: "v1.check" },
      { key: "ed25519_key", value: "v1.sealed-key" },
    ],
    event_types: [
      {
        name: "order.created",
        description: "d",
        schema: { type: "object" },
        example: { n: 1 },
        source: "api",
        created_at: 5,
      },
      { name: "order.paid", description: "", schema: null, example: null, source: "config", created_at: 6 },
    ],
    endpoints: [a!, b!],
    api_keys: [
      {
        id: newId("key"),
        hash: "h1",
        prefix: "hg_abcde",
        name: "ci",
        tenant_id: "acme",
        scopes: ["events:write"],
        expires_at: 9_999_999_999_999,
        revoked_at: 7,
        created_at: 3,
      },
    ],
    events,
    deliveries,
    attempts: [
      attempt(0, 1),
      attempt(1, 1, { http_status: 500, response_headers: null, response_body: null, body_encoding: null }),
      attempt(1, 2, { http_status: null, error_kind: "timeout", error: "timeout: 10 s", request_body: '{"n":1}' }),
      attempt(3, 1, { trigger: "manual" }),
    ],
  };
}

/** Every record of a store, read in pages of `limit`, each kind sorted by key for comparison. */
async function readAll(store: Store, limit: number): Promise<Records> {
  const out = {} as Records;
  for (const kind of RECORD_KINDS) {
    const all: unknown[] = [];
    let after: string | null = null;
    do {
      const page: { records: unknown[]; next: string | null } = await store.readRecords(kind, after, limit);
      expect(page.records.length).toBeLessThanOrEqual(limit);
      all.push(...page.records);
      after = page.next;
    } while (after !== null);
    out[kind] = sorted(all as object[]) as never;
  }
  return out;
}

const keyOf = (r: object) =>
  (r as { id?: string; name?: string; key?: string }).id ?? (r as { name?: string }).name ?? (r as { key: string }).key;
const sorted = <T extends object>(records: T[]) => [...records].sort((x, y) => (keyOf(x) < keyOf(y) ? -1 : 1));

async function fill(store: Store, records: Records): Promise<void> {
  for (const kind of RECORD_KINDS) await store.writeRecords(kind, records[kind] as never);
}

const opened: OpenedTestStore[] = [];
afterEach(async () => {
  for (const o of opened.splice(0)) await o.cleanup();
});
const open = async (backend: (typeof BACKENDS)[number]) => {
  const o = await backend.open();
  opened.push(o);
  return o.store;
};

for (const backend of BACKENDS) {
  describe.skipIf(!backend.available)(`store contract (${backend.name}): every record, page by page`, () => {
    it("reads back every kind in pages exactly as written, and counts it", async () => {
      const store = await open(backend);
      const records = sampleRecords();
      await fill(store, records);
      for (const kind of RECORD_KINDS) expect(await store.countRecords(kind)).toBe(records[kind].length);
      const read = await readAll(store, 2);
      for (const kind of RECORD_KINDS)
        expect({ kind, records: read[kind] }).toEqual({ kind, records: sorted(records[kind] as object[]) as never });
    });

    it("answers the ordinary queries over written records (idempotency receipt, revoked key, attempts)", async () => {
      const store = await open(backend);
      const records = sampleRecords();
      await fill(store, records);
      const first = records.events[0]!;
      expect((await store.eventByIdempotencyKey("default", "key-0"))?.response).toBe(first.idempotency_response);
      expect((await store.apiKeyById(records.api_keys[0]!.id))?.revoked_at).toBe(7);
      expect((await store.attemptsOf(records.deliveries[1]!.id)).map((a) => a.n)).toEqual([1, 2]);
      expect((await store.deliveryById(records.deliveries[3]!.id))?.like_endpoint_id).toBe(records.endpoints[0]!.id);
    });

    it("ends a page at `limit` with a cursor, and the last page with null", async () => {
      const store = await open(backend);
      await fill(store, sampleRecords());
      const page = await store.readRecords("deliveries", null, 3);
      expect(page.records).toHaveLength(3);
      const rest = await store.readRecords("deliveries", page.next, 3);
      expect(rest.records).toHaveLength(1);
      expect(rest.next).toBeNull();
    });
  });

  for (const into of BACKENDS) {
    describe.skipIf(!backend.available || !into.available)(`copyRecords ${backend.name} → ${into.name}`, () => {
      it("copies everything into an empty store; what was being delivered is pending again, due at once", async () => {
        const [source, target] = [await open(backend), await open(into)];
        const records = sampleRecords();
        const leased = { ...records.deliveries[1]!, status: "delivering" as const, lease_until: 99_000 };
        records.deliveries[1] = leased;
        await fill(source, records);
        const copied = await copyRecords(source, target, { from: "test", now: 5_000, pageSize: 2 });
        for (const kind of RECORD_KINDS) expect(copied[kind]).toBe(records[kind].length);
        const read = await readAll(target, 100);
        const expected = {
          ...records,
          deliveries: records.deliveries.map((d) =>
            d === leased ? { ...d, status: "pending", lease_until: null, next_attempt_at: 5_000 } : d,
          ),
        };
        for (const kind of RECORD_KINDS)
          expect({ kind, records: read[kind] }).toEqual({ kind, records: sorted(expected[kind] as object[]) as never });
        expect(await target.getMeta(COPY_MARKER)).toBeNull();
        expect((await target.claimDue(5_000, 10, 6_000)).map((d) => d.id)).toEqual([leased.id]);
      });

      it("refuses a target that is not empty, writing nothing into it", async () => {
        const [source, target] = [await open(backend), await open(into)];
        await fill(source, sampleRecords());
        await target.putMeta("master_key_check", "v1.other");
        const copy = copyRecords(source, target, { from: "test", now: 1 });
        await expect(copy).rejects.toBeInstanceOf(StoreCopyError);
        await expect(copy).rejects.toThrow("the target is not empty (it holds 1 meta entry)");
        expect(await target.countRecords("events")).toBe(0);
        expect(await target.getMeta(COPY_MARKER)).toBeNull();
      });

      it("leaves an interrupted copy marked: a second copy into it is refused, and so is copying from it", async () => {
        const [source, target] = [await open(backend), await open(into)];
        await fill(source, sampleRecords());
        // The copy dies while writing events (as a killed process or a lost connection would leave it).
        const failing: Store = {
          ...target,
          async writeRecords(kind, records) {
            if (kind === "events") throw new Error("connection lost");
            return target.writeRecords(kind, records);
          },
        };
        await expect(copyRecords(source, failing, { from: "the source", now: 1 })).rejects.toThrow("connection lost");
        expect(await interruptedCopy(target)).toContain(
          "interrupted copy-store (from the source started 1970-01-01T00:00:00.001Z)",
        );
        const again = copyRecords(source, target, { from: "the source", now: 2 });
        await expect(again).rejects.toThrow("the target: it holds an interrupted copy-store");
        const third = await open(into);
        await expect(copyRecords(target, third, { from: "x", now: 3 })).rejects.toThrow(
          "the source: it holds an interrupted copy-store",
        );
      });
    });
  }
}

describe.skipIf(!PG_AVAILABLE)("store contract (postgres): other gateways on the store", () => {
  it("counts a serving gateway's connections, not those of a tool that names its own", async () => {
    const db = await createTestDatabase();
    const tool = await openPostgresStore({ url: db.url, poolSize: 2, applicationName: "hookgate copy-store" });
    try {
      expect(await tool.otherGateways()).toBe(0);
      const gateway = await openPostgresStore({ url: db.url, poolSize: 2 });
      await gateway.ping();
      expect(await tool.otherGateways()).toBeGreaterThanOrEqual(1);
      await gateway.close();
      // A closed connection's backend leaves pg_stat_activity a moment later.
      await waitFor(async () => (await tool.otherGateways()) === 0, { what: "the gateway's connections to end" });
    } finally {
      await tool.close();
      await db.drop();
    }
  });
});
