// Checkpoints keep the write-ahead log bounded under sustained ingest.
import { describe, expect, it } from "bun:test";
import { existsSync, statSync } from "node:fs";
import { buildTestApp, sqlCount } from "../helpers/app.ts";

describe("write-ahead log", () => {
  it("stays bounded while 12,000 events with deliveries are written", async () => {
    const t = await buildTestApp({ config: { security: { allow_http: true, allow_private_networks: true } } });
    try {
      // An endpoint on a closed port: every event gets a delivery and a failed attempt (more writes).
      const ep = await t.app.handle(
        new Request("http://localhost/v1/endpoints", {
          method: "POST",
          headers: { authorization: `Bearer ${t.adminKey}`, "content-type": "application/json" },
          body: JSON.stringify({ url: "http://127.0.0.1:9/closed", events: ["*"], retry_schedule: ["1d"] }),
        }),
      );
      expect(ep.status).toBe(201);
      const data = { blob: "x".repeat(1500) };
      const wal = `${t.config.storage.path}-wal`;
      let maxWal = 0;
      for (let round = 0; round < 24; round++) {
        await Promise.all(
          Array.from({ length: 500 }, () =>
            t.gateway.ingest.publish({ tenantId: "default", type: "bulk.test", data, idempotencyKey: null }),
          ),
        );
        if (existsSync(wal)) maxWal = Math.max(maxWal, statSync(wal).size);
      }
      await t.gateway.engine.settle();
      // ~12,000 × 1.5 KB payloads plus deliveries and attempts is well over 40 MB of pages written;
      // without checkpoints the WAL would hold all of them.
      // (The endpoint's circuit opens on the way: that operational event goes to the reserved tenant.)
      const written = sqlCount(t, "SELECT count(*) AS n FROM events WHERE tenant_id = 'default'");
      expect(written).toBe(12_000);
      // The checkpoints run on their own thread, a little behind the writes: give the last one time to land.
      const deadline = Date.now() + 15_000;
      while (statSync(t.config.storage.path).size <= 12_000 * 1500 && Date.now() < deadline) await Bun.sleep(50);
      const dbBytes = statSync(t.config.storage.path).size;
      console.log(`WAL peak ${(maxWal / 1048576).toFixed(1)} MiB; database ${(dbBytes / 1048576).toFixed(1)} MiB`);
      // The database file grows only by checkpoints: holding the payloads means they ran while serving.
      expect(dbBytes).toBeGreaterThan(12_000 * 1500);
      expect(maxWal).toBeGreaterThan(0);
      // The serving connection checkpoints itself at 40 MB (src/store/sqlite/checkpointer.ts), one batch beyond.
      expect(maxWal).toBeLessThan(48 * 1024 * 1024);
    } finally {
      await t.cleanup();
    }
  }, 60_000);
});
