// Payload templating: an endpoint's JSONata `transform` turns the event envelope into the request body.
// Checked once per endpoint; applied per delivery in a sandbox worker under time and memory bounds (docs/api.md "Delivery").
import { envelopeJson } from "./envelope-json.ts";
import { compileGuarded } from "./jsonata-guard.ts";
import { sandbox } from "./sandbox.ts";
import type { TransformOutcome } from "./transform-render.ts";

export type { TransformOutcome } from "./transform-render.ts";

export interface CompiledTransform {
  /** `json` is the envelope as JSON text when the caller has it (it is what the worker receives). */
  apply(envelope: unknown, timeoutMs?: number, json?: string): Promise<TransformOutcome>;
}

export const DEFAULT_TRANSFORM_TIMEOUT_MS = 100;

/** Returns null when `expression` compiles, else JSONata's message with code and position. */
export function checkTransform(expression: string): string | null {
  try {
    compileGuarded(expression);
    return null;
  } catch (err) {
    return (err as Error).message;
  }
}

/**
 * Compiles a transform; throws an Error with the checkTransform message on bad input.
 *
 * `apply` evaluates over the envelope alone (JSONata built-ins only) in a sandbox worker and never throws:
 * - object or array → compact JSON, `application/json` (functions inside are dropped, as JSON does);
 * - string → the string as is, `text/plain`; number, boolean or null → JSON, `application/json`;
 * - no value, a function, an evaluation error, a value beyond the memory bound (`server.max_body_bytes` × 4, also
 *   the largest body) or more than `timeoutMs` of wall-clock time (default 100; the worker is then terminated)
 *   → `{ok: false}`.
 */
export function compileTransform(expression: string): CompiledTransform {
  compileGuarded(expression);
  return {
    async apply(envelope, timeoutMs = DEFAULT_TRANSFORM_TIMEOUT_MS, json) {
      const tenant = (envelope as { tenant_id?: unknown } | null)?.tenant_id;
      const task = { op: "transform" as const, source: expression, input: json ?? envelopeJson(envelope), timeoutMs };
      try {
        return (await sandbox().run(task, typeof tenant === "string" ? tenant : "")) as TransformOutcome;
      } catch (err) {
        const { message, limit } = err as Error & { limit?: string | null };
        return {
          ok: false,
          error: limit === "timeout" ? `transform timed out after ${timeoutMs} ms` : `transform failed: ${message}`,
        };
      }
    },
  };
}
