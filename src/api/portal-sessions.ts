// /v1/portal-sessions: short-lived tenant keys (`hgp_…`) behind the embeddable tenant portal (/console/portal).
import { randomBytes } from "node:crypto";
import { Elysia, t } from "elysia";
import { TENANT_ID } from "../endpoints/spec.ts";
import { iso } from "../lib/clock.ts";
import { newId } from "../lib/ids.ts";
import type { ApiKeyRecord, Scope } from "../store/index.ts";
import { hashKey, type Principal, routePolicy } from "./auth.ts";
import type { ApiDeps } from "./context.ts";
import { ForbiddenError } from "./http-errors.ts";

/** Portal tokens start with this; the stored key's prefix shows it, which is how a portal session is recognised. */
export const PORTAL_TOKEN_PREFIX = "hgp_";

export const isPortalKey = (record: Pick<ApiKeyRecord, "prefix"> | null): boolean =>
  record?.prefix.startsWith(PORTAL_TOKEN_PREFIX) === true;

const READ_SCOPES: Scope[] = ["endpoints:read", "deliveries:read", "events:read"];
const WRITE_SCOPES: Scope[] = ["endpoints:write", "deliveries:write"];

/** The base URL users reach hookgate through: server.public_url, else derived from the listen address. */
export function publicUrlOf(server: { host: string; port: number; public_url: string }): string {
  if (server.public_url !== "") return server.public_url.replace(/\/+$/, "");
  const host = server.host === "0.0.0.0" ? "127.0.0.1" : server.host === "::" ? "::1" : server.host;
  return `http://${host.includes(":") ? `[${host}]` : host}:${server.port}`;
}

const PortalSessionIn = t.Object(
  {
    tenant_id: t.String({ pattern: TENANT_ID.source, description: "The tenant the portal shows.", examples: ["acme"] }),
    expires_in_seconds: t.Optional(
      t.Integer({ minimum: 60, maximum: 86_400, description: "Lifetime of the token; default 3600." }),
    ),
    read_only: t.Optional(t.Boolean({ description: "Read scopes only (no edits, replays or recovers)." })),
  },
  { additionalProperties: false, examples: [{ tenant_id: "acme", expires_in_seconds: 900 }] },
);

const PortalSessionOut = t.Object({
  data: t.Object({
    id: t.String({ description: "The key id (`key_…`); DELETE /v1/api-keys/{id} revokes the session." }),
    url: t.String({
      description: "<server.public_url>/console/portal#token=<token>: open it or put it in an iframe.",
      examples: ["https://hooks.example.com/console/portal#token=hgp_…"],
    }),
    token: t.String({ description: "The portal token (`hgp_…`), shown only here.", examples: ["hgp_Vt3Lw0…"] }),
    tenant_id: t.String(),
    scopes: t.Array(t.String()),
    expires_at: t.String(),
  }),
});

/** Admin keys may open any tenant's portal; tenant keys with endpoints:write their own (never from a portal token). */
async function mayOpenPortal({ store }: Pick<ApiDeps, "store">, p: Principal, tenantId: string): Promise<void> {
  if (p.scopes.has("admin")) return;
  if (p.tenantId === null)
    throw new ForbiddenError("Portal sessions are opened with an admin key or a tenant key with endpoints:write.");
  if (!p.scopes.has("endpoints:write")) throw new ForbiddenError("This API key lacks the endpoints:write scope.");
  if (p.tenantId !== tenantId)
    throw new ForbiddenError(`This API key may only open portal sessions for tenant ${p.tenantId}.`);
  if (isPortalKey(await store.apiKeyById(p.keyId)))
    throw new ForbiddenError("A portal session cannot open another portal session.");
}

export function portalSessionsPlugin(deps: ApiDeps) {
  const { auth, store, clock, config } = deps;
  return new Elysia({ name: "portal-sessions", prefix: "/v1/portal-sessions", tags: ["API keys"] })
    .use(routePolicy(auth))
    .post(
      "",
      async ({ principal, body, set }) => {
        await mayOpenPortal(deps, principal, body.tenant_id);
        const now = clock.now();
        const token = `${PORTAL_TOKEN_PREFIX}${randomBytes(32).toString("base64url")}`;
        const scopes = body.read_only === true ? READ_SCOPES : [...READ_SCOPES, ...WRITE_SCOPES];
        const record: ApiKeyRecord = {
          id: newId("key"),
          hash: hashKey(token),
          prefix: token.slice(0, 8),
          name: `portal session (${body.tenant_id})`,
          tenant_id: body.tenant_id,
          scopes,
          expires_at: now + (body.expires_in_seconds ?? 3600) * 1000,
          revoked_at: null,
          created_at: now,
        };
        await store.insertApiKey(record);
        auth.forget();
        set.status = 201;
        return {
          data: {
            id: record.id,
            url: `${publicUrlOf(config.server)}/console/portal#token=${token}`,
            token,
            tenant_id: body.tenant_id,
            scopes,
            expires_at: iso(record.expires_at!),
          },
        };
      },
      {
        scope: "any",
        body: PortalSessionIn,
        response: { 201: PortalSessionOut },
        detail: {
          summary: "Open a tenant portal session",
          description:
            "A short-lived key bound to one tenant, for the embeddable portal at /console/portal: scopes endpoints:read, deliveries:read and events:read and, unless read_only, endpoints:write and deliveries:write; never admin. Admin keys may open any tenant's portal; a tenant key with endpoints:write only its own (a portal token cannot open another). The token is stored as a hash, listed among the API keys (prefix `hgp_`), expires at expires_at and is revoked by DELETE /v1/api-keys/{id}. Embedding is allowed from the origins in console.frame_ancestors.",
        },
      },
    );
}
