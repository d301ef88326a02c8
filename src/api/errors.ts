// One place that turns thrown errors into the API.md error shape; nothing unknown leaks (no stack, SQL or secret).
import { AppError, type FieldProblem } from "../lib/errors.ts";
import type { Logger } from "../lib/logger.ts";

interface ElysiaValidationIssue {
  path?: string;
  message?: string;
  summary?: string;
  schema?: { anyOf?: { const?: unknown }[] };
}

const JSON_HEADERS = { "content-type": "application/json; charset=utf-8" };

export function errorResponse(status: number, code: string, message: string, details: FieldProblem[] = [], headers: Record<string, string> = {}): Response {
  const body: { error: { code: string; message: string; details?: FieldProblem[] } } = { error: { code, message } };
  if (details.length > 0) body.error.details = details;
  return new Response(JSON.stringify(body), { status, headers: { ...JSON_HEADERS, ...headers } });
}

/** `/events/0/name` → `events[0].name` */
export function jsonPointerToField(pointer: string): string {
  return pointer
    .split("/")
    .filter(Boolean)
    .map((s) => s.replace(/~1/g, "/").replace(/~0/g, "~"))
    .reduce((acc, seg) => (/^\d+$/.test(seg) ? `${acc}[${seg}]` : acc ? `${acc}.${seg}` : seg), "");
}

function validationDetails(error: unknown): FieldProblem[] {
  const all = (error as { all?: ElysiaValidationIssue[] }).all ?? [];
  const seen = new Set<string>();
  const out: FieldProblem[] = [];
  for (const issue of all) {
    const field = jsonPointerToField(issue.path ?? "") || "body";
    // One problem per field: TypeBox reports a missing property twice (missing, and wrong type).
    if (seen.has(field)) continue;
    seen.add(field);
    const message = issue.summary ?? issue.message ?? "is invalid";
    const choices = issue.schema?.anyOf?.every((s) => s.const !== undefined) ? issue.schema.anyOf.map((s) => String(s.const)) : null;
    const readable = /should not be provided/.test(message)
      ? "unknown field"
      : choices
        ? `must be one of ${choices.join(", ")}`
        : message.replace(/^Expected property '[^']*' to be /, "expected ").replace(/ but found: /, ", got ");
    out.push({ field, message: readable });
    if (out.length >= 20) break;
  }
  return out;
}

/** Maps an error from a route (or Elysia itself) to a Response. `where` is logged for unknown errors. */
export function renderError(code: string | number, error: unknown, where: { method: string; path: string }, logger: Logger): Response {
  // Elysia wraps errors thrown while parsing the body (our size, media-type and UTF-8 checks) in a ParseError.
  const cause = (error as { cause?: unknown } | null)?.cause;
  if (!(error instanceof AppError) && cause instanceof AppError) error = cause;
  if (error instanceof AppError) return errorResponse(error.status, error.code, error.message, error.details, error.headers);
  switch (code) {
    case "VALIDATION": {
      if ((error as { type?: string }).type === "response") {
        // Our answer did not match its documented schema: a bug on our side, never the client's.
        logger.error("response failed its schema", { method: where.method, path: where.path, error: error instanceof Error ? error.message.slice(0, 2000) : String(error) });
        return errorResponse(500, "internal_error", "Something went wrong on our side; the error was logged.");
      }
      const details = validationDetails(error);
      const first = details[0];
      const on = (error as { type?: string }).type;
      const where_ = on === "query" ? "query parameter" : on === "params" ? "path parameter" : "field";
      return errorResponse(400, "validation_error", first ? `Invalid ${where_} ${first.field}: ${first.message}.` : "The request is invalid.", details);
    }
    case "PARSE":
      return errorResponse(400, "validation_error", "The request body is not valid JSON.");
    case "NOT_FOUND":
      return errorResponse(404, "not_found", `No route ${where.method} ${where.path}.`);
    default:
      logger.error("unhandled error", { method: where.method, path: where.path, code: String(code), error: error instanceof Error ? { name: error.name, message: error.message, stack: error.stack } : String(error) });
      return errorResponse(500, "internal_error", "Something went wrong on our side; the error was logged.");
  }
}
