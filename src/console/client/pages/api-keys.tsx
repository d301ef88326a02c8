// API keys (admin only): list, create (the key is shown once), revoke; and opening a tenant portal session.
import { useState } from "preact/hooks";
import { type ApiKey, api, type Page, qs } from "../api.ts";
import { useApi } from "../hooks.ts";
import { Badge, ErrorNote, Field, fmtTime, Loading, OneTimeSecret, Pager, useAction } from "../ui.tsx";

const SCOPES = [
  "endpoints:read",
  "endpoints:write",
  "events:read",
  "events:write",
  "deliveries:read",
  "deliveries:write",
];

function NewKey({ onCreated }: { onCreated: () => void }) {
  const [name, setName] = useState("");
  const [tenant, setTenant] = useState("");
  const [scopes, setScopes] = useState<Set<string>>(new Set(["events:write"]));
  const [key, setKey] = useState<string | null>(null);
  const { busy, error, run } = useAction();
  const submit = async (e: Event) => {
    e.preventDefault();
    const body: Record<string, unknown> = { name: name.trim(), scopes: [...scopes] };
    if (tenant.trim()) body.tenant_id = tenant.trim();
    const r = await run(() => api<{ data: { key: string } }>("POST", "/v1/api-keys", body));
    if (r) {
      setKey(r.data.key);
      setName("");
      onCreated();
    }
  };
  return (
    <form class="panel" onSubmit={submit} aria-label="New API key">
      <h2>New API key</h2>
      <div class="grid">
        <Field id="k-name" label="Name">
          <input id="k-name" required value={name} onInput={(e) => setName((e.target as HTMLInputElement).value)} />
        </Field>
        <Field id="k-tenant" label="Tenant" hint="Empty: all tenants.">
          <input
            id="k-tenant"
            value={tenant}
            aria-describedby="k-tenant-hint"
            onInput={(e) => setTenant((e.target as HTMLInputElement).value)}
          />
        </Field>
      </div>
      <fieldset>
        <legend>Scopes</legend>
        {SCOPES.map((s) => (
          <label key={s} class="check">
            <input
              type="checkbox"
              checked={scopes.has(s)}
              onChange={() => {
                const next = new Set(scopes);
                if (!next.delete(s)) next.add(s);
                setScopes(next);
              }}
            />{" "}
            {s}
          </label>
        ))}
      </fieldset>
      <ErrorNote error={error} />
      <button type="submit" class="primary" disabled={busy || scopes.size === 0}>
        Create key
      </button>
      {key && <OneTimeSecret label="The new API key." value={key} />}
    </form>
  );
}

function PortalLink({ onCreated }: { onCreated: () => void }) {
  const [tenant, setTenant] = useState("");
  const [readOnly, setReadOnly] = useState(false);
  const [url, setUrl] = useState<string | null>(null);
  const { busy, error, run } = useAction();
  const submit = async (e: Event) => {
    e.preventDefault();
    const r = await run(() =>
      api<{ data: { url: string } }>("POST", "/v1/portal-sessions", { tenant_id: tenant.trim(), read_only: readOnly }),
    );
    if (r) {
      setUrl(r.data.url);
      onCreated();
    }
  };
  return (
    <form class="panel" onSubmit={submit} aria-label="Open a tenant portal">
      <h2>Tenant portal link</h2>
      <p class="muted">A one-hour link to the webhooks portal of one tenant, for support or to try the embed.</p>
      <div class="grid">
        <Field id="p-tenant" label="Tenant">
          <input
            id="p-tenant"
            required
            value={tenant}
            onInput={(e) => setTenant((e.target as HTMLInputElement).value)}
          />
        </Field>
      </div>
      <label class="check">
        <input type="checkbox" checked={readOnly} onChange={() => setReadOnly(!readOnly)} /> Read only
      </label>
      <ErrorNote error={error} />
      <button type="submit" disabled={busy}>
        Create portal link
      </button>
      {url && <OneTimeSecret label="The portal link (it carries a token)." value={url} />}
    </form>
  );
}

export function ApiKeysPage() {
  const [cursors, setCursors] = useState<string[]>([]);
  const list = useApi<Page<ApiKey>>(`/v1/api-keys${qs({ cursor: cursors[cursors.length - 1], limit: 25 })}`);
  const { error, run } = useAction();
  const revoke = (k: ApiKey) =>
    run(() => api("DELETE", `/v1/api-keys/${encodeURIComponent(k.id)}`).then(() => true)).then(
      (ok) => ok && list.reload(),
    );
  const now = Date.now();
  return (
    <>
      <h1>API keys</h1>
      <div class="two">
        <NewKey onCreated={list.reload} />
        <PortalLink onCreated={list.reload} />
      </div>
      <ErrorNote error={error ?? list.error} />
      {!list.data ? (
        <Loading what="API keys" />
      ) : (
        <table>
          <caption class="sr-only">API keys and portal sessions, newest first</caption>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Key</th>
              <th scope="col">Tenant</th>
              <th scope="col">Scopes</th>
              <th scope="col">State</th>
              <th scope="col">Created</th>
              <th scope="col">
                <span class="sr-only">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {list.data.data.map((k) => {
              const expired = k.expires_at !== null && Date.parse(k.expires_at) <= now;
              const state = k.revoked_at ? "revoked" : expired ? "expired" : "active";
              return (
                <tr key={k.id}>
                  <td>{k.name}</td>
                  <td>
                    <code>{k.prefix}…</code>
                  </td>
                  <td>{k.tenant_id ?? "all"}</td>
                  <td>{k.scopes.join(", ")}</td>
                  <td>
                    <Badge value={state} />
                    {state === "active" && k.expires_at && <div class="muted small">until {fmtTime(k.expires_at)}</div>}
                  </td>
                  <td>{fmtTime(k.created_at)}</td>
                  <td>
                    {state === "active" && (
                      <button type="button" class="danger" onClick={() => revoke(k)} aria-label={`Revoke ${k.name}`}>
                        Revoke
                      </button>
                    )}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
      <Pager cursors={cursors} setCursors={setCursors} page={list.data} />
    </>
  );
}
