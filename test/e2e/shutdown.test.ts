// Graceful shutdown: in-flight attempts finish and are recorded, queued deliveries go back to pending,
// the socket stops accepting, and the database is closed cleanly.

import { Database } from "bun:sqlite";
import { describe, expect, it } from "bun:test";
import { buildTestApp } from "../helpers/app.ts";
import { createEndpoint, deliveryConfig, publishOk } from "../helpers/delivery.ts";
import { startReceiver } from "../helpers/receiver.ts";
import { tempDir } from "../helpers/temp.ts";

describe("graceful shutdown", () => {
  it("lets in-flight attempts finish, hands queued deliveries back as pending, then refuses connections", async () => {
    const dir = tempDir();
    const rx = startReceiver({ default: { status: 200, body: "ok", delayMs: 400 } });
    const t = await buildTestApp({
      dir,
      listen: true,
      config: deliveryConfig({ delivery: { per_endpoint_concurrency: 2 } }),
    });
    try {
      await createEndpoint(t, { url: rx.url });
      for (let i = 0; i < 6; i++) await publishOk(t, { type: "order.created", data: { i } });
      await rx.waitForRequests(2);
      await t.cleanup(); // gateway.stop(): like SIGTERM
      const db = new Database(t.config.storage.path, { readonly: true });
      try {
        const byStatus = Object.fromEntries(
          db
            .query<{ status: string; n: number }, []>("SELECT status, count(*) AS n FROM deliveries GROUP BY status")
            .all()
            .map((r) => [r.status, r.n]),
        );
        expect(byStatus.delivered).toBe(2);
        expect(byStatus.pending).toBe(4);
        expect(byStatus.delivering).toBeUndefined();
        expect(db.query<{ n: number }, []>("SELECT count(*) AS n FROM attempts").get()!.n).toBe(2);
        expect(db.query<{ integrity_check: string }, []>("PRAGMA integrity_check").get()!.integrity_check).toBe("ok");
      } finally {
        db.close();
      }
      expect(
        await fetch(`${t.url}/healthz`).then(
          () => "answered",
          () => "refused",
        ),
      ).toBe("refused");
    } finally {
      await t.cleanup();
      rx.stop();
      dir.cleanup();
    }
  });
});
