// The configuration reference as a markdown table, generated from the one config schema (README checks it).
import { settingsSpec } from "./definition.ts";
import type { Spec } from "./schema.ts";

type Node = Spec<unknown> & { fields?: Record<string, Spec<unknown>> };

function rows(fields: Record<string, Spec<unknown>>, prefix: string): string[] {
  const out: string[] = [];
  for (const [key, spec] of Object.entries(fields)) {
    const path = prefix ? `${prefix}.${key}` : key;
    const node = spec as Node;
    if (node.fields) {
      out.push(...rows(node.fields, path));
      continue;
    }
    const def = node.defaultValue === undefined ? "" : `\`${JSON.stringify(node.defaultValue)}\``;
    out.push(`| \`${path}\` | ${node.kind} | ${def} | ${node.range ?? ""} | ${node.description} |`);
  }
  return out;
}

/** Markdown table of every settings key: path, type, default, accepted range (numbers) and description. */
export function configReference(): string {
  return [
    "| key | type | default | range | description |",
    "|---|---|---|---|---|",
    ...rows(settingsSpec.fields, ""),
  ].join("\n");
}
