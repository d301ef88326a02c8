// ISO 8601 query/body times → epoch ms, with a validation error naming the field.
import { ValidationError } from "../lib/errors.ts";

export function parseTime(field: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const ms = Date.parse(value);
  if (!Number.isFinite(ms))
    throw ValidationError.of([{ field, message: "must be an ISO 8601 time such as 2026-06-06T09:00:00Z" }]);
  return ms;
}
