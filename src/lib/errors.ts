// Errors with a stable code and HTTP status, thrown anywhere and rendered once by the API's onError.

export interface FieldProblem {
  field: string;
  message: string;
}

export class AppError extends Error {
  constructor(
    readonly code: string,
    readonly status: number,
    message: string,
    readonly details: FieldProblem[] = [],
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = "AppError";
  }
}

export class ValidationError extends AppError {
  constructor(message: string, details: FieldProblem[] = []) {
    super("validation_error", 400, message, details);
  }
  /** One error from a list of field problems, with a sentence naming the first. */
  static of(details: FieldProblem[]): ValidationError {
    const first = details[0];
    const more = details.length > 1 ? ` (and ${details.length - 1} more)` : "";
    return new ValidationError(first ? `${first.field}: ${first.message}${more}` : "Invalid request.", details);
  }
}

export class UnauthorizedError extends AppError {
  constructor(message = "A valid API key is required: Authorization: Bearer <key>.") {
    super("unauthorized", 401, message, [], { "www-authenticate": 'Bearer realm="hookgate"' });
  }
}

export class ForbiddenError extends AppError {
  constructor(message: string) {
    super("forbidden", 403, message);
  }
}

export class NotFoundError extends AppError {
  constructor(what: string) {
    super("not_found", 404, `${what} was not found.`);
  }
}

export class ConflictError extends AppError {
  constructor(message: string, code = "conflict") {
    super(code, 409, message);
  }
}

export class ManagedByConfigError extends ConflictError {
  constructor(what: string) {
    super(
      `${what} is declared in the config file and is read-only over the API; change the file instead.`,
      "managed_by_config",
    );
  }
}

export class PayloadTooLargeError extends AppError {
  constructor(limit: number) {
    super("payload_too_large", 413, `The request body is larger than the limit of ${limit} bytes.`);
  }
}

export class UnsupportedMediaTypeError extends AppError {
  constructor() {
    super("unsupported_media_type", 415, "Send the body as JSON with content-type: application/json.");
  }
}

export class RateLimitedError extends AppError {
  constructor(retryAfterSeconds: number) {
    super("rate_limited", 429, `Too many requests; retry after ${retryAfterSeconds} s.`, [], {
      "retry-after": String(retryAfterSeconds),
    });
  }
}

export class UnavailableError extends AppError {
  constructor(message: string) {
    super("unavailable", 503, message);
  }
}
