// Where the key lives in the browser: sessionStorage only (never a cookie, localStorage or a URL). The portal
// receives its token in the URL fragment once, moves it here and clears the fragment at once.

export type Mode = "console" | "portal";

/** The portal is the same app at /console/portal, bound to the tenant of its token. */
export const mode: Mode = /\/console\/portal\/?$/.test(location.pathname) ? "portal" : "console";

const SLOT = mode === "portal" ? "hookgate.portal-token" : "hookgate.console-key";
/** Set when the server refused the key (revoked, expired), so a reload can still say the session ended. */
const ENDED = `${SLOT}.ended`;

/** Moves `#token=…` from the address into sessionStorage and removes it from the address and history entry. */
export function takeTokenFromFragment(): void {
  const match = /^#(?:.*&)?token=([^&]+)/.exec(location.hash);
  if (!match) return;
  if (mode === "portal") setKey(decodeURIComponent(match[1]!));
  history.replaceState(null, "", location.pathname + location.search);
}

export const getKey = (): string | null => sessionStorage.getItem(SLOT);
export const setKey = (key: string): void => {
  sessionStorage.removeItem(ENDED);
  sessionStorage.setItem(SLOT, key);
};
/** Signing out: nothing is kept. */
export const clearKey = (): void => {
  sessionStorage.removeItem(SLOT);
  sessionStorage.removeItem(ENDED);
};
/** The server refused the key: it is forgotten, and that the session ended is remembered. */
export const endSession = (): void => {
  sessionStorage.removeItem(SLOT);
  sessionStorage.setItem(ENDED, "1");
};
export const sessionEnded = (): boolean => getKey() === null && sessionStorage.getItem(ENDED) !== null;
