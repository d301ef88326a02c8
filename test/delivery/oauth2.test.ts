// OAuth2 client-credentials outbound auth: one token request shared by concurrent deliveries, renewal after
// expiry (on the injected clock), and token failures recorded as auth_error and retried on schedule.
import { afterEach, beforeEach, describe, expect, it } from "bun:test";
import type { Server } from "bun";
import {
  advance,
  createEndpoint,
  type DeliveryApp,
  getDelivery,
  publishOk,
  settle,
  startDeliveryApp,
} from "../helpers/delivery.ts";
import { json } from "../helpers/http.ts";
import { type Receiver, startReceiver } from "../helpers/receiver.ts";

interface TokenServer {
  url: string;
  /** Form bodies of the token requests received. */
  requests: URLSearchParams[];
  contentTypes: (string | null)[];
  /** Answer of the next token requests: a status and the token lifetime in seconds. */
  status: number;
  expiresIn: number | undefined;
  stop(): void;
}

/** A local OAuth2 token endpoint at /token that issues tok-1, tok-2, … after a short delay. */
function startTokenServer(): TokenServer {
  const state: TokenServer = {
    url: "",
    requests: [],
    contentTypes: [],
    status: 200,
    expiresIn: 3600,
    stop: () => {},
  };
  const server: Server<undefined> = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    async fetch(req) {
      if (new URL(req.url).pathname !== "/token") return new Response("not found", { status: 404 });
      state.contentTypes.push(req.headers.get("content-type"));
      state.requests.push(new URLSearchParams(await req.text()));
      // Slow enough that concurrent deliveries overlap with the first token request.
      await Bun.sleep(100);
      if (state.status !== 200) return Response.json({ error: "server_error" }, { status: state.status });
      return Response.json({
        access_token: `tok-${state.requests.length}`,
        token_type: "bearer",
        ...(state.expiresIn === undefined ? {} : { expires_in: state.expiresIn }),
      });
    },
  });
  state.url = `http://127.0.0.1:${server.port}/token`;
  state.stop = () => void server.stop(true);
  return state;
}

describe("oauth2_client_credentials", () => {
  let t: DeliveryApp;
  let receiver: Receiver;
  let tokens: TokenServer;
  let endpointId: string;

  beforeEach(async () => {
    t = await startDeliveryApp();
    receiver = startReceiver();
    tokens = startTokenServer();
    endpointId = (
      await createEndpoint(t, {
        url: `${receiver.url}/hooks`,
        auth: {
          type: "oauth2_client_credentials",
          token_url: tokens.url,
          client_id: "hookgate-client",
          client_secret: "client-secret-123",
          scope: "webhooks:write",
          audience: "https://api.example",
        },
      })
    ).id;
  });

  afterEach(async () => {
    receiver?.stop();
    tokens?.stop();
    await t?.cleanup();
  });

  it("makes exactly one token request for 5 concurrent deliveries, and all carry the bearer token", async () => {
    const published = await Promise.all(
      Array.from({ length: 5 }, (_, i) => publishOk(t, { type: "run.completed", data: { i } })),
    );
    await settle(t);
    expect(tokens.requests).toHaveLength(1);
    expect(t.gateway.tokens.requests).toBe(1);
    expect(receiver.requests).toHaveLength(5);
    for (const r of receiver.requests) expect(r.headers.get("authorization")).toBe("Bearer tok-1");
    for (const p of published) expect((await getDelivery(t, p.deliveries[0].id)).status).toBe("delivered");
  });

  it("asks the token URL with the client credentials as a form", async () => {
    await publishOk(t, { type: "run.completed", data: {} });
    await settle(t);
    expect(tokens.contentTypes[0]).toBe("application/x-www-form-urlencoded");
    const form = tokens.requests[0]!;
    expect(Object.fromEntries(form)).toEqual({
      grant_type: "client_credentials",
      client_id: "hookgate-client",
      client_secret: "client-secret-123",
      scope: "webhooks:write",
      audience: "https://api.example",
    });
  });

  it("reuses the token until it expires, then requests a new one", async () => {
    await publishOk(t, { type: "run.completed", data: { n: 1 } });
    await settle(t);
    t.clock.advance(10 * 60_000);
    await publishOk(t, { type: "run.completed", data: { n: 2 } });
    await settle(t);
    expect(tokens.requests).toHaveLength(1);

    t.clock.advance(3600_000);
    await publishOk(t, { type: "run.completed", data: { n: 3 } });
    await settle(t);
    expect(tokens.requests).toHaveLength(2);
    expect(receiver.requests.map((r) => r.headers.get("authorization"))).toEqual([
      "Bearer tok-1",
      "Bearer tok-1",
      "Bearer tok-2",
    ]);
  });

  it("records a failing token request as auth_error and retries the delivery on schedule", async () => {
    tokens.status = 500;
    const published = await publishOk(t, { type: "run.completed", data: {} });
    await settle(t);
    const id = published.deliveries[0].id;
    const failed = await getDelivery(t, id);
    expect(receiver.requests).toHaveLength(0);
    expect(failed.status).toBe("pending");
    expect(failed.attempts).toBe(1);
    expect(failed.last_error).toStartWith("auth_error");
    expect(failed.next_retry_at).toBe(new Date(t.clock.now() + 5000).toISOString());
    expect(failed.history).toHaveLength(1);
    expect(failed.history[0].error).toStartWith("auth_error");
    expect(failed.history[0].http_status).toBeNull();

    tokens.status = 200;
    await advance(t, 5000);
    const delivered = await getDelivery(t, id);
    expect(delivered.status).toBe("delivered");
    expect(delivered.attempts).toBe(2);
    expect(receiver.requests).toHaveLength(1);
    expect(receiver.requests[0]!.headers.get("authorization")).toBe("Bearer tok-2");
  });

  it("does not fetch a token for a preview and masks the credential", async () => {
    const res = await json(t.app, "POST", `/v1/endpoints/${endpointId}/preview`, {
      key: t.adminKey,
      body: { type: "run.completed", data: {} },
    });
    expect(res.status).toBe(200);
    expect(res.body.data.matched).toBe(true);
    expect(tokens.requests).toHaveLength(0);
    expect(JSON.stringify(res.body.data)).not.toContain("client-secret-123");
    expect(receiver.requests).toHaveLength(0);
  });
});
