// Config file → ${ENV} interpolation → defaults → validation (every problem at once, with line) → frozen Config.
import { type Document, isAlias, isMap, isScalar, isSeq, LineCounter, type Node, parseDocument } from "yaml";
import { RESERVED_TYPE_PREFIX, RESERVED_TYPE_RULE } from "../endpoints/operational-types.ts";
import { checkEndpoint, endpointRules } from "../endpoints/rules.ts";
import { DECLARED_ENDPOINT_ID, type DeclaredEndpoint, type DeclaredEventType, TYPE_NAME } from "../endpoints/spec.ts";
import { appendField } from "../lib/field-names.ts";
import { settingsSpec } from "./definition.ts";
import { egressProblems } from "./egress-settings.ts";
import { eventTypeSchemaProblems } from "./event-type-schema.ts";
import { interpolate } from "./interpolate.ts";
import type { Context, Problem } from "./schema.ts";
import type { Config, Settings } from "./types.ts";

export interface LoadOptions {
  /** Name used in messages, e.g. `hookgate.yaml`; null when no file is used (built-in defaults). */
  file: string | null;
  env?: Record<string, string | undefined>;
  dev?: boolean;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n${problems.join("\n")}`);
    this.name = "ConfigError";
  }
}

interface Located {
  value: unknown;
  lines: Map<string, number>;
  /** Source offsets [start, end] of each path's node, to tell which problems a syntax error may have caused. */
  spans: Map<string, [number, number]>;
  problems: Problem[];
  interpolated: Set<string>;
}

/** Converts the YAML tree to plain values, interpolating strings and remembering each path's line. */
function walk(doc: Document, counter: LineCounter, env: Record<string, string | undefined>): Located {
  const lines = new Map<string, number>();
  const spans = new Map<string, [number, number]>();
  const problems: Problem[] = [];
  const interpolated = new Set<string>();
  const lineOf = (node: Node | null | undefined) => (node?.range ? counter.linePos(node.range[0]).line : undefined);
  const visit = (node: unknown, path: string, depth: number): unknown => {
    if (depth > 64) {
      problems.push({ path, message: "is nested too deeply" });
      return undefined;
    }
    if (isAlias(node)) return visit(node.resolve(doc), path, depth + 1);
    const line = lineOf(node as Node);
    if (line !== undefined && !lines.has(path)) lines.set(path, line);
    const range = (node as Node | null)?.range;
    if (range && !spans.has(path)) spans.set(path, [range[0], range[2]]);
    if (isMap(node)) {
      const out: Record<string, unknown> = {};
      for (const pair of node.items) {
        const key = isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
        const child = appendField(path, key);
        const keyLine = lineOf(pair.key as Node);
        if (keyLine !== undefined) lines.set(child, keyLine);
        out[key] = visit(pair.value, child, depth + 1);
      }
      return out;
    }
    if (isSeq(node)) return node.items.map((item, i) => visit(item, appendField(path, i), depth + 1));
    if (isScalar(node)) {
      if (typeof node.value !== "string") return node.value;
      const result = interpolate(node.value, env);
      for (const name of result.missing)
        problems.push({
          path,
          message: `environment variable ${name} is not set (write \${${name}:-default} to make it optional)`,
        });
      if (result.substituted) interpolated.add(path);
      return result.value;
    }
    return node ?? undefined;
  };
  return { value: visit(doc.contents, "", 0), lines, spans, problems, interpolated };
}

/** The value at `path` or at its nearest ancestor that has one. */
function nearest<T>(map: Map<string, T>, path: string): T | undefined {
  let p = path;
  while (p) {
    const value = map.get(p);
    if (value !== undefined) return value;
    const cut = Math.max(p.lastIndexOf("."), p.lastIndexOf("["));
    p = cut > 0 ? p.slice(0, cut) : "";
  }
  return map.get("");
}

/** Line of `path` or of its nearest ancestor that has one. */
const lineFor = (lines: Map<string, number>, path: string) => nearest(lines, path);

/**
 * YAML syntax errors without their echoes: one mistake often makes the parser report every later token on its
 * line, and every token after it that it could no longer place in the document ("… token in YAML stream").
 */
function syntaxErrors(doc: Document, counter: LineCounter): { line: number; pos: number; message: string }[] {
  const byLine = new Map<number, { line: number; pos: number; message: string }>();
  for (const e of doc.errors) {
    const line = counter.linePos(e.pos[0]).line;
    const message = e.message.split("\n")[0]!;
    if (byLine.has(line) || (byLine.size > 0 && / token in YAML stream/.test(message))) continue;
    byLine.set(line, { line, pos: e.pos[0], message });
  }
  return [...byLine.values()];
}

/**
 * Parses and validates a config file's text. Throws ConfigError listing every problem as
 * `<file>:<line> <path>: <message>`. With `file: null` and empty text, returns the built-in defaults.
 */
export function loadConfig(text: string, options: LoadOptions): Config {
  const env = options.env ?? process.env;
  const name = options.file ?? "defaults";
  const counter = new LineCounter();
  const doc = parseDocument(text, { lineCounter: counter, prettyErrors: false, uniqueKeys: true });
  const syntax = syntaxErrors(doc, counter);
  const syntaxLines = syntax.map((e) => `${name}:${e.line} ${e.message}`);
  const located = walk(doc, counter, env);
  const root = located.value ?? {};
  const ctx: Context = { problems: [...located.problems], interpolated: located.interpolated };
  if (typeof root !== "object" || Array.isArray(root)) {
    if (syntax.length > 0) throw new ConfigError(syntaxLines);
    throw new ConfigError([`${name}:1 the file must be a YAML mapping of sections (server, storage, …)`]);
  }
  const { event_types: rawTypes, endpoints: rawEndpoints, ...rest } = root as Record<string, unknown>;
  const settings = settingsSpec.check(rest, "", ctx) as Settings | undefined;
  const adminKeysGiven = (rest.auth as Record<string, unknown> | undefined)?.admin_keys !== undefined;
  if (settings && !adminKeysGiven && env.HOOKGATE_ADMIN_KEY) {
    if (env.HOOKGATE_ADMIN_KEY.length < 24)
      ctx.problems.push({ path: "auth.admin_keys", message: "HOOKGATE_ADMIN_KEY must be at least 24 characters" });
    else settings.auth.admin_keys = [env.HOOKGATE_ADMIN_KEY];
  }
  if (settings) {
    ctx.problems.push(...egressProblems(settings.delivery));
    settings.auth.admin_keys = settings.auth.admin_keys.filter((k) => k.length > 0);
    if (options.dev) {
      settings.security.allow_http = true;
      settings.security.allow_private_networks = true;
    }
  }
  const eventTypes = checkEventTypes(rawTypes, ctx.problems);
  const endpoints = settings ? checkEndpoints(rawEndpoints, settings, eventTypes, ctx.problems) : [];
  // A value whose variable is missing gets only that message, not also "must be at least 1 characters".
  const unset = new Set(located.problems.map((p) => p.path));
  ctx.problems = ctx.problems.filter((p, i) => i < located.problems.length || !unset.has(p.path));
  // After a syntax error the parser keeps what it could read: problems of nodes that contain an error or share
  // its line may be caused by it and are left out; the others are real and listed too, so one run shows them all.
  const errorLines = new Set(syntax.map((e) => e.line));
  const caused = (path: string) => {
    const span = nearest(located.spans, path);
    if (span !== undefined && syntax.some((e) => e.pos >= span[0] && e.pos <= span[1])) return true;
    return errorLines.has(lineFor(located.lines, path) ?? 0);
  };
  const kept = syntax.length === 0 ? ctx.problems : ctx.problems.filter((p) => !caused(p.path));
  if (kept.length > 0 || syntax.length > 0) {
    const lines = [
      ...kept.map((p) => ({ line: lineFor(located.lines, p.path) ?? 1, text: `${p.path || "(root)"}: ${p.message}` })),
      ...syntax.map((e) => ({ line: e.line, text: e.message })),
    ];
    lines.sort((a, b) => a.line - b.line);
    throw new ConfigError(lines.map(({ line, text }) => `${name}:${line} ${text}`));
  }
  const config: Config = {
    ...settings!,
    event_types: eventTypes,
    endpoints,
    dev: options.dev ?? false,
    file: options.file,
  };
  return deepFreeze(config);
}

function checkEventTypes(raw: unknown, problems: Problem[]): DeclaredEventType[] {
  if (raw === undefined || raw === null) return [];
  if (!Array.isArray(raw)) {
    problems.push({ path: "event_types", message: "must be a list" });
    return [];
  }
  const seen = new Set<string>();
  const out: DeclaredEventType[] = [];
  for (const [i, item] of raw.entries()) {
    const path = `event_types[${i}]`;
    if (typeof item !== "object" || item === null || Array.isArray(item)) {
      problems.push({ path, message: "must be a mapping with a name" });
      continue;
    }
    const t = item as Record<string, unknown>;
    for (const k of Object.keys(t))
      if (!["name", "description", "schema", "example"].includes(k))
        problems.push({
          path: `${path}.${k}`,
          message: "unknown key (expected one of: name, description, schema, example)",
        });
    if (typeof t.name !== "string" || t.name.length > 128 || !TYPE_NAME.test(t.name)) {
      problems.push({
        path: `${path}.name`,
        message: "must be a dot-separated name of letters, digits, - and _ (≤ 128 characters)",
      });
      continue;
    }
    if (t.name.startsWith(RESERVED_TYPE_PREFIX)) {
      problems.push({ path: `${path}.name`, message: RESERVED_TYPE_RULE });
      continue;
    }
    if (seen.has(t.name)) {
      problems.push({ path: `${path}.name`, message: `duplicate event type "${t.name}"` });
      continue;
    }
    seen.add(t.name);
    if (t.description !== undefined && (typeof t.description !== "string" || t.description.length > 1000))
      problems.push({ path: `${path}.description`, message: "must be a string of at most 1000 characters" });
    let schema: object | null = null;
    if (t.schema !== undefined && t.schema !== null) {
      const found = eventTypeSchemaProblems(t.schema, t.example, `${path}.schema`, `${path}.example`);
      problems.push(...found);
      schema = t.schema as object;
    }
    out.push({
      name: t.name,
      description: typeof t.description === "string" ? t.description : "",
      schema,
      example: t.example ?? null,
    });
  }
  return out;
}

function checkEndpoints(
  raw: unknown,
  settings: Settings,
  types: DeclaredEventType[],
  problems: Problem[],
): DeclaredEndpoint[] {
  if (raw === undefined || raw === null) return [];
  if (!Array.isArray(raw)) {
    problems.push({ path: "endpoints", message: "must be a list" });
    return [];
  }
  const known = new Set(types.map((t) => t.name));
  const rules = endpointRules(settings, () => known);
  const seen = new Set<string>();
  const out: DeclaredEndpoint[] = [];
  raw.forEach((item, i) => {
    const path = `endpoints[${i}]`;
    const { id, ...fields } = (item ?? {}) as Record<string, unknown>;
    if (typeof id !== "string" || !DECLARED_ENDPOINT_ID.test(id))
      problems.push({
        path: `${path}.id`,
        message: "is required: 1–64 letters, digits, - and _ (it identifies the endpoint across reloads)",
      });
    else if (seen.has(id)) problems.push({ path: `${path}.id`, message: `duplicate endpoint id "${id}"` });
    else seen.add(id);
    const checked = checkEndpoint(
      typeof item === "object" && item !== null && !Array.isArray(item) ? fields : item,
      rules,
    );
    for (const p of checked.problems)
      problems.push({ path: p.field ? `${path}.${p.field}` : path, message: p.message });
    if (checked.problems.length === 0 && checked.secret === undefined && checked.spec.signing.scheme !== "ed25519") {
      problems.push({
        path: `${path}.secret`,
        message: "is required for a YAML endpoint (write secret: ${SOME_ENV_VAR}); only the ed25519 scheme needs none",
      });
    }
    if (checked.problems.length === 0 && typeof id === "string")
      out.push({ ...checked.spec, id, secret: checked.secret ?? null });
  });
  return out;
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === "object" && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}
