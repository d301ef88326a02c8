// Payload templating: an endpoint's JSONata `transform` turns the event envelope into the request body.
// Compiled once per endpoint; applied per delivery under a time budget (docs/api.md "Delivery").
import { compileGuarded, ExpressionLimitError } from "./jsonata-guard.ts";

export type TransformOutcome =
  | { ok: true; body: string; contentType: "application/json" | "text/plain" }
  | { ok: false; error: string };

export interface CompiledTransform {
  apply(envelope: unknown, timeoutMs?: number): Promise<TransformOutcome>;
}

export const DEFAULT_TRANSFORM_TIMEOUT_MS = 100;
/** Largest body a transform may produce, in UTF-8 bytes. */
export const MAX_TRANSFORM_OUTPUT_BYTES = 1024 * 1024;

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
 * `apply` evaluates over the envelope alone (JSONata built-ins only) and never throws:
 * - object or array → compact JSON, `application/json` (functions inside are dropped, as JSON does);
 * - string → the string as is, `text/plain`; number, boolean or null → JSON, `application/json`;
 * - no value, a function, more than 1 MiB of output, an evaluation error or a timeout → `{ok: false}`.
 * `timeoutMs` bounds wall-clock evaluation time (default 100); it is checked at every evaluation step.
 */
export function compileTransform(expression: string): CompiledTransform {
  const expr = compileGuarded(expression);
  return {
    async apply(envelope, timeoutMs = DEFAULT_TRANSFORM_TIMEOUT_MS) {
      let value: unknown;
      try {
        value = await expr.evaluate(envelope, timeoutMs);
      } catch (err) {
        if (err instanceof ExpressionLimitError && err.limit === "timeout") {
          return { ok: false, error: `transform timed out after ${timeoutMs} ms` };
        }
        return { ok: false, error: `transform failed: ${(err as Error).message}` };
      }
      return render(value);
    },
  };
}

/** Whether a JSONata result is a function (a lambda or a built-in) rather than data. */
function isJsonataFunction(value: unknown): boolean {
  if (typeof value === "function") return true;
  if (value === null || typeof value !== "object") return false;
  const v = value as Record<string, unknown>;
  return v._jsonata_lambda === true || v._jsonata_function === true;
}

function dropFunctions(_key: string, value: unknown): unknown {
  return isJsonataFunction(value) ? undefined : value;
}

function render(value: unknown): TransformOutcome {
  if (value === undefined) return { ok: false, error: "transform produced no value" };
  if (isJsonataFunction(value)) return { ok: false, error: "transform produced a function, not a value" };
  let body: string;
  let contentType: "application/json" | "text/plain" = "application/json";
  if (typeof value === "string") {
    body = value;
    contentType = "text/plain";
  } else {
    try {
      body = JSON.stringify(value, dropFunctions);
    } catch (err) {
      return { ok: false, error: `transform result is not JSON: ${(err as Error).message}` };
    }
  }
  // UTF-8 takes 1 to 3 bytes per UTF-16 unit: count bytes exactly only when the length leaves it open.
  const max = MAX_TRANSFORM_OUTPUT_BYTES;
  if (body.length > max || (body.length * 3 > max && Buffer.byteLength(body) > max)) {
    return { ok: false, error: `transform output is larger than ${MAX_TRANSFORM_OUTPUT_BYTES} bytes` };
  }
  return { ok: true, body, contentType };
}
