// Benchmark results: rows of a markdown table, and writing the latest run into bench/RESULTS.md.
import { existsSync, readFileSync, writeFileSync } from "node:fs";

export interface Row {
  scenario: string;
  metric: string;
  value: string;
  /** Ratio to the same-run baseline, when there is one. */
  ratio?: string;
  target?: string;
  ok?: boolean | null;
}

export function table(rows: Row[]): string {
  const head = "| scenario | metric | value | ratio | target | met |\n|---|---|---:|---:|---|:---:|";
  const lines = rows.map(
    (r) =>
      `| ${r.scenario} | ${r.metric} | ${r.value} | ${r.ratio ?? ""} | ${r.target ?? ""} | ${r.ok === undefined || r.ok === null ? "" : r.ok ? "yes" : "**no**"} |`,
  );
  return [head, ...lines].join("\n");
}

/**
 * Replaces a generated block of bench/RESULTS.md (`results`, or another section such as `pg-results`), keeping the
 * hand-written notes and the other blocks around it.
 */
export function writeResults(path: string, block: string, section = "results"): void {
  const START = `<!-- ${section}:start -->`;
  const END = `<!-- ${section}:end -->`;
  const text = existsSync(path) ? readFileSync(path, "utf8") : `# Benchmark results\n\n${START}\n${END}\n`;
  const start = text.indexOf(START);
  const end = text.indexOf(END);
  const next =
    start >= 0 && end > start
      ? `${text.slice(0, start + START.length)}\n${block}\n${text.slice(end)}`
      : `${text}\n${START}\n${block}\n${END}\n`;
  writeFileSync(path, next);
}

export const fmt = (n: number, digits = 0) =>
  Number.isFinite(n)
    ? n.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits })
    : "n/a";
