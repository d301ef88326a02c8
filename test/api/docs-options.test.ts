// The OpenAPI document describes the batch publish route and the delivery options (docs/api.md "Batch publish" and
// "Delivery options"), so clients generated from it can use them.
import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { buildTestApp, type TestApp } from "../helpers/app.ts";
import { json } from "../helpers/http.ts";

describe("API documentation of the delivery options", () => {
  let t: TestApp;
  let doc: any;
  beforeAll(async () => {
    t = await buildTestApp();
    doc = (await json(t.app, "GET", "/docs/json")).body;
  });
  afterAll(() => t?.cleanup());

  /** A schema with $refs to components resolved (one level is enough for these checks). */
  const resolve = (schema: any): any => (schema?.$ref ? doc.components.schemas[schema.$ref.split("/").pop()] : schema);
  const bodyOf = (path: string, method: string) =>
    resolve(doc.paths[path][method].requestBody.content["application/json"].schema);
  const param = (path: string, method: string, name: string) =>
    doc.paths[path][method].parameters?.find((p: { name: string }) => p.name === name);

  it("documents POST /v1/events/batch with 1–500 events and a 202 answer carrying replayed", () => {
    const op = doc.paths["/v1/events/batch"].post;
    expect(op.summary).toBe("Publish events in a batch");
    expect(op["x-required-scope"]).toBe("events:write");
    const events = bodyOf("/v1/events/batch", "post").properties.events;
    expect({ min: events.minItems, max: events.maxItems }).toEqual({ min: 1, max: 500 });
    const answer = op.responses["202"].content["application/json"].schema;
    expect(answer.properties.data.items.properties.replayed.type).toBe("boolean");
  });

  it("documents publish target with like_endpoint_id", () => {
    const target = bodyOf("/v1/events", "post").properties.target;
    expect(Object.keys(target.properties).sort()).toEqual(["like_endpoint_id", "url"]);
  });

  it("documents DELETE ?drain and GET ?event_type on endpoints", () => {
    expect(param("/v1/endpoints/{id}", "delete", "drain")).toBeDefined();
    expect(doc.paths["/v1/endpoints/{id}"].delete.responses["202"]).toBeDefined();
    expect(param("/v1/endpoints", "get", "event_type")).toBeDefined();
  });

  it("documents the new endpoint fields and the bulk replay by event ids", () => {
    const endpoint = bodyOf("/v1/endpoints", "post").properties;
    expect(Object.keys(endpoint.signing.properties)).toEqual(expect.arrayContaining(["id_value", "timestamp_source"]));
    const auth = endpoint.auth.anyOf.find((s: any) => s.properties)?.properties;
    expect(Object.keys(auth)).toEqual(expect.arrayContaining(["client_auth", "extra_params"]));
    expect(JSON.stringify(endpoint.http_method)).toContain("OPTIONS");
    expect(JSON.stringify(endpoint.filter)).toContain("elem_match");
    expect(Object.keys(bodyOf("/v1/deliveries/replay", "post").properties)).toEqual(["ids", "event_ids"]);
  });
});
