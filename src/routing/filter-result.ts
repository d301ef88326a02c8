// What a compiled filter is and answers, shared by condition trees (filter.ts) and expression filters
// (filter-expression.ts).

/** A problem with a filter; `path` is relative to the filter object ("all[1].op", "expression"; "" = root). */
export interface FilterProblem {
  path: string;
  message: string;
}
/**
 * `reason` says why an event did not match, e.g. 'data.amount gte 100 was false (value: 50)'; null when it did.
 * `error` is set when the filter could not decide (an expression failed or broke its time or memory bound):
 * the delivery then fails with `filter_error: <reason>` instead of being skipped.
 */
export interface FilterResult {
  matched: boolean;
  reason: string | null;
  error?: true;
}
/** Condition trees answer synchronously; expression filters return a Promise. */
export interface CompiledFilter {
  /** `json` is the envelope as JSON text when the caller has it (expression filters send it to a worker). */
  test(envelope: unknown, json?: string): FilterResult | Promise<FilterResult>;
}

export const MAX_EXPRESSION_LENGTH = 4096;
/** Wall-clock bound of one expression filter evaluation (docs/api.md "Tenant code runs bounded"). */
export const EXPRESSION_TIMEOUT_MS = 25;
export const MAX_REASON = 1000;

export const MATCHED: FilterResult = Object.freeze({ matched: true, reason: null });
/** `text` cut to `max` characters, with an ellipsis. */
export function clip(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
