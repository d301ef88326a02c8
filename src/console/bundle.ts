// Bundles the console's browser code with Bun's own bundler. It runs as a macro (see assets.ts): at
// `bun build --compile` time for the binary and at import time under `bun src/main.ts`, so both serve the same
// bundle and there is no separate frontend build step. Bun.build cannot run inside a macro, so the CLI does.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** The bundled console: file name (console.js, console.css) → contents. */
export function bundleConsole(): Record<string, string> {
  const entry = new URL("./client/main.tsx", import.meta.url).pathname;
  const out = mkdtempSync(join(tmpdir(), "hookgate-console-"));
  try {
    const built = Bun.spawnSync(
      [
        process.execPath,
        "build",
        entry,
        "--target=browser",
        "--minify",
        "--production",
        "--jsx-runtime=automatic",
        "--jsx-import-source=preact",
        `--outdir=${out}`,
        "--entry-naming=console.[ext]",
        "--asset-naming=[name].[ext]",
      ],
      { stdout: "pipe", stderr: "pipe" },
    );
    if (built.exitCode !== 0)
      throw new Error(`bundling the console failed:\n${built.stderr.toString()}${built.stdout.toString()}`);
    return Object.fromEntries(readdirSync(out).map((f) => [f, readFileSync(join(out, f), "utf8")]));
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}
