// Regexes from users (filter `matches`, JSON Schema `pattern`) run on the event loop for every event, so
// patterns that can backtrack catastrophically are refused when they are saved.
import safeRegex from "safe-regex2";

/**
 * True when a quantified group contains an alternation, e.g. `(a|aa)+` or `(x|x)*y`: alternatives that can
 * match the same text make the engine try exponentially many splits. safe-regex2 checks only nested
 * quantifiers, so this closes the other common shape. Character classes and escapes are skipped.
 */
function quantifiedAlternation(source: string): boolean {
  const groups: { alternation: boolean }[] = [];
  for (let i = 0; i < source.length; i++) {
    const c = source[i];
    if (c === "\\") {
      i++;
      continue;
    }
    if (c === "[") {
      for (i++; i < source.length && source[i] !== "]"; i++) if (source[i] === "\\") i++;
      continue;
    }
    if (c === "(") groups.push({ alternation: false });
    else if (c === "|" && groups.length > 0) groups[groups.length - 1]!.alternation = true;
    else if (c === ")") {
      const group = groups.pop();
      const next = source[i + 1];
      if (group?.alternation && (next === "*" || next === "+" || next === "{")) return true;
      // An alternation inside a group makes every enclosing quantified group risky too.
      if (group?.alternation && groups.length > 0) groups[groups.length - 1]!.alternation = true;
    }
  }
  return false;
}

/** Why `source` is not an acceptable user regex (invalid, too long, or unsafe), or null. */
export function regexProblem(source: string, maxLength = 256): string | null {
  if (source.length > maxLength) return `must be at most ${maxLength} characters`;
  let re: RegExp;
  try {
    re = new RegExp(source, "u");
  } catch (err) {
    return `is not a valid regular expression: ${(err as Error).message}`;
  }
  if (!safeRegex(re) || quantifiedAlternation(source)) {
    return "is unsafe: nested quantifiers or a repeated alternation can backtrack catastrophically; simplify the pattern";
  }
  return null;
}
