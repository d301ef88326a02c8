// Security headers of every console response: a strict CSP (own origin only, no inline script or style), no
// MIME sniffing, no referrer. Only the tenant portal may be framed, and only by console.frame_ancestors.

/** The Content-Security-Policy of a console response; `frameAncestors` empty → the page may not be framed. */
export function contentSecurityPolicy(frameAncestors: readonly string[]): string {
  return [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "connect-src 'self'",
    "base-uri 'none'",
    "form-action 'none'",
    `frame-ancestors ${frameAncestors.length > 0 ? frameAncestors.join(" ") : "'none'"}`,
  ].join("; ");
}

/** Headers for a console response; `framable` lists who may embed it (the portal), empty for everything else. */
export function consoleHeaders(type: string, cache: string, frameAncestors: readonly string[]): Record<string, string> {
  const headers: Record<string, string> = {
    "content-type": type,
    "cache-control": cache,
    "content-security-policy": contentSecurityPolicy(frameAncestors),
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "cross-origin-opener-policy": "same-origin",
  };
  if (frameAncestors.length === 0) headers["x-frame-options"] = "DENY";
  return headers;
}
