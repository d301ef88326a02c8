// Filter and transform of an endpoint, with a live preview of the request it would send for an event type's
// example (POST /v1/endpoints/{id}/preview: nothing is sent or stored).
import { useEffect, useState } from "preact/hooks";
import { api, can, type Endpoint, type EventType, type Me, type Preview } from "../api.ts";
import { useApi } from "../hooks.ts";
import { ErrorNote, Field, Json, pretty, useAction } from "../ui.tsx";

function PreviewPanel({ endpoint, version }: { endpoint: Endpoint; version: number }) {
  const types = useApi<{ data: EventType[] }>("/v1/event-types");
  const catalog = types.data?.data ?? [];
  const [type, setType] = useState(endpoint.events.find((e) => !e.includes("*")) ?? "webhook.test");
  const [data, setData] = useState('{\n  "example": true\n}');
  const [preview, setPreview] = useState<Preview | null>(null);
  const { error, run, setError } = useAction();

  const pick = (name: string) => {
    setType(name);
    const example = catalog.find((t) => t.name === name)?.example;
    if (example !== undefined && example !== null) setData(pretty(example));
  };
  useEffect(() => {
    if (catalog.length > 0 && catalog.some((t) => t.name === type)) pick(type);
  }, [types.data]);
  useEffect(() => {
    const timer = setTimeout(async () => {
      let parsed: unknown;
      try {
        parsed = JSON.parse(data);
      } catch {
        setError(new Error("The example data is not valid JSON yet.") as never);
        return;
      }
      const r = await run(() =>
        api<{ data: Preview }>("POST", `/v1/endpoints/${encodeURIComponent(endpoint.id)}/preview`, {
          type,
          data: parsed,
        }),
      );
      if (r) setPreview(r.data);
    }, 300);
    return () => clearTimeout(timer);
  }, [type, data, version]);

  return (
    <div class="preview">
      <h3>Preview</h3>
      <div class="grid">
        <Field id="pv-type" label="Event type">
          <input
            id="pv-type"
            list="pv-types"
            value={type}
            onInput={(e) => pick((e.target as HTMLInputElement).value)}
          />
          <datalist id="pv-types">
            {catalog.map((t) => (
              <option key={t.name} value={t.name} />
            ))}
          </datalist>
        </Field>
        <Field
          id="pv-data"
          label="Event data (JSON)"
          hint="Starts from the event type's example; the preview follows your edits."
        >
          <textarea
            id="pv-data"
            rows={6}
            spellcheck={false}
            value={data}
            aria-describedby="pv-data-hint"
            onInput={(e) => setData((e.target as HTMLTextAreaElement).value)}
          />
        </Field>
      </div>
      <ErrorNote error={error} />
      {preview && (
        <div aria-live="polite" class="preview-result">
          <p>
            <strong>{preview.matched ? "Would be delivered" : "Would not be delivered"}</strong>
            {preview.reason && <> — {preview.reason}</>}
          </p>
          {preview.method && (
            <>
              <p>
                <code>
                  {preview.method} {preview.url}
                </code>
              </p>
              <Json label="Request headers" value={preview.headers} />
              <Json label="Request body" value={preview.body ?? ""} />
            </>
          )}
        </div>
      )}
    </div>
  );
}

export function EndpointRules({ me, endpoint, onSaved }: { me: Me; endpoint: Endpoint; onSaved: () => void }) {
  const [filter, setFilter] = useState(endpoint.filter ? pretty(endpoint.filter) : "");
  const [transform, setTransform] = useState(endpoint.transform ?? "");
  const [version, setVersion] = useState(0);
  const { busy, error, run, setError } = useAction();
  const editable = can(me, "endpoints:write") && endpoint.source === "api";
  const save = async (e: Event) => {
    e.preventDefault();
    let parsed: unknown = null;
    if (filter.trim()) {
      try {
        parsed = JSON.parse(filter);
      } catch {
        setError(
          new Error(
            'The filter must be JSON, e.g. {"all": [{"field": "data.amount", "op": "gte", "value": 100}]}.',
          ) as never,
        );
        return;
      }
    }
    const body = { filter: parsed, transform: transform.trim() ? transform : null };
    const r = await run(() => api("PATCH", `/v1/endpoints/${encodeURIComponent(endpoint.id)}`, body));
    if (r) {
      setVersion((v) => v + 1);
      onSaved();
    }
  };
  return (
    <section aria-labelledby="rules-h" class="panel">
      <h2 id="rules-h">Filter and transform</h2>
      <form onSubmit={save} aria-label="Filter and transform">
        <div class="grid">
          <Field id="ep-filter" label="Filter (JSON condition tree or {&quot;expression&quot;: JSONata})">
            <textarea
              id="ep-filter"
              rows={6}
              spellcheck={false}
              disabled={!editable}
              value={filter}
              onInput={(e) => setFilter((e.target as HTMLTextAreaElement).value)}
            />
          </Field>
          <Field id="ep-transform" label="Transform (JSONata; its result is the body)">
            <textarea
              id="ep-transform"
              rows={6}
              spellcheck={false}
              disabled={!editable}
              value={transform}
              onInput={(e) => setTransform((e.target as HTMLTextAreaElement).value)}
            />
          </Field>
        </div>
        <ErrorNote error={error} />
        {editable && (
          <button type="submit" class="primary" disabled={busy}>
            Save filter and transform
          </button>
        )}
      </form>
      <PreviewPanel endpoint={endpoint} version={version} />
    </section>
  );
}
