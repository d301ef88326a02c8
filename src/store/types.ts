// Records the store hands out. Times are epoch milliseconds; JSON columns are already parsed.

export type Scope = "admin" | "endpoints:read" | "endpoints:write" | "events:read" | "events:write" | "deliveries:read" | "deliveries:write";
export const SCOPES: readonly Scope[] = ["admin", "endpoints:read", "endpoints:write", "events:read", "events:write", "deliveries:read", "deliveries:write"];

export interface ApiKeyRecord {
  id: string;
  hash: string;
  prefix: string;
  name: string;
  tenant_id: string | null;
  scopes: Scope[];
  expires_at: number | null;
  revoked_at: number | null;
  created_at: number;
}
