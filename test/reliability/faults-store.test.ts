// Store faults: a full disk, a read-only database, a lock held by another process, two gateways on one
// file, a wrong master key and key files readable by others. Publishes answer 503 `unavailable` (never
// 500), acknowledged events survive, results that could not be written are written later, and startup
// refuses rather than damage anything.

import type { Database } from "bun:sqlite";
import { afterEach, describe, expect, it } from "bun:test";
import { chmodSync } from "node:fs";
import { StartupError } from "../../src/gateway.ts";
import { InstanceLockedError, MasterKeyError } from "../../src/store/index.ts";
import { buildTestApp, type TestApp } from "../helpers/app.ts";
import {
  createEndpoint,
  type DeliveryApp,
  getDelivery,
  publish,
  publishOk,
  settle,
  startDeliveryApp,
} from "../helpers/delivery.ts";
import { lagProbe, resultBacklogInChild, spawnServe, withDb, writeServeConfig } from "../helpers/faults.ts";
import { type JsonResponse, json } from "../helpers/http.ts";
import { freePort, streamText, waitFor } from "../helpers/process.ts";
import { type Receiver, startReceiver } from "../helpers/receiver.ts";
import { tempDir } from "../helpers/temp.ts";

const open: { stop(): void }[] = [];
const apps: { cleanup(): Promise<void> }[] = [];

afterEach(async () => {
  for (const s of open.splice(0)) s.stop();
  for (const a of apps.splice(0).reverse()) await a.cleanup();
});

async function deliveryApp(): Promise<DeliveryApp> {
  const t = await startDeliveryApp({ ownDb: true });
  apps.push(t);
  return t;
}

/** A receiver whose answers wait until release() (then 200 with a 5 KB body, which needs its own page). */
function gatedReceiver(): Receiver & { release(): void } {
  const r = startReceiver();
  open.push(r);
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  r.setDefault(async () => {
    await gate;
    return new Response("x".repeat(5000));
  });
  return Object.assign(r, { release: () => release() });
}

/** The connection the gateway's store uses (the test opened it: see startDeliveryApp's ownDb). */
const dbOf = (t: TestApp): Database => t.db!;
const pragma = (db: Database, sql: string) => db.query(`PRAGMA ${sql}`).get() as Record<string, number> | null;

function expectUnavailable(res: JsonResponse): void {
  expect(res.status).toBe(503);
  expect(res.body).toEqual({ error: { code: "unavailable", message: expect.any(String), details: [] } });
}

/** Publishes events of a type nobody subscribes to until one is refused; returns the acknowledged ids. */
async function fillUntilRefused(t: TestApp): Promise<{ acked: string[]; refused: JsonResponse }> {
  const acked: string[] = [];
  for (let i = 0; i < 2000; i++) {
    const res = await publish(t, { type: "filler.tick", data: { i, pad: "p".repeat(500) } });
    if (res.status === 202) acked.push(res.body.data.id);
    else return { acked, refused: res };
  }
  throw new Error("the store never filled up");
}

async function statuses(t: DeliveryApp, ids: string[]): Promise<string[]> {
  return Promise.all(ids.map(async (id) => (await getDelivery(t, id)).status));
}

