// Liveness and readiness probes (no auth), for load balancers, Docker and systemd.
import { Elysia, t } from "elysia";
import type { ApiDeps } from "./context.ts";

const Status = t.Object({ status: t.String({ examples: ["ok"] }) });

export function opsPlugin({ store, isReady, engine, auth, config, clock, registry }: ApiDeps) {
  return new Elysia({ name: "ops", tags: ["Operations"] })
    .get("/healthz", () => ({ status: "ok" }), {
      response: { 200: Status },
      detail: { summary: "Liveness", description: "200 while the process serves HTTP.", security: [] },
    })
    .get(
      "/readyz",
      async ({ set }) => {
        const storeOk = await store.ping();
        const writable = storeOk && (await engine.writesWork());
        const ready = writable && isReady();
        if (!ready) set.status = 503;
        return { status: ready ? "ok" : !storeOk ? "store_unavailable" : !writable ? "writes_failing" : "starting" };
      },
      {
        response: { 200: Status, 503: Status },
        detail: {
          summary: "Readiness",
          description:
            "200 when the store answers and takes writes and the scheduler runs, else 503: `store_unavailable`, `writes_failing` (the last write failed: disk full or read-only; each check tries again, 200 once a write succeeds) or `starting`.",
          security: [],
        },
      },
    )
    .get(
      "/metrics",
      async ({ request }) => {
        if (config.metrics.require_auth) await auth.require(request, "admin");
        const stats = await store.pendingStats();
        const oldest = stats.oldestCreatedAt === null ? 0 : Math.max(0, (clock.now() - stats.oldestCreatedAt) / 1000);
        const gauges = { pending: stats.count, oldestPendingSeconds: oldest, endpoints: registry.size };
        return new Response(engine.prometheus(gauges), {
          headers: { "content-type": "text/plain; version=0.0.4; charset=utf-8" },
        });
      },
      {
        response: { 200: t.String({ description: "Prometheus text format 0.0.4." }) },
        detail: {
          summary: "Prometheus metrics",
          description:
            "Counters and histograms prefixed hookgate_. Requires an admin key when metrics.require_auth is set.",
          security: [],
        },
      },
    );
}
