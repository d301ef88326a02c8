// The messages between the sandbox pool (main thread) and its workers: what to evaluate, and what came of it.

/** Memory bound of an evaluation when none is given: 4 × the default `server.max_body_bytes`. */
export const DEFAULT_MAX_BYTES = 4 * 256 * 1024;

/** `filter` and `transform` evaluate JSONata `source` over the JSON `input`; `validate` checks it against a schema. */
export interface SandboxTask {
  op: "filter" | "transform" | "validate";
  /** The JSONata expression, or the JSON Schema as JSON text. Workers cache what they compiled by it. */
  source: string;
  /** The envelope (filter, transform) or the event's `data` (validate), as JSON text. */
  input: string;
  /** Wall-clock budget; the pool terminates the worker shortly after it. */
  timeoutMs: number;
  /** Largest value any step may build (JSONata) or body it may render (transform). */
  maxBytes: number;
}

export type FilterValue = { matched: true } | { matched: false; returned: string };
export type ValidateValue = { valid: true } | { valid: false; errors: { instancePath: string; message: string }[] };

export interface SandboxRequest extends SandboxTask {
  id: number;
}

/** `limit` is set when a bound (time, depth, memory) stopped the evaluation. */
export type SandboxReply =
  | { id: number; value: unknown }
  | { id: number; error: string; limit?: "timeout" | "depth" | "memory" }
  | { ready: true };
