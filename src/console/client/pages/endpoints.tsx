// Endpoints: the list with health, and creating one (its secret is shown once).
import { useEffect, useState } from "preact/hooks";
import { api, can, type Endpoint, type Me, type Page, qs, type Stats } from "../api.ts";
import { type Health, healthOf, hourStatsOf } from "../health.ts";
import { go, useApi } from "../hooks.ts";
import { mode } from "../session.ts";
import { Badge, Dialog, ErrorNote, Field, fmtTime, Loading, OneTimeSecret, Pager, useAction } from "../ui.tsx";
import { bodyOf, type Draft, draftOf, EndpointFields } from "./endpoint-form.tsx";

function NewEndpoint({ me, onCreated }: { me: Me; onCreated: () => void }) {
  const [open, setOpen] = useState(false);
  const [draft, setDraft] = useState<Draft>(draftOf());
  const [created, setCreated] = useState<{ id: string; secret: string } | null>(null);
  const { busy, error, run, setError } = useAction();
  const submit = async (e: Event) => {
    e.preventDefault();
    let body: Record<string, unknown>;
    try {
      body = bodyOf(draft);
    } catch (err) {
      setError(err as never);
      return;
    }
    const r = await run(() => api<{ data: Endpoint & { secret: string } }>("POST", "/v1/endpoints", body));
    if (r) {
      setCreated({ id: r.data.id, secret: r.data.secret });
      setDraft(draftOf());
      setOpen(false);
      onCreated();
    }
  };
  return (
    <>
      <button type="button" class="primary" onClick={() => setOpen(!open)} aria-expanded={open}>
        New endpoint
      </button>
      {open && (
        <form class="panel" onSubmit={submit} aria-label="New endpoint">
          <EndpointFields draft={draft} onChange={setDraft} showTenant={me.tenant_id === null && mode === "console"} />
          <ErrorNote error={error} />
          <div class="actions">
            <button type="submit" class="primary" disabled={busy}>
              Create endpoint
            </button>
            <button type="button" onClick={() => setOpen(false)}>
              Cancel
            </button>
          </div>
        </form>
      )}
      <Dialog title="Endpoint created" open={created !== null} onClose={() => setCreated(null)}>
        {created && (
          <>
            <OneTimeSecret label="The endpoint's signing secret." value={created.secret} />
            <p>
              <a href={`#/endpoints/${created.id}`} onClick={() => setCreated(null)}>
                Open the endpoint
              </a>
            </p>
          </>
        )}
      </Dialog>
    </>
  );
}

export function EndpointsPage({ me }: { me: Me }) {
  const [tenant, setTenant] = useState("");
  const [enabled, setEnabled] = useState("");
  const [cursors, setCursors] = useState<string[]>([]);
  const cursor = cursors[cursors.length - 1];
  const list = useApi<Page<Endpoint>>(`/v1/endpoints${qs({ tenant_id: tenant, enabled, cursor, limit: 25 })}`);
  const [health, setHealth] = useState<Map<string, Health>>(new Map());
  useEffect(() => {
    if (!list.data || !can(me, "deliveries:read")) return;
    const endpoints = list.data.data;
    hourStatsOf(endpoints).then((stats: Map<string, Stats>) =>
      setHealth(new Map(endpoints.map((e) => [e.id, healthOf(e, stats.get(e.id))]))),
    );
  }, [list.data]);
  const adminView = me.tenant_id === null && mode === "console";
  return (
    <>
      <h1>Endpoints</h1>
      <div class="toolbar">
        {adminView && (
          <Field id="f-tenant" label="Tenant">
            <input
              id="f-tenant"
              value={tenant}
              onChange={(e) => {
                setCursors([]);
                setTenant((e.target as HTMLInputElement).value.trim());
              }}
            />
          </Field>
        )}
        <Field id="f-enabled" label="State">
          <select
            id="f-enabled"
            value={enabled}
            onChange={(e) => {
              setCursors([]);
              setEnabled((e.target as HTMLSelectElement).value);
            }}
          >
            <option value="">All</option>
            <option value="true">Active</option>
            <option value="false">Paused or disabled</option>
          </select>
        </Field>
        {can(me, "endpoints:write") && <NewEndpoint me={me} onCreated={list.reload} />}
      </div>
      <ErrorNote error={list.error} />
      {!list.data ? (
        <Loading what="endpoints" />
      ) : list.data.data.length === 0 ? (
        <p class="muted">No endpoints yet.</p>
      ) : (
        <table>
          <caption class="sr-only">Endpoints</caption>
          <thead>
            <tr>
              <th scope="col">Endpoint</th>
              {adminView && <th scope="col">Tenant</th>}
              <th scope="col">Event types</th>
              <th scope="col">State</th>
              <th scope="col">Health (1 h)</th>
              <th scope="col">Created</th>
            </tr>
          </thead>
          <tbody>
            {list.data.data.map((e) => (
              <tr
                key={e.id}
                class="clickable"
                onClick={(ev) => (ev.target as HTMLElement).tagName !== "A" && go(`endpoints/${e.id}`)}
              >
                <td>
                  <a href={`#/endpoints/${encodeURIComponent(e.id)}`}>{e.description || e.url}</a>
                  <div class="muted small">{e.url}</div>
                </td>
                {adminView && <td>{e.tenant_id}</td>}
                <td>{e.events.join(", ")}</td>
                <td>
                  {e.enabled ? (
                    <Badge value="active" />
                  ) : (
                    <Badge value={e.disabled_reason === "manual" ? "paused" : (e.disabled_reason ?? "paused")} />
                  )}
                </td>
                <td>{health.has(e.id) ? <Badge value={health.get(e.id)!} /> : "…"}</td>
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
