// Domain errors with a stable code: thrown by any room, rendered once by the API's error mapping
// (src/api/errors.ts), the only place that knows HTTP statuses.

export interface FieldProblem {
  field: string;
  message: string;
}

export type ErrorCode =
  | "validation_error"
  | "not_found"
  | "conflict"
  | "managed_by_config"
  | "idempotency_key_reused"
  | "unavailable";

export class DomainError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details: FieldProblem[] = [],
  ) {
    super(message);
    this.name = "DomainError";
  }
}

export class ValidationError extends DomainError {
  constructor(message: string, details: FieldProblem[] = []) {
    super("validation_error", message, details);
  }
  /** One error from a list of field problems (a problem of the whole body names `body`), naming the first. */
  static of(problems: FieldProblem[]): ValidationError {
    const details = problems.map((p) => (p.field ? p : { ...p, field: "body" }));
    const first = details[0];
    const more = details.length > 1 ? ` (and ${details.length - 1} more)` : "";
    return new ValidationError(first ? `${first.field}: ${first.message}${more}` : "Invalid request.", details);
  }
}

export class NotFoundError extends DomainError {
  constructor(what: string) {
    super("not_found", `${what} was not found.`);
  }
}

export class ConflictError extends DomainError {
  constructor(message: string, code: "conflict" | "managed_by_config" | "idempotency_key_reused" = "conflict") {
    super(code, message);
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

/** The store refuses writes (disk full, read-only); nothing was stored. */
export class UnavailableError extends DomainError {
  constructor(message: string) {
    super("unavailable", message);
  }
}
