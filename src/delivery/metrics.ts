// Engine counters and the Prometheus text exposition of them.

const LATENCY_BUCKETS_MS = [5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10_000, 30_000];

export class EngineMetrics {
  eventsIngested = 0;
  deliveriesFinal = new Map<string, number>();
  attempts = new Map<string, number>();
  latencyBuckets = new Array<number>(LATENCY_BUCKETS_MS.length).fill(0);
  latencyCount = 0;
  latencySumMs = 0;

  countFinal(status: string): void {
    this.deliveriesFinal.set(status, (this.deliveriesFinal.get(status) ?? 0) + 1);
  }

  countAttempt(outcome: string, durationMs: number): void {
    this.attempts.set(outcome, (this.attempts.get(outcome) ?? 0) + 1);
    this.latencyCount++;
    this.latencySumMs += durationMs;
    for (let i = 0; i < LATENCY_BUCKETS_MS.length; i++)
      if (durationMs <= LATENCY_BUCKETS_MS[i]!) this.latencyBuckets[i]!++;
  }
}

export interface Gauges {
  /** Group-commit transactions, and the events and results they wrote. */
  writes: { commits: number; events: number; results: number };
  readyQueue: number;
  inFlight: number;
  pending: number;
  oldestPendingSeconds: number;
  /** Endpoints by circuit state, and how often a circuit opened since start. */
  circuits: { closed: number; open: number; half_open: number; openings: number };
}

const labelled = (name: string, label: string, values: Map<string, number>) =>
  [...values].map(([v, n]) => `${name}{${label}="${v.replace(/["\\\n]/g, "_")}"} ${n}`).join("\n");

/** Prometheus text format 0.0.4. */
export function renderMetrics(m: EngineMetrics, g: Gauges): string {
  const lines = [
    "# HELP hookgate_events_ingested_total Events accepted by POST /v1/events.",
    "# TYPE hookgate_events_ingested_total counter",
    `hookgate_events_ingested_total ${m.eventsIngested}`,
    "# HELP hookgate_deliveries_total Deliveries that reached a final status.",
    "# TYPE hookgate_deliveries_total counter",
    labelled("hookgate_deliveries_total", "status", m.deliveriesFinal),
    "# HELP hookgate_attempts_total Delivery attempts by outcome (2xx, 4xx, 5xx or an error kind).",
    "# TYPE hookgate_attempts_total counter",
    labelled("hookgate_attempts_total", "outcome", m.attempts),
    "# HELP hookgate_attempt_duration_seconds Duration of delivery attempts.",
    "# TYPE hookgate_attempt_duration_seconds histogram",
    ...LATENCY_BUCKETS_MS.map(
      (b, i) => `hookgate_attempt_duration_seconds_bucket{le="${b / 1000}"} ${m.latencyBuckets[i]}`,
    ),
    `hookgate_attempt_duration_seconds_bucket{le="+Inf"} ${m.latencyCount}`,
    `hookgate_attempt_duration_seconds_sum ${m.latencySumMs / 1000}`,
    `hookgate_attempt_duration_seconds_count ${m.latencyCount}`,
    "# HELP hookgate_store_commits_total Group-commit transactions of the hot path.",
    "# TYPE hookgate_store_commits_total counter",
    `hookgate_store_commits_total ${g.writes.commits}`,
    "# HELP hookgate_store_rows_total Events and attempt results written by those transactions.",
    "# TYPE hookgate_store_rows_total counter",
    `hookgate_store_rows_total{kind="event"} ${g.writes.events}`,
    `hookgate_store_rows_total{kind="result"} ${g.writes.results}`,
    "# HELP hookgate_ready_queue_depth Deliveries queued in memory for their next attempt.",
    "# TYPE hookgate_ready_queue_depth gauge",
    `hookgate_ready_queue_depth ${g.readyQueue}`,
    "# HELP hookgate_in_flight Attempts in flight.",
    "# TYPE hookgate_in_flight gauge",
    `hookgate_in_flight ${g.inFlight}`,
    "# HELP hookgate_pending_deliveries Deliveries waiting in the store for a retry.",
    "# TYPE hookgate_pending_deliveries gauge",
    `hookgate_pending_deliveries ${g.pending}`,
    "# HELP hookgate_oldest_pending_seconds Age of the oldest pending delivery.",
    "# TYPE hookgate_oldest_pending_seconds gauge",
    `hookgate_oldest_pending_seconds ${g.oldestPendingSeconds}`,
    "# HELP hookgate_endpoint_circuits Endpoints by circuit state (kept in memory by this process).",
    "# TYPE hookgate_endpoint_circuits gauge",
    `hookgate_endpoint_circuits{state="closed"} ${g.circuits.closed}`,
    `hookgate_endpoint_circuits{state="open"} ${g.circuits.open}`,
    `hookgate_endpoint_circuits{state="half_open"} ${g.circuits.half_open}`,
    "# HELP hookgate_circuit_openings_total Times an endpoint's circuit opened (attempts timing out or not connecting).",
    "# TYPE hookgate_circuit_openings_total counter",
    `hookgate_circuit_openings_total ${g.circuits.openings}`,
  ];
  return `${lines.filter((l) => l !== "").join("\n")}\n`;
}
