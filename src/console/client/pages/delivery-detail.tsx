// One delivery: its state, replay, and the attempt timeline with the request and each response.
import { useEffect, useState } from "preact/hooks";
import {
  type Attempt,
  api,
  can,
  type Delivery,
  type DeliveryWithHistory,
  type EventOut,
  type Me,
  type Preview,
} from "../api.ts";
import { useApi } from "../hooks.ts";
import { Badge, ErrorNote, fmtMs, fmtTime, Json, Loading, useAction } from "../ui.tsx";

/** What the request looks like: the event, and (with endpoints:read) the headers as built now by a dry run. */
function RequestPanel({ me, delivery }: { me: Me; delivery: Delivery }) {
  const event = useApi<{ data: EventOut }>(
    can(me, "events:read") ? `/v1/events/${encodeURIComponent(delivery.event_id)}` : null,
  );
  const [sent, setSent] = useState<Preview | null>(null);
  useEffect(() => {
    const e = event.data?.data;
    if (!e || !delivery.endpoint_id || !can(me, "endpoints:read")) return;
    api<{ data: Preview }>("POST", `/v1/endpoints/${encodeURIComponent(delivery.endpoint_id)}/preview`, {
      type: e.type,
      data: e.data,
    }).then(
      (r) => setSent(r.data),
      () => setSent(null),
    );
  }, [event.data]);
  if (!event.data) return event.error ? <ErrorNote error={event.error} /> : null;
  return (
    <section aria-labelledby="request-h" class="panel">
      <h2 id="request-h">Request</h2>
      {sent?.method ? (
        <>
          <p>
            <code>
              {sent.method} {sent.url}
            </code>
          </p>
          <p class="muted small">
            Headers as built now; signatures and timestamps are computed afresh for every attempt.
          </p>
          <Json label="Request headers" value={sent.headers} />
          <Json label="Request body" value={sent.body ?? ""} />
        </>
      ) : (
        <>
          {sent && !sent.method && (
            <p class="muted small">
              The endpoint's current settings would not send this event now, so only the event is shown.
            </p>
          )}
          <Json label="Event" value={event.data.data} />
        </>
      )}
    </section>
  );
}

function Timeline({ attempts }: { attempts: Attempt[] }) {
  if (attempts.length === 0) return <p class="muted">No attempt yet.</p>;
  return (
    <ol class="timeline">
      {attempts.map((a) => {
        const ok = a.http_status !== null && a.http_status >= 200 && a.http_status < 300 && !a.error;
        return (
          <li key={a.id} class={ok ? "ok" : "bad"}>
            <details>
              <summary>
                Attempt {a.attempt} · {a.trigger} · {fmtTime(a.started_at)} · {fmtMs(a.duration_ms)} ·{" "}
                {a.http_status !== null ? `HTTP ${a.http_status}` : "no response"}
                {a.error && <> · {a.error}</>}
              </summary>
              {a.request_body != null && <Json label={`Request body of attempt ${a.attempt}`} value={a.request_body} />}
              <h3>Response headers</h3>
              {a.response_headers ? (
                <Json label={`Response headers of attempt ${a.attempt}`} value={a.response_headers} />
              ) : (
                <p class="muted">None.</p>
              )}
              <h3>Response body{a.response_body_encoding === "base64" ? " (base64)" : ""}</h3>
              {a.response_body ? (
                <Json label={`Response body of attempt ${a.attempt}`} value={a.response_body} />
              ) : (
                <p class="muted">Empty.</p>
              )}
            </details>
          </li>
        );
      })}
    </ol>
  );
}

export function DeliveryPage({ me, id }: { me: Me; id: string }) {
  const d = useApi<{ data: DeliveryWithHistory }>(`/v1/deliveries/${encodeURIComponent(id)}`);
  const { busy, error, run } = useAction();
  const [queued, setQueued] = useState(false);
  if (d.error) return <ErrorNote error={d.error} />;
  if (!d.data) return <Loading what="the delivery" />;
  const v = d.data.data;
  const replay = async () => {
    setQueued(false);
    const r = await run(() => api("POST", `/v1/deliveries/${encodeURIComponent(id)}/replay`));
    if (r) {
      setQueued(true);
      setTimeout(d.reload, 800);
    }
  };
  return (
    <>
      <p>
        <a href="#/deliveries">Deliveries</a> /
      </p>
      <h1>Delivery {v.id}</h1>
      <dl class="facts">
        <dt>Status</dt>
        <dd>
          <Badge value={v.status} />
          {v.next_retry_at && <> next attempt {fmtTime(v.next_retry_at)}</>}
        </dd>
        <dt>Event</dt>
        <dd>
          {can(me, "events:read") ? (
            <a href={`#/events/${encodeURIComponent(v.event_id)}`}>{v.event_id}</a>
          ) : (
            v.event_id
          )}{" "}
          ({v.event_type})
        </dd>
        <dt>Endpoint</dt>
        <dd>
          {v.endpoint_id ? (
            <a href={`#/endpoints/${encodeURIComponent(v.endpoint_id)}`}>{v.endpoint_id}</a>
          ) : (
            v.target_url
          )}
        </dd>
        <dt>Attempts</dt>
        <dd>{v.attempts}</dd>
        <dt>Last error</dt>
        <dd>{v.last_error ?? "—"}</dd>
        <dt>Created</dt>
        <dd>{fmtTime(v.created_at)}</dd>
        <dt>Delivered</dt>
        <dd>{fmtTime(v.delivered_at)}</dd>
      </dl>
      <div class="actions">
        {can(me, "deliveries:write") && (
          <button type="button" class="primary" onClick={replay} disabled={busy}>
            Replay now
          </button>
        )}
        <button type="button" onClick={d.reload}>
          Refresh
        </button>
        {queued && <span role="status">A new attempt was queued.</span>}
      </div>
      <ErrorNote error={error} />
      <section aria-labelledby="timeline-h">
        <h2 id="timeline-h">Attempts</h2>
        <Timeline attempts={v.history} />
      </section>
      <RequestPanel me={me} delivery={v} />
    </>
  );
}