describe("disk full and read-only store", () => {
  it("disk full: publishes answer 503 unavailable, acknowledged events stay, unwritten results are written once there is room", async () => {
    const t = await deliveryApp();
    const r = gatedReceiver();
    await createEndpoint(t, { url: `${r.url}/hooks`, events: ["order.*"] });
    const before = await Promise.all([1, 2, 3].map((i) => publishOk(t, { type: "order.created", data: { i } })));
    const deliveryIds = before.map((p) => p.deliveries[0].id);
    await r.waitForRequests(3);

    const db = dbOf(t);
    const pages = pragma(db, "page_count")!.page_count!;
    pragma(db, `max_page_count = ${pages}`);
    const { acked, refused } = await fillUntilRefused(t);
    expectUnavailable(refused);
    expectUnavailable(await publish(t, { type: "order.created", data: { big: "y".repeat(20_000) } }));

    // The attempts finish (200 with a 5 KB body) while nothing can be written: their results wait.
    r.release();
    await Bun.sleep(1500);
    expect(await statuses(t, deliveryIds)).toEqual(["delivering", "delivering", "delivering"]);
    expect(t.logger.lines!.some((l) => l.includes("writing to the store failed") && l.includes("disk is full"))).toBe(
      true,
    );

    pragma(db, "max_page_count = 1073741823");
    t.clock.advance(1000); // the writer retries a second after the failure (by the gateway's clock)
    await waitFor(async () => (await statuses(t, deliveryIds)).every((s) => s === "delivered"), {
      timeoutMs: 5000,
      what: "the pending results to be written",
    });
    for (const id of deliveryIds) expect((await getDelivery(t, id)).history).toHaveLength(1);
    expect(r.requests).toHaveLength(3); // written late, not sent again

    for (const id of [...before.map((p) => p.id), ...acked])
      expect((await json(t.app, "GET", `/v1/events/${id}`, { key: t.adminKey })).status).toBe(200);
    const after = await publishOk(t, { type: "order.created", data: { after: true } });
    await settle(t);
    expect((await getDelivery(t, after.deliveries[0].id)).status).toBe("delivered");
  });

  it("read-only (query_only): publishes answer 503 unavailable, and everything recovers when writable again", async () => {
    const t = await deliveryApp();
    const r = gatedReceiver();
    await createEndpoint(t, { url: `${r.url}/hooks` });
    const first = await publishOk(t, { type: "order.created", data: {} });
    await r.waitForRequests(1);

    const db = dbOf(t);
    pragma(db, "query_only = ON");
    expectUnavailable(await publish(t, { type: "order.created", data: { during: true } }));
    r.release();
    await Bun.sleep(1200);
    expect((await getDelivery(t, first.deliveries[0].id)).status).toBe("delivering");

    pragma(db, "query_only = OFF");
    t.clock.advance(1000); // the writer retries a second after the failure (by the gateway's clock)
    await waitFor(async () => (await getDelivery(t, first.deliveries[0].id)).status === "delivered", {
      timeoutMs: 5000,
      what: "the pending result to be written",
    });
    const again = await publishOk(t, { type: "order.created", data: { after: true } });
    await settle(t);
    expect((await getDelivery(t, again.deliveries[0].id)).status).toBe("delivered");
    expect(r.requests).toHaveLength(2);
  });

  it("/readyz answers 503 writes_failing while the store refuses writes (read-only) and 200 once a write succeeds", async () => {
    const t = await deliveryApp();
    const readyz = () => json(t.app, "GET", "/readyz");
    expect(await readyz()).toMatchObject({ status: 200, body: { status: "ok" } });

    const db = dbOf(t);
    pragma(db, "query_only = ON");
    expectUnavailable(await publish(t, { type: "order.created", data: {} }));
    // Nothing is queued to write: each check tries a small write of its own, which fails too.
    for (let i = 0; i < 2; i++)
      expect(await readyz()).toMatchObject({ status: 503, body: { status: "writes_failing" } });
    expect((await json(t.app, "GET", "/healthz")).status).toBe(200);

    pragma(db, "query_only = OFF");
    // No publish needed (a load balancer sends none to an instance it took out): the check itself writes.
    expect(await readyz()).toMatchObject({ status: 200, body: { status: "ok" } });
    expect((await publish(t, { type: "order.created", data: {} })).status).toBe(202);
  });

  it("/readyz stays 503 while results cannot be written, and writes them when the store takes writes again", async () => {
    const t = await deliveryApp();
    const r = gatedReceiver();
    await createEndpoint(t, { url: `${r.url}/hooks` });
    const id = (await publishOk(t, { type: "order.created", data: {} })).deliveries[0].id;
    await r.waitForRequests(1);
    pragma(dbOf(t), "query_only = ON");
    r.release();
    await waitFor(
      async () => {
        t.clock.advance(5); // results wait up to 5 ms (by the gateway's clock) for company before their write
        return (await json(t.app, "GET", "/readyz")).status === 503;
      },
      { timeoutMs: 5000, what: "the failed result write to turn /readyz to 503" },
    );
    expect((await getDelivery(t, id)).status).toBe("delivering");
    pragma(dbOf(t), "query_only = OFF");
    // The check retries the queued result itself (no need to wait for the writer's retry timer).
    expect((await json(t.app, "GET", "/readyz")).status).toBe(200);
    expect((await getDelivery(t, id)).status).toBe("delivered");
  });

  it("a 200 whose endpoint-health write fails (read-only store) stays delivered and is not sent again", async () => {
    const t = await deliveryApp();
    const r = startReceiver();
    open.push(r);
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    r.script({ status: 500 }, async () => {
      await gate;
      return new Response("ok");
    });
    await createEndpoint(t, { url: `${r.url}/hooks` });
    const id = (await publishOk(t, { type: "order.created", data: {} })).deliveries[0].id;
    await settle(t); // attempt 1: 500, the endpoint is now failing (failing_since set)
    t.clock.advance(5000);
    await t.gateway.engine.poll();
    await r.waitForRequests(2); // attempt 2 is in flight

    pragma(dbOf(t), "query_only = ON");
    release(); // attempt 2 answers 200; writing the result and clearing failing_since both fail
    await Bun.sleep(300);
    pragma(dbOf(t), "query_only = OFF");
    t.clock.advance(1000); // the writer retries a second after the failure (by the gateway's clock)
    await waitFor(async () => (await getDelivery(t, id)).status !== "delivering", {
      timeoutMs: 5000,
      what: "the result to be written",
    });
    await settle(t);

    const d = await getDelivery(t, id);
    expect({ status: d.status, attempts: d.attempts, last_error: d.last_error }).toEqual({
      status: "delivered",
      attempts: 2,
      last_error: null,
    });
    t.clock.advance(60_000);
    await t.gateway.engine.poll();
    await settle(t);
    expect(r.requests).toHaveLength(2);
  });

  it("a backlog of 2,000+ unwritable results does not stall the gateway; all is written once the store is writable", async () => {
    // Run in a child: if its event loop starves, only the child hangs (and is killed).
    const { lines, killed, stderr } = await resultBacklogInChild(1050, 15_000);
    const ticks = lines.find((l) => l.phase === "ticks");
    const recovered = lines.find((l) => l.phase === "recovered");
    console.log(`2,100 unwritable results: ${killed ? "the child hung and was killed; " : ""}${JSON.stringify(lines)}`);
    expect({ killed, stderr: killed ? "" : stderr.slice(-500) }).toEqual({ killed: false, stderr: expect.any(String) });
    expect(ticks?.ticks).toBeGreaterThanOrEqual(10); // a 100 ms timer over 3 s: the event loop kept turning
    expect(recovered).toMatchObject({ undelivered: 0 });
  }, 30_000);
});

