// Events: the list, and publishing one from a catalog example.
import { useEffect, useState } from "preact/hooks";
import { api, can, type EventOut, type EventType, type Me, type Page, qs } from "../api.ts";
import { go, useApi } from "../hooks.ts";
import { mode } from "../session.ts";
import { ErrorNote, Field, fmtTime, Loading, Pager, pretty, useAction } from "../ui.tsx";

function Publish({ me, onPublished }: { me: Me; onPublished: () => void }) {
  const types = useApi<{ data: EventType[] }>("/v1/event-types");
  const catalog = types.data?.data.filter((t) => t.source !== "system") ?? [];
  const [type, setType] = useState("");
  const [tenant, setTenant] = useState("");
  const [data, setData] = useState("{}");
  const { busy, error, run, setError } = useAction();
  const pick = (name: string) => {
    setType(name);
    const example = catalog.find((t) => t.name === name)?.example;
    setData(pretty(example ?? {}));
  };
  useEffect(() => {
    if (!type && catalog.length > 0) pick(catalog[0]!.name);
  }, [types.data]);
  const submit = async (e: Event) => {
    e.preventDefault();
    let parsed: unknown;
    try {
      parsed = JSON.parse(data);
    } catch {
      setError(new Error("The data must be a JSON object.") as never);
      return;
    }
    const body: Record<string, unknown> = { type, data: parsed };
    if (tenant.trim()) body.tenant_id = tenant.trim();
    const r = await run(() => api<{ data: { id: string } }>("POST", "/v1/events", body));
    if (r) {
      onPublished();
      go(`events/${r.data.id}`);
    }
  };
  return (
    <form class="panel" onSubmit={submit} aria-label="Publish an event">
      <h2>Publish an event</h2>
      <div class="grid">
        <Field id="pub-type" label="Event type" hint="Pick one from the catalog to start from its example.">
          <input
            id="pub-type"
            list="pub-types"
            required
            value={type}
            aria-describedby="pub-type-hint"
            onInput={(e) => pick((e.target as HTMLInputElement).value)}
          />
          <datalist id="pub-types">
            {catalog.map((t) => (
              <option key={t.name} value={t.name} />
            ))}
          </datalist>
        </Field>
        {me.tenant_id === null && mode === "console" && (
          <Field id="pub-tenant" label="Tenant" hint="Empty: default.">
            <input
              id="pub-tenant"
              value={tenant}
              aria-describedby="pub-tenant-hint"
              onInput={(e) => setTenant((e.target as HTMLInputElement).value)}
            />
          </Field>
        )}
        <Field id="pub-data" label="Data (JSON)">
          <textarea
            id="pub-data"
            rows={8}
            spellcheck={false}
            value={data}
            onInput={(e) => setData((e.target as HTMLTextAreaElement).value)}
          />
        </Field>
      </div>
      <ErrorNote error={error} />
      <button type="submit" class="primary" disabled={busy}>
        Publish
      </button>
    </form>
  );
}

export function EventsPage({ me }: { me: Me }) {
  const [type, setType] = useState("");
  const [cursors, setCursors] = useState<string[]>([]);
  const [publishing, setPublishing] = useState(false);
  const list = useApi<Page<EventOut>>(`/v1/events${qs({ type, cursor: cursors[cursors.length - 1], limit: 25 })}`);
  return (
    <>
      <h1>Events</h1>
      <div class="toolbar">
        <Field id="e-type" label="Event type">
          <input
            id="e-type"
            value={type}
            onChange={(e) => {
              setCursors([]);
              setType((e.target as HTMLInputElement).value.trim());
            }}
          />
        </Field>
        <button type="button" onClick={list.reload}>
          Refresh
        </button>
        {can(me, "events:write") && (
          <button type="button" class="primary" aria-expanded={publishing} onClick={() => setPublishing(!publishing)}>
            Publish an event
          </button>
        )}
      </div>
      {publishing && <Publish me={me} onPublished={list.reload} />}
      <ErrorNote error={list.error} />
      {!list.data ? (
        <Loading what="events" />
      ) : list.data.data.length === 0 ? (
        <p class="muted">No events.</p>
      ) : (
        <table>
          <caption class="sr-only">Events, newest first</caption>
          <thead>
            <tr>
              <th scope="col">Event</th>
              <th scope="col">Type</th>
              <th scope="col">Tenant</th>
              <th scope="col">Created</th>
            </tr>
          </thead>
          <tbody>
            {list.data.data.map((e) => (
              <tr key={e.id}>
                <td>
                  <a href={`#/events/${encodeURIComponent(e.id)}`}>{e.id}</a>
                </td>
                <td>{e.type}</td>
                <td>{e.tenant_id}</td>
                <td>{fmtTime(e.created_at)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <Pager cursors={cursors} setCursors={setCursors} page={list.data} />
    </>
  );
}
