// Retention: events older than retention.days go, with their deliveries and attempts; newer ones stay.
import { afterEach, describe, expect, it } from "bun:test";
import { sqlCount, sqlRows } from "../helpers/app.ts";
import { createEndpoint, type DeliveryApp, publishOk, settle, startDeliveryApp } from "../helpers/delivery.ts";
import { waitFor } from "../helpers/process.ts";
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

const count = (t: DeliveryApp, table: string) => sqlCount(t, `SELECT count(*) AS n FROM ${table}`);

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

    // The first 1,200 are now 31 days old, the last 5 are 11 days old; the hourly purge timer fires on the way.
    t.clock.advance(11 * DAY);
    await waitFor(() => count(t!, "events") === 5, { what: "the timed purge", timeoutMs: 5000 });
    const purges = t.logger.lines!.filter((l) => l.includes('"retention purge"'));
    expect(purges.map((l) => JSON.parse(l).events_deleted)).toEqual([1200]);
    expect(count(t, "deliveries")).toBe(5);
    expect(count(t, "attempts")).toBe(5);
    expect(sqlRows(t, "PRAGMA integrity_check")).toEqual([{ integrity_check: "ok" }]);
  });

  it("does nothing when every event is younger than the window", async () => {
    t = await startDeliveryApp();
    await publishOk(t, { type: "order.created", data: {} });
    expect(await t.gateway.retention.purge()).toBe(0);
    expect(count(t, "events")).toBe(1);
  });
});
