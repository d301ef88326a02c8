// Deliveries: filter by status, endpoint, event type and time; replay a selection.
import { useState } from "preact/hooks";
import { api, can, type Delivery, type Endpoint, type EventType, type Me, type Page, qs } from "../api.ts";
import { hashQuery, useApi } from "../hooks.ts";
import { ErrorNote, Field, isoOf, Loading, Pager, useAction } from "../ui.tsx";
import { DeliveryTable } from "./delivery-table.tsx";

const STATUSES = ["pending", "delivering", "delivered", "failed", "skipped"];

export function DeliveriesPage({ me }: { me: Me }) {
  const initial = hashQuery();
  const [status, setStatus] = useState(initial.get("status") ?? "");
  const [endpoint, setEndpoint] = useState(initial.get("endpoint") ?? "");
  const [type, setType] = useState("");
  const [since, setSince] = useState("");
  const [until, setUntil] = useState("");
  const [cursors, setCursors] = useState<string[]>([]);
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [replayed, setReplayed] = useState<string | null>(null);
  const { busy, error, run } = useAction();
  const endpoints = useApi<Page<Endpoint>>(can(me, "endpoints:read") ? "/v1/endpoints?limit=100" : null);
  const types = useApi<{ data: EventType[] }>("/v1/event-types");
  const filters = { status, endpoint_id: endpoint, event_type: type, since: isoOf(since), until: isoOf(until) };
  const list = useApi<Page<Delivery>>(
    `/v1/deliveries${qs({ ...filters, cursor: cursors[cursors.length - 1], limit: 25 })}`,
  );
  const change = (set: (v: string) => void) => (e: Event) => {
    setCursors([]);
    setSelected(new Set());
    set((e.target as HTMLInputElement).value);
  };
  const toggle = (id: string) => {
    const next = new Set(selected);
    if (!next.delete(id)) next.add(id);
    setSelected(next);
  };
  const replay = async () => {
    setReplayed(null);
    const r = await run(() =>
      api<{ data: { id: string; result: string }[] }>("POST", "/v1/deliveries/replay", { ids: [...selected] }),
    );
    if (r) {
      const queued = r.data.filter((x) => x.result === "queued").length;
      setReplayed(`${queued} of ${r.data.length} deliveries queued for a new attempt.`);
      setSelected(new Set());
      setTimeout(list.reload, 800);
    }
  };
  const writable = can(me, "deliveries:write");
  return (
    <>
      <h1>Deliveries</h1>
      <form class="toolbar" aria-label="Filter deliveries" onSubmit={(e) => e.preventDefault()}>
        <Field id="d-status" label="Status">
          <select id="d-status" value={status} onChange={change(setStatus)}>
            <option value="">Any</option>
            {STATUSES.map((s) => (
              <option key={s}>{s}</option>
            ))}
          </select>
        </Field>
        <Field id="d-endpoint" label="Endpoint">
          <select id="d-endpoint" value={endpoint} onChange={change(setEndpoint)}>
            <option value="">Any</option>
            {endpoint && !endpoints.data?.data.some((e) => e.id === endpoint) && (
              <option value={endpoint}>{endpoint}</option>
            )}
            {endpoints.data?.data.map((e) => (
              <option key={e.id} value={e.id}>
                {e.description || e.url}
              </option>
            ))}
          </select>
        </Field>
        <Field id="d-type" label="Event type">
          <select id="d-type" value={type} onChange={change(setType)}>
            <option value="">Any</option>
            {types.data?.data.map((t) => (
              <option key={t.name}>{t.name}</option>
            ))}
            <option value="webhook.test">webhook.test</option>
          </select>
        </Field>
        <Field id="d-since" label="Created from">
          <input id="d-since" type="datetime-local" value={since} onChange={change(setSince)} />
        </Field>
        <Field id="d-until" label="Created before">
          <input id="d-until" type="datetime-local" value={until} onChange={change(setUntil)} />
        </Field>
        <button type="button" onClick={list.reload}>
          Refresh
        </button>
      </form>
      {writable && (
        <div class="toolbar">
          <button type="button" class="primary" disabled={selected.size === 0 || busy} onClick={replay}>
            Replay selected ({selected.size})
          </button>
          {replayed && <span role="status">{replayed}</span>}
        </div>
      )}
      <ErrorNote error={error ?? list.error} />
      {list.data ? (
        <DeliveryTable
          deliveries={list.data.data}
          caption="Deliveries, newest first"
          selected={writable ? selected : undefined}
          onToggle={toggle}
        />
      ) : (
        <Loading what="deliveries" />
      )}
      <Pager cursors={cursors} setCursors={setCursors} page={list.data} />
    </>
  );
}
