// The compiled executable copied alone into an empty directory serves the console (bundle inlined at build
// time) and a browser can sign in to it. Runs only when dist/hookgate exists (`npm run build`; .ci/run builds it).
import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { chmodSync, copyFileSync, existsSync, writeFileSync } from "node:fs";
import type { Subprocess } from "bun";
import { TEST_ADMIN_KEY } from "../helpers/config.ts";
import { freePort, stopProcess, streamText, waitForHttp } from "../helpers/process.ts";
import { type TempDir, tempDir } from "../helpers/temp.ts";
import { launchChromium, recordedPage, signIn, skipBrowser } from "./browser.ts";

const BINARY = new URL("../../dist/hookgate", import.meta.url).pathname;
const hasBinary = existsSync(BINARY);
if (!hasBinary) console.warn(`binary console: skipped, ${BINARY} does not exist (run npm run build first)`);

describe.skipIf(!hasBinary)("the console from the compiled binary", () => {
  let dir: TempDir;
  let proc: Subprocess<"ignore", "pipe", "pipe">;
  let base: string;
  beforeAll(async () => {
    dir = tempDir("hookgate-bin-console-");
    const exe = dir.file("hookgate");
    copyFileSync(BINARY, exe);
    chmodSync(exe, 0o755);
    const port = freePort();
    base = `http://127.0.0.1:${port}`;
    writeFileSync(dir.file("serve.yaml"), `server:\n  host: 127.0.0.1\n  port: ${port}\n`);
    proc = Bun.spawn([exe, "serve", "--config", dir.file("serve.yaml")], {
      cwd: dir.path,
      env: { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: dir.path, HOOKGATE_ADMIN_KEY: TEST_ADMIN_KEY },
      stdin: "ignore",
      stdout: "pipe",
      stderr: "pipe",
    });
    const stderr = streamText(proc.stderr);
    await Promise.race([
      waitForHttp(`${base}/healthz`, { timeoutMs: 10_000 }),
      proc.exited.then(async (code) => {
        throw new Error(`hookgate exited with ${code} before serving: ${await stderr}`);
      }),
    ]);
  }, 30_000);
  afterAll(async () => {
    if (proc) expect(await stopProcess(proc)).toBe(0);
    dir?.cleanup();
  }, 30_000);

  it("serves the page and its bundle with the security headers", async () => {
    const page = await fetch(`${base}/console`);
    expect(page.status).toBe(200);
    expect(page.headers.get("content-security-policy")).toContain("script-src 'self'");
    const html = await page.text();
    const script = /src="(\/console\/assets\/console\.[0-9a-f]{10}\.js)"/.exec(html)?.[1];
    expect(script).toBeDefined();
    const js = await fetch(`${base}${script}`);
    expect(js.status).toBe(200);
    expect(js.headers.get("content-type")).toBe("text/javascript; charset=utf-8");
    const body = await js.text();
    expect(body.length).toBeGreaterThan(20_000);
    expect(body).toContain("/v1/me");
  });

  it.skipIf(skipBrowser)(
    "lets a browser sign in and read the overview, with nothing loaded from elsewhere",
    async () => {
      const browser = await launchChromium();
      try {
        const r = await recordedPage(browser);
        await signIn(r.page, base, TEST_ADMIN_KEY);
        await r.page.getByRole("heading", { name: "Overview" }).waitFor();
        await r.page.getByText("Deliveries per minute, by outcome").waitFor();
        expect(r.requests.filter((u) => !u.startsWith(`${base}/`))).toEqual([]);
        expect(r.problems).toEqual([]);
      } finally {
        await browser.close();
      }
    },
    30_000,
  );
});
