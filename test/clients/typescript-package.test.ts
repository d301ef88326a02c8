// The client as a user outside the repo gets it: `npm pack` of clients/typescript installed into a fresh project
// in a temp dir, a realistic TypeScript program type-checked against it and run on Node against a live gateway,
// and a Node receiver that verifies a real delivery with `import { verifyWebhook } from "hookgate/verify"`.
import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { writeFileSync } from "node:fs";
import { buildTestApp, type TestApp } from "../helpers/app.ts";
import { type Receiver, startReceiver } from "../helpers/receiver.ts";
import { type TempDir, tempDir } from "../helpers/temp.ts";

const REPO = new URL("../..", import.meta.url).pathname;
const TSC = `${REPO}node_modules/.bin/tsc`;

/**
 * Runs a command to completion (asynchronously: the gateway it may call runs in this process); throws with its
 * output when it fails or outlives `timeoutMs`.
 */
async function run(cmd: string[], cwd: string, env: Record<string, string> = {}, timeoutMs = 60_000): Promise<string> {
  const child = Bun.spawn(cmd, {
    cwd,
    env: { ...process.env, ...env },
    stdout: "pipe",
    stderr: "pipe",
    timeout: timeoutMs,
  });
  const [out, err, code] = await Promise.all([
    new Response(child.stdout).text(),
    new Response(child.stderr).text(),
    child.exited,
  ]);
  if (code !== 0) throw new Error(`${cmd.join(" ")} exited ${code}:\n${out}\n${err}`);
  return out;
}

const PROGRAM = `
import { createHookgateClient, paginate, publishEvent, unwrap, HookgateError, type Endpoint } from "hookgate";

const client = createHookgateClient({ baseUrl: process.env.HOOKGATE_URL!, apiKey: process.env.HOOKGATE_KEY! });

const created = await client.POST("/v1/endpoints", {
  body: { url: process.env.RECEIVER_URL + "/hooks", events: ["order.*"], timeout_ms: 4000 },
});
if (!created.data) throw new Error("create failed: " + created.error.error.message);
const endpoint: Endpoint = created.data.data;
const timeout: number = endpoint.timeout_ms;
// @ts-expect-error timeout_ms is a number, not a string
const timeoutText: string = endpoint.timeout_ms;

const missing = await client.GET("/v1/endpoints/{id}", { params: { path: { id: "ep_missing" } } });
let code = "";
let details: string[] = ["not set"];
if (missing.error) {
  code = missing.error.error.code;
  details = missing.error.error.details.map((d) => d.field);
  // @ts-expect-error the error body has code, message and details only
  missing.error.error.stack;
}

// @ts-expect-error limit is an integer, not a string
await client.GET("/v1/events", { params: { query: { limit: "20" } } });

const published = await publishEvent(client, { type: "order.paid", data: { amount: 250 } }, { idempotencyKey: "order-1" });
const replayed = await publishEvent(client, { type: "order.paid", data: { amount: 250 } }, { idempotencyKey: "order-1" });
const deliveryCount: number = published.data.deliveries.length;

let events = 0;
for await (const event of paginate((cursor) => client.GET("/v1/events", { params: { query: { limit: 1, cursor } } })))
  events += event.type === "order.paid" ? 1 : 0;

let thrown = "";
try {
  unwrap(await client.POST("/v1/endpoints", { body: { url: "not a url", events: ["order.*"] } }));
} catch (e) {
  if (e instanceof HookgateError) thrown = e.code + " " + e.status;
}

console.log(JSON.stringify({ secret: endpoint.secret, timeout, code, details, replayed: replayed.replayed,
  same: replayed.data.id === published.data.id, deliveryCount, events, thrown, timeoutText: typeof timeoutText }));
`;

const RECEIVER = `
import { readFileSync } from "node:fs";
import { verifyWebhook } from "hookgate/verify";
const { headers, body, secret } = JSON.parse(readFileSync(process.argv[2], "utf8"));
const good = verifyWebhook({ config: { scheme: "standard-webhooks" }, headers, body, secret });
const forged = verifyWebhook({ config: { scheme: "standard-webhooks" }, headers, body: body + " ", secret });
console.log(JSON.stringify({ good, forged: forged.ok }));
`;

describe("the hookgate package outside the repo", () => {
  let t: TestApp;
  let receiver: Receiver;
  let dir: TempDir;
  beforeAll(async () => {
    t = await buildTestApp({ listen: true, config: { security: { allow_http: true, allow_private_networks: true } } });
    receiver = startReceiver();
    dir = tempDir("hookgate-receiver-");
    const tarball = (
      await run(["npm", "pack", "--silent", "--pack-destination", dir.path, `${REPO}clients/typescript`], REPO)
    )
      .trim()
      .split("\n")
      .pop()!;
    writeFileSync(dir.file("package.json"), JSON.stringify({ name: "receiver", private: true, type: "module" }));
    await run(
      ["npm", "install", "--prefer-offline", "--no-audit", "--no-fund", "--ignore-scripts", `./${tarball}`],
      dir.path,
    );
  }, 120_000);
  afterAll(async () => {
    receiver?.stop();
    await t?.cleanup();
    dir?.cleanup();
  });

  it("type-checks a realistic program (numbers are numbers, errors typed) and runs it on Node", async () => {
    writeFileSync(dir.file("program.ts"), PROGRAM);
    const tsconfig = {
      compilerOptions: {
        target: "ES2022",
        module: "NodeNext",
        moduleResolution: "NodeNext",
        lib: ["ES2022", "DOM"],
        strict: true,
        outDir: "out",
        types: ["node"],
        typeRoots: [`${REPO}node_modules/@types`],
      },
      files: ["program.ts"],
    };
    writeFileSync(dir.file("tsconfig.json"), JSON.stringify(tsconfig));
    await run([TSC, "-p", "tsconfig.json"], dir.path);
    const out = await run(["node", "out/program.js"], dir.path, {
      HOOKGATE_URL: t.url!,
      HOOKGATE_KEY: t.adminKey,
      RECEIVER_URL: receiver.url,
    });
    const result = JSON.parse(out.trim().split("\n").pop()!);
    expect(result).toMatchObject({
      timeout: 4000,
      code: "not_found",
      details: [],
      replayed: true,
      same: true,
      deliveryCount: 1,
      events: 1,
      thrown: "validation_error 400",
    });
    expect(result.secret).toStartWith("whsec_");

    // A receiver on Node verifies the delivery the program caused, with the package's hookgate/verify.
    const [delivered] = await receiver.waitForRequests(1);
    writeFileSync(
      dir.file("request.json"),
      JSON.stringify({ headers: Object.fromEntries(delivered!.headers), body: delivered!.text, secret: result.secret }),
    );
    writeFileSync(dir.file("receiver.mjs"), RECEIVER);
    const verified = JSON.parse((await run(["node", "receiver.mjs", "request.json"], dir.path)).trim());
    expect(verified.good).toMatchObject({ ok: true });
    expect(verified.forged).toBe(false);
  }, 60_000);
});
