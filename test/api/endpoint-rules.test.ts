// Every rule of an endpoint body, end to end through POST/PATCH /v1/endpoints: status 400, code
// validation_error and the offending field in error.details[].field (docs/api.md "Endpoints").
import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { loadConfig } from "../../src/config/index.ts";
import { buildTestApp, type TestApp } from "../helpers/app.ts";
import { createEndpoint, ENDPOINT, expectInvalid } from "../helpers/endpoints.ts";
import { json } from "../helpers/http.ts";

describe("endpoint rules", () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await buildTestApp();
  });
  afterAll(() => t?.cleanup());

  const create = (body: Record<string, unknown>, app: TestApp = t) =>
    json(app.app, "POST", "/v1/endpoints", { key: app.adminKey, body: { ...ENDPOINT, ...body } });
  const accepted = async (body: Record<string, unknown>, app: TestApp = t) => {
    const res = await create(body, app);
    expect({ status: res.status, error: res.body?.error }).toEqual({ status: 201, error: undefined });
    return res.body.data;
  };

  describe("url", () => {
    it("accepts an absolute https URL", async () => {
      expect((await accepted({ url: "https://hooks.example.com:8443/in?team=a" })).url).toBe(
        "https://hooks.example.com:8443/in?team=a",
      );
    });

    it("refuses http by default", async () => {
      expectInvalid(await create({ url: "http://example.com/hooks" }), "url");
    });

    for (const url of [
      "example.com/hooks",
      "/hooks",
      "ftp://example.com/hooks",
      "https://",
      "javascript:alert(1)",
      "",
    ]) {
      it(`refuses ${JSON.stringify(url)}`, async () => {
        expectInvalid(await create({ url }), "url");
      });
    }

    it("refuses credentials in the URL (they belong in auth)", async () => {
      expectInvalid(await create({ url: "https://user:pw@example.com/hooks" }), "url");
    });

    it("accepts 2048 characters and refuses 2049", async () => {
      const base = "https://example.com/";
      await accepted({ url: base + "a".repeat(2048 - base.length) });
      expectInvalid(await create({ url: base + "a".repeat(2049 - base.length) }), "url");
    });

    const blocked: [string, string][] = [
      ["private 10.x", "https://10.0.0.1/hooks"],
      ["private 192.168.x", "https://192.168.1.20/hooks"],
      ["private 172.16.x", "https://172.16.5.4/hooks"],
      ["loopback 127.x", "https://127.0.0.1/hooks"],
      ["loopback 127.x (not .1)", "https://127.10.20.30:8080/hooks"],
      ["link-local 169.254.x", "https://169.254.10.10/hooks"],
      ["CGNAT 100.64.x", "https://100.64.0.1/hooks"],
      ["unspecified 0.0.0.0", "https://0.0.0.0/hooks"],
      ["IPv6 loopback [::1]", "https://[::1]/hooks"],
      ["IPv6 ULA fc00::", "https://[fc00::1]/hooks"],
      ["IPv6 ULA fd00::", "https://[fd12:3456::1]/hooks"],
      ["IPv6 link-local fe80::", "https://[fe80::1]/hooks"],
      ["decimal 2130706433", "https://2130706433/hooks"],
      ["hex 0x7f000001", "https://0x7f000001/hooks"],
      ["octal 0177.0.0.1", "https://0177.0.0.1/hooks"],
      ["short 127.1", "https://127.1/hooks"],
      ["IPv4-mapped [::ffff:127.0.0.1]", "https://[::ffff:127.0.0.1]/hooks"],
      ["IPv4-mapped hex [::ffff:7f00:1]", "https://[::ffff:7f00:1]/hooks"],
      ["NAT64 [64:ff9b::a00:1] (10.0.0.1)", "https://[64:ff9b::a00:1]/hooks"],
      ["localhost", "https://localhost/hooks"],
      ["LOCALHOST in capitals", "https://LOCALHOST:8443/hooks"],
      ["a .localhost name", "https://api.localhost/hooks"],
    ];
    for (const [what, url] of blocked) {
      it(`refuses ${what}`, async () => {
        expectInvalid(await create({ url }), "url");
      });
    }

    const metadata: [string, string][] = [
      ["169.254.169.254", "https://169.254.169.254/latest/meta-data"],
      ["169.254.169.254 as a decimal", "https://2852039166/latest/meta-data"],
      ["169.254.169.254 IPv4-mapped", "https://[::ffff:169.254.169.254]/latest"],
      ["fd00:ec2::254", "https://[fd00:ec2::254]/latest"],
    ];
    for (const [what, url] of metadata) {
      it(`refuses the metadata address ${what}`, async () => {
        expectInvalid(await create({ url }), "url");
      });
    }

    it("accepts a public literal address", async () => {
      await accepted({ url: "https://93.184.215.14/hooks" });
      await accepted({ url: "https://[2606:2800:21f:cb07:6820:80da:af6b:8b2c]/hooks" });
    });

    it("never resolves names: a name is accepted whatever it would resolve to", async () => {
      await accepted({ url: "https://internal.example.invalid/hooks" });
    });

    describe("with security.allow_http", () => {
      let http: TestApp;
      beforeAll(async () => {
        http = await buildTestApp({ config: { security: { allow_http: true } } });
      });
      afterAll(() => http?.cleanup());

      it("accepts http", async () => {
        expect((await accepted({ url: "http://example.com/hooks" }, http)).url).toBe("http://example.com/hooks");
      });

      it("still refuses private addresses", async () => {
        expectInvalid(await create({ url: "http://10.0.0.1/hooks" }, http), "url");
      });
    });

    describe("with security.allow_private_networks", () => {
      let priv: TestApp;
      beforeAll(async () => {
        priv = await buildTestApp({ config: { security: { allow_private_networks: true } } });
      });
      afterAll(() => priv?.cleanup());

      for (const [what, url] of blocked.filter(([w]) => !w.startsWith("unspecified"))) {
        it(`accepts ${what}`, async () => {
          await accepted({ url }, priv);
        });
      }

      for (const [what, url] of metadata) {
        it(`still refuses the metadata address ${what}`, async () => {
          expectInvalid(await create({ url }, priv), "url");
        });
      }

      it("still refuses http", async () => {
        expectInvalid(await create({ url: "http://10.0.0.1/hooks" }, priv), "url");
      });
    });

    describe("with security.allowed_cidrs", () => {
      let cidrs: TestApp;
      beforeAll(async () => {
        cidrs = await buildTestApp({
          config: { security: { allowed_cidrs: ["10.20.0.0/16", "169.254.0.0/16", "fd00::/8"] } },
        });
      });
      afterAll(() => cidrs?.cleanup());

      it("accepts addresses inside the allowed ranges", async () => {
        await accepted({ url: "https://10.20.3.4/hooks" }, cidrs);
        await accepted({ url: "https://[fd12::1]/hooks" }, cidrs);
        await accepted({ url: "https://169.254.10.10/hooks" }, cidrs);
      });

      it("refuses private addresses outside them", async () => {
        expectInvalid(await create({ url: "https://10.21.0.1/hooks" }, cidrs), "url");
        expectInvalid(await create({ url: "https://127.0.0.1/hooks" }, cidrs), "url");
      });

      it("refuses metadata addresses even inside an allowed range", async () => {
        expectInvalid(await create({ url: "https://169.254.169.254/latest" }, cidrs), "url");
      });
    });

    describe("with --dev", () => {
      let dev: TestApp;
      beforeAll(async () => {
        const { security } = loadConfig("", { file: null, env: {}, dev: true });
        dev = await buildTestApp({ config: { security } });
      });
      afterAll(() => dev?.cleanup());

      it("accepts http and private addresses", async () => {
        await accepted({ url: "http://127.0.0.1:3000/hooks" }, dev);
        await accepted({ url: "http://localhost:3000/hooks" }, dev);
      });

      it("still refuses metadata addresses", async () => {
        expectInvalid(await create({ url: "http://169.254.169.254/latest" }, dev), "url");
      });
    });
  });

  describe("events", () => {
    it("is required and non-empty", async () => {
      expectInvalid(
        await json(t.app, "POST", "/v1/endpoints", { key: t.adminKey, body: { url: ENDPOINT.url } }),
        "events",
      );
      expectInvalid(await create({ events: [] }), "events");
      expectInvalid(await create({ events: "run.completed" }), "events");
    });

    it("accepts exact names, prefix.* wildcards and *", async () => {
      expect((await accepted({ events: ["run.completed", "invoice.*", "*"] })).events).toEqual([
        "run.completed",
        "invoice.*",
        "*",
      ]);
    });

    for (const bad of ["run..completed", ".run", "run.", "run.*.x", "run*", "has space", "a".repeat(129)]) {
      it(`names the entry of a malformed type ${JSON.stringify(bad.length > 20 ? `${bad.slice(0, 10)}…` : bad)}`, async () => {
        expectInvalid(await create({ events: ["run.completed", bad] }), "events[1]");
      });
    }

    it("refuses more than 100 entries", async () => {
      expectInvalid(await create({ events: Array.from({ length: 101 }, (_, i) => `type.n${i}`) }), "events");
    });
  });

  describe("description", () => {
    it("accepts 255 characters and refuses 256", async () => {
      expect((await accepted({ description: "d".repeat(255) })).description).toHaveLength(255);
      expectInvalid(await create({ description: "d".repeat(256) }), "description");
    });
  });

  describe("metadata", () => {
    const keys = (n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${i}`, "v"]));

    it("accepts 50 keys and refuses 51", async () => {
      expect(Object.keys((await accepted({ metadata: keys(50) })).metadata)).toHaveLength(50);
      expectInvalid(await create({ metadata: keys(51) }), "metadata");
    });

    it("accepts a 40-character key and refuses 41", async () => {
      await accepted({ metadata: { ["k".repeat(40)]: "v" } });
      expectInvalid(await create({ metadata: { ["k".repeat(41)]: "v" } }), `metadata.${"k".repeat(41)}`);
    });

    it("accepts a 500-character value and refuses 501", async () => {
      await accepted({ metadata: { team: "v".repeat(500) } });
      expectInvalid(await create({ metadata: { team: "v".repeat(501) } }), "metadata.team");
    });

    it("refuses values that are not strings", async () => {
      expectInvalid(await create({ metadata: { team: 7 } }), "metadata.team");
      expectInvalid(await create({ metadata: { team: { nested: "x" } } }), "metadata.team");
      expectInvalid(await create({ metadata: ["team"] }), "metadata");
    });
  });

  describe("headers", () => {
    const headers = (n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`X-Custom-${i}`, "v"]));

    it("accepts 20 headers and refuses 21", async () => {
      expect(Object.keys((await accepted({ headers: headers(20) })).headers)).toHaveLength(20);
      expectInvalid(await create({ headers: headers(21) }), "headers");
    });

    for (const name of ["Bad Name", "X-Tëam", "X:Colon", "", "X(Paren)"]) {
      it(`refuses the header name ${JSON.stringify(name)}`, async () => {
        expectInvalid(await create({ headers: { [name]: "v" } }), `headers.${name}`);
      });
    }

    for (const value of ["a\r\nX-Injected: 1", "a\nb", "a\rb", "a\u0000b"]) {
      it(`refuses a value with ${JSON.stringify(value.replace(/[a-zA-Z:\- 1]/g, ""))}`, async () => {
        expectInvalid(await create({ headers: { "X-Team": value } }), "headers.X-Team");
      });
    }

    it("refuses values that are not strings", async () => {
      expectInvalid(await create({ headers: { "X-Team": 1 } }), "headers.X-Team");
    });

    for (const name of [
      "webhook-id",
      "webhook-timestamp",
      "webhook-signature",
      "Webhook-Signature",
      "Content-Length",
      "Host",
      "Transfer-Encoding",
    ]) {
      it(`refuses overriding ${name} with the default scheme`, async () => {
        expectInvalid(await create({ headers: { [name]: "x" } }), `headers.${name}`);
      });
    }

    it("refuses the svix- headers when the header prefix is svix-", async () => {
      for (const name of ["svix-id", "svix-timestamp", "svix-signature"]) {
        expectInvalid(
          await create({ signing: { scheme: "standard-webhooks", header_prefix: "svix-" }, headers: { [name]: "x" } }),
          `headers.${name}`,
        );
      }
    });

    it("refuses the default hmac-sha256 headers", async () => {
      for (const name of ["X-Webhook-Signature", "X-Webhook-ID", "X-Webhook-Timestamp", "X-Webhook-Event"]) {
        expectInvalid(
          await create({ signing: { scheme: "hmac-sha256" }, headers: { [name]: "x" } }),
          `headers.${name}`,
        );
      }
    });

    it("refuses the configured hmac-sha256 header names", async () => {
      const signing = {
        scheme: "hmac-sha256",
        signature_header: "X-Hub-Signature-256",
        id_header: "X-GitHub-Delivery",
        timestamp_header: "X-Sent-At",
        event_header: "X-GitHub-Event",
      };
      for (const name of ["X-Hub-Signature-256", "x-github-delivery", "X-Sent-At", "X-GitHub-Event"]) {
        expectInvalid(await create({ signing, headers: { [name]: "x" } }), `headers.${name}`);
      }
    });

    it("refuses the configured timestamped-hmac signature header", async () => {
      expectInvalid(
        await create({
          signing: { scheme: "timestamped-hmac", signature_header: "Stripe-Signature" },
          headers: { "Stripe-Signature": "x" },
        }),
        "headers.Stripe-Signature",
      );
    });

    it("accepts Authorization when auth is not set (stored as given, read as ****)", async () => {
      const data = await accepted({ headers: { Authorization: "Token abc" } });
      expect(data.headers).toEqual({ Authorization: "****" });
      expect(t.gateway.registry.get(data.id)!.headers).toEqual({ Authorization: "Token abc" });
    });

    it("refuses Authorization when auth sets it", async () => {
      const auths = [
        { type: "basic", username: "hooks", password: "pw-123" },
        { type: "bearer", token: "tok-123" },
        {
          type: "oauth2_client_credentials",
          token_url: "https://auth.example.com/token",
          client_id: "c",
          client_secret: "s",
        },
      ];
      for (const auth of auths)
        expectInvalid(await create({ auth, headers: { authorization: "x" } }), "headers.authorization");
    });

    it("refuses the header an auth of type header sets", async () => {
      expectInvalid(
        await create({ auth: { type: "header", name: "X-Api-Key", value: "k" }, headers: { "x-api-key": "other" } }),
        "headers.x-api-key",
      );
    });
  });

  describe("timeout_ms", () => {
    it("accepts 1000–30000 and defaults to 10000", async () => {
      expect((await accepted({})).timeout_ms).toBe(10_000);
      expect((await accepted({ timeout_ms: 1000 })).timeout_ms).toBe(1000);
      expect((await accepted({ timeout_ms: 30_000 })).timeout_ms).toBe(30_000);
    });

    for (const v of [999, 30_001, 0, -5, 1500.5, "soon", true]) {
      it(`refuses ${JSON.stringify(v)}`, async () => {
        expectInvalid(await create({ timeout_ms: v }), "timeout_ms");
      });
    }
  });

  describe("http_method", () => {
    it("accepts POST, PUT, PATCH, GET, DELETE, HEAD and OPTIONS; POST by default", async () => {
      expect((await accepted({})).http_method).toBe("POST");
      for (const m of ["POST", "PUT", "PATCH", "GET", "DELETE", "HEAD", "OPTIONS"])
        expect((await accepted({ http_method: m })).http_method).toBe(m);
    });

    for (const m of ["post", "CONNECT", "TRACE"]) {
      it(`refuses ${m}`, async () => {
        expectInvalid(await create({ http_method: m }), "http_method");
      });
    }
  });

  describe("auth", () => {
    it("accepts each shape", async () => {
      const shapes = [
        { type: "basic", username: "hooks", password: "pw-123456" },
        { type: "bearer", token: "tok-123456" },
        { type: "header", name: "X-Api-Key", value: "key-123456" },
        {
          type: "oauth2_client_credentials",
          token_url: "https://auth.example.com/token",
          client_id: "cid",
          client_secret: "cs-123456",
          scope: "hooks",
          audience: "https://api",
        },
      ];
      for (const auth of shapes) expect((await accepted({ auth })).auth.type).toBe(auth.type);
    });

    it("refuses an unknown type, naming auth.type", async () => {
      expectInvalid(await create({ auth: { type: "digest", username: "u", password: "p" } }), "auth.type");
      expectInvalid(await create({ auth: { type: "Bearer", token: "t" } }), "auth.type");
    });

    it("refuses an auth without a type, naming auth", async () => {
      expectInvalid(await create({ auth: { username: "u", password: "p" } }), "auth");
    });

    it("refuses an auth that is not an object", async () => {
      expectInvalid(await create({ auth: "bearer abc" }), "auth");
    });

    it("refuses missing fields, naming each", async () => {
      expectInvalid(await create({ auth: { type: "basic", username: "u" } }), "auth.password");
      expectInvalid(await create({ auth: { type: "basic", password: "p" } }), "auth.username");
      expectInvalid(await create({ auth: { type: "bearer" } }), "auth.token");
      expectInvalid(await create({ auth: { type: "bearer", token: "" } }), "auth.token");
      expectInvalid(await create({ auth: { type: "header", value: "v" } }), "auth.name");
      expectInvalid(await create({ auth: { type: "header", name: "X-Key" } }), "auth.value");
      const oauth = {
        type: "oauth2_client_credentials",
        token_url: "https://auth.example.com/token",
        client_id: "c",
        client_secret: "s",
      };
      for (const k of ["token_url", "client_id", "client_secret"]) {
        const { [k as keyof typeof oauth]: _gone, ...rest } = oauth;
        expectInvalid(await create({ auth: rest }), `auth.${k}`);
      }
    });

    it("refuses extra fields, also fields of another type", async () => {
      expectInvalid(await create({ auth: { type: "bearer", token: "t", extra: "x" } }), "auth.extra");
      expectInvalid(await create({ auth: { type: "basic", username: "u", password: "p", token: "t" } }), "auth.token");
    });

    it("requires an https token_url for oauth2, under the same address rules", async () => {
      const oauth = (token_url: string) => ({
        auth: { type: "oauth2_client_credentials", token_url, client_id: "c", client_secret: "s" },
      });
      expectInvalid(await create(oauth("http://auth.example.com/token")), "auth.token_url");
      expectInvalid(await create(oauth("https://10.0.0.1/token")), "auth.token_url");
      expectInvalid(await create(oauth("not a url")), "auth.token_url");
    });

    it("refuses a header auth that sets a reserved header or an invalid name", async () => {
      expectInvalid(await create({ auth: { type: "header", name: "Content-Length", value: "1" } }), "auth.name");
      expectInvalid(await create({ auth: { type: "header", name: "Bad Name", value: "1" } }), "auth.name");
    });

    it("refuses credentials with CR or LF", async () => {
      expectInvalid(await create({ auth: { type: "bearer", token: "a\r\nX-Evil: 1" } }), "auth.token");
    });
  });

  describe("retry_schedule", () => {
    it("accepts s, m, h and d durations", async () => {
      expect((await accepted({ retry_schedule: ["5s", "5m", "2h", "1d"] })).retry_schedule).toEqual([
        "5s",
        "5m",
        "2h",
        "1d",
      ]);
    });

    for (const entry of ["5x", "five", "", "5", "-5s", "0s", "8d"]) {
      it(`refuses the entry ${JSON.stringify(entry)}`, async () => {
        expectInvalid(await create({ retry_schedule: ["5s", entry] }), "retry_schedule");
      });
    }

    it("refuses entries that are not strings", async () => {
      expectInvalid(await create({ retry_schedule: [5] }), "retry_schedule");
    });

    it("accepts an empty schedule: a single attempt, no retries", async () => {
      expect((await accepted({ retry_schedule: [] })).retry_schedule).toEqual([]);
    });

    it("accepts 20 entries and refuses 21", async () => {
      await accepted({ retry_schedule: Array(20).fill("5s") });
      expectInvalid(await create({ retry_schedule: Array(21).fill("5s") }), "retry_schedule");
    });
  });

  describe("rate_limit_per_second", () => {
    it("accepts a number > 0 and ≤ 10000", async () => {
      expect((await accepted({ rate_limit_per_second: 0.5 })).rate_limit_per_second).toBe(0.5);
      expect((await accepted({ rate_limit_per_second: 10_000 })).rate_limit_per_second).toBe(10_000);
    });

    for (const v of [0, -1, 10_001, "10"]) {
      it(`refuses ${JSON.stringify(v)}`, async () => {
        expectInvalid(await create({ rate_limit_per_second: v }), "rate_limit_per_second");
      });
    }
  });

  describe("signing", () => {
    it("defaults to the configured scheme", async () => {
      expect((await accepted({})).signing).toEqual({ scheme: "standard-webhooks" });
    });

    it("accepts each scheme with its own options", async () => {
      await accepted({ signing: { scheme: "standard-webhooks", header_prefix: "svix-", asymmetric: true } });
      await accepted({
        signing: {
          scheme: "hmac-sha256",
          signature_header: "X-Hub-Signature-256",
          prefix: "sha256=",
          id_header: "X-Id",
          timestamp_header: "X-Ts",
          event_header: "X-Ev",
        },
      });
      await accepted({ signing: { scheme: "timestamped-hmac", signature_header: "Stripe-Signature" } });
      await accepted({ signing: { scheme: "ed25519" } });
    });

    it("refuses an unknown scheme, naming signing.scheme", async () => {
      expectInvalid(await create({ signing: { scheme: "rsa-sha512" } }), "signing.scheme");
      expectInvalid(await create({ signing: {} }), "signing.scheme");
    });

    it("refuses an option of another scheme, naming it", async () => {
      expectInvalid(await create({ signing: { scheme: "standard-webhooks", prefix: "sha256=" } }), "signing.prefix");
      expectInvalid(
        await create({ signing: { scheme: "timestamped-hmac", timestamp_header: "X-Ts" } }),
        "signing.timestamp_header",
      );
      expectInvalid(await create({ signing: { scheme: "hmac-sha256", asymmetric: true } }), "signing.asymmetric");
    });

    it("refuses malformed option values", async () => {
      expectInvalid(
        await create({ signing: { scheme: "hmac-sha256", signature_header: "Bad Header" } }),
        "signing.signature_header",
      );
      expectInvalid(
        await create({ signing: { scheme: "standard-webhooks", header_prefix: "svix_" } }),
        "signing.header_prefix",
      );
    });

    it("refuses an unknown signing field", async () => {
      expectInvalid(await create({ signing: { scheme: "standard-webhooks", algorithm: "x" } }), "signing.algorithm");
    });
  });

  describe("secret", () => {
    it("accepts 16 and 256 characters", async () => {
      expect((await accepted({ secret: "s".repeat(16) })).secret).toBe("s".repeat(16));
      expect((await accepted({ secret: "s".repeat(256) })).secret).toBe("s".repeat(256));
    });

    it("refuses 15 and 257 characters", async () => {
      expectInvalid(await create({ secret: "s".repeat(15) }), "secret");
      expectInvalid(await create({ secret: "s".repeat(257) }), "secret");
    });

    it("refuses whitespace and a whsec_ secret that is not base64", async () => {
      expectInvalid(await create({ secret: "has some spaces in it" }), "secret");
      expectInvalid(await create({ secret: "whsec_not-base64-at-all!!" }), "secret");
    });
  });

  describe("unknown fields", () => {
    it("refuses them, naming each", async () => {
      const res = await create({ colour: "blue", secrets: ["x"] });
      expectInvalid(res, "colour");
      expectInvalid(res, "secrets");
    });

    it("refuses a body that is not an object", async () => {
      const res = await json(t.app, "POST", "/v1/endpoints", { key: t.adminKey, body: [ENDPOINT] });
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe("validation_error");
    });
  });

  describe("PATCH applies the same rules", () => {
    let id: string;
    beforeAll(async () => {
      id = (await createEndpoint(t, { auth: { type: "bearer", token: "tok-abcdef" } })).id;
    });
    const patch = (body: Record<string, unknown>) =>
      json(t.app, "PATCH", `/v1/endpoints/${id}`, { key: t.adminKey, body });

    const cases: [string, Record<string, unknown>][] = [
      ["url", { url: "http://example.com/hooks" }],
      ["url", { url: "https://127.0.0.1/hooks" }],
      ["events", { events: [] }],
      ["events[0]", { events: ["bad..name"] }],
      ["description", { description: "d".repeat(256) }],
      ["metadata.team", { metadata: { team: "v".repeat(501) } }],
      ["headers.webhook-signature", { headers: { "webhook-signature": "x" } }],
      ["timeout_ms", { timeout_ms: 999 }],
      ["http_method", { http_method: "TRACE" }],
      ["auth.type", { auth: { type: "digest" } }],
      ["retry_schedule", { retry_schedule: ["soon"] }],
      ["rate_limit_per_second", { rate_limit_per_second: 0 }],
      ["signing.scheme", { signing: { scheme: "nope" } }],
      ["colour", { colour: "blue" }],
      ["tenant_id", { tenant_id: "other" }],
      ["secret", { secret: "a-new-secret-of-some-length" }],
    ];
    for (const [field, body] of cases) {
      it(`refuses ${JSON.stringify(body).slice(0, 60)}, naming ${field}`, async () => {
        expectInvalid(await patch(body), field);
      });
    }

    it("refuses a header that the stored auth sets", async () => {
      expectInvalid(await patch({ headers: { Authorization: "x" } }), "headers.Authorization");
    });

    it("refuses an auth that would override a stored custom header", async () => {
      const other = (await createEndpoint(t, { headers: { Authorization: "Token abc" } })).id;
      const res = await json(t.app, "PATCH", `/v1/endpoints/${other}`, {
        key: t.adminKey,
        body: { auth: { type: "bearer", token: "tok-abcdef" } },
      });
      expectInvalid(res, "auth");
    });

    it("refuses a signing change whose headers a stored custom header would override", async () => {
      const other = (await createEndpoint(t, { headers: { "X-Hub-Signature-256": "forged" } })).id;
      const res = await json(t.app, "PATCH", `/v1/endpoints/${other}`, {
        key: t.adminKey,
        body: { signing: { scheme: "hmac-sha256", signature_header: "X-Hub-Signature-256" } },
      });
      expectInvalid(res, "signing");
    });

    it("changes nothing when refused", async () => {
      const before = (await json(t.app, "GET", `/v1/endpoints/${id}`, { key: t.adminKey })).body.data;
      expect((await patch({ url: "https://changed.example.com/", timeout_ms: 1 })).status).toBe(400);
      expect((await json(t.app, "GET", `/v1/endpoints/${id}`, { key: t.adminKey })).body.data).toEqual(before);
    });
  });
});
