// Expression filters (`{expression: "<JSONata>"}`): checked at save, evaluated per event in a sandbox worker within
// EXPRESSION_TIMEOUT_MS and the memory bound; any failure is an `error` result (the delivery fails, not skips).
import { UnavailableError } from "../lib/errors.ts";
import { envelopeJson } from "./envelope-json.ts";
import {
  type CompiledFilter,
  clip,
  EXPRESSION_TIMEOUT_MS,
  type FilterProblem,
  MATCHED,
  MAX_EXPRESSION_LENGTH,
  MAX_REASON,
} from "./filter-result.ts";
import { compileGuarded } from "./jsonata-guard.ts";
import { SandboxError, sandbox } from "./sandbox.ts";
import type { FilterValue } from "./sandbox-protocol.ts";

export function parseExpressionFilter(spec: Record<string, unknown>): {
  problems: FilterProblem[];
  compiled: CompiledFilter | null;
} {
  const problems: FilterProblem[] = [];
  for (const key of Object.keys(spec)) {
    if (key !== "expression") problems.push({ path: key, message: "is not allowed beside expression" });
  }
  const source = spec.expression;
  if (typeof source !== "string" || source.trim() === "") {
    problems.push({ path: "expression", message: "must be a non-empty JSONata expression string" });
  } else if (source.length > MAX_EXPRESSION_LENGTH) {
    problems.push({ path: "expression", message: `must be at most ${MAX_EXPRESSION_LENGTH} characters` });
  } else {
    try {
      compileGuarded(source);
    } catch (err) {
      problems.push({ path: "expression", message: `is not valid JSONata: ${(err as Error).message}` });
    }
  }
  if (problems.length > 0) return { problems, compiled: null };
  const expression = source as string;
  return {
    problems,
    compiled: {
      async test(envelope, json) {
        let value: FilterValue;
        try {
          const task = { op: "filter" as const, source: expression, input: json ?? envelopeJson(envelope) };
          value = (await sandbox().run({ ...task, timeoutMs: EXPRESSION_TIMEOUT_MS }, laneOf(envelope))) as FilterValue;
        } catch (err) {
          // The pool could not run it at all (overloaded, or no worker can start): that says nothing of this
          // event, so the publish is refused (503) rather than its delivery failed for good.
          if (err instanceof SandboxError && err.unavailable)
            throw new UnavailableError(`Filters cannot be evaluated now: ${err.message}.`);
          return {
            matched: false,
            reason: clip(`expression error: ${(err as Error).message}`, MAX_REASON),
            error: true,
          };
        }
        return value.matched ? MATCHED : { matched: false, reason: `expression returned ${value.returned}` };
      },
    },
  };
}

/** Sandbox tasks queue per tenant, so one tenant's slow expressions cannot hold back another's. */
function laneOf(envelope: unknown): string {
  const tenant = (envelope as { tenant_id?: unknown } | null)?.tenant_id;
  return typeof tenant === "string" ? tenant : "";
}