describe("another process holds the database", () => {
  /** Spawns a process that takes the write lock of `path` (BEGIN IMMEDIATE) for `holdMs`; resolves once it holds it. */
  async function holdWriteLock(path: string, holdMs: number) {
    const script = `
      const { Database } = require("bun:sqlite");
      const db = new Database(process.env.DB_PATH);
      db.run("PRAGMA busy_timeout = 5000");
      db.run("BEGIN IMMEDIATE");
      console.log("locked");
      Bun.sleepSync(Number(process.env.HOLD_MS));
      db.run("COMMIT");
      db.close();`;
    const child = Bun.spawn([process.execPath, "-e", script], {
      env: { ...process.env, DB_PATH: path, HOLD_MS: String(holdMs) },
      stdout: "pipe",
      stderr: "pipe",
    });
    const reader = child.stdout.getReader();
    const { value } = await reader.read();
    expect(new TextDecoder().decode(value)).toContain("locked");
    reader.releaseLock();
    return child;
  }

  it("SQLITE_BUSY for ~1 s: publishes wait (busy_timeout) and succeed, no 500; the event loop is blocked meanwhile", async () => {
    const t = await deliveryApp();
    const r = startReceiver();
    open.push(r);
    await createEndpoint(t, { url: `${r.url}/hooks` });
    const child = await holdWriteLock(t.config.storage.path, 1000);
    const lag = lagProbe();
    const started = performance.now();
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) => publish(t, { type: "order.created", data: { i } })),
    );
    const took = Math.round(performance.now() - started);
    const { maxGapMs } = lag.stop();
    expect(await child.exited).toBe(0);
    console.log(
      `SQLITE_BUSY (lock held 1000 ms by another process): 10 publishes answered in ${took} ms; the event loop stalled for up to ${maxGapMs} ms`,
    );
    expect(results.map((x) => x.status)).toEqual(Array(10).fill(202));
    await settle(t);
    for (const x of results) expect((await getDelivery(t, x.body.data.deliveries[0].id)).status).toBe("delivered");
  });

  it("a lock held longer than busy_timeout (5 s): publishes answer 503 unavailable, not 500", async () => {
    const t = await deliveryApp();
    const child = await holdWriteLock(t.config.storage.path, 5600);
    const lag = lagProbe();
    const res = await publish(t, { type: "order.created", data: {} });
    const { maxGapMs } = lag.stop();
    console.log(
      `SQLITE_BUSY beyond busy_timeout: publish answered ${res.status}; the event loop stalled for up to ${maxGapMs} ms`,
    );
    expectUnavailable(res);
    await child.exited;
    expect((await publish(t, { type: "order.created", data: {} })).status).toBe(202);
  }, 20_000);

  it("two gateways on one database: the second refuses with InstanceLockedError, and `hookgate serve` exits 1 saying so", async () => {
    const first = await buildTestApp();
    apps.push(first);
    const second = buildTestApp({ dir: first.dir });
    await expect(second).rejects.toBeInstanceOf(InstanceLockedError);
    await expect(second).rejects.toThrow(`another hookgate is already running on ${first.config.storage.path}`);

    const config = writeServeConfig(first.dir, freePort());
    const child = spawnServe(first.dir.path, config, { HOOKGATE_ADMIN_KEY: first.adminKey, HOOKGATE_MASTER_KEY: "" });
    const timer = setTimeout(() => child.kill(9), 15_000);
    const [code, stderr] = await Promise.all([child.exited, streamText(child.stderr)]);
    clearTimeout(timer);
    expect(code).toBe(1);
    expect(stderr).toContain("another hookgate is already running");
    // The first gateway is unharmed.
    expect((await json(first.app, "GET", "/readyz")).status).toBe(200);
  });
});

