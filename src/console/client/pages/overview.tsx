// Overview: deliveries per minute by outcome, success rate and latency for the last hour and day, and the
// endpoints that need attention (failing, disabled, or with an open circuit).
import { useEffect, useMemo, useState } from "preact/hooks";
import { can, type Endpoint, type Me, type Page, type Stats } from "../api.ts";
import { TimeChart } from "../chart.tsx";
import { healthOf, hourStatsOf } from "../health.ts";
import { useApi } from "../hooks.ts";
import { Badge, ErrorNote, Field, fmtMs, fmtPct, Loading } from "../ui.tsx";

const WINDOWS = {
  hour: { label: "Last hour", bucket: "1m", ms: 3_600_000, per: "per minute" },
  day: { label: "Last day", bucket: "5m", ms: 86_400_000, per: "per 5 minutes" },
} as const;
type WindowName = keyof typeof WINDOWS;

/** since/until aligned to the bucket, so the chart does not shift between refreshes. */
function windowQuery(name: WindowName, now: number): string {
  const w = WINDOWS[name];
  const size = w.bucket === "1m" ? 60_000 : 300_000;
  const until = Math.ceil(now / size) * size;
  return `/v1/stats?bucket=${w.bucket}&since=${new Date(until - w.ms).toISOString()}&until=${new Date(until).toISOString()}`;
}

function Charts({ stats, per }: { stats: Stats; per: string }) {
  const times = useMemo(() => stats.buckets.map((b) => Date.parse(b.start) / 1000), [stats]);
  const outcomes = useMemo(
    () => [
      { label: "delivered", color: "#15803d", values: stats.buckets.map((b) => b.delivered) },
      { label: "failed", color: "#b91c1c", values: stats.buckets.map((b) => b.failed) },
      { label: "retrying", color: "#b45309", values: stats.buckets.map((b) => b.retrying), dash: [6, 4] },
      { label: "skipped", color: "#57606a", values: stats.buckets.map((b) => b.skipped), dash: [2, 3] },
    ],
    [stats],
  );
  const latency = useMemo(
    () => [
      { label: "p50", color: "#1d4ed8", values: stats.buckets.map((b) => b.p50_ms) },
      { label: "p95", color: "#7c3aed", values: stats.buckets.map((b) => b.p95_ms), dash: [6, 4] },
    ],
    [stats],
  );
  const t = stats.totals;
  return (
    <div class="charts">
      <TimeChart
        title={`Deliveries ${per}, by outcome`}
        times={times}
        lines={outcomes}
        unit="deliveries"
        summary={`${t.delivered} delivered, ${t.failed} failed, ${t.retrying} retrying, ${t.skipped} skipped`}
      />
      <TimeChart
        title="Attempt latency"
        times={times}
        lines={latency}
        unit="ms"
        summary={`median ${fmtMs(t.p50_ms)}, 95th percentile ${fmtMs(t.p95_ms)}`}
      />
    </div>
  );
}

function Attention({ me }: { me: Me }) {
  const list = useApi<Page<Endpoint>>(can(me, "endpoints:read") ? "/v1/endpoints?limit=100" : null);
  const [health, setHealth] = useState<Map<string, ReturnType<typeof healthOf>> | null>(null);
  useEffect(() => {
    if (!list.data) return;
    const endpoints = list.data.data;
    hourStatsOf(endpoints).then((stats) =>
      setHealth(new Map(endpoints.map((e) => [e.id, healthOf(e, stats.get(e.id))]))),
    );
  }, [list.data]);
  if (!can(me, "endpoints:read")) return null;
  if (list.error) return <ErrorNote error={list.error} />;
  if (!list.data || !health) return <Loading what="endpoint health" />;
  const flagged = list.data.data.filter((e) =>
    ["failing", "gone", "open", "half_open", "degraded"].includes(health.get(e.id)!),
  );
  return (
    <section aria-labelledby="attention">
      <h2 id="attention">Endpoints needing attention</h2>
      {flagged.length === 0 ? (
        <p class="muted">None: every endpoint is healthy, idle or paused.</p>
      ) : (
        <table>
          <caption class="sr-only">Endpoints that are failing, disabled or have an open circuit</caption>
          <thead>
            <tr>
              <th scope="col">Endpoint</th>
              <th scope="col">Health</th>
              <th scope="col">Circuit</th>
            </tr>
          </thead>
          <tbody>
            {flagged.map((e) => (
              <tr key={e.id}>
                <td>
                  <a href={`#/endpoints/${encodeURIComponent(e.id)}`}>{e.description || e.url}</a>
                  <div class="muted small">{e.url}</div>
                </td>
                <td>
                  <Badge value={health.get(e.id)!} />
                </td>
                <td>
                  <Badge value={e.circuit.state} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

export function OverviewPage({ me }: { me: Me }) {
  const [name, setName] = useState<WindowName>("hour");
  const [now, setNow] = useState(Date.now());
  const [dayNow, setDayNow] = useState(now);
  // The hour refreshes every 30 s; the day (a larger read on a busy store) every 5 minutes.
  useEffect(() => {
    const hourly = setInterval(() => setNow(Date.now()), 30_000);
    const daily = setInterval(() => setDayNow(Date.now()), 300_000);
    return () => {
      clearInterval(hourly);
      clearInterval(daily);
    };
  }, []);
  const hour = useApi<{ data: Stats }>(windowQuery("hour", now));
  const day = useApi<{ data: Stats }>(windowQuery("day", dayNow));
  const shown = name === "hour" ? hour : day;
  return (
    <>
      <h1>Overview</h1>
      <ErrorNote error={hour.error ?? day.error} />
      <table class="summary">
        <caption>Delivery outcomes</caption>
        <thead>
          <tr>
            <th scope="col">Window</th>
            <th scope="col">Success rate</th>
            <th scope="col">Delivered</th>
            <th scope="col">Failed</th>
            <th scope="col">Retrying</th>
            <th scope="col">Skipped</th>
            <th scope="col">p50</th>
            <th scope="col">p95</th>
          </tr>
        </thead>
        <tbody>
          {(["hour", "day"] as const).map((w) => {
            const t = (w === "hour" ? hour : day).data?.data.totals;
            return (
              <tr key={w}>
                <th scope="row">{WINDOWS[w].label}</th>
                <td class="big">{fmtPct(t?.success_rate)}</td>
                <td>{t?.delivered ?? "…"}</td>
                <td>{t?.failed ?? "…"}</td>
                <td>{t?.retrying ?? "…"}</td>
                <td>{t?.skipped ?? "…"}</td>
                <td>{fmtMs(t?.p50_ms)}</td>
                <td>{fmtMs(t?.p95_ms)}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
      <div class="toolbar">
        <Field id="window" label="Chart window">
          <select
            id="window"
            value={name}
            onChange={(e) => setName((e.target as HTMLSelectElement).value as WindowName)}
          >
            <option value="hour">Last hour, per minute</option>
            <option value="day">Last day, per 5 minutes</option>
          </select>
        </Field>
        <button
          type="button"
          onClick={() => {
            setNow(Date.now());
            setDayNow(Date.now());
          }}
        >
          Refresh
        </button>
      </div>
      {shown.data ? <Charts stats={shown.data.data} per={WINDOWS[name].per} /> : <Loading what="charts" />}
      <Attention me={me} />
    </>
  );
}
