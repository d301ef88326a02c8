// API-key rows: stored by hash, listed newest first, revoked once.
import { afterEach, beforeEach, describe, expect, it } from "bun:test";
import { newId } from "../../src/lib/ids.ts";
import { type ApiKeyRecord, openSqliteStore, type Store } from "../../src/store/index.ts";
import { type TempDir, tempDir } from "../helpers/temp.ts";

const record = (overrides: Partial<ApiKeyRecord> = {}): ApiKeyRecord => ({
  id: newId("key"),
  hash: crypto.randomUUID().replaceAll("-", "").padEnd(64, "0"),
  prefix: "hg_abcde",
  name: "publisher",
  tenant_id: null,
  scopes: ["events:write"],
  expires_at: null,
  revoked_at: null,
  created_at: 1_780_000_000_000,
  ...overrides,
});

describe("store: api keys", () => {
  let dir: TempDir;
  let store: Store;
  beforeEach(() => {
    dir = tempDir();
    store = openSqliteStore({ path: dir.file("hookgate.db"), synchronous: "normal" });
  });
  afterEach(async () => {
    await store.close();
    dir.cleanup();
  });

  it("finds a key by hash and by id, with its scopes parsed", async () => {
    const k = record({ tenant_id: "acme", scopes: ["events:write", "deliveries:read"], expires_at: 1_790_000_000_000 });
    await store.insertApiKey(k);
    expect(await store.apiKeyByHash(k.hash)).toEqual(k);
    expect(await store.apiKeyById(k.id)).toEqual(k);
    expect(await store.apiKeyByHash("0".repeat(64))).toBeNull();
    expect(await store.apiKeyById("key_missing")).toBeNull();
  });

  it("refuses two keys with the same hash", async () => {
    const k = record();
    await store.insertApiKey(k);
    await expect(store.insertApiKey(record({ hash: k.hash }))).rejects.toThrow(/UNIQUE/);
  });

  it("lists newest first, a page at a time", async () => {
    const keys = [record(), record(), record()];
    for (const k of keys) await store.insertApiKey(k);
    const ids = keys.map((k) => k.id).reverse();
    expect((await store.listApiKeys(null, 10)).map((k) => k.id)).toEqual(ids);
    expect((await store.listApiKeys(null, 2)).map((k) => k.id)).toEqual(ids.slice(0, 2));
    expect((await store.listApiKeys(ids[1]!, 10)).map((k) => k.id)).toEqual(ids.slice(2));
  });

  it("revokes once and keeps the first revocation time", async () => {
    const k = record();
    await store.insertApiKey(k);
    expect(await store.revokeApiKey(k.id, 1000)).toBe(true);
    expect(await store.revokeApiKey(k.id, 2000)).toBe(false);
    expect((await store.apiKeyById(k.id))?.revoked_at).toBe(1000);
    expect(await store.revokeApiKey("key_missing", 1000)).toBe(false);
  });
});
