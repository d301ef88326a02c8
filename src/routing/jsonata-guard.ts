// JSONata with a leash: compiles user expressions once (regex literals on the linear-time engine) and evaluates
// them under a per-call time budget, call-depth cap, sequence cap and memory bound. The sandbox workers run it;
// the budget here stops an evaluation cleanly, the worker's termination bounds its wall time whatever happens.
import jsonata from "jsonata";
import { LinearRegExp, regexProblem } from "../lib/regex.ts";
import { boundedBuiltIns, ExpressionLimitError, type SizeBudget, tooLarge, valueSize } from "./jsonata-limits.ts";
import { DEFAULT_MAX_BYTES } from "./sandbox-protocol.ts";

export { ExpressionLimitError } from "./jsonata-limits.ts";

/** User-defined function (lambda) invocations in flight per evaluation; deeper recursion is refused. */
export const MAX_CALL_DEPTH = 500;
/**
 * Largest sequence or range (`[1..n]`) an expression may build. Built-ins such as `$sum` or `$string` run
 * natively without evaluation steps, so the time budget cannot interrupt them; this cap bounds their cost
 * (a 256 KiB event cannot hold more than ~130k array items, so real data never reaches it).
 */
export const MAX_SEQUENCE = 250_000;

export interface EvaluateLimits {
  /** Time budget in ms, checked at every evaluation step (see `spent`: time the thread was paused is not charged). */
  timeoutMs: number;
  /** Largest value (as compact JSON) any step may produce; default DEFAULT_MAX_BYTES. */
  maxBytes?: number;
}

export interface GuardedExpression {
  /**
   * Evaluates over `input` with nothing bound but JSONata's built-ins. Rejects with ExpressionLimitError when
   * the time budget, call depth or memory bound is exceeded, and with an Error carrying JSONata's message and
   * position for any other evaluation error.
   */
  evaluate(input: unknown, limits: EvaluateLimits): Promise<unknown>;
}

/** Per-call limits, found by the hooks through the evaluation's own root frame (never shared between calls). */
interface Budget extends SizeBudget {
  /** performance.now() after which the budget may be spent (checked then against the thread's CPU time). */
  deadline: number;
  timeoutMs: number;
  /** The thread's CPU time (ms) when the evaluation started. */
  cpuStart: number;
  calls: number;
}

/** CPU time of the current thread in ms; wall time where the runtime cannot tell. */
const threadCpu = (process as { threadCpuUsage?: () => { user: number; system: number } }).threadCpuUsage;
const cpuNow = threadCpu
  ? () => {
      const { user, system } = threadCpu();
      return (user + system) / 1000;
    }
  : () => performance.now();

/**
 * Whether the evaluation has used up its budget. Checked cheaply against the wall clock at every step; once
 * that deadline passes, what is charged is the time this thread actually ran, so a task that a busy machine
 * merely paused gets the rest of its budget (the pool's termination still bounds its wall time).
 */
function spent(budget: Budget): boolean {
  const now = performance.now();
  if (now <= budget.deadline) return false;
  const used = cpuNow() - budget.cpuStart;
  if (used >= budget.timeoutMs) return true;
  budget.deadline = now + (budget.timeoutMs - used);
  return false;
}

/**
 * The binding name under which each call's Budget travels. It contains a space, so no JSONata variable
 * (`$name`) can refer to it, and it lives in the per-call frame JSONata creates for every `evaluate`.
 */
const BUDGET = "hookgate budget";
const ENTRY = Symbol.for("jsonata.__evaluate_entry");
const EXIT = Symbol.for("jsonata.__evaluate_exit");

interface Frame {
  base: { lookup(name: string): unknown };
}

/**
 * The evaluation hooks for one compiled expression. Depth counts the lambda bodies being evaluated, which
 * is how recursion nests; counting every step would also count the siblings JSONata evaluates in parallel
 * (array items, group-by keys) and refuse a big but flat template. Entry and exit decide by node identity
 * only, so the count never drifts. Time is checked on entry to every step, the size of its value on exit.
 */
function hooks(bodies: WeakSet<object>) {
  return {
    entry(node: object, _input: unknown, env: Frame): void {
      const budget = env.base.lookup(BUDGET) as Budget;
      if (bodies.has(node) && ++budget.calls > MAX_CALL_DEPTH) {
        throw new ExpressionLimitError("depth", `more than ${MAX_CALL_DEPTH} nested function calls`);
      }
      if (spent(budget)) throw new ExpressionLimitError("timeout", `timed out after ${budget.timeoutMs} ms`);
    },
    exit(node: object, _input: unknown, env: Frame, result: unknown): void {
      const budget = env.base.lookup(BUDGET) as Budget;
      if (bodies.has(node)) budget.calls--;
      const measured = typeof result === "string" || (typeof result === "object" && result !== null);
      if (measured && valueSize(result, budget.maxBytes, budget.sizes) > budget.maxBytes)
        throw tooLarge(budget.maxBytes);
    },
  };
}

