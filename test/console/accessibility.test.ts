// Accessibility basics of the console in a real Chromium: every control has an accessible name, text meets
// WCAG AA contrast, and the pages work from the keyboard.
import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import type { Browser, Page } from "playwright-core";
import { launchChromium, type Recorded, recordedPage, signIn, skipBrowser } from "./browser.ts";
import { type Demo, startDemo } from "./demo.ts";

/** Controls without an accessible name (label, aria-label, aria-labelledby, or the text of a button). */
const unnamedControls = (page: Page) =>
  page.evaluate(() =>
    [...document.querySelectorAll("input, select, textarea, button, a[href]")]
      .filter((el) => {
        const e = el as HTMLInputElement;
        if (e.type === "hidden" || e.closest("[hidden], dialog:not([open])")) return false;
        const byLabel = [...(e.labels ?? [])].some((l) => l.textContent?.trim());
        const labelledBy = (e.getAttribute("aria-labelledby") ?? "")
          .split(" ")
          .some((id) => document.getElementById(id)?.textContent?.trim());
        const text = (e.tagName === "BUTTON" || e.tagName === "A") && e.textContent?.trim();
        return !(byLabel || labelledBy || text || e.getAttribute("aria-label")?.trim());
      })
      .map((el) => el.outerHTML.slice(0, 120)),
  );

/** Text whose contrast with its background is below WCAG AA (4.5:1, or 3:1 for large text). */
const lowContrast = (page: Page) =>
  page.evaluate(() => {
    const rgb = (c: string) => (c.match(/[\d.]+/g) ?? []).map(Number);
    const lum = ([r, g, b]: number[]) => {
      const f = (v: number) => (v / 255 <= 0.03928 ? v / 255 / 12.92 : ((v / 255 + 0.055) / 1.055) ** 2.4);
      return 0.2126 * f(r!) + 0.7152 * f(g!) + 0.0722 * f(b!);
    };
    const background = (el: Element | null): number[] => {
      for (; el; el = el.parentElement) {
        const c = rgb(getComputedStyle(el).backgroundColor);
        if (c.length === 3 || (c.length === 4 && c[3]! > 0.9)) return c.slice(0, 3);
      }
      return [255, 255, 255];
    };
    const out: string[] = [];
    for (const el of document.querySelectorAll("body *")) {
      const own = [...el.childNodes].some((n) => n.nodeType === 3 && n.textContent?.trim());
      if (!own || (el as HTMLElement).offsetParent === null || (el as HTMLInputElement).disabled) continue;
      const style = getComputedStyle(el);
      const fg = rgb(style.color).slice(0, 3);
      const [a, b] = [lum(fg), lum(background(el))];
      const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
      const size = Number.parseFloat(style.fontSize);
      const large = size >= 24 || (size >= 18.66 && Number(style.fontWeight) >= 700);
      if (ratio < (large ? 3 : 4.5))
        out.push(`${ratio.toFixed(2)} ${el.tagName} "${el.textContent?.trim().slice(0, 40)}"`);
    }
    return out;
  });

describe.skipIf(skipBrowser)("console accessibility", () => {
  let demo: Demo;
  let browser: Browser;
  let r: Recorded;
  let delivery: string;
  beforeAll(async () => {
    demo = await startDemo();
    const published = await demo.publish(
      { type: "invoice.paid", tenant_id: "acme", data: { invoice_id: "i", amount: 1 } },
      true,
    );
    delivery = published.deliveries[0].id;
    browser = await launchChromium();
    r = await recordedPage(browser);
    await signIn(r.page, demo.origin, demo.t.adminKey);
  }, 30_000);
  afterAll(async () => {
    await browser?.close();
    await demo?.stop();
  }, 30_000);

  it("names every control and keeps text contrast at WCAG AA on every page", async () => {
    const pages = {
      overview: "",
      endpoints: "endpoints",
      endpoint: `endpoints/${demo.endpoints.alerts}`,
      deliveries: "deliveries",
      delivery: `deliveries/${delivery}`,
      events: "events",
      "event types": "event-types",
      "api keys": "api-keys",
    };
    for (const [name, path] of Object.entries(pages)) {
      await r.page.goto(`${demo.origin}/console#/${path}`);
      await r.page.getByRole("heading", { level: 1 }).waitFor();
      await r.page.waitForLoadState("networkidle");
      expect({ page: name, unnamed: await unnamedControls(r.page) }).toEqual({ page: name, unnamed: [] });
      expect({ page: name, low: await lowContrast(r.page) }).toEqual({ page: name, low: [] });
    }
    expect(r.problems).toEqual([]);
  }, 60_000);

  it("works from the keyboard: skip link first, then the menu, Enter follows a link", async () => {
    const { page } = r;
    await page.goto(`${demo.origin}/console#/`);
    await page.reload();
    await page.getByRole("heading", { name: "Overview" }).waitFor();
    const focused: string[] = [];
    for (let i = 0; i < 6; i++) {
      await page.keyboard.press("Tab");
      focused.push(await page.evaluate(() => document.activeElement?.textContent?.trim() ?? ""));
    }
    expect(focused).toEqual(["Skip to content", "Sign out", "Overview", "Endpoints", "Deliveries", "Events"]);
    await page.keyboard.press("Shift+Tab");
    await page.keyboard.press("Enter");
    await page.getByRole("heading", { name: "Deliveries", level: 1 }).waitFor();
    expect(page.url()).toEndWith("#/deliveries");
    // The skip button moves focus to the page content.
    await page.keyboard.press("Shift+Tab");
    while ((await page.evaluate(() => document.activeElement?.textContent?.trim())) !== "Skip to content")
      await page.keyboard.press("Shift+Tab");
    await page.keyboard.press("Enter");
    expect(await page.evaluate(() => document.activeElement?.id)).toBe("main");
  }, 30_000);

  it("closes a dialog with Escape and returns focus", async () => {
    const { page } = r;
    await page.goto(`${demo.origin}/console#/endpoints/${demo.endpoints.billing}`);
    await page.getByRole("button", { name: "Delete" }).focus();
    await page.keyboard.press("Enter");
    await page.getByRole("dialog", { name: "Delete this endpoint?" }).waitFor();
    await page.keyboard.press("Escape");
    await page.getByRole("dialog").waitFor({ state: "hidden" });
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe("Delete");
  }, 30_000);
});
