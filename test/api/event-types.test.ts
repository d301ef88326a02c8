// /v1/event-types: the optional catalog (list, get, create, delete), YAML-declared types (read-only), and
// how a non-empty catalog restricts endpoint subscriptions and published events.
import { afterEach, beforeEach, describe, expect, it } from "bun:test";
import { buildTestApp, createApiKey, type TestApp } from "../helpers/app.ts";
import { ENDPOINT, expectError, expectInvalid, startYamlGateway, type YamlGateway } from "../helpers/endpoints.ts";
import { json } from "../helpers/http.ts";

const RUN_COMPLETED = {
  name: "run.completed",
  description: "A run finished.",
  schema: {
    type: "object",
    required: ["run_id"],
    properties: { run_id: { type: "string" }, amount: { type: "number" } },
  },
  example: { run_id: "run_123", amount: 250 },
};

describe("event types", () => {
  let t: TestApp;
  beforeEach(async () => {
    t = await buildTestApp();
  });
  afterEach(() => t?.cleanup());

  const createType = (body: unknown, key = t.adminKey) => json(t.app, "POST", "/v1/event-types", { key, body });
  const createEndpoint = (events: string[]) =>
    json(t.app, "POST", "/v1/endpoints", { key: t.adminKey, body: { ...ENDPOINT, events } });

  describe("POST /v1/event-types", () => {
    it("creates a type with a schema and an example (201, source api)", async () => {
      const res = await createType(RUN_COMPLETED);
      expect(res.status).toBe(201);
      expect(res.body).toEqual({ data: { ...RUN_COMPLETED, source: "api" } });
    });

    it("creates a type from its name alone", async () => {
      const res = await createType({ name: "user.signed_up" });
      expect(res.status).toBe(201);
      expect(res.body.data).toEqual({
        name: "user.signed_up",
        description: "",
        schema: null,
        example: null,
        source: "api",
      });
    });

    it("answers 409 conflict for a name that exists, keeping the first", async () => {
      await createType(RUN_COMPLETED);
      expectError(await createType({ name: "run.completed", description: "again" }), 409, "conflict");
      expect(
        (await json(t.app, "GET", "/v1/event-types/run.completed", { key: t.adminKey })).body.data.description,
      ).toBe("A run finished.");
    });

    for (const name of [
      "run..completed",
      ".run",
      "run.",
      "run completed",
      "run.*",
      "*",
      "ünïcode",
      "",
      "a".repeat(129),
    ]) {
      it(`refuses the name ${JSON.stringify(name.length > 20 ? `${name.slice(0, 8)}…(${name.length})` : name)}, naming name`, async () => {
        expectInvalid(await createType({ name }), "name");
      });
    }

    it("accepts a 128-character name", async () => {
      expect((await createType({ name: "a".repeat(128) })).status).toBe(201);
    });

    it("refuses an invalid JSON Schema, naming schema", async () => {
      expectInvalid(await createType({ name: "a.b", schema: { type: "not-a-type" } }), "schema");
      expectInvalid(await createType({ name: "a.b", schema: { properties: { x: { minimum: "five" } } } }), "schema");
      expectInvalid(await createType({ name: "a.b", schema: "object" }), "schema");
    });

    it('refuses a schema that recurses without end ({"$ref": "#"}) or whose pattern needs backtracking', async () => {
      expectInvalid(await createType({ name: "a.b", schema: { $ref: "#" } }), "schema.$ref");
      const backref = { type: "object", properties: { s: { type: "string", pattern: "^(a)\\1$" } } };
      expectInvalid(await createType({ name: "a.b", schema: backref }), "schema.properties.s.pattern");
      const listed = (await json(t.app, "GET", "/v1/event-types", { key: t.adminKey })).body.data;
      expect(listed.filter((e: { source: string }) => e.source !== "system")).toEqual([]);
    });

    it("refuses an example that does not match the schema, naming example", async () => {
      expectInvalid(await createType({ ...RUN_COMPLETED, example: { amount: 250 } }), "example");
      expectInvalid(await createType({ ...RUN_COMPLETED, example: { run_id: 7 } }), "example");
    });

    it("refuses unknown fields", async () => {
      expectInvalid(await createType({ name: "a.b", schemas: {} }), "schemas");
    });

    it("creates nothing when refused", async () => {
      await createType({ ...RUN_COMPLETED, example: { amount: 1 } });
      expectError(await json(t.app, "GET", "/v1/event-types/run.completed", { key: t.adminKey }), 404, "not_found");
    });

    it("is admin only (403 for other keys, also with endpoints:write)", async () => {
      const { key } = await createApiKey(t, { scopes: ["endpoints:read", "endpoints:write", "events:write"] });
      expectError(await createType({ name: "a.b" }, key), 403, "forbidden");
      const tenant = await createApiKey(t, { tenant_id: "acme", scopes: ["endpoints:write"] });
      expectError(await createType({ name: "a.b" }, tenant.key), 403, "forbidden");
      expectError(await json(t.app, "POST", "/v1/event-types", { body: { name: "a.b" } }), 401, "unauthorized");
    });
  });

  describe("GET /v1/event-types and /v1/event-types/:name", () => {
    it("lists the catalog by name for any valid key", async () => {
      await createType({ name: "run.started" });
      await createType(RUN_COMPLETED);
      await createType({ name: "invoice.paid" });
      const { key } = await createApiKey(t, { tenant_id: "acme", scopes: ["events:write"] });
      const res = await json(t.app, "GET", "/v1/event-types", { key });
      expect(res.status).toBe(200);
      const declared = res.body.data.filter((e: { source: string }) => e.source !== "system");
      expect(declared.map((e: { name: string }) => e.name)).toEqual(["invoice.paid", "run.completed", "run.started"]);
      expect(declared[1]).toEqual({ ...RUN_COMPLETED, source: "api" });
      expect(res.body).toMatchObject({ next_cursor: null, has_more: false });
    });

    it("gets one type and answers 404 for an unknown one", async () => {
      await createType(RUN_COMPLETED);
      expect((await json(t.app, "GET", "/v1/event-types/run.completed", { key: t.adminKey })).body).toEqual({
        data: { ...RUN_COMPLETED, source: "api" },
      });
      expectError(await json(t.app, "GET", "/v1/event-types/run.unknown", { key: t.adminKey }), 404, "not_found");
    });

    it("needs a key", async () => {
      expectError(await json(t.app, "GET", "/v1/event-types"), 401, "unauthorized");
    });
  });

  describe("DELETE /v1/event-types/:name", () => {
    it("deletes an API type (204); then GET answers 404", async () => {
      await createType(RUN_COMPLETED);
      const res = await json(t.app, "DELETE", "/v1/event-types/run.completed", { key: t.adminKey });
      expect(res.status).toBe(204);
      expect(res.text).toBe("");
      expectError(await json(t.app, "GET", "/v1/event-types/run.completed", { key: t.adminKey }), 404, "not_found");
      expectError(await json(t.app, "DELETE", "/v1/event-types/run.completed", { key: t.adminKey }), 404, "not_found");
    });

    it("is admin only", async () => {
      await createType(RUN_COMPLETED);
      const { key } = await createApiKey(t, { scopes: ["endpoints:write"] });
      expectError(await json(t.app, "DELETE", "/v1/event-types/run.completed", { key }), 403, "forbidden");
      expect((await json(t.app, "GET", "/v1/event-types/run.completed", { key: t.adminKey })).status).toBe(200);
    });
  });

  describe("a non-empty catalog", () => {
    beforeEach(async () => {
      await createType(RUN_COMPLETED);
      await createType({ name: "run.started" });
    });

    it("refuses subscribing to an unknown type, naming events[i]", async () => {
      expectInvalid(await createEndpoint(["run.completed", "invoice.paid"]), "events[1]");
    });

    it("refuses a prefix.* wildcard that matches no known type, naming events[i]", async () => {
      expectInvalid(await createEndpoint(["invoice.*"]), "events[0]");
      expectInvalid(await createEndpoint(["run.completed.*"]), "events[0]");
    });

    it("accepts known types, a wildcard that matches one, and *", async () => {
      for (const events of [["run.completed"], ["run.*"], ["*"], ["run.started", "run.*"]])
        expect((await createEndpoint(events)).status).toBe(201);
    });

    it("applies to PATCH too", async () => {
      const { id } = (await createEndpoint(["run.completed"])).body.data;
      expectInvalid(
        await json(t.app, "PATCH", `/v1/endpoints/${id}`, {
          key: t.adminKey,
          body: { events: ["run.completed", "nope.x"] },
        }),
        "events[1]",
      );
    });

    it("refuses publishing an unknown type, and data that fails the type's schema", async () => {
      expectInvalid(
        await json(t.app, "POST", "/v1/events", { key: t.adminKey, body: { type: "invoice.paid", data: {} } }),
        "type",
      );
      expectInvalid(
        await json(t.app, "POST", "/v1/events", {
          key: t.adminKey,
          body: { type: "run.completed", data: { amount: 1 } },
        }),
        "data",
      );
      expect(
        (
          await json(t.app, "POST", "/v1/events", {
            key: t.adminKey,
            body: { type: "run.completed", data: { run_id: "r1" } },
          })
        ).status,
      ).toBe(202);
    });

    it("accepts any well-formed type again once the catalog is empty", async () => {
      await json(t.app, "DELETE", "/v1/event-types/run.completed", { key: t.adminKey });
      expectInvalid(await createEndpoint(["invoice.paid"]), "events[0]");
      await json(t.app, "DELETE", "/v1/event-types/run.started", { key: t.adminKey });
      expect((await createEndpoint(["invoice.paid"])).status).toBe(201);
    });
  });

  describe("an empty catalog", () => {
    it("accepts any well-formed type", async () => {
      expect((await createEndpoint(["anything.at.all", "other.*"])).status).toBe(201);
    });
  });

  describe("YAML-declared types", () => {
    let y: YamlGateway;
    beforeEach(async () => {
      y = await startYamlGateway(
        [
          "event_types:",
          "  - name: run.completed",
          "    description: The run finished",
          "    schema: {type: object, required: [run_id]}",
          "    example: {run_id: run_1}",
        ].join("\n"),
      );
    });
    afterEach(() => y?.cleanup());

    it("are listed with source config", async () => {
      const res = await json(y.app, "GET", "/v1/event-types", { key: y.adminKey });
      expect(res.body.data.filter((e: { source: string }) => e.source !== "system")).toEqual([
        {
          name: "run.completed",
          description: "The run finished",
          schema: { type: "object", required: ["run_id"] },
          example: { run_id: "run_1" },
          source: "config",
        },
      ]);
    });

    it("answer DELETE with 409 managed_by_config and stay", async () => {
      expectError(
        await json(y.app, "DELETE", "/v1/event-types/run.completed", { key: y.adminKey }),
        409,
        "managed_by_config",
      );
      expect((await json(y.app, "GET", "/v1/event-types/run.completed", { key: y.adminKey })).body.data.source).toBe(
        "config",
      );
    });

    it("cannot be shadowed by an API type of the same name (409)", async () => {
      expectError(
        await json(y.app, "POST", "/v1/event-types", { key: y.adminKey, body: { name: "run.completed" } }),
        409,
        "conflict",
      );
    });

    it("make the catalog non-empty for API endpoints", async () => {
      expectInvalid(
        await json(y.app, "POST", "/v1/endpoints", {
          key: y.adminKey,
          body: { ...ENDPOINT, events: ["invoice.paid"] },
        }),
        "events[0]",
      );
    });
  });
});
