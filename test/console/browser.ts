// Headless Chromium for the console tests and screenshots (playwright-core driving Debian's Chromium; no browser
// download). Outside CI the tests skip with a reason when Chromium is missing; in CI (CI=true) they must run.
import { existsSync } from "node:fs";
import { type Browser, type BrowserContext, chromium, type Page } from "playwright-core";

export const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
export const hasChromium = existsSync(CHROMIUM);
/** True when browser tests are skipped: no Chromium, and not in CI (where a missing browser is a failure). */
export const skipBrowser = !hasChromium && process.env.CI !== "true";
if (skipBrowser)
  console.warn(
    `console browser tests: skipped, no Chromium at ${CHROMIUM} (install it: apt-get install -y chromium, or set CHROMIUM_PATH)`,
  );

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    timeout: 20_000,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-quic",
      "--no-first-run",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
}

export interface Recorded {
  context: BrowserContext;
  page: Page;
  /** Every URL the page requested (documents, scripts, fetches, icons), in order. */
  requests: string[];
  /** Uncaught page errors, console errors and CSP violations. */
  problems: string[];
}

/** A fresh context and page that records every request and every problem. */
export async function recordedPage(browser: Browser, viewport = { width: 1280, height: 860 }): Promise<Recorded> {
  const context = await browser.newContext({ viewport });
  const page = await context.newPage();
  page.setDefaultTimeout(10_000);
  const requests: string[] = [];
  const problems: string[] = [];
  page.on("request", (r) => requests.push(r.url()));
  page.on("pageerror", (e) => problems.push(`pageerror: ${e.message}`));
  page.on("console", (m) => {
    if (m.type() === "error") problems.push(`console: ${m.text()}`);
  });
  await context.addInitScript(() => {
    document.addEventListener("securitypolicyviolation", (e) =>
      console.error(`CSP violation: ${e.violatedDirective} ${e.blockedURI}`),
    );
  });
  return { context, page, requests, problems };
}

/** Signs in to /console at `origin` with `key` through the sign-in form. */
export async function signIn(page: Page, origin: string, key: string): Promise<void> {
  await page.goto(`${origin}/console`, { waitUntil: "load" });
  await page.getByLabel("API key").fill(key);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByRole("navigation", { name: "Main" }).waitFor();
}

/** Follows a link of the main navigation. */
export async function nav(page: Page, label: string): Promise<void> {
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: label, exact: true }).click();
}
