// Sign-in with an API key (console) or the message for a portal link that no longer works.
import { useState } from "preact/hooks";
import { type ApiError, api, type Me } from "../api.ts";
import { mode, setKey } from "../session.ts";
import { ErrorNote } from "../ui.tsx";

export function SignIn({ ended, onSignedIn }: { ended: ApiError | null; onSignedIn: (me: Me) => void }) {
  const [key, setValue] = useState("");
  const [error, setError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);

  if (mode === "portal")
    return (
      <main class="signin" id="main">
        <h1>Webhooks</h1>
        <p>
          {ended ? "This session has ended." : "This page opens from a portal link."} Open the webhooks page again from
          the application that sent you here.
        </p>
      </main>
    );

  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      // The key is checked before it is kept: a wrong key never reaches sessionStorage.
      const me = await api<{ data: Me }>("GET", "/v1/me", undefined, key.trim());
      setKey(key.trim());
      setValue("");
      onSignedIn(me.data);
    } catch (err) {
      setError(err as ApiError);
    } finally {
      setBusy(false);
    }
  };

  return (
    <main class="signin" id="main">
      <h1>hookgate console</h1>
      {ended && !error && <ErrorNote error={ended} />}
      <form onSubmit={submit} autocomplete="off">
        <label for="api-key">API key</label>
        <input
          id="api-key"
          name="api-key"
          type="password"
          autocomplete="off"
          spellcheck={false}
          required
          value={key}
          onInput={(e) => setValue((e.target as HTMLInputElement).value)}
          aria-describedby="api-key-hint"
        />
        <small id="api-key-hint" class="muted">
          An admin key or a scoped key (hg_…). It is kept in this tab only and sent to this server's API.
        </small>
        <ErrorNote error={error} />
        <button type="submit" class="primary" disabled={busy}>
          {busy ? "Signing in…" : "Sign in"}
        </button>
      </form>
    </main>
  );
}
