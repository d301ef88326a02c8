// Where the key lives in the browser: sessionStorage only (never a cookie, localStorage or a URL). The portal
// receives its token in the URL fragment once, moves it here and clears the fragment at once.

export type Mode = "console" | "portal";

/** The portal is the same app at /console/portal, bound to the tenant of its token. */
export const mode: Mode = /\/console\/portal\/?$/.test(location.pathname) ? "portal" : "console";

const SLOT = mode === "portal" ? "hookgate.portal-token" : "hookgate.console-key";

/** Moves `#token=…` from the address into sessionStorage and removes it from the address and history entry. */
export function takeTokenFromFragment(): void {
  const match = /^#(?:.*&)?token=([^&]+)/.exec(location.hash);
  if (!match) return;
  if (mode === "portal") sessionStorage.setItem(SLOT, decodeURIComponent(match[1]!));
  history.replaceState(null, "", location.pathname + location.search);
}

export const getKey = (): string | null => sessionStorage.getItem(SLOT);
export const setKey = (key: string): void => sessionStorage.setItem(SLOT, key);
export const clearKey = (): void => sessionStorage.removeItem(SLOT);
