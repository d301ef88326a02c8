// Regexes from users (filter `matches`, JSON Schema `pattern`, JSONata regex literals) run on RE2JS, a
// linear-time engine: no input can make them backtrack. Syntax that needs backtracking is refused when saved.
import { RE2JS } from "re2js";

/** Thrown by compileLinearRegex; `message` reads after a field name ("is not a valid …"). */
export class RegexSyntaxError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "RegexSyntaxError";
  }
}

export interface RegexFlags {
  ignoreCase?: boolean;
  multiline?: boolean;
  dotAll?: boolean;
}

/** `\uXXXX` and `\u{X…}` (JavaScript and JSON Schema spelling) become RE2's `\x{…}`; nothing else is rewritten. */
function toRe2Syntax(source: string): string {
  if (!source.includes("\\u")) return source;
  let out = "";
  for (let i = 0; i < source.length; i++) {
    const c = source[i];
    if (c !== "\\") {
      out += c;
      continue;
    }
    const next = source[i + 1];
    const four = source.slice(i + 2, i + 6);
    const braced = next === "u" ? /^\{([0-9a-fA-F]{1,6})\}/.exec(source.slice(i + 2)) : null;
    if (next === "u" && /^[0-9a-fA-F]{4}$/.test(four)) {
      out += `\\x{${four}}`;
      i += 5;
    } else if (braced) {
      out += `\\x{${braced[1]}}`;
      i += 1 + braced[0].length;
    } else {
      out += c + (next ?? "");
      i++;
    }
  }
  return out;
}

/** What a pattern uses that only a backtracking engine can run, or null. */
function backtrackingFeature(source: string): string | null {
  if (/\\[1-9]|\\k</.test(source)) return "a backreference";
  if (/\(\?<?[=!]/.test(source)) return "a lookaround";
  return null;
}

/**
 * Compiles `source` (RE2 syntax; `\uXXXX` is also accepted) on the linear-time engine. Throws
 * RegexSyntaxError for invalid patterns and for backreferences and lookarounds, which need backtracking.
 */
export function compileLinearRegex(source: string, flags: RegexFlags = {}): RE2JS {
  let bits = 0;
  if (flags.ignoreCase) bits |= RE2JS.CASE_INSENSITIVE;
  if (flags.multiline) bits |= RE2JS.MULTILINE;
  if (flags.dotAll) bits |= RE2JS.DOTALL;
  try {
    return RE2JS.compile(toRe2Syntax(source), bits);
  } catch (err) {
    const feature = backtrackingFeature(source);
    if (feature) {
      throw new RegexSyntaxError(
        `uses ${feature}, which needs a backtracking engine; regexes run on a linear-time engine (RE2 syntax): rewrite the pattern without it`,
      );
    }
    const why = (err as Error).message.replace(/^error parsing regexp: /, "");
    throw new RegexSyntaxError(`is not a valid regular expression (RE2 syntax): ${why}`);
  }
}

/** Why `source` is not an acceptable user regex (too long, invalid, or needing backtracking), or null. */
export function regexProblem(source: string, maxLength = 256): string | null {
  if (source.length > maxLength) return `must be at most ${maxLength} characters`;
  try {
    compileLinearRegex(source);
    return null;
  } catch (err) {
    return (err as Error).message;
  }
}

/**
 * A RegExp look-alike on the linear-time engine, for libraries that take a regex class: JSONata's
 * `RegexEngine` (constructed with the RegExp its parser made; uses `lastIndex` and `exec`) and ajv's
 * `code.regExp` (constructed with a source and flags; uses `test`). Matching is unanchored, like RegExp.
 */
export class LinearRegExp {
  lastIndex = 0;
  readonly source: string;
  readonly flags: string;
  private readonly re: RE2JS;

  constructor(pattern: string | RegExp, flags?: string) {
    this.source = typeof pattern === "string" ? pattern : pattern.source;
    this.flags = flags ?? (typeof pattern === "string" ? "" : pattern.flags);
    this.re = compileLinearRegex(this.source, {
      ignoreCase: this.flags.includes("i"),
      multiline: this.flags.includes("m"),
      dotAll: this.flags.includes("s"),
    });
  }

  test(input: string): boolean {
    return this.re.test(input);
  }

  /** The next match at or after `lastIndex` (RegExp `g` semantics: `lastIndex` moves past it), or null. */
  exec(input: string): RegExpExecArray | null {
    const matcher = this.re.matcher(input);
    if (this.lastIndex > input.length || !matcher.find(this.lastIndex)) {
      this.lastIndex = 0;
      return null;
    }
    const groups: (string | undefined)[] = [];
    for (let g = 0; g <= matcher.groupCount(); g++) groups.push(matcher.group(g) ?? undefined);
    const result = groups as unknown as RegExpExecArray;
    result.index = matcher.start();
    result.input = input;
    this.lastIndex = matcher.end();
    return result;
  }
}