describe("keys at startup", () => {
  const KEY_A = Buffer.alloc(32, 0xa1).toString("base64");
  const KEY_B = Buffer.alloc(32, 0xb2).toString("base64");

  it("a wrong master key: startup refuses (naming the master key) and the stored secrets are unchanged byte for byte", async () => {
    const dir = tempDir();
    try {
      const a = await buildTestApp({ dir, env: { HOOKGATE_MASTER_KEY: KEY_A } });
      const ep = await createEndpoint(a, {
        url: "https://example.com/hooks",
        auth: { type: "bearer", token: "outbound-token-123" },
      });
      await a.cleanup();
      const read = () =>
        withDb(dir.file("hookgate.db"), (db) =>
          db
            .query<{ id: string; secrets_enc: Uint8Array | string; auth_enc: Uint8Array | string | null }, []>(
              "SELECT id, secrets_enc, auth_enc FROM endpoints ORDER BY id",
            )
            .all(),
        );
      const sealed = read();
      expect(sealed).toHaveLength(1);

      const wrong = buildTestApp({ dir, env: { HOOKGATE_MASTER_KEY: KEY_B } });
      await expect(wrong).rejects.toBeInstanceOf(StartupError);
      await expect(wrong).rejects.toThrow(/master key/);
      // No key at all: a fresh key file is made beside the database, and refused the same way.
      await expect(buildTestApp({ dir, env: {} })).rejects.toThrow(/master key/);
      expect(read()).toEqual(sealed);

      const again = await buildTestApp({ dir, env: { HOOKGATE_MASTER_KEY: KEY_A } });
      try {
        expect((await json(again.app, "GET", `/v1/endpoints/${ep.id}`, { key: again.adminKey })).status).toBe(200);
      } finally {
        await again.cleanup();
      }
    } finally {
      dir.cleanup();
    }
  });

  it("key files readable by others (0644) are refused at startup with a message that says how to fix it", async () => {
    const dir = tempDir();
    try {
      const first = await buildTestApp({ dir });
      await first.cleanup();
      const masterKey = dir.file("master.key");
      const signingKey = dir.file("ed25519.key");

      chmodSync(masterKey, 0o644);
      const master = buildTestApp({ dir });
      await expect(master).rejects.toBeInstanceOf(MasterKeyError);
      await expect(master).rejects.toThrow(`chmod 600 ${masterKey}`);
      chmodSync(masterKey, 0o600);

      chmodSync(signingKey, 0o644);
      const signing = buildTestApp({ dir });
      await expect(signing).rejects.toBeInstanceOf(StartupError);
      await expect(signing).rejects.toThrow(`chmod 600 ${signingKey}`);
      chmodSync(signingKey, 0o600);

      // Refusals leave nothing locked behind: the next start works.
      const ok = await buildTestApp({ dir });
      await ok.cleanup();
    } finally {
      dir.cleanup();
    }
  });
});
