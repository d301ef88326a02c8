// One event: its payload and its fan-out (one delivery per endpoint).
import { can, type Delivery, type EventOut, type Me } from "../api.ts";
import { useApi } from "../hooks.ts";
import { ErrorNote, fmtTime, Json, Loading } from "../ui.tsx";
import { DeliveryTable } from "./delivery-table.tsx";

export function EventPage({ me, id }: { me: Me; id: string }) {
  const ev = useApi<{ data: EventOut & { deliveries: Delivery[] } }>(`/v1/events/${encodeURIComponent(id)}`);
  if (ev.error) return <ErrorNote error={ev.error} />;
  if (!ev.data) return <Loading what="the event" />;
  const e = ev.data.data;
  return (
    <>
      <p>
        <a href="#/events">Events</a> /
      </p>
      <h1>Event {e.id}</h1>
      <dl class="facts">
        <dt>Type</dt>
        <dd>{e.type}</dd>
        <dt>Tenant</dt>
        <dd>{e.tenant_id}</dd>
        <dt>Created</dt>
        <dd>{fmtTime(e.created_at)}</dd>
        <dt>Idempotency key</dt>
        <dd>{e.idempotency_key ?? "—"}</dd>
      </dl>
      <section aria-labelledby="fanout-h">
        <h2 id="fanout-h">
          Fan-out ({e.deliveries.length} deliver{e.deliveries.length === 1 ? "y" : "ies"}){" "}
          <button type="button" onClick={ev.reload}>
            Refresh
          </button>
        </h2>
        {can(me, "deliveries:read") || can(me, "events:read") ? (
          <DeliveryTable deliveries={e.deliveries} caption="Deliveries of this event" />
        ) : null}
      </section>
      <section aria-labelledby="data-h">
        <h2 id="data-h">Data</h2>
        <Json label="Event data" value={e.data} />
      </section>
    </>
  );
}
