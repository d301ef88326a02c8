// The typed client (clients/typescript) against a live gateway: generated from the served document (a stale
// committed copy fails here), typed answers and errors, paging, idempotent publishing, and the verify helper.
import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { generatedFiles, staleFiles } from "../../clients/typescript/generate.ts";
import {
  createHookgateClient,
  type HookgateClient,
  HookgateError,
  paginate,
  publishEvent,
  unwrap,
  verifyWebhook,
} from "../../clients/typescript/src/index.ts";
import { buildTestApp, type TestApp } from "../helpers/app.ts";
import { type Receiver, startReceiver } from "../helpers/receiver.ts";

describe("clients/typescript", () => {
  it("is generated from the document the gateway serves (npm run client:generate)", async () => {
    expect(staleFiles(await generatedFiles())).toEqual([]);
  }, 60_000);
});

describe("the typed client against a live gateway", () => {
  let t: TestApp;
  let receiver: Receiver;
  let client: HookgateClient;
  beforeAll(async () => {
    t = await buildTestApp({ listen: true, config: { security: { allow_http: true, allow_private_networks: true } } });
    receiver = startReceiver();
    client = createHookgateClient({ baseUrl: t.url!, apiKey: t.adminKey });
  });
  afterAll(async () => {
    receiver?.stop();
    await t?.cleanup();
  });

  it("creates an endpoint and reads it back, numbers as numbers", async () => {
    const created = unwrap(
      await client.POST("/v1/endpoints", {
        body: { url: `${receiver.url}/hooks`, events: ["order.*"], timeout_ms: 5000 },
      }),
    );
    expect(created.data.secret).toStartWith("whsec_");
    const { data, error } = await client.GET("/v1/endpoints/{id}", { params: { path: { id: created.data.id } } });
    expect(error).toBeUndefined();
    expect(data?.data.timeout_ms).toBe(5000);
    expect(typeof data?.data.timeout_ms).toBe("number");
  });

  it("gives errors in the API's shape, typed, with details always present", async () => {
    const missing = await client.GET("/v1/endpoints/{id}", { params: { path: { id: "ep_missing" } } });
    expect(missing.data).toBeUndefined();
    expect(missing.response.status).toBe(404);
    expect(missing.error?.error.code).toBe("not_found");
    expect(missing.error?.error.details).toEqual([]);

    const invalid = await client.POST("/v1/endpoints", { body: { url: "ftp://nope", events: ["order.*"] } });
    const thrown = (() => {
      try {
        unwrap(invalid);
      } catch (e) {
        return e;
      }
    })();
    expect(thrown).toBeInstanceOf(HookgateError);
    expect(thrown).toMatchObject({ status: 400, code: "validation_error" });
    expect((thrown as HookgateError).details.map((d) => d.field)).toContain("url");
  });

  it("publishes once per idempotency key, however often the call is repeated, and the delivery verifies", async () => {
    const endpoint = unwrap(
      await client.POST("/v1/endpoints", { body: { url: `${receiver.url}/verified`, events: ["invoice.paid"] } }),
    ).data;
    const first = await publishEvent(
      client,
      { type: "invoice.paid", data: { amount: 42 } },
      { idempotencyKey: "inv-7" },
    );
    const again = await publishEvent(
      client,
      { type: "invoice.paid", data: { amount: 42 } },
      { idempotencyKey: "inv-7" },
    );
    expect(first.replayed).toBe(false);
    expect(again.replayed).toBe(true);
    expect(again.data.id).toBe(first.data.id);
    expect(first.data.deliveries).toHaveLength(1);

    await receiver.waitForRequests(1);
    const arrived = receiver.requests.filter((r) => r.path === "/verified");
    expect(arrived).toHaveLength(1);
    const check = verifyWebhook({
      config: { scheme: "standard-webhooks" },
      headers: arrived[0]!.headers,
      body: arrived[0]!.text,
      secret: endpoint.secret,
    });
    expect(check).toMatchObject({ ok: true, id: first.data.id });
    expect(
      verifyWebhook({
        config: { scheme: "standard-webhooks" },
        headers: arrived[0]!.headers,
        body: `${arrived[0]!.text} `,
        secret: endpoint.secret,
      }).ok,
    ).toBe(false);
  });

  it("pages through a list with paginate, fetching pages of the given size", async () => {
    for (let i = 0; i < 5; i++) unwrap(await client.POST("/v1/events", { body: { type: "page.test", data: { i } } }));
    const pages: (string | undefined)[] = [];
    const seen: number[] = [];
    for await (const event of paginate((cursor) => {
      pages.push(cursor);
      return client.GET("/v1/events", { params: { query: { type: "page.test", limit: 2, cursor } } });
    }))
      seen.push((event.data as { i: number }).i);
    expect(seen).toEqual([4, 3, 2, 1, 0]);
    expect(pages).toHaveLength(3);
    expect(pages[0]).toBeUndefined();
  });
});
