// `hookgate export`: the API-managed event types and endpoints as YAML declarations in the config file's format
// (stdout), secrets and credentials as ${ENV} placeholders whose values go to --env-file (0600), never to stdout.
import { chmodSync, writeFileSync } from "node:fs";
import { stringify } from "yaml";
import { decodeEndpoint } from "../endpoints/endpoint.ts";
import { exportDeclarations } from "../endpoints/export.ts";
import { endpointRules } from "../endpoints/rules.ts";
import { TENANT_ID } from "../endpoints/spec.ts";
import { describeStorage } from "../gateway-store.ts";
import { type Command, fail, option } from "./args.ts";
import { configFile, openStoreOrExit, orExit, readConfig } from "./config.ts";
import { checkMasterKey, sourceMasterKey } from "./store-keys.ts";

/** A value as an env file holds it: bare when it is plain, else double-quoted (read alike by sh and systemd). */
function envValue(v: string): string {
  return /^[A-Za-z0-9_+/=.:@%,-]*$/.test(v) ? v : `"${v.replace(/[\\"$`]/g, (c) => `\\${c}`)}"`;
}

export const exportCommand: Command = {
  valued: ["config", "tenant", "env-file"],
  async run({ flags }) {
    const config = readConfig(configFile(flags), false);
    const tenant = option(flags, "tenant");
    if (tenant !== undefined && !TENANT_ID.test(tenant)) fail("--tenant must be 1–64 letters, digits, - and _");
    const envFile = option(flags, "env-file");
    const opened = await openStoreOrExit(config);
    const { store } = opened;
    let text: string;
    let env: Record<string, string>;
    try {
      const records = await store.allEndpoints();
      const types = await store.listEventTypes();
      // Without endpoints there is nothing to decrypt (and a store that never served has no master key yet).
      const key =
        records.length > 0
          ? await orExit(async () => {
              const master = sourceMasterKey(config, config.storage.url ? null : config.storage.path);
              await checkMasterKey(store, master);
              return master.key;
            })
          : null;
      const endpoints = key === null ? [] : records.map((r) => decodeEndpoint(r, key));
      const names = new Set(types.map((t) => t.name));
      const exported = exportDeclarations(
        types,
        endpoints,
        endpointRules(config, () => names),
        tenant,
      );
      env = exported.env;
      const { event_types, endpoints: declared } = exported.document;
      const sections = {
        ...(event_types.length > 0 ? { event_types } : {}),
        ...(declared.length > 0 ? { endpoints: declared } : {}),
      };
      const header = [
        `# hookgate export of ${describeStorage(config)}${tenant ? ` (tenant ${tenant})` : ""}: ${declared.length} API-managed endpoint(s), ${event_types.length} event type(s)`,
        "# as config declarations: merge them into the config file; the gateway then manages them from the file (same ids).",
        `# Secrets and credentials are \${ENV} placeholders${envFile ? `; their values are in ${envFile}` : " (export again with --env-file PATH for their values)"}.`,
        ...exported.notes.map((n) => `# note: ${n}`),
      ];
      text = `${header.join("\n")}\n${Object.keys(sections).length > 0 ? stringify(sections, { lineWidth: 0 }) : "{}\n"}`;
    } finally {
      await store.close();
      opened.release();
    }
    if (envFile) {
      const lines = Object.entries(env).map(([name, value]) => `${name}=${envValue(value)}\n`);
      await orExit(() => {
        writeFileSync(envFile, lines.join(""), { mode: 0o600 });
        chmodSync(envFile, 0o600);
      }, `cannot write ${envFile} (--env-file)`);
    } else if (Object.keys(env).length > 0)
      process.stderr.write(
        `hookgate export: ${Object.keys(env).length} secret value(s) not written; pass --env-file PATH to get them\n`,
      );
    process.stdout.write(text);
  },
};
