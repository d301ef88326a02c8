// The endpoint settings form, for creating one and for editing one (only changed fields are sent).
import type { Endpoint } from "../api.ts";
import { Field, pretty } from "../ui.tsx";

export interface Draft {
  url: string;
  description: string;
  events: string;
  tenant_id: string;
  http_method: string;
  timeout_ms: string;
  rate_limit_per_second: string;
  retry_schedule: string;
  headers: string;
  metadata: string;
}

export const draftOf = (e?: Endpoint): Draft => ({
  url: e?.url ?? "",
  description: e?.description ?? "",
  events: e?.events.join(", ") ?? "*",
  tenant_id: e?.tenant_id ?? "",
  http_method: e?.http_method ?? "POST",
  timeout_ms: e ? String(e.timeout_ms) : "",
  rate_limit_per_second: e?.rate_limit_per_second == null ? "" : String(e.rate_limit_per_second),
  retry_schedule: e?.retry_schedule?.join(", ") ?? "",
  headers: e && Object.keys(e.headers).length > 0 ? pretty(e.headers) : "",
  metadata: e && Object.keys(e.metadata).length > 0 ? pretty(e.metadata) : "",
});

const list = (s: string) =>
  s
    .split(",")
    .map((x) => x.trim())
    .filter(Boolean);

function jsonField(name: string, text: string): Record<string, string> | null {
  if (text.trim() === "") return null;
  try {
    return JSON.parse(text);
  } catch {
    throw new Error(`${name} must be a JSON object such as {"X-Team": "billing"}.`);
  }
}

/** The API body for a draft: every field on create; on edit only what differs from `before`. */
export function bodyOf(d: Draft, before?: Endpoint): Record<string, unknown> {
  const full: Record<string, unknown> = {
    url: d.url.trim(),
    description: d.description,
    events: list(d.events),
    http_method: d.http_method,
    timeout_ms: d.timeout_ms === "" ? undefined : Number(d.timeout_ms),
    rate_limit_per_second: d.rate_limit_per_second === "" ? null : Number(d.rate_limit_per_second),
    retry_schedule: d.retry_schedule.trim() === "" ? null : list(d.retry_schedule),
    headers: jsonField("Headers", d.headers),
    metadata: jsonField("Metadata", d.metadata),
  };
  if (!before) {
    const body: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(full)) if (v !== null && v !== undefined && v !== "") body[k] = v;
    if (d.tenant_id.trim()) body.tenant_id = d.tenant_id.trim();
    return body;
  }
  const was = bodyOf(draftOf(before));
  const changed: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(full)) {
    if (v === undefined || JSON.stringify(v) === JSON.stringify(was[k] ?? null)) continue;
    changed[k] = v === null && (k === "headers" || k === "metadata") ? {} : v;
  }
  return changed;
}

export function EndpointFields({
  draft,
  onChange,
  showTenant,
  readOnly,
}: {
  draft: Draft;
  onChange: (d: Draft) => void;
  showTenant: boolean;
  readOnly?: boolean;
}) {
  const [d, set] = [draft, (patch: Partial<Draft>) => onChange({ ...draft, ...patch })];
  const input = (k: keyof Draft) => ({
    value: d[k],
    disabled: readOnly,
    onInput: (e: Event) => set({ [k]: (e.target as HTMLInputElement).value } as Partial<Draft>),
  });
  return (
    <div class="grid">
      <Field id="ep-url" label="URL">
        <input id="ep-url" type="url" required placeholder="https://example.com/hooks" {...input("url")} />
      </Field>
      <Field id="ep-events" label="Event types" hint="Comma separated: run.completed, run.*, or * for all.">
        <input id="ep-events" required aria-describedby="ep-events-hint" {...input("events")} />
      </Field>
      <Field id="ep-description" label="Description">
        <input id="ep-description" maxLength={255} {...input("description")} />
      </Field>
      {showTenant && (
        <Field id="ep-tenant" label="Tenant" hint="Empty: default.">
          <input id="ep-tenant" aria-describedby="ep-tenant-hint" {...input("tenant_id")} />
        </Field>
      )}
      <Field id="ep-method" label="HTTP method">
        <select
          id="ep-method"
          {...input("http_method")}
          onChange={(e) => set({ http_method: (e.target as HTMLSelectElement).value })}
        >
          {["POST", "PUT", "PATCH", "GET", "DELETE"].map((m) => (
            <option key={m}>{m}</option>
          ))}
        </select>
      </Field>
      <Field id="ep-timeout" label="Timeout (ms)" hint="1000–30000; empty: the default.">
        <input
          id="ep-timeout"
          type="number"
          min={1000}
          max={30000}
          aria-describedby="ep-timeout-hint"
          {...input("timeout_ms")}
        />
      </Field>
      <Field id="ep-rate" label="Rate limit (per second)" hint="Empty: no limit.">
        <input
          id="ep-rate"
          type="number"
          min={0}
          step="any"
          aria-describedby="ep-rate-hint"
          {...input("rate_limit_per_second")}
        />
      </Field>
      <Field id="ep-retry" label="Retry schedule" hint="Comma separated waits (5s, 5m, 2h); empty: the default.">
        <input id="ep-retry" aria-describedby="ep-retry-hint" {...input("retry_schedule")} />
      </Field>
      <Field id="ep-headers" label="Custom headers (JSON)">
        <textarea id="ep-headers" rows={3} spellcheck={false} {...input("headers")} />
      </Field>
      <Field id="ep-metadata" label="Metadata (JSON)">
        <textarea id="ep-metadata" rows={3} spellcheck={false} {...input("metadata")} />
      </Field>
    </div>
  );
}
