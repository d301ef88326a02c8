// The event type catalog: schema and example of each type; admins add and remove API-managed types.
import { useState } from "preact/hooks";
import { api, can, type EventType, type Me } from "../api.ts";
import { useApi } from "../hooks.ts";
import { Badge, ErrorNote, Field, Json, Loading, useAction } from "../ui.tsx";

function NewType({ onCreated }: { onCreated: () => void }) {
  const [name, setName] = useState("");
  const [description, setDescription] = useState("");
  const [schema, setSchema] = useState("");
  const [example, setExample] = useState("");
  const { busy, error, run, setError } = useAction();
  const submit = async (e: Event) => {
    e.preventDefault();
    const body: Record<string, unknown> = { name: name.trim(), description };
    try {
      if (schema.trim()) body.schema = JSON.parse(schema);
      if (example.trim()) body.example = JSON.parse(example);
    } catch {
      setError(new Error("Schema and example must be JSON.") as never);
      return;
    }
    if (await run(() => api("POST", "/v1/event-types", body))) {
      setName("");
      setDescription("");
      setSchema("");
      setExample("");
      onCreated();
    }
  };
  const text = (set: (v: string) => void) => (e: Event) => set((e.target as HTMLInputElement).value);
  return (
    <form class="panel" onSubmit={submit} aria-label="New event type">
      <h2>New event type</h2>
      <div class="grid">
        <Field id="et-name" label="Name">
          <input id="et-name" required placeholder="run.completed" value={name} onInput={text(setName)} />
        </Field>
        <Field id="et-description" label="Description">
          <input id="et-description" value={description} onInput={text(setDescription)} />
        </Field>
        <Field id="et-schema" label="JSON Schema of data (optional)">
          <textarea id="et-schema" rows={5} spellcheck={false} value={schema} onInput={text(setSchema)} />
        </Field>
        <Field id="et-example" label="Example data (optional)">
          <textarea id="et-example" rows={5} spellcheck={false} value={example} onInput={text(setExample)} />
        </Field>
      </div>
      <ErrorNote error={error} />
      <button type="submit" class="primary" disabled={busy}>
        Add event type
      </button>
    </form>
  );
}

export function EventTypesPage({ me }: { me: Me }) {
  const list = useApi<{ data: EventType[] }>("/v1/event-types");
  const { error, run } = useAction();
  const admin = can(me, "admin");
  const remove = (name: string) =>
    run(() => api("DELETE", `/v1/event-types/${encodeURIComponent(name)}`).then(() => true)).then(
      (ok) => ok && list.reload(),
    );
  return (
    <>
      <h1>Event types</h1>
      {admin && <NewType onCreated={list.reload} />}
      <ErrorNote error={error ?? list.error} />
      {!list.data ? (
        <Loading what="event types" />
      ) : list.data.data.length === 0 ? (
        <p class="muted">The catalog is empty: any event type is accepted.</p>
      ) : (
        <ul class="cards">
          {list.data.data.map((t) => (
            <li key={t.name} class="panel">
              <h2>
                {t.name} <Badge value="idle" label={t.source} />
              </h2>
              <p>{t.description || <span class="muted">No description.</span>}</p>
              <details>
                <summary>Schema and example</summary>
                <h3>Schema</h3>
                {t.schema ? (
                  <Json label={`Schema of ${t.name}`} value={t.schema} />
                ) : (
                  <p class="muted">None: any object.</p>
                )}
                <h3>Example</h3>
                {t.example !== null ? (
                  <Json label={`Example of ${t.name}`} value={t.example} />
                ) : (
                  <p class="muted">None.</p>
                )}
              </details>
              {admin && t.source === "api" && (
                <button
                  type="button"
                  class="danger"
                  onClick={() => remove(t.name)}
                  aria-label={`Delete event type ${t.name}`}
                >
                  Delete
                </button>
              )}
            </li>
          ))}
        </ul>
      )}
    </>
  );
}
