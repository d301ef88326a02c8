// Configs for tests: the validated built-in defaults with overrides deep-merged on top.
import { type Config, loadConfig } from "../../src/config/index.ts";

/** An admin key long enough for auth.admin_keys (≥ 24 characters). */
export const TEST_ADMIN_KEY = "test-admin-key-0123456789abcdef";

type DeepPartial<T> = T extends readonly unknown[] ? T : T extends object ? { [K in keyof T]?: DeepPartial<T[K]> } : T;
export type ConfigOverrides = DeepPartial<Config>;

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

function merge(base: unknown, over: unknown): unknown {
  if (over === undefined) return base;
  if (!isPlainObject(base) || !isPlainObject(over)) return over;
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(over)) out[k] = merge(base[k], v);
  return out;
}

/**
 * The defaults of `loadConfig("")` (env ignored), with `auth.admin_keys = [TEST_ADMIN_KEY]` and `overrides`
 * deep-merged (lists are replaced, not concatenated). Overrides are not validated: use `loadConfig` for that.
 * Paths stay the defaults (`./data/…`); `buildTestApp` points them into a temp dir.
 */
export function testConfig(overrides: ConfigOverrides = {}): Config {
  const defaults = loadConfig("", { file: null, env: {} });
  return merge(merge(defaults, { auth: { admin_keys: [TEST_ADMIN_KEY] } }), overrides) as Config;
}
