// The tenant portal in a real Chromium: a portal link shows its tenant only, moves its token out of the address,
// may be framed only by console.frame_ancestors, and ends when the session is revoked.
import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import type { Browser } from "playwright-core";
import { json } from "../helpers/http.ts";
import { launchChromium, nav, recordedPage, skipBrowser } from "./browser.ts";
import { type Demo, GLOBEX_URL_PATH, startDemo } from "./demo.ts";

async function portalSession(demo: Demo, body: Record<string, unknown>) {
  const res = await json(demo.t.app, "POST", "/v1/portal-sessions", { key: demo.t.adminKey, body });
  expect(res.status).toBe(201);
  return res.body.data as { id: string; url: string; token: string };
}

describe.skipIf(skipBrowser)("tenant portal in a browser", () => {
  let demo: Demo;
  let browser: Browser;
  beforeAll(async () => {
    demo = await startDemo();
    await demo.publish({ type: "invoice.paid", tenant_id: "acme", data: { invoice_id: "inv_1", amount: 10 } }, true);
    await demo.publish({ type: "invoice.paid", tenant_id: "globex", data: { invoice_id: "inv_2", amount: 20 } }, true);
    browser = await launchChromium();
  }, 30_000);
  afterAll(async () => {
    await browser?.close();
    await demo?.stop();
  }, 30_000);

  it("shows only its tenant's endpoints, deliveries and events, never another tenant's", async () => {
    const session = await portalSession(demo, { tenant_id: "acme" });
    // The url is built on server.public_url's default; open the same path on the test server.
    const url = `${demo.origin}${new URL(session.url).pathname}${new URL(session.url).hash}`;
    const r = await recordedPage(browser);
    try {
      const { page } = r;
      await page.goto(url, { waitUntil: "load" });
      await page.getByText("Tenant acme").waitFor();
      const links = await page.getByRole("navigation", { name: "Main" }).getByRole("link").allTextContents();
      expect(links).toEqual(["Overview", "Endpoints", "Deliveries", "Events"]);

      await nav(page, "Endpoints");
      await page.getByRole("link", { name: "Billing sink" }).waitFor();
      await page.getByRole("link", { name: "Run alerts" }).waitFor();
      expect(await page.getByText("Globex CRM").count()).toBe(0);
      expect(await page.content()).not.toContain(GLOBEX_URL_PATH);

      await nav(page, "Deliveries");
      await page.getByRole("table", { name: "Deliveries, newest first" }).waitFor();
      expect(await page.content()).not.toContain(demo.endpoints.crm);
      await nav(page, "Events");
      await page.getByRole("table", { name: "Events, newest first" }).waitFor();
      const tenants = await page.locator("tbody tr td:nth-child(3)").allTextContents();
      expect(tenants.length).toBeGreaterThan(0);
      expect(new Set(tenants)).toEqual(new Set(["acme"]));

      // With the portal token the API answers 404 for another tenant's endpoint.
      const token = await page.evaluate(() => sessionStorage.getItem("hookgate.portal-token"));
      expect((await json(demo.t.app, "GET", `/v1/endpoints/${demo.endpoints.crm}`, { key: token! })).status).toBe(404);

      // The token left the address at once and lives in sessionStorage only.
      expect(page.url()).not.toContain(session.token);
      expect(await page.evaluate(() => location.hash)).not.toContain("token");
      expect(await page.evaluate(() => Object.values(sessionStorage))).toEqual([session.token]);
      expect(await page.evaluate(() => localStorage.length)).toBe(0);
      expect(await r.context.cookies()).toEqual([]);
      // The fragment is never sent to a server: no request named the token.
      expect(r.requests.filter((u) => u.includes(session.token))).toEqual([]);
      expect(r.requests.filter((u) => !u.startsWith(`${demo.origin}/`))).toEqual([]);
      expect(r.problems).toEqual([]);
    } finally {
      await r.context.close();
    }
  }, 30_000);

  it("read-only sessions offer no edits", async () => {
    const session = await portalSession(demo, { tenant_id: "acme", read_only: true });
    const r = await recordedPage(browser);
    try {
      const { page } = r;
      await page.goto(`${demo.origin}/console/portal#token=${session.token}`, { waitUntil: "load" });
      await nav(page, "Endpoints");
      await page.getByRole("link", { name: "Billing sink" }).click();
      await page.getByRole("heading", { name: "Billing sink" }).waitFor();
      for (const name of ["Pause", "Send test event", "Rotate secret", "Delete", "Save settings"])
        expect(await page.getByRole("button", { name, exact: true }).count()).toBe(0);
      expect(await page.getByLabel("URL").isDisabled()).toBe(true);
    } finally {
      await r.context.close();
    }
  }, 30_000);

  it("ends when its session is revoked", async () => {
    const session = await portalSession(demo, { tenant_id: "acme" });
    const r = await recordedPage(browser);
    try {
      const { page } = r;
      await page.goto(`${demo.origin}/console/portal#token=${session.token}`, { waitUntil: "load" });
      await page.getByText("Tenant acme").waitFor();
      const revoke = await json(demo.t.app, "DELETE", `/v1/api-keys/${session.id}`, { key: demo.t.adminKey });
      expect(revoke.status).toBe(204);
      // The next request is refused (401): the portal says so and forgets the token, whether a request of the open
      // page or the reload's met the refusal first; a later reload still says the session ended.
      await page.reload({ waitUntil: "load" });
      await page.getByText("This session has ended.").waitFor();
      expect(await page.evaluate(() => sessionStorage.getItem("hookgate.portal-token"))).toBeNull();
      await page.reload({ waitUntil: "load" });
      await page.getByText("This session has ended.").waitFor();
    } finally {
      await r.context.close();
    }
  }, 30_000);
});
