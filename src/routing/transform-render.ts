// A transform's JSONata result as a request body: JSON for data, text for a string; functions and oversized
// results refused. Runs where the transform runs (a sandbox worker), so only the body crosses back.

export type TransformOutcome =
  | { ok: true; body: string; contentType: "application/json" | "text/plain" }
  | { ok: false; error: string };

/** Whether a JSONata result is a function (a lambda or a built-in) rather than data. */
export function isJsonataFunction(value: unknown): boolean {
  if (typeof value === "function") return true;
  if (value === null || typeof value !== "object") return false;
  const v = value as Record<string, unknown>;
  return v._jsonata_lambda === true || v._jsonata_function === true;
}

function dropFunctions(_key: string, value: unknown): unknown {
  return isJsonataFunction(value) ? undefined : value;
}

/**
 * Renders a transform result: object or array → compact JSON, `application/json` (functions inside are dropped,
 * as JSON does); string → as is, `text/plain`; number, boolean or null → JSON. No value, a function, or a body of
 * more than `maxBytes` UTF-8 bytes → `{ok: false}`.
 */
export function renderTransformResult(value: unknown, maxBytes: number): TransformOutcome {
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
  if (body.length > maxBytes || (body.length * 3 > maxBytes && Buffer.byteLength(body) > maxBytes)) {
    return { ok: false, error: `transform output is larger than ${maxBytes} bytes` };
  }
  return { ok: true, body, contentType };
}
