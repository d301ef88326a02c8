// Reads JSON request bodies with a byte limit (also for chunked bodies without a length) and strict UTF-8,
// and refuses values no route can take safely: non-objects, deep nesting, lone surrogates, `__proto__` keys, and
// numbers that JSON.parse cannot keep as written (overflow to Infinity, underflow to 0, integers beyond 2^53 − 1).
import { concatBytes } from "../lib/bytes.ts";
import { ValidationError } from "../lib/errors.ts";
import { appendField } from "../lib/field-names.ts";
import { PayloadTooLargeError, UnsupportedMediaTypeError } from "./http-errors.ts";

const decoder = new TextDecoder("utf-8", { fatal: true });

/** Deepest nesting of objects and arrays accepted in a body (the body itself is level 1). */
export const MAX_BODY_DEPTH = 64;

function isJson(contentType: string | null): boolean {
  if (!contentType) return false;
  const type = contentType.split(";")[0]!.trim().toLowerCase();
  return type === "application/json" || (type.startsWith("application/") && type.endsWith("+json"));
}

async function readLimited(request: Request, limit: number): Promise<Uint8Array> {
  const declared = request.headers.get("content-length");
  if (declared !== null && Number(declared) > limit) throw new PayloadTooLargeError(limit);
  // A declared length within the limit is read in one native call (the server holds the body to it);
  // chunked bodies without a length are streamed and cut at the limit.
  if (declared !== null) return new Uint8Array(await request.arrayBuffer());
  if (!request.body) return new Uint8Array(0);
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel().catch(() => {});
      throw new PayloadTooLargeError(limit);
    }
    chunks.push(value);
  }
  return concatBytes(chunks, size);
}

const pathOf = (keys: readonly (string | number)[]) => keys.reduce<string>(appendField, "") || "body";

/** Only a `\uD800`–`\uDFFF` escape can make a lone surrogate (encoded surrogates fail the UTF-8 decoder). */
const SURROGATE_ESCAPE = /\\u[dD][89a-fA-F]/;

/**
 * Text that may hold a number underflowing to 0: a negative exponent (JSON puts a digit before the `e`, so ids like
 * "invoice-2024" do not count) or a fraction with 300 leading zeros. Only such bodies are parsed a second time.
 */
const MAY_UNDERFLOW = /\d[eE]-\d|\.0{300}/;

/** Why a parsed number does not hold the value that was sent, or null; `source` is its text when known. */
function numberProblem(value: number, source?: string): string | null {
  if (!Number.isFinite(value))
    return "is a number too large to be represented (it would become Infinity); send it as a string";
  if (Number.isInteger(value) && Math.abs(value) > Number.MAX_SAFE_INTEGER)
    return "is an integer beyond ±(2^53 − 1), which JSON numbers cannot carry exactly; send it as a string";
  if (value === 0 && source !== undefined && /[1-9]/.test(source.replace(/[eE].*$/, "")))
    return "is a number too small to be represented (it would become 0); send it as a string";
  return null;
}

/**
 * The first number of `text` that underflows to 0, with its field. The text is parsed again with a reviver that
 * sees each number's source and marks such a number, then the marked value is looked for in the result.
 */
function underflowProblem(text: string): ValidationError | null {
  const mark = {};
  let message: string | null = null;
  const tree = JSON.parse(text, (_key: string, value: unknown, context?: { source?: string }) => {
    if (message !== null || typeof value !== "number") return value;
    message = numberProblem(value, context?.source);
    return message === null ? value : mark;
  });
  if (message === null) return null;
  const find = (value: unknown, keys: (string | number)[]): string | null => {
    if (value === mark) return pathOf(keys);
    if (typeof value !== "object" || value === null) return null;
    for (const [k, v] of Object.entries(value)) {
      const found = find(v, [...keys, Array.isArray(value) ? Number(k) : k]);
      if (found !== null) return found;
    }
    return null;
  };
  return ValidationError.of([{ field: find(tree, []) ?? "body", message }]);
}

/**
 * Why a parsed body cannot be used, naming the field: nested deeper than MAX_BODY_DEPTH, a `__proto__` key
 * (Elysia copies the body with Object.assign, which would turn it into a prototype; Fastify refuses it too),
 * or, when `surrogates`, a string or key with an unpaired UTF-16 surrogate (`"\ud800"`: SQLite and receivers
 * would get U+FFFD). Recursion is bounded by the depth limit.
 */
