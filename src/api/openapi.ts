// Elysia's swagger plugin writes a document labelled OpenAPI 3.0 with 3.1 keywords, coercion unions for query
// numbers, every content type and no error responses. finishDocument makes it one that client generators and
// linters can trust: valid OpenAPI 3.1, errors declared with the error schema, scopes named, examples valid.

import { CONFLICTS, NOT_RATE_LIMITED, REQUEST_EXAMPLES, TEXT_RESPONSES, UNAVAILABLE } from "./openapi-routes.ts";
import { PAGE_SIZE } from "./pagination.ts";

// biome-ignore lint/suspicious/noExplicitAny: the document is plain JSON walked by key.
type Json = Record<string, any>;

const JSON_TYPE = "application/json";
const METHODS = ["get", "put", "post", "delete", "options", "head", "patch", "trace"];

const errorResponse = (description: string, extra: Json = {}) => ({
  description,
  content: { [JSON_TYPE]: { schema: { $ref: "#/components/schemas/Error" } } },
  ...extra,
});

/** Shared error responses, referenced by status from every operation that can give them. */
const ERROR_RESPONSES: Record<string, [string, Json]> = {
  "400": ["ValidationError", errorResponse("`validation_error`: the request is invalid; `details` names each field.")],
  "401": ["Unauthorized", errorResponse("`unauthorized`: the API key is missing, unknown, expired or revoked.")],
  "403": ["Forbidden", errorResponse("`forbidden`: the API key lacks the scope this operation requires.")],
  "404": ["NotFound", errorResponse("`not_found`: no such object, or it belongs to another tenant.")],
  "409": ["Conflict", errorResponse("`conflict` or `managed_by_config`.")],
  "413": ["PayloadTooLarge", errorResponse("`payload_too_large`: the body exceeds `server.max_body_bytes`.")],
  "415": ["UnsupportedMediaType", errorResponse("`unsupported_media_type`: send `content-type: application/json`.")],
  "429": [
    "RateLimited",
    errorResponse("`rate_limited`: too many requests with this API key; retry after `Retry-After` seconds.", {
      headers: { "Retry-After": { description: "Seconds to wait.", schema: { type: "integer", minimum: 1 } } },
    }),
  ],
  "503": [
    "Unavailable",
    errorResponse("`unavailable`: the store refuses writes (disk full, read-only); nothing was stored. Retry later."),
  ],
};

const SUCCESS_DESCRIPTIONS: Record<string, string> = {
  "200": "OK.",
  "201": "Created.",
  "202": "Accepted.",
  "204": "Done; no body.",
  "503": "Not ready.",
};

/** Elysia's coercion types: a query value is accepted as `"20"` or 20, written as anyOf [string-with-format, T]. */
function coercedType(anyOf: Json[]): Json | null {
  if (anyOf.length !== 2) return null;
  const text = anyOf.find((s) => s.type === "string" && ["integer", "number", "boolean"].includes(s.format));
  const typed = anyOf.find((s) => s !== text && s.type === text?.format);
  return text && typed ? typed : null;
}

/** One schema in JSON Schema 2020-12 as OpenAPI 3.1 reads it; walks every subschema. */
export function normalizeSchema(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(normalizeSchema);
  if (schema === null || typeof schema !== "object") return schema;
  let s: Json = { ...(schema as Json) };
  delete s.$id;
  if (Array.isArray(s.anyOf)) {
    const typed = coercedType(s.anyOf);
    if (typed) {
      const { anyOf: _, ...outer } = s;
      s = { ...outer, ...typed };
    }
  }
  // TypeBox writes a record as a single catch-all pattern; additionalProperties says the same to every tool.
  const patterns = s.patternProperties;
  if (patterns && Object.keys(patterns).length === 1 && patterns["^(.*)$"] !== undefined) {
    const value = patterns["^(.*)$"];
    delete s.patternProperties;
    s.additionalProperties = Object.keys(value).length === 0 ? true : value;
  }
  const out: Json = {};
  for (const [key, value] of Object.entries(s)) {
    if (value === undefined) continue;
    // Keys of these hold schemas by name (or property name), never keywords.
    if (key === "properties" || key === "patternProperties" || key === "$defs")
      out[key] = Object.fromEntries(Object.entries(value as Json).map(([k, v]) => [k, normalizeSchema(v)]));
    else if (key === "examples" || key === "default" || key === "const" || key === "enum" || key === "example")
      out[key] = value;
    else out[key] = normalizeSchema(value);
  }
  return out;
}

function finishParameter(parameter: Json, route: string): Json {
  const { examples, ...p } = parameter;
  p.schema = normalizeSchema(p.schema ?? {});
  if (p.description === undefined) delete p.description;
  if (Array.isArray(examples) && examples.length > 0) {
    p.schema.examples ??= examples;
    p.example = examples[0];
  }
  if (p.in === "query" && p.name === "limit" && p.schema.type === "integer") {
    p.schema = { ...p.schema, minimum: PAGE_SIZE.min, maximum: PAGE_SIZE.max, default: PAGE_SIZE.default };
    p.description = `Items per page: ${PAGE_SIZE.min}–${PAGE_SIZE.max}, default ${PAGE_SIZE.default}.`;
  }
  if (route === "POST /v1/events" && p.name === "wait") p.schema.default = false;
  return p;
}

