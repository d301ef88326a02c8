// /v1/api-keys: admin-only management of scoped, optionally tenant-bound API keys.
import { Elysia, t } from "elysia";
import { TENANT_ID } from "../endpoints/spec.ts";
import { iso } from "../lib/clock.ts";
import { NotFoundError, ValidationError } from "../lib/errors.ts";
import { type ApiKeyRecord, SCOPES, type Scope } from "../store/index.ts";
import { issueApiKey, routePolicy } from "./auth.ts";
import type { ApiDeps } from "./context.ts";
import { decodeCursor, ListEnvelope, limitOf, PageQuery, page } from "./pagination.ts";

const GrantableScope = t.Union(
  SCOPES.filter((s) => s !== "admin").map((s) => t.Literal(s)),
  { description: "A scope; admin keys come only from the config file." },
);

export const ApiKeyIn = t.Object(
  {
    name: t.String({
      minLength: 1,
      maxLength: 100,
      description: "What the key is for.",
      examples: ["billing publisher"],
    }),
    tenant_id: t.Optional(
      t.String({
        pattern: TENANT_ID.source,
        description:
          "Bind the key to one tenant (it sees only that tenant's objects). Not starting with _ (reserved: `_system` is reached by admin keys only).",
        examples: ["acme"],
      }),
    ),
    scopes: t.Array(GrantableScope, {
      minItems: 1,
      maxItems: 6,
      uniqueItems: true,
      examples: [["events:write", "deliveries:read"]],
    }),
    expires_at: t.Optional(
      t.String({
        format: "date-time",
        description: "When the key stops working (ISO 8601).",
        examples: ["2035-01-01T00:00:00.000Z"],
      }),
    ),
  },
  { additionalProperties: false },
);

export const ApiKeyOut = t.Object(
  {
    id: t.String({ examples: ["key_01jd3x2v7k8m9n0p1q2r3s4t5v"] }),
    prefix: t.String({ description: "First 8 characters of the key, to recognise it.", examples: ["hg_AbCdE"] }),
    name: t.String(),
    tenant_id: t.Union([t.String(), t.Null()]),
    scopes: t.Array(t.String()),
    expires_at: t.Union([t.String(), t.Null()]),
    revoked_at: t.Union([t.String(), t.Null()]),
    created_at: t.String(),
  },
  { description: "An API key as listed: no key material." },
);

export const ApiKeyCreated = t.Object({
  data: t.Object({
    id: t.String(),
    key: t.String({ description: "The key itself (`hg_…`), shown only in this response.", examples: ["hg_Vt3Lw0…"] }),
    name: t.String(),
    tenant_id: t.Union([t.String(), t.Null()]),
    scopes: t.Array(t.String()),
    expires_at: t.Union([t.String(), t.Null()]),
    created_at: t.String(),
  }),
});

const render = (k: ApiKeyRecord) => ({
  id: k.id,
  prefix: k.prefix,
  name: k.name,
  tenant_id: k.tenant_id,
  scopes: k.scopes,
  expires_at: k.expires_at === null ? null : iso(k.expires_at),
  revoked_at: k.revoked_at === null ? null : iso(k.revoked_at),
  created_at: iso(k.created_at),
});

export function apiKeysPlugin({ auth, store, clock }: ApiDeps) {
  return new Elysia({ name: "api-keys", prefix: "/v1/api-keys", tags: ["API keys"] })
    .use(routePolicy(auth))
    .post(
      "",
      async ({ body, set }) => {
        const now = clock.now();
        let expires: number | null = null;
        if (body.expires_at !== undefined) {
          expires = Date.parse(body.expires_at);
          if (!Number.isFinite(expires) || expires <= now)
            throw ValidationError.of([{ field: "expires_at", message: "must be a future ISO 8601 time" }]);
        }
        const { record, key } = await issueApiKey(store, {
          name: body.name,
          tenant_id: body.tenant_id ?? null,
          scopes: body.scopes as Scope[],
          expires_at: expires,
          now,
        });
        auth.forget();
        set.status = 201;
        const { prefix: _p, revoked_at: _r, ...out } = render(record);
        return { data: { ...out, key } };
      },
      {
        scope: "admin",
        body: ApiKeyIn,
        response: { 201: ApiKeyCreated },
        detail: {
          summary: "Create an API key",
          description:
            "Admin only. The key is returned once; only its SHA-256 hash is stored. Keys with a `tenant_id` see only that tenant; keys without one act on all tenants within their scopes.",
        },
      },
    )
    .get(
      "",
      async ({ query }) => {
        const limit = limitOf(query.limit);
        const rows = await store.listApiKeys(decodeCursor(query.cursor), limit + 1);
        return page(rows, limit, (r) => r.id, render);
      },
      {
        scope: "admin",
        query: t.Object(PageQuery),
        response: ListEnvelope(ApiKeyOut),
        detail: {
          summary: "List API keys",
          description: "Admin only. Newest first; shows the first 8 characters of each key, never the key.",
        },
      },
    )
    .delete(
      "/:id",
      async ({ params }) => {
        const record = await store.apiKeyById(params.id);
        if (!record) throw new NotFoundError("API key");
        await store.revokeApiKey(params.id, clock.now());
        auth.forget();
        return new Response(null, { status: 204 });
      },
      {
        scope: "admin",
        response: { 204: t.Void({ description: "Done; no body." }) },
        params: t.Object({ id: t.String({ maxLength: 100 }) }),
        detail: {
          summary: "Revoke an API key",
          description: "Admin only. Takes effect on the next request. Revoking twice is harmless (204).",
        },
      },
    );
}
