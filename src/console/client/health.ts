// Endpoint health as the console shows it: from the endpoint's state and its last hour of attempts.
import { api, type Endpoint, type Stats } from "./api.ts";

export type Health = "healthy" | "degraded" | "failing" | "idle" | "paused" | "gone" | "open" | "half_open";

export function healthOf(e: Endpoint, stats: Stats | undefined): Health {
  if (!e.enabled)
    return e.disabled_reason === "manual" || e.disabled_reason === null
      ? "paused"
      : e.disabled_reason === "gone"
        ? "gone"
        : "failing";
  if (e.circuit.state !== "closed") return e.circuit.state;
  const t = stats?.totals;
  if (!t) return "idle";
  const bad = t.failed + t.retrying;
  if (t.delivered + bad === 0) return "idle";
  if (t.delivered === 0) return "failing";
  return bad / (t.delivered + bad) > 0.05 ? "degraded" : "healthy";
}

/** The last hour's stats of each endpoint, a few requests at a time. */
export async function hourStatsOf(endpoints: Endpoint[]): Promise<Map<string, Stats>> {
  const out = new Map<string, Stats>();
  const queue = endpoints.filter((e) => e.enabled);
  const worker = async () => {
    for (let e = queue.shift(); e; e = queue.shift()) {
      const since = new Date(Date.now() - 3_600_000).toISOString();
      try {
        const r = await api<{ data: Stats }>(
          "GET",
          `/v1/stats?bucket=1h&endpoint_id=${encodeURIComponent(e.id)}&since=${since}`,
        );
        out.set(e.id, r.data);
      } catch {
        // health stays unknown (idle) for this endpoint
      }
    }
  };
  await Promise.all([worker(), worker(), worker(), worker()]);
  return out;
}