function bodyProblem(value: unknown, surrogates: boolean, keys: (string | number)[] = []): ValidationError | null {
  if (typeof value === "string")
    return !surrogates || value.isWellFormed()
      ? null
      : ValidationError.of([
          { field: pathOf(keys), message: "contains an unpaired UTF-16 surrogate (such as \\ud800)" },
        ]);
  if (typeof value === "number") {
    const why = numberProblem(value);
    return why ? ValidationError.of([{ field: pathOf(keys), message: why }]) : null;
  }
  if (typeof value !== "object" || value === null) return null;
  if (keys.length >= MAX_BODY_DEPTH)
    return new ValidationError(`The request body is nested more than ${MAX_BODY_DEPTH} levels deep.`, [
      { field: pathOf(keys.slice(0, 1)), message: `is nested more than ${MAX_BODY_DEPTH} levels deep` },
    ]);
  const isArray = Array.isArray(value);
  const names = isArray ? null : Object.keys(value);
  const count = isArray ? value.length : names!.length;
  for (let i = 0; i < count; i++) {
    const k = isArray ? i : names![i]!;
    if (typeof k === "string" && (k === "__proto__" || (surrogates && !k.isWellFormed()))) {
      return ValidationError.of([
        k === "__proto__"
          ? { field: pathOf([...keys, k]), message: "is not an allowed key" }
          : { field: pathOf(keys), message: "has a key with an unpaired UTF-16 surrogate (such as \\ud800)" },
      ]);
    }
    keys.push(k);
    const problem = bodyProblem((value as Record<string | number, unknown>)[k], surrogates, keys);
    keys.pop();
    if (problem) return problem;
  }
  return null;
}

/**
 * Whether `bodyProblem` would find nothing (leaving out surrogates, which the caller rules out from the text): the
 * same checks in one pass without field paths, recursing into containers only. Most bodies are clean, and then
 * this is all they cost; otherwise `bodyProblem` walks again to say where.
 */
function isClean(value: object, depth: number): boolean {
  if (depth > MAX_BODY_DEPTH) return false;
  if (Array.isArray(value)) {
    for (const v of value) if (!isCleanValue(v, depth)) return false;
  } else {
    for (const k in value)
      if (k === "__proto__" || !isCleanValue((value as Record<string, unknown>)[k], depth)) return false;
  }
  return true;
}

function isCleanValue(v: unknown, depth: number): boolean {
  if (typeof v === "number") return numberProblem(v) === null;
  return typeof v !== "object" || v === null || isClean(v, depth + 1);
}

/**
 * Parses the body of a POST/PUT/PATCH/DELETE as a JSON object. An empty body is `undefined` (routes whose body
 * is optional accept it; others answer 400). Non-JSON content types → 415, over `limit` bytes → 413; bad JSON
 * or UTF-8, a value that is not an object, and what `bodyProblem` finds → 400.
 */
export async function parseJsonBody(request: Request, limit: number): Promise<unknown> {
  const read = await readJson(request, limit);
  if (read === undefined) return undefined;
  const { value, text } = read;
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new ValidationError(
      `The request body must be a JSON object, not ${value === null ? "null" : Array.isArray(value) ? "an array" : `a ${typeof value}`}.`,
    );
  }
  const surrogates = SURROGATE_ESCAPE.test(text);
  const problem =
    (surrogates || !isClean(value, 1) ? bodyProblem(value, surrogates) : null) ??
    (MAY_UNDERFLOW.test(text) ? underflowProblem(text) : null);
  if (problem) throw problem;
  return value;
}

async function readJson(request: Request, limit: number): Promise<{ value: unknown; text: string } | undefined> {
  const contentType = request.headers.get("content-type");
  const declared = request.headers.get("content-length");
  if (declared === "0" || (!request.body && declared === null)) return undefined;
  if (!isJson(contentType)) {
    if (!contentType && declared === null && !request.body) return undefined;
    throw new UnsupportedMediaTypeError();
  }
  const bytes = await readLimited(request, limit);
  if (bytes.byteLength === 0) return undefined;
  let text: string;
  try {
    text = decoder.decode(bytes);
  } catch {
    throw new ValidationError("The request body is not valid UTF-8.");
  }
  try {
    return { value: JSON.parse(text), text };
  } catch (e) {
    if (e instanceof RangeError) throw new ValidationError("The request body is nested too deeply.");
    throw new ValidationError(`The request body is not valid JSON: ${(e as Error).message}.`);
  }
}
