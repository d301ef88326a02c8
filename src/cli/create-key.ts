// `hookgate create-key`: a scoped API key written straight into the database (works while the gateway runs), printed
// once as JSON.
import { issueApiKey } from "../api/auth.ts";
import { TENANT_ID, TENANT_ID_RULE } from "../endpoints/spec.ts";
import { SCOPES, type Scope } from "../store/index.ts";
import { type Command, fail, option, requireOption } from "./args.ts";
import { configFile, openStoreOrExit, readConfig } from "./config.ts";

export const createKeyCommand: Command = {
  valued: ["config", "name", "scopes", "tenant", "expires"],
  async run({ flags }) {
    const config = readConfig(configFile(flags), false);
    const name = requireOption(flags, "name", "create-key", "NAME");
    const scopes = requireOption(flags, "scopes", "create-key", "S1,S2, e.g. events:write,deliveries:read")
      .split(",")
      .map((s) => s.trim());
    const bad = scopes.filter((s) => !SCOPES.includes(s as Scope) || s === "admin");
    if (bad.length > 0)
      fail(
        `unknown or not grantable scope(s): ${bad.join(", ")} (grantable: ${SCOPES.filter((s) => s !== "admin").join(", ")})`,
      );
    const tenant = option(flags, "tenant") ?? null;
    if (tenant !== null && !TENANT_ID.test(tenant)) fail(`--tenant ${TENANT_ID_RULE}`);
    const expiresText = option(flags, "expires");
    const expires = expiresText === undefined ? null : Date.parse(expiresText);
    if (expires !== null && !(expires > Date.now())) fail("--expires must be a future ISO 8601 time");
    const opened = await openStoreOrExit(config);
    const { store } = opened;
    try {
      const { record, key } = await issueApiKey(store, {
        name,
        tenant_id: tenant,
        scopes: scopes as Scope[],
        expires_at: expires,
        now: Date.now(),
      });
      process.stdout.write(`${JSON.stringify({ id: record.id, key, name, tenant_id: tenant, scopes })}\n`);
    } finally {
      await store.close();
      opened.release();
    }
  },
};