/** The body nodes of every lambda in the AST (including the thunks JSONata makes for tail calls). */
function lambdaBodies(ast: unknown): WeakSet<object> {
  const bodies = new WeakSet<object>();
  for (const node of nodesOf(ast)) {
    const { type, body } = node as { type?: unknown; body?: unknown };
    if (type === "lambda" && body !== null && typeof body === "object") bodies.add(body);
  }
  return bodies;
}

/** Every object in the AST, once each. */
function nodesOf(ast: unknown): object[] {
  const seen = new Set<object>();
  const stack: unknown[] = [ast];
  while (stack.length > 0) {
    const node = stack.pop();
    if (node === null || typeof node !== "object" || seen.has(node) || node instanceof RegExp) continue;
    seen.add(node);
    for (const child of Object.values(node)) if (child !== null && typeof child === "object") stack.push(child);
  }
  return [...seen];
}

/** The first regex literal the linear-time engine refuses, as a message, or null. */
function regexLiteralProblem(ast: unknown): string | null {
  for (const node of nodesOf(ast)) {
    const { type, value } = node as { type?: unknown; value?: unknown };
    if (type !== "regex" || !(value instanceof RegExp)) continue;
    const why = regexProblem(value.source, 1000);
    if (why) return `regex /${value.source}/ ${why}`;
  }
  return null;
}

/** The limit error behind `err`, also when `$eval` wrapped it (D3121 keeps the original in `.error`). */
function limitCause(err: unknown): ExpressionLimitError | null {
  for (
    let e = err, hops = 0;
    e !== null && typeof e === "object" && hops < 8;
    e = (e as { error?: unknown }).error, hops++
  ) {
    if (e instanceof ExpressionLimitError) return e;
  }
  return null;
}

/** A JSONata error (a plain object with code/position) or anything else, as one readable line. */
export function describeJsonataError(err: unknown): string {
  if (err instanceof ExpressionLimitError) return err.message;
  if (err !== null && typeof err === "object") {
    const { message, code, position } = err as { message?: unknown; code?: unknown; position?: unknown };
    const text = typeof message === "string" && message !== "" ? message : String(code ?? "unknown error");
    const where = [typeof code === "string" ? code : null, typeof position === "number" ? `position ${position}` : null]
      .filter((part) => part !== null)
      .join(", ");
    return where ? `${text} (${where})` : text;
  }
  return String(err);
}

/**
 * Compiles `source` once. Throws an Error whose message is JSONata's syntax message with its code and 1-based
 * character position, e.g. 'Unexpected end of expression (S0207, position 13)', or names a regex literal the
 * linear-time engine refuses (a backreference or lookaround).
 */
export function compileGuarded(source: string): GuardedExpression {
  let expr: jsonata.Expression;
  try {
    expr = jsonata(source, { sequence: MAX_SEQUENCE, RegexEngine: LinearRegExp as unknown as RegExpConstructor });
  } catch (err) {
    throw new Error(describeJsonataError(err));
  }
  const ast = expr.ast();
  const badRegex = regexLiteralProblem(ast);
  if (badRegex) throw new Error(badRegex);
  // JSONata 2.x looks the hooks up by these symbols (a plain "__evaluate_entry" string is ignored).
  const { entry, exit } = hooks(lambdaBodies(ast));
  expr.assign(ENTRY as unknown as string, entry);
  expr.assign(EXIT as unknown as string, exit);
  const builtIns = boundedBuiltIns((focus) => focus.environment.lookup(BUDGET) as Budget);
  for (const [name, fn] of Object.entries(builtIns)) expr.assign(name, fn);
  return {
    async evaluate(input, { timeoutMs, maxBytes = DEFAULT_MAX_BYTES }) {
      const budget: Budget = {
        deadline: performance.now() + timeoutMs,
        timeoutMs,
        cpuStart: cpuNow(),
        calls: 0,
        maxBytes,
        sizes: new WeakMap(),
      };
      try {
        return await expr.evaluate(input, { [BUDGET]: budget });
      } catch (err) {
        throw limitCause(err) ?? new Error(describeJsonataError(err));
      }
    },
  };
}
