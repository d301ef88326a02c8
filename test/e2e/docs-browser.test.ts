// /docs in a real headless Chromium: Swagger UI renders the API from the binary's own assets, offline.
import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { existsSync } from "node:fs";
import { type Browser, chromium } from "playwright-core";
import { buildTestApp, type TestApp } from "../helpers/app.ts";

const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const hasChromium = existsSync(CHROMIUM);
if (!hasChromium)
  console.warn(
    `docs-browser: skipped, no Chromium at ${CHROMIUM} (install it: apt-get install -y chromium, or set CHROMIUM_PATH)`,
  );

describe("docs in a browser", () => {
  let t: TestApp;
  let browser: Browser;
  beforeAll(async () => {
    if (!hasChromium) return;
    t = await buildTestApp({ listen: true });
    browser = await chromium.launch({
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
  });
  afterAll(async () => {
    await browser?.close();
    await t?.cleanup();
  });

  it.skipIf(!hasChromium)(
    "renders Swagger UI with every operation and loads nothing from another host",
    async () => {
      const origin = new URL(t.url!).origin;
      const context = await browser.newContext();
      const page = await context.newPage();
      const requested: string[] = [];
      const failed: string[] = [];
      const errors: string[] = [];
      page.on("request", (r) => requested.push(r.url()));
      page.on("requestfailed", (r) => failed.push(`${r.url()} ${r.failure()?.errorText}`));
      page.on("pageerror", (e) => errors.push(e.message));
      try {
        const response = await page.goto(`${origin}/docs`, { waitUntil: "load", timeout: 15_000 });
        expect(response?.status()).toBe(200);
        await page.waitForSelector(".opblock", { timeout: 15_000 });
        const paths = await page.$$eval(".opblock-summary-path", (nodes) =>
          nodes.map((n) => n.getAttribute("data-path") ?? n.textContent ?? ""),
        );
        expect(paths.some((p) => p.replace(/\u200b/g, "").startsWith("/v1/api-keys"))).toBe(true);
        expect(paths.some((p) => p.replace(/\u200b/g, "") === "/healthz")).toBe(true);
        expect(await page.title()).toBe("hookgate API");
        expect(await page.locator(".info .title").first().textContent()).toContain("hookgate API");

        expect(requested).toContain(`${origin}/docs/json`);
        expect(requested).toContain(`${origin}/docs/assets/swagger-ui-bundle.js`);
        const elsewhere = requested.filter((u) => !u.startsWith("data:") && new URL(u).origin !== origin);
        expect(elsewhere).toEqual([]);
        expect(failed).toEqual([]);
        expect(errors).toEqual([]);
      } finally {
        await context.close();
      }
    },
    45_000,
  );

  it.skipIf(!hasChromium)(
    "pre-fills Try it out with the documented example, which the API accepts",
    async () => {
      const context = await browser.newContext();
      const page = await context.newPage();
      try {
        await page.goto(`${t.url}/docs#/Endpoints/postV1Endpoints`, { waitUntil: "load", timeout: 15_000 });
        const block = page.locator("#operations-Endpoints-postV1Endpoints");
        await block.locator(".try-out__btn").click({ timeout: 15_000 });
        const body = await block.locator("textarea.body-param__text").inputValue({ timeout: 10_000 });
        const parsed = JSON.parse(body);
        expect(parsed.url).toBe("https://example.com/hooks");
        expect(JSON.stringify(parsed)).not.toContain('"string"');
        const res = await fetch(`${t.url}/v1/endpoints`, {
          method: "POST",
          headers: { authorization: `Bearer ${t.adminKey}`, "content-type": "application/json" },
          body,
        });
        expect(res.status).toBe(201);
      } finally {
        await context.close();
      }
    },
    45_000,
  );
});
