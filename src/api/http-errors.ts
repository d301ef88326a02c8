// Errors that only exist at the HTTP layer (authentication, scopes, body size and type, rate limits); domain
// errors come from src/lib/errors.ts. src/api/errors.ts renders both.
import type { FieldProblem } from "../lib/errors.ts";

export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Record<string, string> = {},
    readonly details: FieldProblem[] = [],
  ) {
    super(message);
    this.name = "HttpError";
  }
}

export class UnauthorizedError extends HttpError {
  constructor(message = "A valid API key is required: Authorization: Bearer <key>.") {
    super(401, "unauthorized", message, { "www-authenticate": 'Bearer realm="hookgate"' });
  }
}

export class ForbiddenError extends HttpError {
  constructor(message: string) {
    super(403, "forbidden", message);
  }
}

export class PayloadTooLargeError extends HttpError {
  constructor(limit: number) {
    super(413, "payload_too_large", `The request body is larger than the limit of ${limit} bytes.`);
  }
}

export class UnsupportedMediaTypeError extends HttpError {
  constructor() {
    super(415, "unsupported_media_type", "Send the body as JSON with content-type: application/json.");
  }
}

export class RateLimitedError extends HttpError {
  constructor(retryAfterSeconds: number) {
    super(429, "rate_limited", `Too many requests; retry after ${retryAfterSeconds} s.`, {
      "retry-after": String(retryAfterSeconds),
    });
  }
}
