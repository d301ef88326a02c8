// /v1/endpoints: create, read (secrets masked), list (cursor pages), patch, delete, rotate-secret,
// YAML-declared endpoints (read-only) and the OpenAPI description of these routes.

import { Database } from "bun:sqlite";
import { afterEach, beforeAll, beforeEach, describe, expect, it } from "bun:test";
import { existsSync, readFileSync } from "node:fs";
import { encodeCursor } from "../../src/api/pagination.ts";
import { ConfigError, loadConfig } from "../../src/config/index.ts";
import { liveSecrets } from "../../src/endpoints/endpoint.ts";
import { iso, ManualClock } from "../../src/lib/clock.ts";
import { buildTestApp, type TestApp } from "../helpers/app.ts";
import {
  allPages,
  createEndpoint,
  ENDPOINT,
  expectError,
  expectInvalid,
  startYamlGateway,
  type YamlGateway,
} from "../helpers/endpoints.ts";
import { json } from "../helpers/http.ts";
import { tempDir } from "../helpers/temp.ts";

const NOW = Date.parse("2026-06-06T09:00:00.000Z");
const GENERATED_SECRET = /^whsec_[A-Za-z0-9+/]{43}=$/;
const masked = (secret: string) => `${secret.slice(0, 8)}…`;
const DAY_MS = 86_400_000;

