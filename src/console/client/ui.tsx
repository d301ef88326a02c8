// Shared building blocks of the pages: status badges, messages, fields, dialogs and formatting.
import type { ComponentChildren } from "preact";
import { useEffect, useId, useRef, useState } from "preact/hooks";
import type { ApiError } from "./api.ts";

export function fmtTime(iso: string | null | undefined): string {
  if (!iso) return "—";
  const d = new Date(iso);
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

export const fmtMs = (ms: number | null | undefined): string =>
  ms === null || ms === undefined ? "—" : ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;

export const fmtPct = (r: number | null | undefined): string =>
  r === null || r === undefined ? "—" : `${(r * 100).toFixed(r >= 0.999 || r === 0 ? 0 : 1)}%`;

/** A datetime-local value → ISO 8601 (undefined when empty or invalid). */
export function isoOf(local: string): string | undefined {
  if (!local) return undefined;
  const ms = new Date(local).getTime();
  return Number.isFinite(ms) ? new Date(ms).toISOString() : undefined;
}

export const pretty = (value: unknown): string => JSON.stringify(value, null, 2);

const TONE: Record<string, string> = {
  delivered: "ok",
  healthy: "ok",
  active: "ok",
  closed: "ok",
  failed: "bad",
  failing: "bad",
  gone: "bad",
  open: "bad",
  revoked: "bad",
  pending: "warn",
  retrying: "warn",
  degraded: "warn",
  half_open: "warn",
  delivering: "info",
  paused: "muted",
  skipped: "muted",
  idle: "muted",
  expired: "muted",
};

export function Badge({ value, label }: { value: string; label?: string }) {
  return <span class={`badge badge-${TONE[value] ?? "muted"}`}>{label ?? value.replace("_", " ")}</span>;
}

export function ErrorNote({ error }: { error: ApiError | Error | undefined | null }) {
  if (!error) return null;
  const details = "details" in error ? error.details : [];
  return (
    <div class="note note-error" role="alert">
      <p>{error.message}</p>
      {details.length > 0 && (
        <ul>
          {details.map((d) => (
            <li key={d.field}>
              <code>{d.field}</code>: {d.message}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

export function Loading({ what }: { what: string }) {
  return (
    <p class="muted" role="status">
      Loading {what}…
    </p>
  );
}

/** A labelled control: the label names the control for assistive technology. */
export function Field({
  id,
  label,
  hint,
  children,
}: {
  id: string;
  label: string;
  hint?: string;
  children: ComponentChildren;
}) {
  return (
    <div class="field">
      <label for={id}>{label}</label>
      {children}
      {hint && (
        <small id={`${id}-hint`} class="muted">
          {hint}
        </small>
      )}
    </div>
  );
}

/** A modal dialog (<dialog>: focus moves in, Escape closes, focus returns). */
export function Dialog({
  title,
  open,
  onClose,
  children,
}: {
  title: string;
  open: boolean;
  onClose: () => void;
  children: ComponentChildren;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  useEffect(() => {
    const d = ref.current;
    if (!d) return;
    if (open && !d.open) d.showModal();
    if (!open && d.open) d.close();
  }, [open]);
  return (
    <dialog ref={ref} aria-labelledby={titleId} onClose={onClose}>
      <h2 id={titleId}>{title}</h2>
      {open && children}
      <div class="actions">
        <button type="button" onClick={onClose}>
          Close
        </button>
      </div>
    </dialog>
  );
}

/** A secret shown once, with a copy button; it is never stored by the console. */
export function OneTimeSecret({ label, value }: { label: string; value: string }) {
  const [copied, setCopied] = useState(false);
  return (
    <div class="secret">
      <p>{label} It is shown only now; copy it to a safe place.</p>
      <code class="secret-value" data-secret>
        {value}
      </code>
      <button
        type="button"
        onClick={() =>
          navigator.clipboard?.writeText(value).then(
            () => setCopied(true),
            () => setCopied(false),
          )
        }
      >
        {copied ? "Copied" : "Copy"}
      </button>
    </div>
  );
}

export function Json({ value, label }: { value: unknown; label: string }) {
  return (
    <figure class="code-box">
      <figcaption class="sr-only">{label}</figcaption>
      <pre class="code">{typeof value === "string" ? value : pretty(value)}</pre>
    </figure>
  );
}

/**
 * Newest / Older buttons over a cursor-paged list: `cursors` is the stack of cursors that led to the page shown
 * (empty: the newest page), `page` the list answer (its next_cursor and has_more).
 */
export function Pager({
  cursors,
  setCursors,
  page,
}: {
  cursors: string[];
  setCursors: (cursors: string[]) => void;
  page: { next_cursor: string | null; has_more: boolean } | undefined | null;
}) {
  const isFirst = cursors.length === 0;
  const hasMore = page?.has_more ?? false;
  const onFirst = () => setCursors([]);
  const onNext = () => {
    if (page?.next_cursor) setCursors([...cursors, page.next_cursor]);
  };
  if (!hasMore && isFirst) return null;
  return (
    <nav class="pager" aria-label="Pages">
      <button type="button" onClick={onFirst} disabled={isFirst}>
        Newest
      </button>
      <button type="button" onClick={onNext} disabled={!hasMore}>
        Older
      </button>
    </nav>
  );
}

/** Runs an API action, tracking busy and error state for a button or form. */
export function useAction() {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const run = async <T,>(action: () => Promise<T>): Promise<T | undefined> => {
    setBusy(true);
    setError(null);
    try {
      return await action();
    } catch (e) {
      setError(e as ApiError);
      return undefined;
    } finally {
      setBusy(false);
    }
  };
  return { busy, error, run, setError };
}
