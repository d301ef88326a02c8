// Liveness and readiness probes (no auth), for load balancers, Docker and systemd.
import { Elysia, t } from "elysia";
import type { ApiDeps } from "./context.ts";

const Status = t.Object({ status: t.String({ examples: ["ok"] }) });

export function opsPlugin({ store, isReady }: ApiDeps) {
  return new Elysia({ name: "ops", tags: ["Operations"] })
    .get("/healthz", () => ({ status: "ok" }), {
      response: { 200: Status },
      detail: { summary: "Liveness", description: "200 while the process serves HTTP.", security: [] },
    })
    .get(
      "/readyz",
      async ({ set }) => {
        const storeOk = await store.ping();
        const ready = storeOk && isReady();
        if (!ready) set.status = 503;
        return { status: ready ? "ok" : storeOk ? "starting" : "store_unavailable" };
      },
      { response: { 200: Status, 503: Status }, detail: { summary: "Readiness", description: "200 when the store answers and the scheduler runs, else 503.", security: [] } },
    );
}
