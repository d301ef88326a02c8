// Entry point of a sandbox worker thread: evaluates tenant JSONata (filters, transforms) and validates event data
// against event-type schemas, one task at a time. The pool terminates it when a task overruns its time bound.
import type { ValidateFunction } from "ajv";
import { compileGuarded, describeJsonataError, ExpressionLimitError, type GuardedExpression } from "./jsonata-guard.ts";
import type { FilterValue, SandboxReply, SandboxRequest, ValidateValue } from "./sandbox-protocol.ts";
import { renderTransformResult } from "./transform-render.ts";

declare const self: Worker;

/** Compiled expressions and schemas by source; cleared when it grows past this many (a simple bound). */
const MAX_CACHED = 500;
const expressions = new Map<string, GuardedExpression>();
const schemas = new Map<string, ValidateFunction>();

function cached<T>(cache: Map<string, T>, source: string, compile: (s: string) => T): T {
  let compiled = cache.get(source);
  if (compiled === undefined) {
    if (cache.size >= MAX_CACHED) cache.clear();
    compiled = compile(source);
    cache.set(source, compiled);
  }
  return compiled;
}

/** Compact JSON of a filter's non-true result, cut to 100 characters. */
function summary(value: unknown): string {
  if (value === undefined) return "no value";
  let text: string | undefined;
  try {
    text = JSON.stringify(value);
  } catch {
    text = undefined;
  }
  text ??= String(value);
  return text.length > 100 ? `${text.slice(0, 99)}…` : text;
}

/** ajv is loaded on the first validation: a worker that only runs JSONata (or replaces one) starts faster. */
let schemaCompiler: Promise<typeof import("../lib/json-schema.ts")> | null = null;

async function run(task: SandboxRequest): Promise<unknown> {
  const { op, source, timeoutMs, maxBytes } = task;
  if (op === "validate") {
    schemaCompiler ??= import("../lib/json-schema.ts");
    const { compileJsonSchema } = await schemaCompiler;
    const validate = cached(schemas, source, (s) => compileJsonSchema(JSON.parse(s)));
    if (validate(JSON.parse(task.input))) return { valid: true } satisfies ValidateValue;
    const errors = (validate.errors ?? [])
      .slice(0, 20)
      .map((e) => ({ instancePath: e.instancePath, message: e.message ?? "is invalid" }));
    return { valid: false, errors } satisfies ValidateValue;
  }
  const expr = cached(expressions, source, compileGuarded);
  const result = await expr.evaluate(JSON.parse(task.input), { timeoutMs, maxBytes });
  if (op === "transform") return renderTransformResult(result, maxBytes);
  return (result === true ? { matched: true } : { matched: false, returned: summary(result) }) satisfies FilterValue;
}

self.onmessage = async (event: MessageEvent<SandboxRequest>) => {
  const task = event.data;
  let reply: SandboxReply;
  try {
    reply = { id: task.id, value: await run(task) };
  } catch (err) {
    reply =
      err instanceof ExpressionLimitError
        ? { id: task.id, error: err.message, limit: err.limit }
        : { id: task.id, error: err instanceof Error ? err.message : describeJsonataError(err) };
  }
  self.postMessage(reply);
};

/**
 * Runs a few JSONata tasks before the worker says it is ready, so a first real task does not pay for the
 * evaluator's cold code paths (a first regex, ~15 ms) against its short time bound.
 */
async function warmUp(): Promise<void> {
  const input = JSON.stringify({ id: "evt_1", type: "a.b", tenant_id: "t", data: { n: 1, s: "x", list: [1, 2, 3] } });
  const base = { id: 0, input, timeoutMs: 1000, maxBytes: 1 << 20 };
  const jsonataTasks = [
    'data.n > 0 and type = "a.b" and $contains(data.s, /x/i)',
    '{"n": data.n * 2, "items": data.list.($ + 1), "text": $join(data.list.$string(), ","), "p": $pad(data.s, 3)}',
    "($f := function($k){ $k = 0 ? 0 : 1 + $f($k - 1) }; $f(20))",
  ];
  for (const source of jsonataTasks) {
    await run({ ...base, op: "filter", source });
    await run({ ...base, op: "transform", source });
  }
  expressions.clear();
  schemas.clear();
}

await warmUp().catch(() => {});
self.postMessage({ ready: true } satisfies SandboxReply);
