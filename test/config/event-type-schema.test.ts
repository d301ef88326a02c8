// Event-type JSON Schemas are checked when saved: regexes on the linear-time engine, no endless recursion, they
// compile, and the example matches. The same check serves YAML and the API.
import { describe, expect, it } from "bun:test";
import { eventTypeSchemaProblems } from "../../src/config/event-type-schema.ts";
import { compileJsonSchema } from "../../src/lib/json-schema.ts";

describe("eventTypeSchemaProblems", () => {
  it("accepts a schema whose pattern would backtrack catastrophically elsewhere, and validates in linear time", () => {
    const schema = { type: "object", properties: { s: { type: "string", pattern: "a*a*a*a*a*a*a*b" } } };
    expect(eventTypeSchemaProblems(schema, { s: "aab" })).toEqual([]);
    const validate = compileJsonSchema(schema);
    const started = performance.now();
    expect(validate({ s: "a".repeat(4096) })).toBe(false);
    expect(performance.now() - started).toBeLessThan(500);
  });

  it("refuses patterns and patternProperties that need backtracking, naming the field", () => {
    expect(eventTypeSchemaProblems({ properties: { s: { pattern: "(a)\\1" } } }, undefined)).toEqual([
      { path: "schema.properties.s.pattern", message: expect.stringContaining("uses a backreference") },
    ]);
    expect(eventTypeSchemaProblems({ patternProperties: { "^(?!x)": {} } }, undefined)).toEqual([
      { path: "schema.patternProperties.^(?!x)", message: expect.stringContaining("uses a lookaround") },
    ]);
  });

  it('refuses {"$ref": "#"} and other reference cycles that never descend into the data', () => {
    expect(eventTypeSchemaProblems({ $ref: "#" }, undefined)).toEqual([
      { path: "schema.$ref", message: expect.stringContaining("recurses without end") },
    ]);
    const viaDefs = {
      $defs: { a: { allOf: [{ $ref: "#/$defs/b" }] }, b: { anyOf: [{ $ref: "#/$defs/a" }] } },
      $ref: "#/$defs/a",
    };
    expect(eventTypeSchemaProblems(viaDefs, undefined)[0]?.message).toContain("recurses without end");
    const viaId = { $id: "https://example.com/s", definitions: { x: { not: { $ref: "s#/definitions/x" } } } };
    expect(eventTypeSchemaProblems(viaId, undefined)[0]?.message).toContain("recurses without end");
  });

  it("accepts recursive schemas that descend into the data (trees, linked lists)", () => {
    const tree = {
      type: "object",
      properties: { value: { type: "number" }, children: { type: "array", items: { $ref: "#" } } },
    };
    expect(eventTypeSchemaProblems(tree, { value: 1, children: [{ value: 2, children: [] }] })).toEqual([]);
  });

  it("refuses schemas that do not compile and examples that do not match", () => {
    expect(eventTypeSchemaProblems({ type: "nope" }, undefined)[0]?.message).toContain("is not a valid JSON Schema");
    expect(eventTypeSchemaProblems({ $ref: "#/missing" }, undefined)[0]?.message).toContain(
      "is not a valid JSON Schema",
    );
    expect(eventTypeSchemaProblems({ type: "object", required: ["a"] }, {})).toEqual([
      { path: "example", message: "does not match the schema: data must have required property 'a'" },
    ]);
  });
});
