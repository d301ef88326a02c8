// At-least-once across a crash: events acknowledged with 202 are all delivered after kill -9 and restart.

import { Database } from "bun:sqlite";
import { describe, expect, it } from "bun:test";
import { writeFileSync } from "node:fs";
import { freePort, stopProcess, waitFor, waitForHttp } from "../helpers/process.ts";
import { tempDir } from "../helpers/temp.ts";

const ADMIN = "crash-test-admin-key-0123456789";
const MAIN = new URL("../../src/main.ts", import.meta.url).pathname;

function startGateway(dir: string, configPath: string) {
  return Bun.spawn([process.execPath, MAIN, "serve", "--config", configPath], {
    cwd: dir,
    env: { ...process.env, HOOKGATE_ADMIN_KEY: ADMIN },
    stdout: "ignore",
    stderr: "pipe",
  });
}

describe("crash safety", () => {
  it("delivers every acknowledged event at least once after kill -9 mid-delivery", async () => {
    const dir = tempDir();
    const received = new Map<string, number>();
    // A slow receiver: ~30 ms per request, so deliveries are still under way when the gateway dies.
    const receiver = Bun.serve({
      hostname: "127.0.0.1",
      port: 0,
      async fetch(req) {
        const id = req.headers.get("webhook-id") ?? "?";
        await Bun.sleep(30);
        received.set(id, (received.get(id) ?? 0) + 1);
        return new Response("ok");
      },
    });
    const port = freePort();
    const configPath = dir.file("hookgate.yaml");
    writeFileSync(
      configPath,
      [
        `server: {host: 127.0.0.1, port: ${port}}`,
        `storage: {path: ${dir.file("hookgate.db")}}`,
        `signing: {ed25519_key_file: ${dir.file("ed25519.key")}}`,
        "security: {allow_http: true, allow_private_networks: true}",
        "delivery: {per_endpoint_concurrency: 8, retry_schedule: [1s, 2s, 5s], jitter: 0}",
        "log: {level: warn}",
      ].join("\n"),
    );
    const base = `http://127.0.0.1:${port}`;
    const headers = { authorization: `Bearer ${ADMIN}`, "content-type": "application/json" };
    let gateway = startGateway(dir.path, configPath);
    try {
      await waitForHttp(`${base}/healthz`, { timeoutMs: 15_000 });
      const created = await fetch(`${base}/v1/endpoints`, {
        method: "POST",
        headers,
        body: JSON.stringify({ url: `http://127.0.0.1:${receiver.port}/hook`, events: ["*"] }),
      });
      expect(created.status).toBe(201);

      // Publish 1,000 events (20 at a time) while the receiver works through them; kill -9 part-way.
      const acknowledged: string[] = [];
      let next = 0;
      let killed = false;
      const publisher = async () => {
        while (next < 1000) {
          const i = next++;
          try {
            const res = await fetch(`${base}/v1/events`, {
              method: "POST",
              headers,
              body: JSON.stringify({ type: "order.created", data: { i } }),
            });
            if (res.status === 202) acknowledged.push((await res.json()).data.id);
          } catch {
            // the gateway was killed while this publish was in flight: it was never acknowledged
          }
        }
      };
      const killer = (async () => {
        await waitFor(() => received.size >= 150, { timeoutMs: 30_000, intervalMs: 5, what: "150 deliveries" });
        process.kill(gateway.pid, "SIGKILL");
        killed = true;
        await gateway.exited;
      })();
      await Promise.all([...Array.from({ length: 20 }, publisher), killer]);
      expect(killed).toBe(true);
      expect(acknowledged.length).toBeGreaterThan(150);
      const deliveredBeforeRestart = received.size;
      expect(deliveredBeforeRestart).toBeLessThan(acknowledged.length);

      gateway = startGateway(dir.path, configPath);
      await waitForHttp(`${base}/healthz`, { timeoutMs: 15_000 });
      await waitFor(() => acknowledged.every((id) => received.has(id)), {
        timeoutMs: 60_000,
        intervalMs: 100,
        what: "every acknowledged event to arrive",
      });

      const duplicates = [...received.values()].reduce((sum, n) => sum + (n - 1), 0);
      console.log(
        `crash test: ${acknowledged.length} acknowledged, ${deliveredBeforeRestart} delivered before kill -9, all delivered after restart, ${duplicates} duplicate deliveries`,
      );
      expect(acknowledged.every((id) => received.has(id))).toBe(true);

      await stopProcess(gateway);
      const db = new Database(dir.file("hookgate.db"), { readonly: true });
      try {
        expect(db.query<{ integrity_check: string }, []>("PRAGMA integrity_check").get()?.integrity_check).toBe("ok");
        expect(
          db.query<{ n: number }, []>("SELECT count(*) AS n FROM deliveries WHERE status = 'delivering'").get()?.n,
        ).toBe(0);
      } finally {
        db.close();
      }
    } finally {
      await stopProcess(gateway);
      receiver.stop(true);
      dir.cleanup();
    }
  }, 120_000);
});
