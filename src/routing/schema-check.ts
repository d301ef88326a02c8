// Validates an event's `data` against its type's JSON Schema in a sandbox worker, so no schema and no payload can
// hold the event loop (`uniqueItems` over thousands of objects, deep `anyOf` fan-out): past the bound it is a 400.
import { type FieldProblem, UnavailableError } from "../lib/errors.ts";
import { jsonPointerToField } from "../lib/field-names.ts";
import { SandboxError, sandbox } from "./sandbox.ts";
import type { ValidateValue } from "./sandbox-protocol.ts";

/** Wall-clock bound of one validation, including the first compile of the schema on a worker. */
export const SCHEMA_TIMEOUT_MS = 250;

/**
 * The schema errors of `data` (the schema and the data as JSON text), at most 20, with fields like `data.amount`;
 * empty when it is valid. A validation that breaks its bound or fails is one problem on `data` (a 400, never a
 * 500); throws UnavailableError when the sandbox cannot run it. Tasks queue per `tenant`.
 */
export async function validateInSandbox(
  schema: string,
  type: string,
  data: string,
  tenant: string,
): Promise<FieldProblem[]> {
  let value: ValidateValue;
  try {
    value = (await sandbox().run(
      { op: "validate", source: schema, input: data, timeoutMs: SCHEMA_TIMEOUT_MS },
      tenant,
    )) as ValidateValue;
  } catch (err) {
    if (err instanceof SandboxError && err.unavailable)
      throw new UnavailableError(`Events cannot be validated now: ${err.message}.`);
    const why =
      err instanceof SandboxError && err.limit === "timeout"
        ? `could not be validated against the schema of ${type} within ${SCHEMA_TIMEOUT_MS} ms; simplify the data or the schema`
        : `could not be validated against the schema of ${type}: ${(err as Error).message}`;
    return [{ field: "data", message: why }];
  }
  if (value.valid) return [];
  return value.errors.map((e) => ({ field: jsonPointerToField(e.instancePath, "data"), message: e.message }));
}
