// OAuth2 client-credentials options (docs/api.md "Delivery options"): HTTP Basic client authentication and extra
// token-request parameters, against a real local token server that checks what it receives.
import { afterEach, beforeEach, describe, expect, it } from "bun:test";
import type { Server } from "bun";
import {
  createEndpoint,
  type DeliveryApp,
  getDelivery,
  publishOk,
  settle,
  startDeliveryApp,
} from "../helpers/delivery.ts";
import { expectInvalid } from "../helpers/endpoints.ts";
import { json } from "../helpers/http.ts";
import { type Receiver, startReceiver } from "../helpers/receiver.ts";

interface TokenRequest {
  authorization: string | null;
  form: URLSearchParams;
}

/**
 * A token endpoint that knows one client. Like a strict provider it refuses credentials sent the other way
 * (`expect`), and issues a token only to that client.
 */
function startTokenServer(client: { id: string; secret: string }, expect: "basic" | "body") {
  const requests: TokenRequest[] = [];
  const server: Server<undefined> = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    async fetch(req) {
      const form = new URLSearchParams(await req.text());
      const authorization = req.headers.get("authorization");
      requests.push({ authorization, form });
      let id: string | null = null;
      let secret: string | null = null;
      if (expect === "basic" && authorization?.startsWith("Basic ") && !form.has("client_secret")) {
        const [u, p] = Buffer.from(authorization.slice(6), "base64").toString("utf8").split(":");
        id = decodeURIComponent(u!.replace(/\+/g, " "));
        secret = decodeURIComponent(p!.replace(/\+/g, " "));
      } else if (expect === "body" && authorization === null) {
        id = form.get("client_id");
        secret = form.get("client_secret");
      }
      if (id !== client.id || secret !== client.secret || form.get("grant_type") !== "client_credentials")
        return Response.json({ error: "invalid_client" }, { status: 401 });
      return Response.json({ access_token: `token-for-${form.get("resource") ?? "none"}`, expires_in: 3600 });
    },
  });
  return { url: `http://127.0.0.1:${server.port}/token`, requests, stop: () => void server.stop(true) };
}

let t: DeliveryApp;
let receiver: Receiver;
let tokens: ReturnType<typeof startTokenServer> | null = null;

beforeEach(async () => {
  t = await startDeliveryApp();
  receiver = startReceiver();
});

afterEach(async () => {
  tokens?.stop();
  tokens = null;
  receiver.stop();
  await t.cleanup();
});

/** A client secret with characters that form-encoding changes (RFC 6749 §2.3.1 encodes before base64). */
const CLIENT = { id: "hookgate client", secret: "s3cr:t/with+odd&chars" };

const oauthEndpoint = (auth: Record<string, unknown>) =>
  createEndpoint(t, {
    url: `${receiver.url}/hooks`,
    auth: {
      type: "oauth2_client_credentials",
      token_url: tokens!.url,
      client_id: CLIENT.id,
      client_secret: CLIENT.secret,
      ...auth,
    },
  });

describe("oauth2_client_credentials options", () => {
  it("client_auth: basic sends the client credentials as HTTP Basic, not in the form", async () => {
    tokens = startTokenServer(CLIENT, "basic");
    await oauthEndpoint({ client_auth: "basic" });
    const published = await publishOk(t, { type: "run.completed", data: {} });
    await settle(t);
    expect((await getDelivery(t, published.deliveries[0].id)).status).toBe("delivered");
    const [request] = tokens.requests;
    expect(request!.authorization).toBe(
      `Basic ${Buffer.from("hookgate+client:s3cr%3At%2Fwith%2Bodd%26chars").toString("base64")}`,
    );
    expect([...request!.form.keys()]).toEqual(["grant_type"]);
    expect(receiver.requests[0]!.headers.get("authorization")).toBe("Bearer token-for-none");
  });

  it("client_auth: body (the default) sends them as form fields, and a Basic-only server refuses that", async () => {
    tokens = startTokenServer(CLIENT, "basic");
    await oauthEndpoint({});
    const published = await publishOk(t, { type: "run.completed", data: {} });
    await settle(t);
    const d = await getDelivery(t, published.deliveries[0].id);
    expect(d.last_error).toBe("auth_error: token endpoint answered HTTP 401");
    expect(tokens.requests[0]!.authorization).toBeNull();
    expect(tokens.requests[0]!.form.get("client_secret")).toBe(CLIENT.secret);
    expect(receiver.requests).toHaveLength(0);
  });

  it("sends extra_params with the token request, besides scope and audience", async () => {
    tokens = startTokenServer(CLIENT, "body");
    await oauthEndpoint({
      scope: "webhooks",
      audience: "https://api.example",
      extra_params: { resource: "https://receiver.example", tenant: "acme" },
    });
    await publishOk(t, { type: "run.completed", data: {} });
    await settle(t);
    const form = tokens.requests[0]!.form;
    expect(Object.fromEntries(form)).toEqual({
      grant_type: "client_credentials",
      client_id: CLIENT.id,
      client_secret: CLIENT.secret,
      scope: "webhooks",
      audience: "https://api.example",
      resource: "https://receiver.example",
      tenant: "acme",
    });
    expect(receiver.requests[0]!.headers.get("authorization")).toBe("Bearer token-for-https://receiver.example");
  });

  it("reads back client_auth and extra_params, with only the client secret masked", async () => {
    tokens = startTokenServer(CLIENT, "body");
    const { id } = await oauthEndpoint({ client_auth: "basic", extra_params: { resource: "r" } });
    const res = await json(t.app, "GET", `/v1/endpoints/${id}`, { key: t.adminKey });
    expect(res.body.data.auth).toMatchObject({ client_auth: "basic", extra_params: { resource: "r" } });
    expect(res.body.data.auth.client_secret).not.toContain("with+odd");
  });

  describe("validation", () => {
    const create = (auth: Record<string, unknown>) =>
      json(t.app, "POST", "/v1/endpoints", {
        key: t.adminKey,
        body: {
          url: `${receiver.url}/hooks`,
          events: ["*"],
          auth: {
            type: "oauth2_client_credentials",
            token_url: "http://127.0.0.1:9/token",
            client_id: "c",
            client_secret: "s",
            ...auth,
          },
        },
      });

    it("refuses an unknown client_auth", async () => {
      expectInvalid(await create({ client_auth: "jwt" }), "auth.client_auth");
    });

    it("refuses more than 10 extra params", async () => {
      const many = Object.fromEntries(Array.from({ length: 11 }, (_, i) => [`p${i}`, "v"]));
      expectInvalid(await create({ extra_params: many }), "auth.extra_params");
      expect((await create({ extra_params: Object.fromEntries(Object.entries(many).slice(0, 10)) })).status).toBe(201);
    });

    it("refuses params hookgate sends itself, bad names and empty values", async () => {
      expectInvalid(await create({ extra_params: { client_secret: "x" } }), "auth.extra_params.client_secret");
      expectInvalid(await create({ extra_params: { scope: "x" } }), "auth.extra_params.scope");
      expectInvalid(await create({ extra_params: { "bad name": "x" } }), "auth.extra_params.bad name");
      expectInvalid(await create({ extra_params: { resource: "" } }), "auth.extra_params.resource");
    });
  });
});
