// The store contract, part 3 (what the delivery options, the circuit breaker and the console added): ad-hoc
// deliveries signed like an endpoint, request bodies, cleared descriptions, draining endpoints, resumed deliveries
// and delivery statistics. The same tests run against every backend (SQLite and PostgreSQL).
import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { newId } from "../../src/lib/ids.ts";
import type { AttemptRecord, DeliveryUpdate, Store } from "../../src/store/index.ts";
import { BACKENDS, endpointRecord, newEvent, type OpenedTestStore } from "../helpers/stores.ts";

const T0 = 1_700_000_000_000;

const attempt = (deliveryId: string, over: Partial<AttemptRecord> = {}): AttemptRecord => ({
  id: newId("att"),
  delivery_id: deliveryId,
  n: 1,
  trigger: "scheduled",
  started_at: T0 + 1_000,
  duration_ms: 40,
  http_status: 200,
  response_headers: null,
  response_body: "ok",
  body_encoding: "utf8",
  request_body: null,
  error_kind: null,
  error: null,
  ...over,
});

const final = (id: string, status: "delivered" | "failed", attempts = 1): DeliveryUpdate => ({
  id,
  status,
  attempts,
  next_attempt_at: null,
  http_status: status === "delivered" ? 200 : 500,
  error_kind: status === "delivered" ? null : "http_error",
  last_error: status === "delivered" ? null : "HTTP 500",
  delivered_at: status === "delivered" ? T0 + 1_040 : null,
});

for (const backend of BACKENDS) {
  describe.skipIf(!backend.available)(`store contract (${backend.name}): delivery options`, () => {
    let opened: OpenedTestStore;
    let store: Store;
    const endpoint = async (over: Parameters<typeof endpointRecord>[0] = {}) => {
      const e = endpointRecord({ tenant_id: `t_${Math.random().toString(36).slice(2, 10)}`, ...over });
      await store.insertEndpoint(e);
      return e;
    };
    beforeAll(async () => {
      opened = await backend.open();
      store = opened.store;
    });
    afterAll(() => opened.cleanup());

    it("keeps a cleared description as null and a draining time", async () => {
      const e = await endpoint({ description: null });
      expect((await store.endpointById(e.id))?.description).toBeNull();
      await store.setEndpointDraining(e.id, T0);
      expect((await store.endpointById(e.id))?.draining_since).toBe(T0);
    });

    it("carries like_endpoint_id from the write to the claim and the log, and request_body to the attempt", async () => {
      const like = await endpoint();
      const ev = newEvent([], { at: T0 });
      const id = newId("dlv");
      ev.deliveries.push({
        id,
        event_id: ev.event.id,
        endpoint_id: null,
        tenant_id: ev.event.tenant_id,
        target_url: "https://example.com/adhoc",
        like_endpoint_id: like.id,
        status: "pending",
        next_attempt_at: T0,
        lease_until: null,
        error_kind: null,
        last_error: null,
        manual: false,
        created_at: T0,
      });
      await store.writeBatch([ev], [], []);
      const claimed = (await store.claimDue(T0, 500, T0 + 60_000)).find((c) => c.id === id);
      expect(claimed?.like_endpoint_id).toBe(like.id);
      await store.writeBatch([], [attempt(id, { request_body: '{"text":"hi"}' })], [final(id, "delivered")]);
      expect((await store.deliveryById(id))?.like_endpoint_id).toBe(like.id);
      expect((await store.attemptsOf(id)).map((a) => a.request_body)).toEqual(['{"text":"hi"}']);
    });

    it("deletes a draining endpoint only once nothing of its own or like it is open", async () => {
      const e = await endpoint();
      const own = newEvent([e.id], { at: T0 });
      await store.writeBatch([own], [], []);
      expect(await store.deleteDrainedEndpoint(e.id)).toBe(false); // not draining yet
      await store.setEndpointDraining(e.id, T0);
      expect(await store.deleteDrainedEndpoint(e.id)).toBe(false); // its delivery is pending
      const ownId = own.deliveries[0]!.id;
      await store.writeBatch([], [], [final(ownId, "delivered")]);
      const like = newEvent([], { at: T0 });
      const likeId = newId("dlv");
      like.deliveries.push({
        ...own.deliveries[0]!,
        id: likeId,
        event_id: like.event.id,
        endpoint_id: null,
        target_url: "https://example.com/x",
        like_endpoint_id: e.id,
      });
      await store.writeBatch([like], [], []);
      expect(await store.deleteDrainedEndpoint(e.id)).toBe(false); // an ad-hoc delivery like it is pending
      await store.writeBatch([], [], [final(likeId, "failed")]);
      expect(await store.deleteDrainedEndpoint(e.id)).toBe(true);
      expect(await store.endpointById(e.id)).toBeNull();
      expect(await store.deliveryById(ownId)).toBeNull(); // its history went with it
      expect((await store.deliveryById(likeId))?.like_endpoint_id).toBe(e.id); // ad-hoc ones stay with their event
    });

    it("resumes an endpoint's parked deliveries (due in (now, until]) now, and no others", async () => {
      const e = await endpoint();
      const other = await endpoint();
      const parked = newEvent([e.id], { at: T0 + 30_000 });
      const later = newEvent([e.id], { at: T0 + 90_000 });
      const theirs = newEvent([other.id], { at: T0 + 30_000 });
      await store.writeBatch([parked, later, theirs], [], []);
      expect(await store.resumeDeliveries(e.id, T0 + 60_000, T0)).toBe(1);
      expect((await store.deliveryById(parked.deliveries[0]!.id))?.next_attempt_at).toBe(T0);
      expect((await store.deliveryById(later.deliveries[0]!.id))?.next_attempt_at).toBe(T0 + 90_000);
      expect((await store.deliveryById(theirs.deliveries[0]!.id))?.next_attempt_at).toBe(T0 + 30_000);
    });

    it("counts delivery outcomes and latency per bucket, and over the window", async () => {
      const e = await endpoint();
      const ok = newEvent([e.id], { at: T0 });
      const bad = newEvent([e.id], { at: T0 });
      await store.writeBatch([ok, bad], [], []);
      const okId = ok.deliveries[0]!.id;
      const badId = bad.deliveries[0]!.id;
      await store.writeBatch(
        [],
        [
          attempt(okId, { started_at: T0 + 1_000, duration_ms: 40 }),
          attempt(badId, { started_at: T0 + 61_000, duration_ms: 100, http_status: 500, error_kind: "http_error" }),
        ],
        [final(okId, "delivered"), final(badId, "failed")],
      );
      const stats = await store.deliveryStats({
        since: T0,
        until: T0 + 120_000,
        bucketMs: 60_000,
        endpoint_id: e.id,
      });
      expect(stats.buckets.map((b) => [b.start, b.delivered, b.failed, b.p50_ms])).toEqual([
        [T0, 1, 0, 40],
        [T0 + 60_000, 0, 1, 100],
      ]);
      expect(stats.totals).toMatchObject({ delivered: 1, failed: 1, retrying: 0, skipped: 0, p95_ms: 100 });
    });
  });
}
