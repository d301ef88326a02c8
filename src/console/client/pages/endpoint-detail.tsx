// One endpoint: its state and actions, recent deliveries, settings, and filter/transform with a live preview.
import { useState } from "preact/hooks";
import { api, can, type Delivery, type Endpoint, type Me, type Page } from "../api.ts";
import { useApi } from "../hooks.ts";
import { Badge, ErrorNote, fmtTime, Loading, useAction } from "../ui.tsx";
import { DeliveryTable } from "./delivery-table.tsx";
import { EndpointActions } from "./endpoint-actions.tsx";
import { bodyOf, type Draft, draftOf, EndpointFields } from "./endpoint-form.tsx";
import { EndpointRules } from "./endpoint-rules.tsx";

function Settings({ me, endpoint, onSaved }: { me: Me; endpoint: Endpoint; onSaved: () => void }) {
  const [draft, setDraft] = useState<Draft>(draftOf(endpoint));
  const [saved, setSaved] = useState(false);
  const { busy, error, run, setError } = useAction();
  const editable = can(me, "endpoints:write") && endpoint.source === "api";
  const save = async (e: Event) => {
    e.preventDefault();
    setSaved(false);
    let body: Record<string, unknown>;
    try {
      body = bodyOf(draft, endpoint);
    } catch (err) {
      setError(err as never);
      return;
    }
    if (Object.keys(body).length === 0) return setSaved(true);
    const r = await run(() => api("PATCH", `/v1/endpoints/${encodeURIComponent(endpoint.id)}`, body));
    if (r) {
      setSaved(true);
      onSaved();
    }
  };
  return (
    <section aria-labelledby="settings-h" class="panel">
      <h2 id="settings-h">Settings</h2>
      {endpoint.source === "config" && <p class="note">Declared in the config file: change it there.</p>}
      <form onSubmit={save} aria-label="Endpoint settings">
        <EndpointFields draft={draft} onChange={setDraft} showTenant={false} readOnly={!editable} />
        <dl class="facts">
          <dt>Signing</dt>
          <dd>
            {String(endpoint.signing.scheme)} · secret <code>{endpoint.secret ?? "—"}</code>
          </dd>
          <dt>Outbound auth</dt>
          <dd>{endpoint.auth ? String(endpoint.auth.type) : "none"}</dd>
        </dl>
        <ErrorNote error={error} />
        {editable && (
          <button type="submit" class="primary" disabled={busy}>
            Save settings
          </button>
        )}
        {saved && <span role="status"> Saved.</span>}
      </form>
    </section>
  );
}

export function EndpointPage({ me, id }: { me: Me; id: string }) {
  const path = `/v1/endpoints/${encodeURIComponent(id)}`;
  const ep = useApi<{ data: Endpoint }>(path);
  const recent = useApi<Page<Delivery>>(can(me, "deliveries:read") ? `${path}/deliveries?limit=10` : null);
  if (ep.error) return <ErrorNote error={ep.error} />;
  if (!ep.data) return <Loading what="the endpoint" />;
  const e = ep.data.data;
  const reload = () => {
    ep.reload();
    recent.reload();
  };
  return (
    <>
      <p>
        <a href="#/endpoints">Endpoints</a> /
      </p>
      <h1>{e.description || e.url}</h1>
      <dl class="facts">
        <dt>URL</dt>
        <dd>
          <code>{e.url}</code>
        </dd>
        <dt>State</dt>
        <dd>
          {e.enabled ? (
            <Badge value="active" />
          ) : (
            <Badge value={e.disabled_reason === "manual" ? "paused" : (e.disabled_reason ?? "paused")} />
          )}{" "}
          circuit <Badge value={e.circuit.state} /> since {fmtTime(e.circuit.since)}
        </dd>
        <dt>Event types</dt>
        <dd>{e.events.join(", ")}</dd>
        <dt>Tenant</dt>
        <dd>{e.tenant_id}</dd>
        <dt>Id</dt>
        <dd>
          <code>{e.id}</code>
        </dd>
      </dl>
      <EndpointActions me={me} endpoint={e} onChanged={reload} />
      {can(me, "deliveries:read") && (
        <section aria-labelledby="recent-h">
          <h2 id="recent-h">
            Recent deliveries{" "}
            <button type="button" onClick={recent.reload}>
              Refresh
            </button>
          </h2>
          <ErrorNote error={recent.error} />
          {recent.data ? (
            <DeliveryTable
              deliveries={recent.data.data}
              caption="Recent deliveries of this endpoint"
              showEndpoint={false}
            />
          ) : (
            <Loading what="deliveries" />
          )}
          <p>
            <a href={`#/deliveries?endpoint=${encodeURIComponent(e.id)}`}>All deliveries of this endpoint</a>
          </p>
        </section>
      )}
      <Settings key={e.updated_at} me={me} endpoint={e} onSaved={ep.reload} />
      <EndpointRules key={`r-${e.updated_at}`} me={me} endpoint={e} onSaved={ep.reload} />
    </>
  );
}
