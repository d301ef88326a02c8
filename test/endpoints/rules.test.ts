// The one endpoint validator shared by the API and the YAML file (the API tests cover it again end to end).
import { describe, expect, it } from "bun:test";
import { reservedHeaders, retryScheduleProblem, secretProblem } from "../../src/endpoints/field-rules.ts";
import { checkEndpoint, type EndpointRules, urlProblem } from "../../src/endpoints/rules.ts";
import type { EndpointSpec } from "../../src/endpoints/spec.ts";
import { parseCidrs } from "../../src/lib/net.ts";

const rules = (over: Partial<EndpointRules> = {}): EndpointRules => ({
  allowHttp: false,
  address: { allowPrivate: false, allowedCidrs: [] },
  knownTypes: () => new Set(),
  proxies: new Set(),
  defaults: { timeout_ms: 10_000, scheme: "standard-webhooks" },
  ...over,
});
const base = { url: "https://example.com/hooks", events: ["run.completed"] };
const problems = (input: unknown, r = rules(), current?: EndpointSpec) => checkEndpoint(input, r, current).problems;

describe("endpoint rules", () => {
  describe("create", () => {
    it("fills every default", () => {
      expect(checkEndpoint(base, rules())).toEqual({
        spec: {
          tenant_id: "default",
          url: "https://example.com/hooks",
          description: "",
          events: ["run.completed"],
          enabled: true,
          metadata: {},
          signing: { scheme: "standard-webhooks" },
          http_method: "POST",
          auth: null,
          headers: {},
          filter: null,
          transform: null,
          rate_limit_per_second: null,
          timeout_ms: 10_000,
          retry_schedule: null,
          proxy: "default",
          tls: null,
        },
        secret: undefined,
        problems: [],
      });
    });

    it("requires url and events and refuses unknown fields", () => {
      expect(problems({ colour: "red" })).toEqual([
        { field: "colour", message: "unknown field" },
        { field: "url", message: "is required" },
        { field: "events", message: "is required: a non-empty list of event types" },
      ]);
      expect(problems(["not", "an", "object"])).toEqual([{ field: "", message: "must be a JSON object" }]);
    });

    it("refuses an id (the config loader reads a YAML endpoint's id before validating the rest)", () => {
      expect(problems({ ...base, id: "x" })).toEqual([{ field: "id", message: "unknown field" }]);
    });

    it("keeps exact names, prefix.* and *, once each", () => {
      expect(checkEndpoint({ ...base, events: ["*", "run.*", "run.completed", "run.*"] }, rules()).spec.events).toEqual(
        ["*", "run.*", "run.completed"],
      );
      expect(problems({ ...base, events: ["bad name", 3] })).toEqual([
        {
          field: "events[0]",
          message: '"bad name" is not a valid event type (letters, digits, - and _, dot-separated; or prefix.* or *)',
        },
        { field: "events[1]", message: "must be a string" },
      ]);
    });

    it("checks events against a non-empty catalog", () => {
      const r = rules({ knownTypes: () => new Set(["run.completed", "run.failed"]) });
      expect(problems({ ...base, events: ["run.*", "run.completed", "*"] }, r)).toEqual([]);
      expect(problems({ ...base, events: ["user.*", "run.exploded"] }, r)).toEqual([
        { field: "events[0]", message: '"user.*" matches no known event type' },
        { field: "events[1]", message: 'unknown event type "run.exploded"' },
      ]);
    });
  });

  describe("url", () => {
    it("accepts a public https URL", () => {
      expect(urlProblem("https://example.com/hooks?x=1", rules())).toBeNull();
    });

    it("refuses other schemes, credentials, junk and overlong URLs", () => {
      expect(urlProblem("http://example.com", rules())).toBe(
        "must be an absolute https URL (http is allowed only with security.allow_http)",
      );
      expect(urlProblem("ftp://example.com", rules({ allowHttp: true }))).toBe("must be an absolute http or https URL");
      expect(urlProblem("https://user:pw@example.com", rules())).toBe("must not contain credentials; use auth instead");
      expect(urlProblem("/relative", rules())).toBe("must be an absolute https URL");
      expect(urlProblem(`https://example.com/${"a".repeat(2048)}`, rules())).toBe("must be at most 2048 characters");
    });

    it("refuses private, loopback and metadata literals unless allowed", () => {
      expect(urlProblem("https://localhost/x", rules())).toBe(
        "points to a loopback address (allowed only with security.allow_private_networks)",
      );
      expect(urlProblem("https://10.0.0.1/", rules())).toBe(
        "points to a private address (allowed only with security.allow_private_networks or security.allowed_cidrs)",
      );
      expect(urlProblem("https://[::1]/", rules())).toBe(
        "points to a loopback address (allowed only with security.allow_private_networks or security.allowed_cidrs)",
      );
      expect(urlProblem("https://0x7f000001/", rules())).toStartWith("points to a loopback address");
      const open = rules({ allowHttp: true, address: { allowPrivate: true, allowedCidrs: [] } });
      expect(urlProblem("http://127.0.0.1:9000/", open)).toBeNull();
      expect(urlProblem("https://169.254.169.254/latest", open)).toBe(
        "points to a cloud metadata address, which is always refused",
      );
      expect(
        urlProblem(
          "https://10.1.2.3/",
          rules({ address: { allowPrivate: false, allowedCidrs: parseCidrs(["10.1.0.0/16"]) } }),
        ),
      ).toBeNull();
    });
  });

  describe("a change of an existing endpoint (PATCH)", () => {
    const current: EndpointSpec = {
      ...checkEndpoint({ ...base, metadata: { team: "billing", region: "eu" } }, rules()).spec,
      transform: "data",
      timeout_ms: 5000,
    };

    it("changes only the given fields; null sets one back to its default", () => {
      expect(checkEndpoint({ description: "new", transform: null, timeout_ms: null }, rules(), current)).toEqual({
        spec: { ...current, description: "new", transform: null, timeout_ms: 10_000 },
        secret: undefined,
        problems: [],
      });
    });

    it("does not require url and events, which it already has", () => {
      expect(problems({}, rules(), current)).toEqual([]);
    });

    it("merges metadata: omitted keys stay, an empty string removes one, null clears all", () => {
      expect(checkEndpoint({ metadata: { region: "", tier: "gold" } }, rules(), current).spec.metadata).toEqual({
        team: "billing",
        tier: "gold",
      });
      expect(checkEndpoint({ metadata: null }, rules(), current).spec.metadata).toEqual({});
      expect(checkEndpoint({ metadata: {} }, rules(), current).spec.metadata).toEqual({});
    });

    it("refuses tenant_id and secret", () => {
      expect(problems({ tenant_id: "other", secret: "a-new-secret-of-16+" }, rules(), current)).toEqual([
        { field: "tenant_id", message: "cannot be changed; create the endpoint in the other tenant instead" },
        { field: "secret", message: "cannot be set by PATCH; use POST /v1/endpoints/{id}/rotate-secret" },
      ]);
    });
  });

  describe("limits", () => {
    it("bounds description, metadata, timeout, rate limit and method", () => {
      expect(problems({ ...base, description: "d".repeat(256) })).toEqual([
        { field: "description", message: "must be at most 255 characters" },
      ]);
      expect(
        problems({ ...base, metadata: Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`k${i}`, "v"])) }),
      ).toEqual([{ field: "metadata", message: "must have at most 50 keys" }]);
      expect(problems({ ...base, metadata: { ["k".repeat(41)]: "v", ok: "v".repeat(501), n: 1 } })).toEqual([
        { field: `metadata.${"k".repeat(41)}`, message: "keys must be 1–40 characters" },
        { field: "metadata.ok", message: "must be at most 500 characters" },
        { field: "metadata.n", message: "must be a string" },
      ]);
      expect(problems({ ...base, timeout_ms: 999, rate_limit_per_second: 0, http_method: "TRACE" })).toEqual([
        { field: "http_method", message: "must be one of POST, PUT, PATCH, GET, DELETE, HEAD, OPTIONS" },
        { field: "rate_limit_per_second", message: "must be a number > 0 and ≤ 10000" },
        { field: "timeout_ms", message: "must be an integer from 1000 to 30000" },
      ]);
    });
  });

  describe("secret", () => {
    it("accepts 16–256 visible characters or whsec_ with at least 16 bytes", () => {
      expect(secretProblem("x".repeat(16))).toBeNull();
      expect(secretProblem(`whsec_${Buffer.alloc(24, 1).toString("base64")}`)).toBeNull();
      expect(secretProblem("x".repeat(15))).toBe("must be 16–256 characters");
      expect(secretProblem("x".repeat(257))).toBe("must be 16–256 characters");
      expect(secretProblem("has a space in it!")).toBe("must not contain whitespace or control characters");
      expect(secretProblem(`whsec_${Buffer.alloc(8, 1).toString("base64")}xxxxxxxx`)).toBe(
        "a whsec_ secret must be followed by base64 of at least 16 bytes",
      );
      expect(secretProblem(42)).toBe("must be a string");
    });
  });

  describe("signing, headers and auth", () => {
    it("accepts only the options of the chosen scheme", () => {
      expect(
        checkEndpoint(
          { ...base, signing: { scheme: "standard-webhooks", header_prefix: "svix-", asymmetric: true } },
          rules(),
        ).spec.signing,
      ).toEqual({ scheme: "standard-webhooks", header_prefix: "svix-", asymmetric: true });
      expect(problems({ ...base, signing: { scheme: "hmac-sha256", asymmetric: true } })).toEqual([
        {
          field: "signing.asymmetric",
          message:
            "is not an option of hmac-sha256 (options: signature_header, prefix, id_header, timestamp_header, event_header, timestamp_source, id_value)",
        },
      ]);
      expect(problems({ ...base, signing: { scheme: "rot13" } })).toEqual([
        {
          field: "signing.scheme",
          message: "must be one of standard-webhooks, hmac-sha256, timestamped-hmac, ed25519",
        },
      ]);
    });

    it("reserves the signature headers of the scheme, in any case", () => {
      expect(reservedHeaders({ scheme: "standard-webhooks", header_prefix: "svix-" })).toContain("svix-signature");
      expect(reservedHeaders({ scheme: "hmac-sha256", signature_header: "X-Hub-Signature-256" })).toContain(
        "x-hub-signature-256",
      );
      expect(problems({ ...base, headers: { "Webhook-Signature": "forged", "X-Team": "billing" } })).toEqual([
        { field: "headers.Webhook-Signature", message: "cannot override a signature, content or auth header" },
      ]);
    });

    it("refuses header injection and bad names", () => {
      expect(problems({ ...base, headers: { "X-A": "a\r\nX-Evil: 1", "bad name": "x" } })).toEqual([
        { field: "headers.X-A", message: "must not contain CR, LF or NUL" },
        { field: "headers.bad name", message: "is not a valid HTTP header name" },
      ]);
    });

    it("reserves Authorization when auth sets it", () => {
      expect(problems({ ...base, auth: { type: "bearer", token: "t" }, headers: { authorization: "x" } })).toEqual([
        { field: "headers.authorization", message: "cannot override a signature, content or auth header" },
      ]);
      expect(problems({ ...base, headers: { authorization: "x" } })).toEqual([]);
    });

    it("checks each auth type's fields", () => {
      expect(problems({ ...base, auth: { type: "basic", username: "a:b", password: "p" } })).toEqual([
        { field: "auth.username", message: "must not contain ':'" },
      ]);
      expect(problems({ ...base, auth: { type: "bearer", token: "t", extra: 1 } })).toEqual([
        { field: "auth.extra", message: "unknown field for auth type bearer" },
      ]);
      expect(problems({ ...base, auth: { type: "header", name: "Content-Length", value: "1" } })).toEqual([
        { field: "auth.name", message: "cannot set the reserved header Content-Length" },
      ]);
      expect(
        problems({
          ...base,
          auth: { type: "oauth2_client_credentials", token_url: "http://idp.example.com/token", client_id: "id" },
        }),
      ).toEqual([
        {
          field: "auth.token_url",
          message: "must be an absolute https URL (http is allowed only with security.allow_http)",
        },
        { field: "auth.client_secret", message: "must be a non-empty string of at most 4096 characters" },
      ]);
      expect(problems({ ...base, auth: { type: "magic" } })).toEqual([
        { field: "auth.type", message: "must be one of basic, bearer, header, oauth2_client_credentials" },
      ]);
    });
  });

  describe("retry schedule", () => {
    it("takes 1–20 durations of 1s to 7d", () => {
      expect(retryScheduleProblem(["1s", "7d"])).toBeNull();
      expect(retryScheduleProblem([])).toBe("must be a list of 1–20 durations such as 5s, 5m, 2h, 1d");
      expect(retryScheduleProblem(Array(21).fill("5s"))).toBe(
        "must be a list of 1–20 durations such as 5s, 5m, 2h, 1d",
      );
      expect(retryScheduleProblem(["500ms"])).toBe('"500ms" must be between 1s and 7d');
      expect(retryScheduleProblem(["8d"])).toBe('"8d" must be between 1s and 7d');
      expect(retryScheduleProblem(["soon"])).toBe('"soon" is not a duration such as 5s, 5m, 2h, 1d');
    });
  });
});
