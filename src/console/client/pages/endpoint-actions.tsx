// Operating an endpoint: pause/resume, send a test, rotate the secret (shown once), recover failed deliveries, delete.
import { useState } from "preact/hooks";
import { api, can, type Endpoint, type Me, type TestResult } from "../api.ts";
import { go } from "../hooks.ts";
import { Dialog, ErrorNote, Field, fmtMs, isoOf, OneTimeSecret, useAction } from "../ui.tsx";

export function EndpointActions({ me, endpoint, onChanged }: { me: Me; endpoint: Endpoint; onChanged: () => void }) {
  const { busy, error, run } = useAction();
  const [test, setTest] = useState<TestResult | null>(null);
  const [secret, setSecret] = useState<string | null>(null);
  const [confirmDelete, setConfirmDelete] = useState(false);
  const [confirmRotate, setConfirmRotate] = useState(false);
  const [since, setSince] = useState("");
  const [recovered, setRecovered] = useState<number | null>(null);
  const path = `/v1/endpoints/${encodeURIComponent(endpoint.id)}`;
  const write = can(me, "endpoints:write") && endpoint.source === "api";

  const toggle = () => run(() => api("PATCH", path, { enabled: !endpoint.enabled })).then((r) => r && onChanged());
  const sendTest = async () => {
    setTest(null);
    const r = await run(() => api<{ data: TestResult }>("POST", `${path}/test`));
    if (r) setTest(r.data);
  };
  const rotate = async () => {
    setConfirmRotate(false);
    const r = await run(() => api<{ data: { secret: string } }>("POST", `${path}/rotate-secret`, {}));
    if (r) setSecret(r.data.secret);
  };
  const remove = async () => {
    setConfirmDelete(false);
    const r = await run(() => api("DELETE", path).then(() => true));
    if (r) go("endpoints");
  };
  const recover = async (e: Event) => {
    e.preventDefault();
    const iso = isoOf(since);
    if (!iso) return;
    const r = await run(() => api<{ data: { requeued: number } }>("POST", `${path}/recover`, { since: iso }));
    if (r) setRecovered(r.data.requeued);
  };

  return (
    <section aria-labelledby="actions-h" class="panel">
      <h2 id="actions-h">Actions</h2>
      <div class="actions">
        {write && (
          <button type="button" onClick={toggle} disabled={busy}>
            {endpoint.enabled ? "Pause" : "Resume"}
          </button>
        )}
        {can(me, "endpoints:write") && (
          <button type="button" onClick={sendTest} disabled={busy}>
            Send test event
          </button>
        )}
        {write && (
          <button type="button" onClick={() => setConfirmRotate(true)} disabled={busy}>
            Rotate secret
          </button>
        )}
        {write && (
          <button type="button" class="danger" onClick={() => setConfirmDelete(true)} disabled={busy}>
            Delete
          </button>
        )}
      </div>
      {test && (
        <p role="status" class={`note ${test.delivered ? "note-ok" : "note-error"}`}>
          Test event {test.delivered ? "delivered" : "not delivered"}
          {test.http_status !== null && <> · HTTP {test.http_status}</>} · {fmtMs(test.response_time_ms)}
          {test.error && <> · {test.error}</>}
        </p>
      )}
      {can(me, "deliveries:write") && (
        <form class="inline" onSubmit={recover} aria-label="Recover failed deliveries">
          <Field id="recover-since" label="Recover failed deliveries created since">
            <input
              id="recover-since"
              type="datetime-local"
              step={1}
              required
              value={since}
              onInput={(e) => setSince((e.target as HTMLInputElement).value)}
            />
          </Field>
          <button type="submit" disabled={busy}>
            Recover
          </button>
          {recovered !== null && <span role="status">{recovered} deliveries queued again.</span>}
        </form>
      )}
      <ErrorNote error={error} />
      <Dialog title="Rotate the signing secret?" open={confirmRotate} onClose={() => setConfirmRotate(false)}>
        <p>A new secret signs from now on; the current one keeps signing too for 24 hours so receivers can switch.</p>
        <button type="button" class="primary" onClick={rotate}>
          Rotate
        </button>
      </Dialog>
      <Dialog title="New signing secret" open={secret !== null} onClose={() => setSecret(null)}>
        {secret && <OneTimeSecret label="The endpoint's new signing secret." value={secret} />}
      </Dialog>
      <Dialog title="Delete this endpoint?" open={confirmDelete} onClose={() => setConfirmDelete(false)}>
        <p>The endpoint, its deliveries and their attempts are removed. This cannot be undone.</p>
        <button type="button" class="danger" onClick={remove}>
          Delete endpoint
        </button>
      </Dialog>
    </section>
  );
}
