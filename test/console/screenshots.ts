// Takes the README's console screenshots (docs/images/console-*.png): a demo gateway with an hour of real
// traffic to receivers on 127.0.0.1 (its clock walks through the last hour), then headless Chromium.
// Run: npm run screenshots
import { mkdirSync } from "node:fs";
import { ManualClock } from "../../src/lib/clock.ts";
import { json } from "../helpers/http.ts";
import { launchChromium, nav, recordedPage, signIn } from "./browser.ts";
import { startDemo } from "./demo.ts";

const OUT = new URL("../../docs/images/", import.meta.url).pathname;
mkdirSync(OUT, { recursive: true });

const now = Date.now();
const clock = new ManualClock(now - 60 * 60_000);
const demo = await startDemo({ clock });
let minute = 0;
// Receivers with some character: latency that drifts, and an alerts sink that is down for a stretch.
demo.ok.setDefault(() => ({
  status: 200,
  body: '{"received": true}',
  delayMs: 4 + Math.round(Math.random() * (minute > 40 ? 60 : 25)),
}));
demo.flaky.setDefault(() =>
  minute >= 22 && minute < 31 ? { status: 503, body: "maintenance" } : { status: 200, body: "ok", delayMs: 30 },
);
await json(demo.t.app, "PATCH", `/v1/endpoints/${demo.endpoints.crm}`, {
  key: demo.t.adminKey,
  body: { filter: { all: [{ field: "data.amount", op: "gte", value: 1000 }] } },
});

for (minute = 0; minute < 60; minute++) {
  const events = 3 + ((minute * 7) % 5);
  for (let i = 0; i < events; i++) {
    clock.set(now - (60 - minute) * 60_000 + i * 7000);
    const tenant = i % 3 === 2 ? "globex" : "acme";
    if (i % 2 === 0)
      await demo.publish(
        {
          type: "invoice.paid",
          tenant_id: tenant,
          data: { invoice_id: `inv_${minute}${i}`, amount: 400 + i * 450, currency: "EUR" },
        },
        true,
      );
    else
      await demo.publish(
        { type: "run.completed", tenant_id: tenant, data: { run_id: `run_${minute}${i}`, status: "succeeded" } },
        true,
      );
  }
}
clock.set(Date.now());
const ticking = setInterval(() => clock.set(Date.now()), 200);

const browser = await launchChromium();
try {
  const r = await recordedPage(browser, { width: 1280, height: 820 });
  const { page } = r;
  const shot = async (name: string) => {
    await page.waitForLoadState("networkidle");
    await Bun.sleep(300);
    await page.screenshot({ path: `${OUT}console-${name}.png` });
    console.log(`docs/images/console-${name}.png`);
  };
  await signIn(page, demo.origin, demo.t.adminKey);
  await page.getByText("Deliveries per minute, by outcome").waitFor();
  await shot("overview");
  await nav(page, "Endpoints");
  await page.getByRole("link", { name: "Run alerts" }).waitFor();
  await shot("endpoints");
  await page.getByRole("link", { name: "Run alerts" }).click();
  await page.getByText("Would be delivered").waitFor();
  await page.waitForLoadState("networkidle");
  await page
    .locator("section.panel", { has: page.getByRole("heading", { name: "Filter and transform" }) })
    .screenshot({ path: `${OUT}console-endpoint-preview.png` });
  console.log("docs/images/console-endpoint-preview.png");
  await nav(page, "Deliveries");
  await page.getByLabel("Endpoint").selectOption({ label: "Run alerts" });
  await page.getByRole("table", { name: "Deliveries, newest first" }).waitFor();
  await shot("deliveries");
  const failedOnce = (await demo.t.store.listDeliveries({ endpoint_id: demo.endpoints.alerts, limit: 500 })).find(
    (d) => d.attempts > 1,
  );
  await page.goto(`${demo.origin}/console#/deliveries/${failedOnce?.id}`);
  await page.getByRole("heading", { name: "Attempts" }).waitFor();
  await page.locator(".timeline summary").last().click();
  await shot("delivery");
  const portal = await json(demo.t.app, "POST", "/v1/portal-sessions", {
    key: demo.t.adminKey,
    body: { tenant_id: "acme" },
  });
  const p = await recordedPage(browser, { width: 1100, height: 640 });
  await p.page.goto(`${demo.origin}/console/portal#token=${portal.body.data.token}`);
  await nav(p.page, "Endpoints");
  await p.page.getByRole("link", { name: "Billing sink" }).waitFor();
  await p.page.waitForLoadState("networkidle");
  await Bun.sleep(300);
  await p.page.screenshot({ path: `${OUT}console-portal.png` });
  console.log("docs/images/console-portal.png");
  const elsewhere = [...r.requests, ...p.requests].filter((u) => !u.startsWith(`${demo.origin}/`));
  if (elsewhere.length > 0 || r.problems.length > 0)
    throw new Error(`unexpected: ${[...elsewhere, ...r.problems].join(", ")}`);
} finally {
  clearInterval(ticking);
  await browser.close();
  await demo.stop();
}
