// What the OpenAPI document says about each route that Elysia cannot know: why it can answer 409 or 503, and a
// request example that the API accepts. Keyed by "METHOD /openapi/path". (Each route declares its scope itself.)

const MANAGED = "`managed_by_config`: the object is declared in the config file and is read-only over the API.";

/** Routes that can answer 409, and why. */
export const CONFLICTS: Record<string, string> = {
  "POST /v1/event-types": "`conflict`: an event type with this name exists.",
  "DELETE /v1/event-types/{name}": `${MANAGED} \`conflict\`: an operational event type (source system) is built in.`,
  "PATCH /v1/endpoints/{id}": MANAGED,
  "DELETE /v1/endpoints/{id}": MANAGED,
  "POST /v1/endpoints/{id}/rotate-secret": MANAGED,
  "POST /v1/deliveries/{id}/replay": "`conflict`: the delivery has an attempt in flight; replay it when it finishes.",
  "POST /v1/events":
    "`idempotency_key_reused`: this Idempotency-Key was already used in this tenant with a different request (type, data, endpoint_ids or target_url).",
};

/** Routes that write on the hot path and answer 503 while the store refuses writes. */
export const UNAVAILABLE = new Set(["POST /v1/events", "POST /v1/endpoints/{id}/test"]);

/** Routes exempt from the management API's per-key rate limit (publishing is not limited). */
export const NOT_RATE_LIMITED = new Set(["POST /v1/events"]);

/** Routes whose success answer is not JSON. */
export const TEXT_RESPONSES: Record<string, string> = { "GET /metrics": "text/plain" };

/**
 * Request bodies for routes whose body schema carries no example. Each one is accepted as is (test/api/openapi
 * sends every documented example to a running gateway): event types and events use `run.completed` with data
 * that the event-type example's schema accepts.
 */
export const REQUEST_EXAMPLES: Record<string, unknown[]> = {
  "POST /v1/api-keys": [{ name: "billing publisher", scopes: ["events:write", "deliveries:read"] }],
  "POST /v1/endpoints/{id}/rotate-secret": [{ grace_period_seconds: 3600 }, {}],
  "POST /v1/endpoints/{id}/preview": [{ type: "run.completed", data: { run_id: "run_123", amount: 250 } }],
  "POST /v1/endpoints/{id}/recover": [{ since: "2026-01-01T00:00:00.000Z" }],
  "POST /v1/deliveries/replay": [{ ids: ["dlv_01jd3x2v7k8m9n0p1q2r3s4t5v"] }],
};
