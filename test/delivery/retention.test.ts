// Retention: events older than retention.days go, with their deliveries and attempts; newer ones stay.
import { afterEach, describe, expect, it } from "bun:test";
import { createEndpoint, type DeliveryApp, publishOk, settle, startDeliveryApp } from "../helpers/delivery.ts";
import { type Receiver, startReceiver } from "../helpers/receiver.ts";

const DAY = 86_400_000;
let t: DeliveryApp | null = null;
let rx: Receiver | null = null;
afterEach(async () => {
  await t?.cleanup();
  rx?.stop();
  t = null;
  rx = null;
});

const count = (t: DeliveryApp, table: string) =>
  t.store.db.query<{ n: number }, []>(`SELECT count(*) AS n FROM ${table}`).get()!.n;

describe("retention", () => {
  it("purges events older than retention.days with their deliveries and attempts, in batches, and keeps newer ones", async () => {
    t = await startDeliveryApp({ config: { retention: { days: 30 } } });
    rx = startReceiver();
    await createEndpoint(t, { url: rx.url });
    for (let i = 0; i < 1200; i++) await publishOk(t, { type: "order.created", data: { i } });
    await settle(t);
    t.clock.advance(20 * DAY);
    for (let i = 0; i < 5; i++) await publishOk(t, { type: "order.created", data: { fresh: i } });
    await settle(t);
    expect(count(t, "events")).toBe(1205);
    expect(count(t, "attempts")).toBe(1205);

    t.clock.advance(11 * DAY); // the first 1,200 are now 31 days old, the last 5 are 11 days old
    const purged = await t.gateway.retention.purge();

    expect(purged).toBe(1200);
    expect(count(t, "events")).toBe(5);
    expect(count(t, "deliveries")).toBe(5);
    expect(count(t, "attempts")).toBe(5);
    expect(t.store.db.query<{ integrity_check: string }, []>("PRAGMA integrity_check").get()!.integrity_check).toBe(
      "ok",
    );
  });

  it("does nothing when every event is younger than the window", async () => {
    t = await startDeliveryApp();
    await publishOk(t, { type: "order.created", data: {} });
    expect(await t.gateway.retention.purge()).toBe(0);
    expect(count(t, "events")).toBe(1);
  });
});
