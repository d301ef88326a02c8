// SQL for API keys (stored as SHA-256 hashes; the key itself is shown once at creation).
import type { Database } from "bun:sqlite";
import { apiKeyColumns, apiKeyRecord } from "../rows.ts";
import type { ApiKeyRecord } from "../types.ts";

interface ApiKeyRow {
  id: string;
  hash: string;
  prefix: string;
  name: string;
  tenant_id: string | null;
  scopes_json: string;
  expires_at: number | null;
  revoked_at: number | null;
  created_at: number;
}

export function apiKeyQueries(db: Database) {
  const insert = db.query(
    "INSERT INTO api_keys (id, hash, prefix, name, tenant_id, scopes_json, expires_at, created_at) VALUES ($id, $hash, $prefix, $name, $tenant_id, $scopes_json, $expires_at, $created_at)",
  );
  const byHash = db.query<ApiKeyRow, [string]>("SELECT * FROM api_keys WHERE hash = ?");
  const byId = db.query<ApiKeyRow, [string]>("SELECT * FROM api_keys WHERE id = ?");
  const page = db.query<ApiKeyRow, [string, number]>("SELECT * FROM api_keys WHERE id < ? ORDER BY id DESC LIMIT ?");
  const firstPage = db.query<ApiKeyRow, [number]>("SELECT * FROM api_keys ORDER BY id DESC LIMIT ?");
  const revoke = db.query("UPDATE api_keys SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL");
  return {
    async insertApiKey(k: ApiKeyRecord): Promise<void> {
      const { revoked_at: _, ...columns } = apiKeyColumns(k);
      insert.run(columns);
    },
    async apiKeyByHash(hash: string): Promise<ApiKeyRecord | null> {
      const r = byHash.get(hash);
      return r ? apiKeyRecord(r) : null;
    },
    async apiKeyById(id: string): Promise<ApiKeyRecord | null> {
      const r = byId.get(id);
      return r ? apiKeyRecord(r) : null;
    },
    /** Newest first, ids strictly below `before` (null: from the newest). */
    async listApiKeys(before: string | null, limit: number): Promise<ApiKeyRecord[]> {
      return (before === null ? firstPage.all(limit) : page.all(before, limit)).map(apiKeyRecord);
    },
    async revokeApiKey(id: string, at: number): Promise<boolean> {
      return revoke.run(at, id).changes > 0;
    },
  };
}
