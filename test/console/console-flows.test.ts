// The operator console in a real Chromium: sign in, create an endpoint, send a test, open the delivery and its
// attempt, replay a failed delivery; the key stays out of URLs, cookies and localStorage; nothing leaves 127.0.0.1.
import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import type { Browser } from "playwright-core";
import { launchChromium, nav, type Recorded, recordedPage, signIn, skipBrowser } from "./browser.ts";
import { type Demo, startDemo } from "./demo.ts";

describe.skipIf(skipBrowser)("console in a browser", () => {
  let demo: Demo;
  let browser: Browser;
  let r: Recorded;
  beforeAll(async () => {
    demo = await startDemo();
    browser = await launchChromium();
    r = await recordedPage(browser);
    await signIn(r.page, demo.origin, demo.t.adminKey);
  }, 30_000);
  afterAll(async () => {
    await browser?.close();
    await demo?.stop();
  }, 30_000);

  it("signs in with an API key and shows every page an admin may see", async () => {
    const links = await r.page.getByRole("navigation", { name: "Main" }).getByRole("link").allTextContents();
    expect(links).toEqual(["Overview", "Endpoints", "Deliveries", "Events", "Event types", "API keys"]);
    await r.page.getByRole("heading", { name: "Overview" }).waitFor();
    await r.page.getByText("Deliveries per minute, by outcome").waitFor();
  }, 30_000);

  it("creates an endpoint and shows its secret once", async () => {
    const { page } = r;
    await nav(page, "Endpoints");
    await page.getByRole("button", { name: "New endpoint" }).click();
    const form = page.getByRole("form", { name: "New endpoint" });
    await form.getByLabel("URL").fill(`${demo.ok.url}/from-console`);
    await form.getByLabel("Event types").fill("invoice.paid, run.*");
    await form.getByLabel("Description").fill("Made in the console");
    await form.getByLabel("Tenant").fill("acme");
    await form.getByRole("button", { name: "Create endpoint" }).click();
    const dialog = page.getByRole("dialog", { name: "Endpoint created" });
    const secret = await dialog.locator("[data-secret]").textContent();
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/=]{40,}$/);
    await dialog.getByRole("button", { name: "Close" }).click();
    await page.getByRole("link", { name: "Made in the console" }).waitFor();
    const list = (await demo.publish({ type: "invoice.paid", tenant_id: "acme", data: { invoice_id: "x", amount: 1 } }))
      .deliveries as { endpoint_id: string }[];
    expect(list).toHaveLength(2);
    // The secret is shown once: the endpoint page shows only its mask.
    await page.getByRole("link", { name: "Made in the console" }).click();
    await page.getByRole("heading", { name: "Made in the console" }).waitFor();
    expect(await page.content()).not.toContain(secret!);
  }, 30_000);

  it("sends a test event, then opens the delivery and its attempt", async () => {
    const { page } = r;
    await page.getByRole("button", { name: "Send test event" }).click();
    await page.getByText(/Test event delivered · HTTP 200/).waitFor();
    await page.getByRole("button", { name: "Refresh" }).first().click();
    const recent = page.getByRole("table", { name: "Recent deliveries of this endpoint" });
    const row = recent.getByRole("row").filter({ hasText: "webhook.test" });
    await row.getByRole("link").click();
    await page.getByRole("heading", { name: /^Delivery dlv_/ }).waitFor();
    const attempt = page.getByRole("listitem").filter({ hasText: "Attempt 1 · test" });
    await attempt.getByText("HTTP 200").click();
    await attempt.getByText('{"received": true}').waitFor();
    await attempt.getByText(/content-type/).waitFor();
    // The request panel shows the event that was sent.
    await page.getByRole("heading", { name: "Request" }).waitFor();
    await page.getByText(/This is a test event from hookgate/).waitFor();
  }, 30_000);

  it("replays a failed delivery", async () => {
    const { page } = r;
    const published = await demo.publish({
      type: "run.completed",
      tenant_id: "acme",
      data: { run_id: "r9", status: "ok" },
    });
    const id = published.deliveries.find((d: { endpoint_id: string }) => d.endpoint_id === demo.endpoints.alerts).id;
    // Attempt 1 and its one retry (1 s later) both get 503: the delivery fails.
    await demo.flaky.waitForRequests(2, 10_000);
    for (let i = 0; i < 50; i++) {
      const d = await demo.t.store.deliveryById(id);
      if (d?.status === "failed") break;
      await Bun.sleep(100);
    }
    await nav(page, "Deliveries");
    await page.getByLabel("Status").selectOption("failed");
    await page.getByRole("link", { name: id }).click();
    await page.getByText("failed", { exact: true }).first().waitFor();
    demo.flaky.setDefault({ status: 200, body: "back" });
    await page.getByRole("button", { name: "Replay now" }).click();
    await page.getByText("A new attempt was queued.").waitFor();
    await page.getByRole("listitem").filter({ hasText: "Attempt 3 · manual" }).waitFor({ timeout: 10_000 });
    await page.getByText("delivered", { exact: true }).first().waitFor();
    expect((await demo.t.store.deliveryById(id))?.status).toBe("delivered");
  }, 30_000);

  it("replays a selection from the deliveries list", async () => {
    const { page } = r;
    await nav(page, "Deliveries");
    await page.getByLabel("Status").selectOption("delivered");
    const boxes = page.getByRole("checkbox", { name: /^Select delivery/ });
    await boxes.first().waitFor();
    await boxes.nth(0).check();
    await boxes.nth(1).check();
    await page.getByRole("button", { name: "Replay selected (2)" }).click();
    await page.getByText("2 of 2 deliveries queued for a new attempt.").waitFor();
  }, 30_000);

  it("keeps the key out of URLs, cookies and localStorage, and holds it in sessionStorage only", async () => {
    const key = demo.t.adminKey;
    expect(r.requests.filter((u) => u.includes(key))).toEqual([]);
    expect(r.page.url()).not.toContain(key);
    expect(await r.context.cookies()).toEqual([]);
    const storage = await r.page.evaluate(() => ({
      local: Object.keys(localStorage).length,
      session: Object.values(sessionStorage),
      history: history.length,
    }));
    expect(storage.local).toBe(0);
    expect(storage.session).toEqual([key]);
    const visited = await r.page.evaluate(() => performance.getEntriesByType("navigation").map((e) => e.name));
    expect(visited.join(" ")).not.toContain(key);
  }, 30_000);

  it("loads nothing from anywhere but its own origin, with no error or CSP violation", () => {
    expect(r.requests.length).toBeGreaterThan(10);
    expect(r.requests.filter((u) => !u.startsWith(`${demo.origin}/`))).toEqual([]);
    expect(r.problems).toEqual([]);
  });

  it("signs out: the key leaves sessionStorage and the sign-in form is back", async () => {
    await r.page.getByRole("button", { name: "Sign out" }).click();
    await r.page.getByLabel("API key").waitFor();
    expect(await r.page.evaluate(() => sessionStorage.length)).toBe(0);
  }, 30_000);
});
