// SQL for API keys (stored as SHA-256 hashes; the key itself is shown once at creation).

import { apiKeyRecord } from "../rows.ts";
import type { ApiKeyRecord } from "../types.ts";
import type { PgContext } from "./context.ts";

export function apiKeyQueries({ sql }: PgContext) {
  return {
    async insertApiKey(k: ApiKeyRecord): Promise<void> {
      await sql`INSERT INTO api_keys (id, hash, prefix, name, tenant_id, scopes_json, expires_at, created_at)
        VALUES (${k.id}, ${k.hash}, ${k.prefix}, ${k.name}, ${k.tenant_id}, ${JSON.stringify(k.scopes)}, ${k.expires_at}, ${k.created_at})`;
    },
    async apiKeyByHash(hash: string): Promise<ApiKeyRecord | null> {
      const [r] = await sql`SELECT * FROM api_keys WHERE hash = ${hash}`;
      return r ? apiKeyRecord(r) : null;
    },
    async apiKeyById(id: string): Promise<ApiKeyRecord | null> {
      const [r] = await sql`SELECT * FROM api_keys WHERE id = ${id}`;
      return r ? apiKeyRecord(r) : null;
    },
    /** Newest first, ids strictly below `before` (null: from the newest). */
    async listApiKeys(before: string | null, limit: number): Promise<ApiKeyRecord[]> {
      const rows =
        before === null
          ? await sql`SELECT * FROM api_keys ORDER BY id DESC LIMIT ${limit}`
          : await sql`SELECT * FROM api_keys WHERE id < ${before} ORDER BY id DESC LIMIT ${limit}`;
      return rows.map(apiKeyRecord);
    },
    async revokeApiKey(id: string, at: number): Promise<boolean> {
      const r = await sql`UPDATE api_keys SET revoked_at = ${at} WHERE id = ${id} AND revoked_at IS NULL`;
      return r.count > 0;
    },
  };
}
