// The console's files as served: the bundle (inlined by the bundleConsole macro), named by content hash so
// they can be cached for good, and the one HTML page that loads them (no inline script or style, for the CSP).
import { bundleConsole } from "./bundle.ts" with { type: "macro" };

export interface ConsoleAsset {
  body: string;
  /** The body gzipped once at start, for clients that accept it. */
  gzip: Uint8Array<ArrayBuffer>;
  type: string;
}

const TYPES: Record<string, string> = {
  js: "text/javascript; charset=utf-8",
  css: "text/css; charset=utf-8",
  svg: "image/svg+xml",
};

const ICON = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><rect width="32" height="32" rx="6" fill="#1d4ed8"/><path d="M9 8v16M23 8v16M9 16h14" stroke="#fff" stroke-width="3.5" stroke-linecap="round"/></svg>`;

const files: Record<string, string> = { ...bundleConsole(), "icon.svg": ICON };

/** Asset path (under /console/assets/) → contents; names carry a content hash, e.g. console.3f9a1c2e.js. */
export const ASSETS = new Map<string, ConsoleAsset>();
const named: Record<string, string> = {};
for (const [file, body] of Object.entries(files)) {
  const dot = file.lastIndexOf(".");
  const ext = file.slice(dot + 1);
  const name = `${file.slice(0, dot)}.${Bun.hash(body).toString(16).slice(0, 10)}.${ext}`;
  named[file] = name;
  ASSETS.set(name, { body, gzip: Bun.gzipSync(body), type: TYPES[ext] ?? "application/octet-stream" });
}

/** Size in bytes of the JavaScript bundle (reported by the build and in the docs). */
export const SCRIPT_BYTES = Buffer.byteLength(files["console.js"] ?? "");

const css = named["console.css"] ? `\n  <link rel="stylesheet" href="/console/assets/${named["console.css"]}" />` : "";

/** The single page of the console and the portal; the script reads location to tell which one it is. */
export const PAGE = `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8" />
  <meta name="viewport" content="width=device-width, initial-scale=1" />
  <meta name="referrer" content="no-referrer" />
  <title>hookgate console</title>
  <link rel="icon" href="/console/assets/${named["icon.svg"]}" type="image/svg+xml" />${css}
  <script type="module" src="/console/assets/${named["console.js"]}"></script>
</head>
<body>
  <div id="app"></div>
  <noscript>The hookgate console needs JavaScript.</noscript>
</body>
</html>
`;
