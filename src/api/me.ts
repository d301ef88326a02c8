// /v1/me: what the calling key is and may do, so a client (the console) shows only what it allows.
import { Elysia, t } from "elysia";
import { iso } from "../lib/clock.ts";
import { routePolicy } from "./auth.ts";
import type { ApiDeps } from "./context.ts";
import { isPortalKey } from "./portal-sessions.ts";

const MeOut = t.Object({
  data: t.Object({
    id: t.String({ description: "`key_…`, or `config:<n>` for the n-th admin key of the config file." }),
    kind: t.Union([t.Literal("config"), t.Literal("api_key"), t.Literal("portal_session")]),
    name: t.String(),
    tenant_id: t.Union([t.String(), t.Null()], { description: "The only tenant the key sees; null: all tenants." }),
    scopes: t.Array(t.String(), { examples: [["endpoints:read", "deliveries:read"]] }),
    expires_at: t.Union([t.String(), t.Null()]),
  }),
});

export function mePlugin({ auth, store }: ApiDeps) {
  return new Elysia({ name: "me", prefix: "/v1/me", tags: ["API keys"] }).use(routePolicy(auth)).get(
    "",
    async ({ principal: p }) => {
      const record = p.keyId.startsWith("config:") ? null : await store.apiKeyById(p.keyId);
      return {
        data: {
          id: p.keyId,
          kind:
            record === null
              ? ("config" as const)
              : isPortalKey(record)
                ? ("portal_session" as const)
                : ("api_key" as const),
          name: record?.name ?? "admin key (config file)",
          tenant_id: p.tenantId,
          scopes: [...p.scopes],
          expires_at: record?.expires_at == null ? null : iso(record.expires_at),
        },
      };
    },
    {
      scope: "any",
      response: MeOut,
      detail: {
        summary: "The calling key",
        description:
          "Any valid key: its id, kind, name, tenant and scopes (never the key itself). The console reads it after sign-in to show only what the key allows.",
      },
    },
  );
}
