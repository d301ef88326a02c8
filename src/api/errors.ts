// One place that turns thrown errors into the error shape of docs/api.md; nothing unknown leaks (no stack, SQL or secret).

import { TENANT_ID, TENANT_ID_RULE } from "../endpoints/spec.ts";
import { DomainError, type ErrorCode, type FieldProblem } from "../lib/errors.ts";
import { jsonPointerToField } from "../lib/field-names.ts";
import type { Logger } from "../lib/logger.ts";
import { HttpError } from "./http-errors.ts";

interface ElysiaValidationIssue {
  path?: string;
  message?: string;
  summary?: string;
  value?: unknown;
  schema?: { anyOf?: { const?: unknown }[]; format?: string; pattern?: string; minimum?: number; maximum?: number };
}

const NEED_OBJECT = "send a JSON object with content-type: application/json";

/** The HTTP status of each domain error code (docs/api.md "Conventions"). */
const STATUS: Record<ErrorCode, number> = {
  validation_error: 400,
  not_found: 404,
  conflict: 409,
  managed_by_config: 409,
  idempotency_key_reused: 409,
  unavailable: 503,
};

const JSON_HEADERS = { "content-type": "application/json; charset=utf-8" };

export function errorResponse(
  status: number,
  code: string,
  message: string,
  details: FieldProblem[] = [],
  headers: Record<string, string> = {},
): Response {
  // `details` is always there (empty when there is nothing more to say), so clients never test for its presence.
  const body = { error: { code, message, details } };
  return new Response(JSON.stringify(body), { status, headers: { ...JSON_HEADERS, ...headers } });
}

/** One TypeBox issue in the words of the endpoint rules ("must be …"); `on` is body, query or params. */
function readable(issue: ElysiaValidationIssue, on: string | undefined): string {
  const message = issue.summary ?? issue.message ?? "is invalid";
  const schema = issue.schema ?? {};
  if (/should not be provided/.test(message)) return "unknown field";
  if (/ is missing$/.test(message)) return "is required";
  if (schema.anyOf?.every((s) => s.const !== undefined))
    return `must be one of ${schema.anyOf.map((s) => String(s.const)).join(", ")}`;
  // Elysia also accepts numbers and booleans written as strings, so TypeBox names the same type twice.
  const union = /should be one of: '(\w+)'(?:, '\1')*$/.exec(message);
  if (union) {
    const range =
      schema.minimum !== undefined && schema.maximum !== undefined
        ? ` from ${schema.minimum} to ${schema.maximum}`
        : schema.minimum !== undefined
          ? ` of at least ${schema.minimum}`
          : schema.maximum !== undefined
            ? ` of at most ${schema.maximum}`
            : "";
    return `must be ${union[1] === "integer" ? "an integer" : `a ${union[1]}`}${range}`;
  }
  if (schema.format === "date-time") return "must be an ISO 8601 time such as 2026-06-06T09:00:00Z";
  if (schema.pattern === TENANT_ID.source) return TENANT_ID_RULE;
  // Elysia decodes path parameters itself and gives null for malformed percent-encoding (%ff, %E0%A4).
  if (on === "params" && issue.value === null) return "is not valid percent-encoded UTF-8";
  const size = /^Expected (string|array) length (?:to be )?(less|greater) or equal to (\d+)$/.exec(issue.message ?? "");
  if (size)
    return `must have at ${size[2] === "less" ? "most" : "least"} ${size[3]} ${size[1] === "string" ? "characters" : "items"}`;
  return message.replace(/^Expected property '[^']*' to be /, "expected ").replace(/ but found: /, ", got ");
}

function validationDetails(error: unknown, on: string | undefined): FieldProblem[] {
  const all = (error as { all?: ElysiaValidationIssue[] }).all ?? [];
  const seen = new Set<string>();
  const out: FieldProblem[] = [];
  for (const issue of all) {
    const field = jsonPointerToField(issue.path ?? "") || "body";
    // One problem per field: TypeBox reports a missing property twice (missing, and wrong type).
    if (seen.has(field)) continue;
    seen.add(field);
    out.push({ field, message: readable(issue, on) });
    if (out.length >= 20) break;
  }
  return out;
}

/** Maps an error from a route (or Elysia itself) to a Response. `where` is logged for unknown errors. */
export function renderError(
  code: string | number,
  error: unknown,
  where: { method: string; path: string },
  logger: Logger,
): Response {
  // Elysia wraps errors thrown while parsing the body (our size, media-type and UTF-8 checks) in a ParseError.
  const cause = (error as { cause?: unknown } | null)?.cause;
  if (
    !(error instanceof HttpError || error instanceof DomainError) &&
    (cause instanceof HttpError || cause instanceof DomainError)
  )
    error = cause;
  if (error instanceof HttpError)
    return errorResponse(error.status, error.code, error.message, error.details, error.headers);
  if (error instanceof DomainError) return errorResponse(STATUS[error.code], error.code, error.message, error.details);
  switch (code) {
    case "VALIDATION": {
      if ((error as { type?: string }).type === "response") {
        // Our answer did not match its documented schema: a bug on our side, never the client's.
        logger.error("response failed its schema", {
          method: where.method,
          path: where.path,
          error: error instanceof Error ? error.message.slice(0, 2000) : String(error),
        });
        return errorResponse(500, "internal_error", "Something went wrong on our side; the error was logged.");
      }
      const on = (error as { type?: string }).type;
      const details = validationDetails(error, on);
      const first = details[0];
      // The body parser lets only objects through, so a problem at the root means there was no body.
      if (on === "body" && first?.field === "body")
        return errorResponse(400, "validation_error", `The request body is missing; ${NEED_OBJECT}.`, [
          { field: "body", message: "is required" },
        ]);
      const where_ = on === "query" ? "query parameter" : on === "params" ? "path parameter" : "field";
      return errorResponse(
        400,
        "validation_error",
        first ? `Invalid ${where_} ${first.field}: ${first.message}.` : "The request is invalid.",
        details,
      );
    }
    case "PARSE":
      // Our parser answers every non-empty body itself; Elysia's fallback only fails on empty or unreadable ones.
      return errorResponse(400, "validation_error", `The request body is empty or could not be read; ${NEED_OBJECT}.`);
    case "NOT_FOUND":
      return errorResponse(404, "not_found", `No route ${where.method} ${where.path}.`);
    default:
      logger.error("unhandled error", {
        method: where.method,
        path: where.path,
        code: String(code),
        error:
          error instanceof Error ? { name: error.name, message: error.message, stack: error.stack } : String(error),
      });
      return errorResponse(500, "internal_error", "Something went wrong on our side; the error was logged.");
  }
}