/** Named request examples from a list of bodies: `example` (one) or `example-1`, `example-2`, … */
const namedExamples = (bodies: unknown[]) =>
  Object.fromEntries(
    bodies.map((value, i) => [bodies.length === 1 ? "example" : `example-${i + 1}`, { value }] as const),
  );

function finishRequestBody(body: Json, route: string): Json {
  const media = body.content?.[JSON_TYPE] ?? {};
  const schema = normalizeSchema(media.schema ?? {}) as Json;
  const bodies = (Array.isArray(schema.examples) ? schema.examples : undefined) ?? REQUEST_EXAMPLES[route];
  const out: Json = { ...media, schema };
  if (bodies && bodies.length > 0) out.examples = namedExamples(bodies);
  return { ...body, content: { [JSON_TYPE]: out } };
}

function finishSuccess(status: string, response: Json, route: string): Json {
  const r: Json = { ...response };
  r.description ||= SUCCESS_DESCRIPTIONS[status] ?? "Answer.";
  const media = r.content?.[JSON_TYPE] ?? Object.values(r.content ?? {})[0];
  if (media) r.content = { [TEXT_RESPONSES[route] ?? JSON_TYPE]: { ...media, schema: normalizeSchema(media.schema) } };
  return r;
}

function scopeSentence(scope: string): string {
  if (scope === "any") return "Any valid API key may call this.";
  if (scope === "admin") return "Requires an admin key (scope `admin`).";
  return `Requires an API key with scope \`${scope}\` (or \`admin\`).`;
}

function finishOperation(op: Json, path: string, method: string): Json {
  const route = `${method.toUpperCase()} ${path}`;
  const authenticated = path.startsWith("/v1/") && !(Array.isArray(op.security) && op.security.length === 0);
  const out: Json = { ...op };
  const parameters: Json[] = (op.parameters ?? []).map((p: Json) => finishParameter(p, route));
  if (op.requestBody) out.requestBody = finishRequestBody(op.requestBody, route);

  const responses: Json = {};
  for (const [status, response] of Object.entries((op.responses ?? {}) as Json))
    responses[status] = finishSuccess(status, response, route);
  const errors = new Set<string>();
  const hasInput = parameters.length > 0 || op.requestBody !== undefined;
  if (hasInput) errors.add("400");
  if (op.requestBody) errors.add("413").add("415");
  if (parameters.some((p) => p.in === "path")) errors.add("404");
  if (CONFLICTS[route]) errors.add("409");
  if (UNAVAILABLE.has(route)) errors.add("503");
  if (authenticated) {
    errors.add("401");
    // Declared on the route by the route policy (src/api/auth.ts); test/api/openapi checks each one is enforced.
    const scope: string = op["x-required-scope"] ?? "any";
    out["x-required-scope"] = scope;
    if (scope !== "any") errors.add("403");
    if (!NOT_RATE_LIMITED.has(route)) errors.add("429");
    out.description = [op.description, scopeSentence(scope)].filter(Boolean).join("\n\n");
  }
  for (const status of [...errors].sort()) {
    const [name] = ERROR_RESPONSES[status]!;
    const ref = { $ref: `#/components/responses/${name}` };
    responses[status] = status === "409" ? { ...ref, description: CONFLICTS[route] } : ref;
  }

  if (route === "POST /v1/events") {
    parameters.push({
      in: "header",
      name: "Idempotency-Key",
      required: false,
      description:
        "A repeat with the same key in the same tenant within the retention window creates nothing and answers the first receipt (with each delivery's current status) with 200; the same key with a different request answers 409 `idempotency_key_reused`. Same as the `idempotency_key` field.",
      schema: { type: "string", minLength: 1, maxLength: 255, examples: ["order-42"] },
    });
    if (responses["200"])
      responses["200"].headers = {
        "Idempotent-Replayed": {
          description: "`true` when this answer replays the first response to the same Idempotency-Key.",
          schema: { type: "string", enum: ["true"] },
        },
      };
  }
  if (parameters.length > 0) out.parameters = parameters;
  else delete out.parameters;
  out.responses = Object.fromEntries(Object.entries(responses).sort(([a], [b]) => a.localeCompare(b)));
  return out;
}

/** The finished document; `raw` is what the swagger plugin generated (not modified). */
export function finishDocument(raw: Json): Json {
  const paths: Json = {};
  for (const [path, item] of Object.entries((raw.paths ?? {}) as Json)) {
    paths[path] = {};
    for (const [method, op] of Object.entries(item as Json))
      paths[path][method] = METHODS.includes(method) ? finishOperation(op as Json, path, method) : op;
  }
  const schemas = Object.fromEntries(
    Object.entries((raw.components?.schemas ?? {}) as Json).map(([name, s]) => [name, normalizeSchema(s)]),
  );
  return {
    openapi: "3.1.0",
    info: raw.info,
    servers: [{ url: "/", description: "This gateway (the origin serving this document)." }],
    tags: raw.tags,
    security: raw.security,
    paths,
    components: {
      ...raw.components,
      schemas,
      responses: Object.fromEntries(Object.values(ERROR_RESPONSES).map(([name, response]) => [name, response])),
    },
  };
}
