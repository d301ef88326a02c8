// Small hooks shared by the pages: the hash route, and an API read with loading/error state.
import { useCallback, useEffect, useState } from "preact/hooks";
import { type ApiError, api } from "./api.ts";

/** The route from `#/a/b`: ["a", "b"]; the portal's `#token=…` never reaches here (it is taken first). */
export function useRoute(): string[] {
  const [hash, setHash] = useState(location.hash);
  useEffect(() => {
    const changed = () => setHash(location.hash);
    addEventListener("hashchange", changed);
    return () => removeEventListener("hashchange", changed);
  }, []);
  return hash.replace(/^#\/?/, "").split("?")[0]!.split("/").filter(Boolean).map(decodeURIComponent);
}

/** Parameters after `?` in the hash route, e.g. `#/deliveries?endpoint=ep_…`. */
export const hashQuery = (): URLSearchParams => new URLSearchParams(location.hash.split("?")[1] ?? "");

export const go = (path: string) => {
  location.hash = `#/${path}`;
};

export interface Loaded<T> {
  data: T | undefined;
  error: ApiError | undefined;
  loading: boolean;
  reload: () => void;
}

/** GETs `path` (null: nothing yet) and again whenever it changes or reload() is called. */
export function useApi<T>(path: string | null): Loaded<T> {
  const [state, setState] = useState<{ data?: T; error?: ApiError; loading: boolean }>({ loading: path !== null });
  const [tick, setTick] = useState(0);
  useEffect(() => {
    if (path === null) return;
    let live = true;
    setState((s) => ({ ...s, loading: true }));
    api<T>("GET", path).then(
      (data) => live && setState({ data, loading: false }),
      (error: ApiError) => live && setState({ error, loading: false }),
    );
    return () => {
      live = false;
    };
  }, [path, tick]);
  const reload = useCallback(() => setTick((n) => n + 1), []);
  return { data: state.data, error: state.error, loading: state.loading, reload };
}
