// `npm run client:generate`: regenerates the typed client from the gateway's own OpenAPI document.
// openapi.json (the document), src/schema.ts (openapi-typescript), src/internal/ (the gateway's verifier, copied)
// and dist/ (JavaScript and declarations, compiled by tsc) are generated; `--check` fails when any is stale.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative } from "node:path";
import openapiTS, { astToString, COMMENT_HEADER } from "openapi-typescript";
import ts from "typescript";
import { loadConfig } from "../../src/config/index.ts";
import { startGateway } from "../../src/gateway.ts";
import { memoryLogger } from "../../src/lib/logger.ts";

const HERE = dirname(new URL(import.meta.url).pathname);
const REPO = join(HERE, "../..");

/** Files of the gateway that the client ships (the verifier and what it imports), by path under src/. */
const COPIED = ["signing/verify.ts", "signing/schemes.ts", "signing/ed25519.ts", "lib/signature-headers.ts"];
/** Directories whose every file is generated (files there that generation no longer makes are stale). */
const GENERATED_DIRS = ["dist", "src/internal"];

/** The OpenAPI document exactly as a gateway with the default settings serves it at /docs/json. */
export async function servedDocument(): Promise<Record<string, unknown>> {
  const dir = mkdtempSync(join(tmpdir(), "hookgate-client-"));
  try {
    const yaml = `storage: {path: ${join(dir, "hookgate.db")}}\nsigning: {ed25519_key_file: ${join(dir, "ed25519.key")}}\n`;
    const config = loadConfig(yaml, { file: null, env: {} });
    const gateway = await startGateway(config, { logger: memoryLogger(), env: {}, listen: false, watch: false });
    try {
      const res = await gateway.app.handle(new Request("http://localhost/docs/json"));
      if (res.status !== 200) throw new Error(`/docs/json answered ${res.status}`);
      return (await res.json()) as Record<string, unknown>;
    } finally {
      await gateway.stop();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Compiles the client's sources (with `overlay` standing in for generated files) into dist/ file contents. */
function compile(overlay: Map<string, string>): Map<string, string> {
  const configPath = join(HERE, "tsconfig.json");
  const parsed = ts.parseJsonConfigFileContent(ts.readConfigFile(configPath, ts.sys.readFile).config, ts.sys, HERE);
  const host = ts.createCompilerHost(parsed.options);
  const read = (file: string) => overlay.get(relative(HERE, file)) ?? ts.sys.readFile(file);
  host.readFile = read;
  host.fileExists = (file) => overlay.has(relative(HERE, file)) || ts.sys.fileExists(file);
  host.directoryExists = (dir) =>
    [...overlay.keys()].some((f) => f.startsWith(`${relative(HERE, dir)}/`)) || ts.sys.directoryExists(dir);
  host.getSourceFile = (file, language) => {
    const text = read(file);
    return text === undefined ? undefined : ts.createSourceFile(file, text, language);
  };
  const roots = [
    ...new Set([
      ...parsed.fileNames,
      ...[...overlay.keys()].filter((f) => f.endsWith(".ts")).map((f) => join(HERE, f)),
    ]),
  ];
  const program = ts.createProgram(roots.sort(), parsed.options, host);
  const out = new Map<string, string>();
  const result = program.emit(undefined, (file, text) => out.set(relative(HERE, file), text));
  const problems = [...ts.getPreEmitDiagnostics(program), ...result.diagnostics];
  if (problems.length > 0)
    throw new Error(ts.formatDiagnosticsWithColorAndContext(problems, { ...host, getNewLine: () => "\n" }));
  return out;
}

/** Every generated file of the client, by path relative to clients/typescript. */
export async function generatedFiles(): Promise<Map<string, string>> {
  const doc = await servedDocument();
  const files = new Map<string, string>();
  files.set("openapi.json", `${JSON.stringify(doc, null, 2)}\n`);
  const schema = astToString(await openapiTS(doc as never, { alphabetize: false }));
  files.set(
    "src/schema.ts",
    `${COMMENT_HEADER}// Regenerate with \`npm run client:generate\` (from openapi.json).\n\n${schema}`,
  );
  for (const path of COPIED) {
    const original = readFileSync(join(REPO, "src", path), "utf8");
    files.set(
      `src/internal/${path}`,
      `// Copied from src/${path} by \`npm run client:generate\`; edit the original.\n${original}`,
    );
  }
  for (const [path, text] of compile(files)) files.set(path, text);
  return files;
}

const listFiles = (dir: string): string[] =>
  existsSync(join(HERE, dir))
    ? readdirSync(join(HERE, dir), { recursive: true, withFileTypes: true })
        .filter((e) => e.isFile())
        .map((e) => relative(HERE, join(e.parentPath, e.name)))
    : [];

/** Generated files whose committed copy differs, is missing, or should no longer exist. */
export function staleFiles(files: Map<string, string>): string[] {
  const stale = [...files].filter(
    ([path, text]) => !existsSync(join(HERE, path)) || readFileSync(join(HERE, path), "utf8") !== text,
  );
  const extra = GENERATED_DIRS.flatMap(listFiles).filter((path) => !files.has(path));
  return [...stale.map(([path]) => path), ...extra].sort();
}

if (import.meta.main) {
  const files = await generatedFiles();
  if (process.argv.includes("--check")) {
    const stale = staleFiles(files);
    if (stale.length > 0) {
      process.stderr.write(`stale generated client files (run npm run client:generate):\n  ${stale.join("\n  ")}\n`);
      process.exit(1);
    }
    process.stdout.write("clients/typescript is up to date\n");
  } else {
    for (const dir of GENERATED_DIRS) rmSync(join(HERE, dir), { recursive: true, force: true });
    for (const [path, text] of files) {
      mkdirSync(dirname(join(HERE, path)), { recursive: true });
      writeFileSync(join(HERE, path), text);
    }
    process.stdout.write(`wrote ${files.size} files under clients/typescript\n`);
  }
}