describe("endpoints", () => {
  let t: TestApp;
  let clock: ManualClock;
  beforeEach(async () => {
    clock = new ManualClock(NOW);
    // Private addresses are allowed so deliveries can target a closed local port instead of the internet.
    t = await buildTestApp({ clock, config: { security: { allow_private_networks: true } } });
  });
  afterEach(() => t?.cleanup());

  const get = (id: string) => json(t.app, "GET", `/v1/endpoints/${id}`, { key: t.adminKey });
  const patch = (id: string, body: unknown) => json(t.app, "PATCH", `/v1/endpoints/${id}`, { key: t.adminKey, body });
  const remove = (id: string) => json(t.app, "DELETE", `/v1/endpoints/${id}`, { key: t.adminKey });
  const rotate = (id: string, body?: unknown) =>
    json(t.app, "POST", `/v1/endpoints/${id}/rotate-secret`, { key: t.adminKey, body });
  const publish = (body: Record<string, unknown>, query = "") =>
    json(t.app, "POST", `/v1/events${query}`, { key: t.adminKey, body: { data: {}, ...body } });

  describe("POST /v1/endpoints", () => {
    it("creates an endpoint with every default and answers 201 with the endpoint object of docs/api.md", async () => {
      const res = await json(t.app, "POST", "/v1/endpoints", {
        key: t.adminKey,
        body: { url: "https://example.com/hooks", events: ["run.completed", "run.*"] },
      });
      expect(res.status).toBe(201);
      expect(res.body).toEqual({
        data: {
          id: expect.stringMatching(/^ep_[0-9a-z]{26}$/),
          tenant_id: "default",
          url: "https://example.com/hooks",
          description: "",
          events: ["run.completed", "run.*"],
          enabled: true,
          status: "active",
          disabled_reason: null,
          metadata: {},
          secret: expect.stringMatching(GENERATED_SECRET),
          signing: { scheme: "standard-webhooks" },
          http_method: "POST",
          headers: {},
          auth: null,
          filter: null,
          transform: null,
          rate_limit_per_second: null,
          timeout_ms: 10_000,
          retry_schedule: null,
          proxy: "default",
          tls: null,
          source: "api",
          circuit: { state: "closed", since: iso(NOW) },
          created_at: iso(NOW),
          updated_at: iso(NOW),
        },
      });
    });

    it("generates whsec_ + base64 of 32 random bytes", async () => {
      const a = (await createEndpoint(t)).secret as string;
      const b = (await createEndpoint(t)).secret as string;
      for (const s of [a, b]) {
        expect(s).toMatch(GENERATED_SECRET);
        expect(s.slice(6)).toHaveLength(44);
        expect(Buffer.from(s.slice(6), "base64")).toHaveLength(32);
      }
      expect(a).not.toBe(b);
    });

    it("accepts a client-provided secret and signs with it", async () => {
      const created = await createEndpoint(t, { secret: "my-own-secret-0123456789" });
      expect(created.secret).toBe("my-own-secret-0123456789");
      expect(t.gateway.registry.get(created.id)!.secrets).toEqual([
        { secret: "my-own-secret-0123456789", expires_at: null },
      ]);
    });

    it("stores every given field", async () => {
      const body = {
        tenant_id: "acme",
        url: "https://acme.example.com/in",
        description: "Acme billing",
        events: ["invoice.paid"],
        enabled: false,
        metadata: { team: "billing" },
        signing: { scheme: "hmac-sha256", signature_header: "X-Acme-Signature" },
        http_method: "PUT",
        headers: { "X-Team": "billing" },
        filter: { all: [{ field: "data.amount", op: "gte", value: 100 }] },
        transform: '{"text": type}',
        rate_limit_per_second: 5,
        timeout_ms: 5000,
        retry_schedule: ["5s", "1m"],
      };
      const created = await createEndpoint(t, body);
      const { data } = (await get(created.id)).body;
      expect(data).toMatchObject({ ...body, disabled_reason: "manual" });
    });

    it("requires a key with endpoints:write", async () => {
      expectError(await json(t.app, "POST", "/v1/endpoints", { body: ENDPOINT }), 401, "unauthorized");
      expectError(
        await json(t.app, "POST", "/v1/endpoints", { key: "hg_not_a_key", body: ENDPOINT }),
        401,
        "unauthorized",
      );
    });
  });

  describe("secrets and credentials", () => {
    const AUTHS = [
      { auth: { type: "basic", username: "hooks", password: "basic-password-123" }, secretField: "password" },
      { auth: { type: "bearer", token: "bearer-token-123456" }, secretField: "token" },
      { auth: { type: "header", name: "X-Api-Key", value: "header-value-123456" }, secretField: "value" },
      {
        auth: {
          type: "oauth2_client_credentials",
          token_url: "https://auth.example.com/token",
          client_id: "client-1",
          client_secret: "client-secret-123456",
          scope: "hooks",
        },
        secretField: "client_secret",
      },
    ] as const;

    it("shows the secret only masked on get, list and patch", async () => {
      const { id, secret } = await createEndpoint(t);
      const reads = [
        await get(id),
        await json(t.app, "GET", "/v1/endpoints", { key: t.adminKey }),
        await patch(id, { description: "changed" }),
      ];
      expect(reads[0]!.body.data.secret).toBe(masked(secret));
      expect(reads[1]!.body.data[0].secret).toBe(masked(secret));
      expect(reads[2]!.body.data.secret).toBe(masked(secret));
      for (const r of reads) {
        expect(r.status).toBe(200);
        expect(r.text).not.toContain(secret);
        expect(r.text).not.toContain(secret.slice(8, 20));
      }
    });

    for (const { auth, secretField } of AUTHS) {
      it(`never returns the ${auth.type} credential (${secretField}), not even in part: it reads "****"`, async () => {
        const created = await createEndpoint(t, { auth });
        const { id } = created;
        const credential = (auth as Record<string, string>)[secretField]!;
        const reads = [
          await get(id),
          await json(t.app, "GET", "/v1/endpoints", { key: t.adminKey }),
          await patch(id, { description: "changed" }),
        ];
        expect(created.auth).toEqual({ ...auth, [secretField]: "****" });
        for (const r of reads) {
          const data = Array.isArray(r.body.data) ? r.body.data[0] : r.body.data;
          expect(data.auth).toEqual({ ...auth, [secretField]: "****" });
          expect(r.text).not.toContain(credential.slice(0, 8)); // what the old mask showed
        }
      });
    }

    it("shows nothing of a short password (7 characters)", async () => {
      const { id } = await createEndpoint(t, { auth: { type: "basic", username: "hooks", password: "pw12345" } });
      const res = await get(id);
      expect(res.body.data.auth).toEqual({ type: "basic", username: "hooks", password: "****" });
      expect(res.text).not.toContain("pw1");
    });

    it('reads custom header values whose name contains auth, token, secret, key, password, cookie or signature (any case) as "****"', async () => {
      const headers = {
        "X-Team": "billing",
        "X-Authorization-Extra": "v-auth",
        "X-ACCESS-TOKEN": "v-token",
        "X-Client-Secret": "v-secret",
        "x-api-key": "v-key",
        "X-Password": "v-password",
        Cookie: "session=v-cookie",
        "X-Upstream-Signature": "v-signature",
        "X-Trace": "trace-1",
      };
      const created = await createEndpoint(t, { headers });
      const expected = {
        "X-Team": "billing",
        "X-Authorization-Extra": "****",
        "X-ACCESS-TOKEN": "****",
        "X-Client-Secret": "****",
        "x-api-key": "****",
        "X-Password": "****",
        Cookie: "****",
        "X-Upstream-Signature": "****",
        "X-Trace": "trace-1",
      };
      expect(created.headers).toEqual(expected);
      const reads = [
        await get(created.id),
        await json(t.app, "GET", "/v1/endpoints", { key: t.adminKey }),
        await patch(created.id, { description: "changed" }),
      ];
      for (const r of reads) {
        const data = Array.isArray(r.body.data) ? r.body.data[0] : r.body.data;
        expect(data.headers).toEqual(expected);
        expect(r.text).not.toMatch(/v-(auth|token|secret|key|password|cookie|signature)/);
      }
      // Reads hide them; deliveries send them as set.
      expect(t.gateway.registry.get(created.id)!.headers).toEqual(headers);
    });

    it("stores the secret and credentials encrypted, never in plaintext", async () => {
      const { id, secret } = await createEndpoint(t, { auth: AUTHS[0].auth });
      const rotated = (await rotate(id)).body.data.secret as string;
      const db = new Database(t.config.storage.path, { readonly: true });
      try {
        const row = db
          .query<{ secrets_enc: string; auth_enc: string }, [string]>(
            "SELECT secrets_enc, auth_enc FROM endpoints WHERE id = ?",
          )
          .get(id)!;
        expect(row.secrets_enc).toStartWith("v1.");
        expect(row.auth_enc).toStartWith("v1.");
        for (const plain of [secret, rotated, "basic-password-123"]) {
          expect(row.secrets_enc).not.toContain(plain);
          expect(row.auth_enc).not.toContain(plain);
          expect(row.secrets_enc).not.toContain(Buffer.from(plain).toString("base64"));
        }
      } finally {
        db.close();
      }
      for (const file of [t.config.storage.path, `${t.config.storage.path}-wal`].filter(existsSync)) {
        const bytes = readFileSync(file);
        for (const plain of [secret, rotated, "basic-password-123"]) expect(bytes.includes(plain)).toBe(false);
      }
    });

    it("never writes a secret or credential to the logs", async () => {
      const served = await buildTestApp({ listen: true, config: { security: { allow_private_networks: true } } });
      try {
        const call = async (method: string, path: string, body?: unknown) => {
          const res = await fetch(`${served.url}${path}`, {
            method,
            headers: { authorization: `Bearer ${served.adminKey}`, "content-type": "application/json" },
            body: body === undefined ? undefined : JSON.stringify(body),
          });
          return { status: res.status, body: (await res.json().catch(() => null)) as any };
        };
        const created = await call("POST", "/v1/endpoints", {
          url: "https://127.0.0.1:1/hooks",
          events: ["logs.check"],
          tenant_id: "logs",
          auth: AUTHS[1].auth,
        });
        expect(created.status).toBe(201);
        const { id, secret } = created.body.data;
        const rotated = await call("POST", `/v1/endpoints/${id}/rotate-secret`, {});
        await call("GET", `/v1/endpoints/${id}`);
        await call("GET", "/v1/endpoints");
        await call("PATCH", `/v1/endpoints/${id}`, { description: "x" });
        // A failing delivery (connection refused) logs its own lines too.
        expect(
          (await call("POST", "/v1/events?wait=true", { type: "logs.check", tenant_id: "logs", data: {} })).status,
        ).toBe(202);
        served.logger.flush();
        const lines = served.logger.lines!.join("\n");
        expect(served.logger.lines!.length).toBeGreaterThanOrEqual(6);
        for (const plain of [secret, rotated.body.data.secret, AUTHS[1].auth.token, served.adminKey])
          expect(lines).not.toContain(plain);
      } finally {
        await served.cleanup();
      }
    });
  });

  describe("POST /v1/endpoints/:id/rotate-secret", () => {
    it("returns a new secret and when the previous one stops signing (default grace 24 h)", async () => {
      const { id, secret: old } = await createEndpoint(t);
      clock.advance(60_000);
      const res = await rotate(id);
      expect(res.status).toBe(200);
      expect(res.body).toEqual({
        data: {
          secret: expect.stringMatching(GENERATED_SECRET),
          previous_secret_expires_at: iso(NOW + 60_000 + DAY_MS),
        },
      });
      const fresh = res.body.data.secret;
      expect(fresh).not.toBe(old);
      expect((await get(id)).body.data.secret).toBe(masked(fresh));
      expect(t.gateway.registry.get(id)!.secrets).toEqual([
        { secret: fresh, expires_at: null },
        { secret: old, expires_at: NOW + 60_000 + DAY_MS },
      ]);
    });

    it("keeps the previous secret live until the grace period ends", async () => {
      const { id, secret: old } = await createEndpoint(t);
      const fresh = (await rotate(id, { grace_period_seconds: 3600 })).body.data.secret;
      const endpoint = () => t.gateway.registry.get(id)!;
      expect(liveSecrets(endpoint(), clock.now())).toEqual([fresh, old]);
      clock.advance(3600_000 - 1);
      expect(liveSecrets(endpoint(), clock.now())).toEqual([fresh, old]);
      clock.advance(1);
      expect(liveSecrets(endpoint(), clock.now())).toEqual([fresh]);
    });

    it("accepts a client-provided secret and the maximum grace of 7 days", async () => {
      const { id } = await createEndpoint(t);
      const res = await rotate(id, { secret: "rotated-secret-0123456789", grace_period_seconds: 604_800 });
      expect(res.body.data).toEqual({
        secret: "rotated-secret-0123456789",
        previous_secret_expires_at: iso(NOW + 7 * DAY_MS),
      });
      expect(t.gateway.registry.get(id)!.secrets[0]).toEqual({ secret: "rotated-secret-0123456789", expires_at: null });
    });

    it("refuses a grace period above 7 days or below 0, and a short secret", async () => {
      const { id, secret } = await createEndpoint(t);
      expectInvalid(await rotate(id, { grace_period_seconds: 604_801 }), "grace_period_seconds");
      expectInvalid(await rotate(id, { grace_period_seconds: -1 }), "grace_period_seconds");
      expectInvalid(await rotate(id, { secret: "too-short" }), "secret");
      expectInvalid(await rotate(id, { secrets: "x" }), "secrets");
      expect(t.gateway.registry.get(id)!.secrets).toEqual([{ secret, expires_at: null }]);
    });

    it("keeps at most 5 secrets live (the current one and 4 previous) for standard-webhooks", async () => {
      const { id, secret: first } = await createEndpoint(t);
      const issued = [first];
      for (let i = 0; i < 7; i++) {
        clock.advance(1000);
        issued.push((await rotate(id)).body.data.secret);
      }
      const newestFirst = issued.reverse();
      expect(t.gateway.registry.get(id)!.secrets.map((s) => s.secret)).toEqual(newestFirst.slice(0, 5));
      expect(liveSecrets(t.gateway.registry.get(id)!, clock.now())).toEqual(newestFirst.slice(0, 5));
    });

    it("drops expired secrets on the next rotation", async () => {
      const { id, secret: first } = await createEndpoint(t);
      const second = (await rotate(id, { grace_period_seconds: 60 })).body.data.secret;
      clock.advance(61_000);
      const third = (await rotate(id)).body.data.secret;
      expect(t.gateway.registry.get(id)!.secrets).toEqual([
        { secret: third, expires_at: null },
        { secret: second, expires_at: NOW + 61_000 + DAY_MS },
      ]);
      expect(t.gateway.registry.get(id)!.secrets.map((s) => s.secret)).not.toContain(first);
    });

    it("keeps rotated secrets across a restart", async () => {
      const dir = tempDir();
      try {
        const first = await buildTestApp({ dir, clock });
        const { id } = await createEndpoint(first);
        await json(first.app, "POST", `/v1/endpoints/${id}/rotate-secret`, { key: first.adminKey, body: {} });
        const before = first.gateway.registry.get(id)!.secrets;
        await first.cleanup();
        const second = await buildTestApp({ dir, clock });
        try {
          expect(second.gateway.registry.get(id)!.secrets).toEqual(before);
          expect(before).toHaveLength(2);
        } finally {
          await second.cleanup();
        }
      } finally {
        dir.cleanup();
      }
    });

    it("answers 404 for an unknown endpoint", async () => {
      expectError(await rotate("ep_00000000000000000000000000"), 404, "not_found");
    });
  });

  describe("GET /v1/endpoints (cursor pages)", () => {
    /** 45 endpoints in three tenants, every fifth disabled; several share a created_at. Newest first. */
    let newestFirst: { id: string; tenant_id: string; enabled: boolean }[];
    beforeEach(async () => {
      const created: { id: string; tenant_id: string; enabled: boolean }[] = [];
      for (let i = 0; i < 45; i++) {
        if (i % 3 === 0) clock.advance(1000);
        const tenant_id = ["acme", "globex", "initech"][i % 3]!;
        const enabled = i % 5 !== 0;
        const { id } = await createEndpoint(t, { tenant_id, enabled, description: `n${i}` });
        created.push({ id, tenant_id, enabled });
      }
      newestFirst = created.reverse();
    });

    const idsOf = (pages: { data: { id: string }[] }[]) => pages.flatMap((p) => p.data.map((e) => e.id));

    for (const limit of [10, 7]) {
      it(`walks all 45 newest first with limit ${limit}: no duplicates, no gaps`, async () => {
        const pages = await allPages(t.app, t.adminKey, `/v1/endpoints?limit=${limit}`);
        expect(pages).toHaveLength(Math.ceil(45 / limit));
        expect(idsOf(pages)).toEqual(newestFirst.map((e) => e.id));
        pages.forEach((p, i) => {
          const last = i === pages.length - 1;
          expect(p.data).toHaveLength(last ? 45 - limit * (pages.length - 1) : limit);
          expect(p.has_more).toBe(!last);
          if (last) expect(p.next_cursor).toBeNull();
          else expect(p.next_cursor).toBeString();
        });
      });
    }

    it("ends with has_more false when the last page is exactly full", async () => {
      const pages = await allPages(t.app, t.adminKey, "/v1/endpoints?limit=15");
      expect(pages.map((p) => [p.data.length, p.has_more, p.next_cursor === null])).toEqual([
        [15, true, false],
        [15, true, false],
        [15, false, true],
      ]);
    });

    it("defaults to 20 per page", async () => {
      const res = await json(t.app, "GET", "/v1/endpoints", { key: t.adminKey });
      expect(res.body.data).toHaveLength(20);
      expect(res.body.has_more).toBe(true);
    });

    it("filters by tenant_id", async () => {
      const pages = await allPages(t.app, t.adminKey, "/v1/endpoints?tenant_id=globex&limit=4");
      expect(idsOf(pages)).toEqual(newestFirst.filter((e) => e.tenant_id === "globex").map((e) => e.id));
    });

    it("filters by enabled", async () => {
      const off = await allPages(t.app, t.adminKey, "/v1/endpoints?enabled=false&limit=4");
      expect(idsOf(off)).toEqual(newestFirst.filter((e) => !e.enabled).map((e) => e.id));
      const on = await allPages(t.app, t.adminKey, "/v1/endpoints?enabled=true&tenant_id=acme&limit=3");
      expect(idsOf(on)).toEqual(newestFirst.filter((e) => e.enabled && e.tenant_id === "acme").map((e) => e.id));
    });

    it("does not repeat or skip an endpoint created between pages", async () => {
      const first = (await json(t.app, "GET", "/v1/endpoints?limit=10", { key: t.adminKey })).body;
      clock.advance(1000);
      await createEndpoint(t, { description: "late" });
      const rest = await allPages(t.app, t.adminKey, `/v1/endpoints?limit=10&cursor=${first.next_cursor}`);
      expect([...first.data.map((e: { id: string }) => e.id), ...idsOf(rest)]).toEqual(newestFirst.map((e) => e.id));
    });

    for (const limit of ["0", "101", "abc", "-1", "1.5"]) {
      it(`refuses limit=${limit}, naming limit`, async () => {
        expectInvalid(await json(t.app, "GET", `/v1/endpoints?limit=${limit}`, { key: t.adminKey }), "limit");
      });
    }

    const badCursors: [string, string][] = [
      ["not base64url", "!!!"],
      ["base64url of garbage", "abc"],
      ["a well-formed cursor of no position", encodeCursor("hello")],
      ["a cursor of another list (an event id)", encodeCursor("evt_01jd3x2v7k8m9n0p1q2r3s4t5v")],
      ["a cursor without an id", encodeCursor("1780736400000:")],
    ];
    for (const [what, cursor] of badCursors) {
      it(`refuses ${what}, naming cursor`, async () => {
        expectInvalid(
          await json(t.app, "GET", `/v1/endpoints?cursor=${encodeURIComponent(cursor)}`, { key: t.adminKey }),
          "cursor",
        );
      });
    }
  });

  describe("PATCH /v1/endpoints/:id", () => {
    it("changes only the given fields and updated_at", async () => {
      const { id } = await createEndpoint(t, {
        description: "before",
        metadata: { team: "a" },
        headers: { "X-Team": "a" },
        timeout_ms: 5000,
        auth: { type: "bearer", token: "tok-1234567890" },
      });
      const before = (await get(id)).body.data;
      clock.advance(5000);
      const res = await patch(id, { description: "after", http_method: "PUT" });
      expect(res.status).toBe(200);
      expect(res.body.data).toEqual({
        ...before,
        description: "after",
        http_method: "PUT",
        updated_at: iso(NOW + 5000),
      });
      expect((await get(id)).body.data).toEqual(res.body.data);
    });

    it("clears optional fields given null", async () => {
      const { id } = await createEndpoint(t, {
        description: "d",
        headers: { "X-Team": "a" },
        auth: { type: "bearer", token: "tok-1234567890" },
        filter: { field: "data.x", op: "exists" },
        transform: "data",
        rate_limit_per_second: 3,
        retry_schedule: ["5s"],
        signing: { scheme: "hmac-sha256" },
      });
      const res = await patch(id, {
        description: null,
        headers: null,
        auth: null,
        filter: null,
        transform: null,
        rate_limit_per_second: null,
        retry_schedule: null,
        signing: null,
      });
      expect(res.status).toBe(200);
      expect(res.body.data).toMatchObject({
        description: null,
        headers: {},
        auth: null,
        filter: null,
        transform: null,
        rate_limit_per_second: null,
        retry_schedule: null,
        signing: { scheme: "standard-webhooks" },
      });
    });

    describe("metadata", () => {
      let id: string;
      beforeEach(async () => {
        id = (await createEndpoint(t, { metadata: { team: "billing", owner: "ana", region: "eu" } })).id;
      });
      const metadata = async () => (await get(id)).body.data.metadata;

      it("keeps omitted keys and sets given ones", async () => {
        expect((await patch(id, { metadata: { owner: "bo", tier: "gold" } })).body.data.metadata).toEqual({
          team: "billing",
          owner: "bo",
          region: "eu",
          tier: "gold",
        });
        expect(await metadata()).toEqual({ team: "billing", owner: "bo", region: "eu", tier: "gold" });
      });

      it("removes a key set to an empty string", async () => {
        await patch(id, { metadata: { team: "", region: "us" } });
        expect(await metadata()).toEqual({ owner: "ana", region: "us" });
      });

      it("leaves metadata alone when the patch omits it", async () => {
        await patch(id, { description: "x" });
        expect(await metadata()).toEqual({ team: "billing", owner: "ana", region: "eu" });
      });

      it("clears all keys with null", async () => {
        expect((await patch(id, { metadata: null })).status).toBe(200);
        expect(await metadata()).toEqual({});
      });

      it("clears all keys with {}", async () => {
        expect((await patch(id, { metadata: {} })).status).toBe(200);
        expect(await metadata()).toEqual({});
      });

      it("counts the 50-key limit after merging", async () => {
        const full = Object.fromEntries(Array.from({ length: 47 }, (_, i) => [`k${i}`, "v"]));
        expect((await patch(id, { metadata: full })).status).toBe(200);
        expectInvalid(await patch(id, { metadata: { one: "more" } }), "metadata");
        expect((await patch(id, { metadata: { team: "", one: "more" } })).status).toBe(200);
        expect(Object.keys(await metadata())).toHaveLength(50);
      });
    });

    it("pauses with enabled:false (disabled_reason manual) and resumes with enabled:true", async () => {
      const { id } = await createEndpoint(t);
      expect((await patch(id, { enabled: false })).body.data).toMatchObject({
        enabled: false,
        disabled_reason: "manual",
      });
      expect((await get(id)).body.data).toMatchObject({ enabled: false, disabled_reason: "manual" });
      expect((await patch(id, { enabled: true })).body.data).toMatchObject({ enabled: true, disabled_reason: null });
    });

    it("clears a gone or failing disable with enabled:true", async () => {
      const { id } = await createEndpoint(t);
      await t.gateway.registry.disable(id, "gone");
      expect((await get(id)).body.data).toMatchObject({ enabled: false, disabled_reason: "gone" });
      expect((await patch(id, { enabled: false })).body.data.disabled_reason).toBe("gone");
      expect((await patch(id, { enabled: true })).body.data).toMatchObject({ enabled: true, disabled_reason: null });
    });

    it("creates no new deliveries for a paused endpoint", async () => {
      const { id } = await createEndpoint(t, {
        tenant_id: "paused",
        url: "https://127.0.0.1:1/hooks",
        events: ["pause.check"],
      });
      await patch(id, { enabled: false });
      const paused = await publish({ type: "pause.check", tenant_id: "paused" });
      expect(paused.status).toBe(202);
      expect(paused.body.data.deliveries).toEqual([]);
      const stored = await json(t.app, "GET", `/v1/events/${paused.body.data.id}`, { key: t.adminKey });
      expect(stored.body.data.deliveries).toEqual([]);
      await patch(id, { enabled: true });
      const resumed = await publish({ type: "pause.check", tenant_id: "paused" }, "?wait=true");
      expect(resumed.body.data.deliveries.map((d: { endpoint_id: string }) => d.endpoint_id)).toEqual([id]);
    });

    it("answers 404 for an unknown endpoint", async () => {
      expectError(await patch("ep_00000000000000000000000000", { description: "x" }), 404, "not_found");
    });
  });

  describe("DELETE /v1/endpoints/:id", () => {
    it("answers 204 without a body; then GET, PATCH and DELETE answer 404", async () => {
      const { id } = await createEndpoint(t);
      const res = await remove(id);
      expect(res.status).toBe(204);
      expect(res.text).toBe("");
      expectError(await get(id), 404, "not_found");
      expectError(await patch(id, { description: "x" }), 404, "not_found");
      expectError(await remove(id), 404, "not_found");
      expect((await json(t.app, "GET", "/v1/endpoints", { key: t.adminKey })).body.data).toEqual([]);
      expect(t.gateway.registry.get(id)).toBeUndefined();
    });

    it("removes its deliveries and their attempts, and it gets no new ones", async () => {
      const { id } = await createEndpoint(t, {
        tenant_id: "del",
        url: "https://127.0.0.1:1/hooks",
        events: ["delete.check"],
      });
      const published = await publish({ type: "delete.check", tenant_id: "del" }, "?wait=true");
      expect(published.status).toBe(202);
      const [delivery] = published.body.data.deliveries;
      expect(delivery.endpoint_id).toBe(id);
      expect(await t.store.deliveryById(delivery.id)).not.toBeNull();
      expect(await t.store.attemptsOf(delivery.id)).toHaveLength(1);

      expect((await remove(id)).status).toBe(204);
      expect(await t.store.deliveryById(delivery.id)).toBeNull();
      expect(await t.store.attemptsOf(delivery.id)).toEqual([]);
      expect((await publish({ type: "delete.check", tenant_id: "del" })).body.data.deliveries).toEqual([]);
    });
  });

  describe("config-declared endpoints", () => {
    let y: YamlGateway;
    const env = { BILLING_SECRET: "billing-secret-from-env-0123", BILLING_PW: "billing-password-from-env" };
    beforeEach(async () => {
      y = await startYamlGateway(
        [
          "event_types:",
          "  - {name: run.completed, description: The run finished}",
          "endpoints:",
          "  - id: billing-sink",
          "    tenant_id: acme",
          "    url: https://billing.example.com/hooks",
          "    events: [run.completed]",
          "    secret: ${BILLING_SECRET}",
          "    auth: {type: basic, username: hooks, password: '${BILLING_PW}'}",
          "    metadata: {team: billing}",
        ].join("\n"),
        { env },
      );
    });
    afterEach(() => y?.cleanup());

    it("is listed and read with source config, its secret from ${ENV} and masked", async () => {
      const res = await json(y.app, "GET", "/v1/endpoints/billing-sink", { key: y.adminKey });
      expect(res.status).toBe(200);
      expect(res.body.data).toMatchObject({
        id: "billing-sink",
        tenant_id: "acme",
        url: "https://billing.example.com/hooks",
        source: "config",
        secret: masked(env.BILLING_SECRET),
        auth: { type: "basic", username: "hooks", password: "****" },
        metadata: { team: "billing" },
      });
      expect(res.text).not.toContain(env.BILLING_SECRET);
      expect(y.gateway.registry.get("billing-sink")!.secrets).toEqual([
        { secret: env.BILLING_SECRET, expires_at: null },
      ]);
      const list = await json(y.app, "GET", "/v1/endpoints", { key: y.adminKey });
      expect(list.body.data.map((e: { id: string; source: string }) => [e.id, e.source])).toEqual([
        ["billing-sink", "config"],
      ]);
    });

    it("answers PATCH, DELETE and rotate-secret with 409 managed_by_config and stays unchanged", async () => {
      const before = (await json(y.app, "GET", "/v1/endpoints/billing-sink", { key: y.adminKey })).body.data;
      expectError(
        await json(y.app, "PATCH", "/v1/endpoints/billing-sink", { key: y.adminKey, body: { description: "x" } }),
        409,
        "managed_by_config",
      );
      expectError(
        await json(y.app, "PATCH", "/v1/endpoints/billing-sink", { key: y.adminKey, body: { enabled: false } }),
        409,
        "managed_by_config",
      );
      expectError(
        await json(y.app, "DELETE", "/v1/endpoints/billing-sink", { key: y.adminKey }),
        409,
        "managed_by_config",
      );
      expectError(
        await json(y.app, "POST", "/v1/endpoints/billing-sink/rotate-secret", { key: y.adminKey, body: {} }),
        409,
        "managed_by_config",
      );
      expect((await json(y.app, "GET", "/v1/endpoints/billing-sink", { key: y.adminKey })).body.data).toEqual(before);
      expect(y.gateway.registry.get("billing-sink")!.secrets).toEqual([
        { secret: env.BILLING_SECRET, expires_at: null },
      ]);
    });

    it("stores the file's secret encrypted", async () => {
      const db = new Database(y.config.storage.path, { readonly: true });
      try {
        const row = db
          .query<{ secrets_enc: string; auth_enc: string }, []>(
            "SELECT secrets_enc, auth_enc FROM endpoints WHERE id = 'billing-sink'",
          )
          .get()!;
        expect(row.secrets_enc).not.toContain(env.BILLING_SECRET);
        expect(row.auth_enc).not.toContain(env.BILLING_PW);
      } finally {
        db.close();
      }
    });

    it("requires a secret in the file unless the scheme is ed25519", () => {
      const file = (extra: string) =>
        ["endpoints:", "  - id: a", "    url: https://a.example.com/", "    events: ['*']", extra].join("\n");
      expect(() => loadConfig(file(""), { file: "h.yaml", env: {} })).toThrow(ConfigError);
      try {
        loadConfig(file(""), { file: "h.yaml", env: {} });
      } catch (e) {
        expect((e as ConfigError).problems).toEqual([
          expect.stringMatching(/^h\.yaml:2 endpoints\[0\]\.secret: is required/),
        ]);
      }
      expect(
        loadConfig(file("    signing: {scheme: ed25519}"), { file: "h.yaml", env: {} }).endpoints[0],
      ).toMatchObject({ id: "a", secret: null });
      expect(() => loadConfig(file("    secret: ${MISSING_SECRET}"), { file: "h.yaml", env: {} })).toThrow(
        /MISSING_SECRET/,
      );
    });
  });

  describe("OpenAPI document", () => {
    let doc: any;
    beforeAll(async () => {
      const docs = await buildTestApp();
      try {
        doc = (await json(docs.app, "GET", "/docs/json")).body;
      } finally {
        await docs.cleanup();
      }
    });

    /** Follows a local `$ref` into components. */
    const resolve = (schema: any): any =>
      schema?.$ref
        ? resolve(
            schema.$ref
              .split("/")
              .slice(1)
              .reduce((o: any, k: string) => o[k], doc),
          )
        : schema;
    const requestSchema = (path: string, method: string) =>
      resolve(doc.paths[path]?.[method]?.requestBody?.content?.["application/json"]?.schema);
    const responseSchema = (path: string, method: string, status: string) =>
      resolve(doc.paths[path]?.[method]?.responses?.[status]?.content?.["application/json"]?.schema);

    it("describes every endpoint and event-type route", () => {
      const wanted: [string, string][] = [
        ["/v1/endpoints", "post"],
        ["/v1/endpoints", "get"],
        ["/v1/endpoints/{id}", "get"],
        ["/v1/endpoints/{id}", "patch"],
        ["/v1/endpoints/{id}", "delete"],
        ["/v1/endpoints/{id}/rotate-secret", "post"],
        ["/v1/event-types", "get"],
        ["/v1/event-types", "post"],
        ["/v1/event-types/{name}", "get"],
        ["/v1/event-types/{name}", "delete"],
      ];
      for (const [path, method] of wanted) {
        const op = doc.paths[path]?.[method];
        expect({ path, method, summary: op?.summary }).toEqual({ path, method, summary: expect.any(String) });
        expect(Object.keys(op.responses).some((s) => s.startsWith("2"))).toBe(true);
      }
    });

    it("gives POST /v1/endpoints a request model with url, events and an example", () => {
      const schema = requestSchema("/v1/endpoints", "post");
      expect(schema.type).toBe("object");
      expect(schema.required).toEqual(expect.arrayContaining(["url", "events"]));
      expect(schema.properties.url).toMatchObject({ type: "string", maxLength: 2048 });
      expect(schema.properties.events).toMatchObject({ type: "array", minItems: 1 });
      expect(schema.additionalProperties).toBe(false);
      expect(schema.examples?.[0] ?? schema.example).toMatchObject({
        url: expect.any(String),
        events: expect.any(Array),
      });
      expect(responseSchema("/v1/endpoints", "post", "201").properties.data.properties.secret).toMatchObject({
        type: "string",
      });
    });

    it("gives GET /v1/endpoints/{id} a 200 model of the endpoint object", () => {
      const data = responseSchema("/v1/endpoints/{id}", "get", "200").properties.data;
      for (const field of [
        "id",
        "tenant_id",
        "url",
        "events",
        "enabled",
        "disabled_reason",
        "metadata",
        "secret",
        "signing",
        "auth",
        "source",
        "created_at",
        "updated_at",
      ]) {
        expect(Object.keys(data.properties)).toContain(field);
      }
    });

    it("gives PATCH a request model of optional fields and the rotate route its models", () => {
      const schema = requestSchema("/v1/endpoints/{id}", "patch");
      expect(schema.properties).toHaveProperty("metadata");
      expect(schema.required ?? []).toEqual([]);
      expect(requestSchema("/v1/endpoints/{id}/rotate-secret", "post").properties.grace_period_seconds).toMatchObject({
        maximum: 604_800,
      });
      expect(
        Object.keys(responseSchema("/v1/endpoints/{id}/rotate-secret", "post", "200").properties.data.properties),
      ).toEqual(["secret", "previous_secret_expires_at"]);
    });

    it("documents the auth types and signing schemes as enums", () => {
      const schema = requestSchema("/v1/endpoints", "post");
      const auth = schema.properties.auth.anyOf.find((s: any) => s.type === "object");
      expect(auth.properties.type.enum).toEqual(["basic", "bearer", "header", "oauth2_client_credentials"]);
      expect(schema.properties.signing.properties.scheme.enum).toEqual([
        "standard-webhooks",
        "hmac-sha256",
        "timestamped-hmac",
        "ed25519",
      ]);
    });

    it("gives POST /v1/event-types a request model with an example and a 201 model", () => {
      const schema = requestSchema("/v1/event-types", "post");
      expect(schema.required).toContain("name");
      expect(schema.examples?.[0] ?? schema.example).toMatchObject({ name: expect.any(String) });
      expect(Object.keys(responseSchema("/v1/event-types", "post", "201").properties.data.properties)).toEqual([
        "name",
        "description",
        "schema",
        "example",
        "source",
      ]);
    });
  });
});
