// The wall clock jumps (NTP step, VM resume, operator error): retries scheduled before a backward jump are
// kept, a forward jump runs what became due at once, in-flight attempts are not claimed twice, and the
// endpoint-disabling rule (disable_after, wall-clock time) reacts as documented below.
import { afterEach, describe, expect, it } from "bun:test";
import { iso } from "../../src/lib/clock.ts";
import {
  advance,
  createEndpoint,
  type DeliveryApp,
  getDelivery,
  getEndpoint,
  publishOk,
  settle,
  startDeliveryApp,
} from "../helpers/delivery.ts";
import { type Receiver, startReceiver } from "../helpers/receiver.ts";

const S = 1000;
const H = 3600 * S;
const DAY = 24 * H;

let t: DeliveryApp | null = null;
let r: Receiver | null = null;

afterEach(async () => {
  r?.stop();
  r = null;
  await t?.cleanup();
  t = null;
});

async function setup(schedule = ["5s", "1m", "1h"]): Promise<{ t: DeliveryApp; r: Receiver; endpointId: string }> {
  t = await startDeliveryApp({ config: { delivery: { retry_schedule: schedule } } });
  r = startReceiver();
  const ep = await createEndpoint(t, { url: `${r.url}/hooks` });
  return { t, r, endpointId: ep.id };
}

async function publishOne(t: DeliveryApp, data: Record<string, unknown> = {}): Promise<string> {
  return (await publishOk(t, { type: "run.completed", data })).deliveries[0].id;
}

describe("clock jumps", () => {
  it("back 1 hour: a scheduled retry is kept and runs once the clock passes its time again", async () => {
    const { t, r } = await setup();
    r.script({ status: 500 });
    const id = await publishOne(t);
    await settle(t);
    const dueAt = t.clock.now() + 5 * S;
    expect((await getDelivery(t, id)).next_retry_at).toBe(iso(dueAt));

    await advance(t, -1 * H);
    let d = await getDelivery(t, id);
    expect(d).toMatchObject({ status: "pending", attempts: 1, next_retry_at: iso(dueAt) });
    expect(r.requests).toHaveLength(1);

    // New events still go out at once in the "past".
    const fresh = await publishOne(t, { fresh: true });
    await settle(t);
    expect((await getDelivery(t, fresh)).status).toBe("delivered");

    await advance(t, 1 * H + 4 * S);
    expect((await getDelivery(t, id)).attempts).toBe(1);
    await advance(t, 1 * S);
    d = await getDelivery(t, id);
    expect(d).toMatchObject({ status: "delivered", attempts: 2 });
    expect(r.requests).toHaveLength(3);
  });

  it("forward 1 day: every overdue retry runs on the next poll, and the endpoint (failing for 1 day < 5 d) stays enabled", async () => {
    const { t, r, endpointId } = await setup();
    r.script(...Array.from({ length: 5 }, () => ({ status: 500 })));
    const ids = await Promise.all(Array.from({ length: 5 }, (_, i) => publishOne(t, { i })));
    await settle(t);
    expect(r.requests).toHaveLength(5);

    await advance(t, 1 * DAY);
    for (const id of ids) expect(await getDelivery(t, id)).toMatchObject({ status: "delivered", attempts: 2 });
    expect(r.requests).toHaveLength(10);
    expect(await getEndpoint(t, endpointId)).toMatchObject({ enabled: true, disabled_reason: null });
  });

  it("forward 6 days while failing: the next failed attempt disables the endpoint (failing) and fails what waits for it", async () => {
    // Observed: disable_after counts wall-clock time since the first failure of the run, so after a jump
    // (or 5 days of downtime) one more failed attempt is enough to disable the endpoint, whatever the schedule.
    const { t, r, endpointId } = await setup(["5s", "1m", "1h", "1h", "1h"]);
    r.setDefault({ status: 500 });
    const first = await publishOne(t, { n: 1 });
    const second = await publishOne(t, { n: 2 });
    await settle(t);
    expect(r.requests).toHaveLength(2);

    t.clock.advance(6 * DAY);
    await t.gateway.engine.poll();
    await settle(t);
    await settle(t);
    const ep = await getEndpoint(t, endpointId);
    expect(ep).toMatchObject({ enabled: false, disabled_reason: "failing" });
    const ds = [await getDelivery(t, first), await getDelivery(t, second)];
    for (const d of ds) expect(d.status).toBe("failed");
    expect(ds.some((d) => d.last_error.includes("endpoint disabled after failing for 5d"))).toBe(true);
    console.log(
      `6-day jump: ${r.requests.length - 2} attempt(s) after the jump, then the endpoint was disabled; last errors: ${ds.map((d) => JSON.stringify(d.last_error)).join(", ")}`,
    );
  });

  it("forward 1 day while an attempt is in flight: the leased delivery is not claimed again", async () => {
    const { t, r } = await setup();
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    r.script(async () => {
      await gate;
      return new Response("ok");
    });
    const id = await publishOne(t);
    await r.waitForRequests(1);
    t.clock.advance(1 * DAY); // far beyond the 15-minute lease
    await t.gateway.engine.poll();
    await Bun.sleep(100);
    expect(r.requests).toHaveLength(1);
    release();
    await settle(t);
    expect(await getDelivery(t, id)).toMatchObject({ status: "delivered", attempts: 1 });
    expect(r.requests).toHaveLength(1);
  });

  it("back 1 day while an attempt is in flight: its retry is scheduled from the new time and still runs", async () => {
    const { t, r } = await setup();
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    r.script(async () => {
      await gate;
      return new Response("no", { status: 503 });
    });
    const id = await publishOne(t);
    await r.waitForRequests(1);
    t.clock.advance(-1 * DAY);
    release();
    await settle(t);
    const d = await getDelivery(t, id);
    expect(d).toMatchObject({ status: "pending", attempts: 1, next_retry_at: iso(t.clock.now() + 5 * S) });
    await advance(t, 5 * S);
    expect(await getDelivery(t, id)).toMatchObject({ status: "delivered", attempts: 2 });
  });
});
