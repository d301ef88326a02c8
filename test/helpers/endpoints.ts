// Helpers for endpoint and event-type tests: create endpoints through the API, read validation errors,
// and start a gateway from a real YAML file (optionally watched) over a temp database.
import { expect } from "bun:test";
import { writeFileSync } from "node:fs";
import { type Config, loadConfig } from "../../src/config/index.ts";
import type { Clock } from "../../src/lib/clock.ts";
import { type Logger, memoryLogger } from "../../src/lib/logger.ts";
import { launchTestGateway, type TestApp } from "./app.ts";
import { TEST_ADMIN_KEY } from "./config.ts";
import { type Handler, type JsonResponse, json } from "./http.ts";
import { tempDir } from "./temp.ts";

/** The smallest valid endpoint body. */
export const ENDPOINT = { url: "https://example.com/hooks", events: ["run.completed"] } as const;

/** `POST /v1/endpoints` with `body` over ENDPOINT; throws unless 201. Returns `data` (with the full secret). */
export async function createEndpoint(
  t: { app: Handler; adminKey: string },
  body: Record<string, unknown> = {},
  key = t.adminKey,
): Promise<any> {
  const res = await json(t.app, "POST", "/v1/endpoints", { key, body: { ...ENDPOINT, ...body } });
  if (res.status !== 201) throw new Error(`creating an endpoint answered ${res.status}: ${res.text}`);
  return res.body.data;
}

/** The `field` of every `error.details[]` entry. */
export const fieldsOf = (res: JsonResponse): string[] =>
  (res.body?.error?.details ?? []).map((d: { field: string }) => d.field);

/** Asserts a 400 `validation_error` whose details name `field`. */
export function expectInvalid(res: JsonResponse, field: string): void {
  expect({ status: res.status, code: res.body?.error?.code }).toEqual({ status: 400, code: "validation_error" });
  expect(fieldsOf(res)).toContain(field);
}

/** Asserts an error response with `status` and `code`. */
export function expectError(res: JsonResponse, status: number, code: string): void {
  expect({ status: res.status, code: res.body?.error?.code }).toEqual({ status, code });
}

/** Walks a list route page by page (`path` may carry a query); returns every page's body. */
export async function allPages(
  app: Handler,
  key: string,
  path: string,
): Promise<{ data: any[]; next_cursor: string | null; has_more: boolean }[]> {
  const pages = [];
  let cursor: string | null = null;
  for (let i = 0; i < 1000; i++) {
    const sep = path.includes("?") ? "&" : "?";
    const res: JsonResponse = await json(
      app,
      "GET",
      cursor === null ? path : `${path}${sep}cursor=${encodeURIComponent(cursor)}`,
      { key },
    );
    if (res.status !== 200) throw new Error(`GET ${path} answered ${res.status}: ${res.text}`);
    pages.push(res.body);
    cursor = res.body.next_cursor;
    if (cursor === null) return pages;
  }
  throw new Error(`GET ${path} did not end after 1000 pages`);
}

export interface YamlGateway extends TestApp {
  /** The config file on disk. */
  file: string;
  logger: Logger & { lines: string[] };
  /** Rewrites the config file: the fixed settings header plus `body` (sections such as endpoints:). */
  write(body: string): void;
}

/**
 * Starts a gateway from a real YAML file in a new temp dir: `body` holds the declarative sections
 * (event_types, endpoints, security…); storage, signing key file and the admin key are set by the helper.
 * `watch` (default false) watches the file like `serve` does. Always call `cleanup()`.
 */
export async function startYamlGateway(
  body: string,
  options: { env?: Record<string, string | undefined>; clock?: Clock; watch?: boolean } = {},
): Promise<YamlGateway> {
  const dir = tempDir();
  const file = dir.file("hookgate.yaml");
  const env = options.env ?? {};
  const header = [
    `storage: {path: ${JSON.stringify(dir.file("hookgate.db"))}}`,
    `signing: {ed25519_key_file: ${JSON.stringify(dir.file("ed25519.key"))}}`,
    `auth: {admin_keys: [${JSON.stringify(TEST_ADMIN_KEY)}]}`,
    "",
  ].join("\n");
  const write = (text: string) => writeFileSync(file, header + text);
  write(body);
  let config: Config;
  try {
    config = loadConfig(header + body, { file, env });
  } catch (e) {
    dir.cleanup();
    throw e;
  }
  const t = await launchTestGateway(config, {
    dir,
    ownDir: true,
    logger: memoryLogger(),
    clock: options.clock,
    env,
    watch: options.watch ?? false,
  });
  return { ...t, adminKey: TEST_ADMIN_KEY, file, write, logger: t.logger as YamlGateway["logger"] };
}
