// Store.resumeDeliveries: when an endpoint's circuit closes, the deliveries it parked become due now; other
// endpoints' rows, rows due later than the parking horizon and rows not pending stay as they were.
import { afterEach, describe, expect, it } from "bun:test";
import { ManualClock } from "../../src/lib/clock.ts";
import type { NewDelivery } from "../../src/store/index.ts";
import { buildTestApp, type TestApp } from "../helpers/app.ts";
import { createEndpoint } from "../helpers/endpoints.ts";

const NOW = Date.parse("2026-06-06T09:00:00.000Z");
let t: TestApp;

afterEach(() => t?.cleanup());

function delivery(id: string, endpointId: string, status: NewDelivery["status"], dueIn: number | null): NewDelivery {
  return {
    id,
    event_id: "evt_1",
    endpoint_id: endpointId,
    tenant_id: "default",
    target_url: null,
    like_endpoint_id: null,
    status,
    next_attempt_at: dueIn === null ? null : NOW + dueIn,
    lease_until: status === "delivering" ? NOW + 60_000 : null,
    error_kind: null,
    last_error: null,
    manual: false,
    created_at: NOW,
  };
}

describe("resumeDeliveries", () => {
  it("makes an endpoint's pending deliveries due in (now, until] due now, and nothing else", async () => {
    // The clock stands still, so the scheduler claims nothing while the test looks at the rows.
    t = await buildTestApp({ clock: new ManualClock(NOW) });
    const a = (await createEndpoint(t)).id as string;
    const b = (await createEndpoint(t)).id as string;
    await t.store.writeBatch(
      [
        {
          event: {
            id: "evt_1",
            tenant_id: "default",
            type: "run.completed",
            payload: "{}",
            idempotency_key: null,
            created_at: NOW,
          },
          idempotency_response: null,
          deliveries: [
            delivery("dlv_parked_1", a, "pending", 30_000),
            delivery("dlv_parked_2", a, "pending", 60_000),
            delivery("dlv_later", a, "pending", 120_000),
            delivery("dlv_due", a, "pending", -1000),
            delivery("dlv_in_flight", a, "delivering", 30_000),
            delivery("dlv_other", b, "pending", 30_000),
          ],
        },
      ],
      [],
      [],
    );
    expect(await t.store.resumeDeliveries(a, NOW + 60_000, NOW)).toBe(2);
    const dueAt = async (id: string) => {
      const d = await t.store.deliveryById(id);
      return d!.next_attempt_at === null ? null : d!.next_attempt_at - NOW;
    };
    expect({
      parked_1: await dueAt("dlv_parked_1"),
      parked_2: await dueAt("dlv_parked_2"),
      later: await dueAt("dlv_later"),
      due: await dueAt("dlv_due"),
      in_flight: await dueAt("dlv_in_flight"),
      other: await dueAt("dlv_other"),
    }).toEqual({ parked_1: 0, parked_2: 0, later: 120_000, due: -1000, in_flight: 30_000, other: 30_000 });
  });
});
