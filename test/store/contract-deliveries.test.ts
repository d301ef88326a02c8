// The store contract, part 2 (the delivery queue, results, the delivery log, retention): the same tests run against
// every backend (SQLite and PostgreSQL).
import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { newId } from "../../src/lib/ids.ts";
import type { AttemptRecord, Store } from "../../src/store/index.ts";
import { BACKENDS, endpointRecord, newEvent, type OpenedTestStore } from "../helpers/stores.ts";

const attempt = (deliveryId: string, n: number, over: Partial<AttemptRecord> = {}): AttemptRecord => ({
  id: newId("att"),
  delivery_id: deliveryId,
  n,
  trigger: "scheduled",
  started_at: 5_000 + n,
  duration_ms: 12,
  http_status: 500,
  response_headers: { "content-type": "text/plain" },
  response_body: "nope",
  body_encoding: "utf8",
  request_body: null,
  error_kind: "http_error",
  error: "HTTP 500",
  ...over,
});

for (const backend of BACKENDS) {
  describe.skipIf(!backend.available)(`store contract (${backend.name}): deliveries`, () => {
    let opened: OpenedTestStore;
    let store: Store;
    /** A fresh endpoint per test, so tests do not see each other's deliveries through it. */
    const endpoint = async () => {
      const e = endpointRecord();
      await store.insertEndpoint(e);
      return e.id;
    };
    /** Fails every delivery left pending or leased, so the queue is empty for the next test. */
    const drain = async () => {
      await store.resetLeases(Number.MAX_SAFE_INTEGER);
      for (;;) {
        const claimed = await store.claimDue(Number.MAX_SAFE_INTEGER, 500, 1);
        if (claimed.length === 0) break;
        const updates = claimed.map((c) => ({
          id: c.id,
          status: "failed" as const,
          attempts: c.attempts,
          next_attempt_at: null,
          error_kind: null,
          last_error: null,
          delivered_at: null,
        }));
        await store.writeBatch([], [], updates);
      }
    };
    beforeAll(async () => {
      opened = await backend.open();
      store = opened.store;
    });
    afterAll(() => opened.cleanup());

    describe("claims", () => {
      it("claims due pending deliveries, earliest first, up to the limit, leased", async () => {
        await drain();
        const ep = await endpoint();
        const evs = [300, 100, 200, 900].map((at) => newEvent([ep], { at }));
        await store.writeBatch(evs, [], []);
        expect(await store.nextDueAt()).toBe(100);
        const claimed = await store.claimDue(500, 2, 10_000);
        expect(claimed.map((c) => c.event_id)).toEqual([evs[1]!.event.id, evs[2]!.event.id]);
        expect(claimed[0]).toEqual({
          id: evs[1]!.deliveries[0]!.id,
          event_id: evs[1]!.event.id,
          endpoint_id: ep,
          target_url: null,
          like_endpoint_id: null,
          attempts: 0,
          retry_base: 0,
          manual: false,
        });
        const leased = await store.deliveryById(claimed[0]!.id);
        expect([leased?.status, leased?.lease_until]).toEqual(["delivering", 10_000]);
        expect((await store.claimDue(500, 10, 10_000)).map((c) => c.event_id)).toEqual([evs[0]!.event.id]);
        expect(await store.claimDue(500, 10, 10_000)).toEqual([]);
        expect(await store.nextDueAt()).toBe(900);
        await drain();
      });

      it("stores admitted deliveries already claimed, and hands claims back as pending at a time", async () => {
        await drain();
        const ep = await endpoint();
        const ev = newEvent([ep], { at: 50, delivery: { status: "delivering", lease_until: 60_000 } });
        await store.writeBatch([ev], [], []);
        const id = ev.deliveries[0]!.id;
        expect(await store.claimDue(1_000, 10, 70_000)).toEqual([]);
        await store.releaseDeliveries([id], 777);
        expect(await store.deliveryById(id)).toMatchObject({
          status: "pending",
          next_attempt_at: 777,
          lease_until: null,
        });
        expect((await store.claimDue(777, 10, 70_000)).map((c) => c.id)).toEqual([id]);
        await drain();
      });

      it("returns deliveries whose lease ran out to pending, due at once, on resetLeases", async () => {
        await drain();
        const ep = await endpoint();
        const ev = newEvent([ep], { at: 50, delivery: { status: "delivering", lease_until: 100 } });
        await store.writeBatch([ev], [], []);
        expect(await store.resetLeases(5_000)).toBe(1);
        expect(await store.deliveryById(ev.deliveries[0]!.id)).toMatchObject({
          status: "pending",
          next_attempt_at: 50,
        });
        expect(await store.resetLeases(5_000)).toBe(0);
        await drain();
      });

      it("claims one delivery for a replay unless it is in flight, marking it manual", async () => {
        const ep = await endpoint();
        const ev = newEvent([ep], { delivery: { status: "skipped", next_attempt_at: null } });
        await store.writeBatch([ev], [], []);
        const id = ev.deliveries[0]!.id;
        const claimed = await store.claimForReplay(id, 9_000);
        expect(claimed).toMatchObject({ id, manual: true });
        expect(await store.claimForReplay(id, 9_000)).toBeNull();
        expect(await store.claimForReplay("dlv_missing", 9_000)).toBeNull();
      });
    });

    describe("results", () => {
      it("records attempts and updates in one write; a later update without HTTP keeps the last status", async () => {
        const ep = await endpoint();
        const ev = newEvent([ep]);
        await store.writeBatch([ev], [], []);
        const id = ev.deliveries[0]!.id;
        const a1 = attempt(id, 1);
        await store.writeBatch(
          [],
          [a1],
          [
            {
              id,
              status: "pending",
              attempts: 1,
              next_attempt_at: 9_000,
              http_status: 500,
              error_kind: "http_error",
              last_error: "HTTP 500",
              delivered_at: null,
            },
          ],
        );
        expect(await store.attemptsOf(id)).toEqual([a1]);
        const a2 = attempt(id, 2, {
          http_status: null,
          response_headers: null,
          response_body: null,
          body_encoding: null,
          error_kind: "timeout",
          error: "timeout: no answer",
        });
        await store.writeBatch(
          [],
          [a2],
          [
            {
              id,
              status: "failed",
              attempts: 2,
              next_attempt_at: null,
              error_kind: "timeout",
              last_error: "timeout: no answer",
              delivered_at: null,
            },
          ],
        );
        expect((await store.attemptsOf(id)).map((a) => a.n)).toEqual([1, 2]);
        expect(await store.deliveryById(id)).toMatchObject({
          status: "failed",
          attempts: 2,
          http_status: 500,
          error_kind: "timeout",
          last_error: "timeout: no answer",
          lease_until: null,
        });
      });

      it("drops the attempt of a delivery that was deleted meanwhile", async () => {
        const ep = await endpoint();
        const ev = newEvent([ep]);
        await store.writeBatch([ev], [], []);
        await store.deleteEndpoint(ep);
        const id = ev.deliveries[0]!.id;
        await store.writeBatch([], [attempt(id, 1)], []);
        expect(await store.attemptsOf(id)).toEqual([]);
      });

      it("keeps the first delivered_at", async () => {
        const ep = await endpoint();
        const ev = newEvent([ep]);
        await store.writeBatch([ev], [], []);
        const id = ev.deliveries[0]!.id;
        const done = {
          id,
          status: "delivered" as const,
          attempts: 1,
          next_attempt_at: null,
          http_status: 200,
          error_kind: null,
          last_error: null,
        };
        await store.writeBatch([], [], [{ ...done, delivered_at: 6_000 }]);
        await store.writeBatch([], [], [{ ...done, delivered_at: null }]);
        expect(await store.deliveryById(id)).toMatchObject({ status: "delivered", delivered_at: 6_000 });
      });
    });

    describe("endpoint-wide changes", () => {
      it("re-queues failed deliveries created in a window as a new retry run", async () => {
        await drain();
        const ep = await endpoint();
        const evs = [100, 200, 300].map((at) => newEvent([ep], { at }));
        await store.writeBatch(evs, [], []);
        const ids = evs.map((e) => e.deliveries[0]!.id);
        const failed = ids.map((id) => ({
          id,
          status: "failed" as const,
          attempts: 3,
          next_attempt_at: null,
          error_kind: "http_error",
          last_error: "HTTP 500",
          delivered_at: null,
        }));
        await store.writeBatch([], [], failed);
        expect(await store.recoverFailed(ep, 150, 300, 4_000)).toBe(1);
        expect(await store.deliveryById(ids[1]!)).toMatchObject({
          status: "pending",
          next_attempt_at: 4_000,
          retry_base: 3,
          manual: false,
        });
        expect((await store.deliveryById(ids[0]!))?.status).toBe("failed");
        await drain();
      });

      it("fails the waiting deliveries of a disabled endpoint", async () => {
        const ep = await endpoint();
        const evs = [newEvent([ep]), newEvent([ep])];
        await store.writeBatch(evs, [], []);
        expect(await store.failWaitingDeliveries(ep, "endpoint_disabled", "endpoint_disabled: off")).toBe(2);
        expect(await store.deliveryById(evs[0]!.deliveries[0]!.id)).toMatchObject({
          status: "failed",
          error_kind: "endpoint_disabled",
          last_error: "endpoint_disabled: off",
          next_attempt_at: null,
        });
      });
    });

    describe("the delivery log", () => {
      it("lists deliveries newest first with filters, and counts what is pending", async () => {
        await drain();
        const ep = await endpoint();
        const evs = [100, 200, 300].map((at) => newEvent([ep], { at, tenant: "logt" }));
        await store.writeBatch(evs, [], []);
        const ids = evs.map((e) => e.deliveries[0]!.id).reverse();
        expect((await store.listDeliveries({ endpoint_id: ep, limit: 10 })).map((d) => d.id)).toEqual(ids);
        expect((await store.listDeliveries({ tenant_id: "logt", since: 200, limit: 10 })).map((d) => d.id)).toEqual(
          ids.slice(0, 2),
        );
        expect((await store.listDeliveries({ endpoint_id: ep, before: ids[0], limit: 1 })).map((d) => d.id)).toEqual([
          ids[1]!,
        ]);
        expect(
          (await store.listDeliveries({ event_id: evs[0]!.event.id, status: "pending", limit: 10 })).map((d) => d.id),
        ).toEqual([ids[2]!]);
        expect(await store.listDeliveries({ endpoint_id: ep, status: "delivered", limit: 10 })).toEqual([]);
        expect(await store.pendingStats()).toEqual({ count: 3, oldestCreatedAt: 100 });
        await drain();
        expect(await store.pendingStats()).toEqual({ count: 0, oldestCreatedAt: null });
      });
    });

    describe("retention", () => {
      it("purges the oldest events before the cutoff in batches, with their deliveries and attempts", async () => {
        const ep = await endpoint();
        const old = [1, 2, 3].map((at) => newEvent([ep], { at }));
        const young = newEvent([ep], { at: 10_000 });
        await store.writeBatch([...old, young], [], []);
        const dlv = old[0]!.deliveries[0]!.id;
        await store.writeBatch([], [attempt(dlv, 1)], []);
        let purged = 0;
        for (let n = await store.purgeEventsBefore(5_000, 2); n > 0; n = await store.purgeEventsBefore(5_000, 2))
          purged += n;
        expect(purged).toBeGreaterThanOrEqual(3);
        expect(await store.eventById(old[0]!.event.id)).toBeNull();
        expect(await store.deliveryById(dlv)).toBeNull();
        expect(await store.attemptsOf(dlv)).toEqual([]);
        expect(await store.eventById(young.event.id)).not.toBeNull();
      });
    });
  });
}
