// SQL for the small key/value table (master-key check value, instance lock info).
import type { Database } from "bun:sqlite";

export function metaQueries(db: Database) {
  const get = db.query<{ value: string }, [string]>("SELECT value FROM meta WHERE key = ?");
  const put = db.query(
    "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
  );
  const insertIfAbsent = db.query("INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO NOTHING");
  const remove = db.query("DELETE FROM meta WHERE key = ?");
  const ping = db.query<{ ok: number }, []>("SELECT 1 AS ok");
  return {
    async getMeta(key: string): Promise<string | null> {
      return get.get(key)?.value ?? null;
    },
    async putMeta(key: string, value: string): Promise<void> {
      put.run(key, value);
    },
    async insertMetaIfAbsent(key: string, value: string): Promise<boolean> {
      return insertIfAbsent.run(key, value).changes > 0;
    },
    async deleteMeta(key: string): Promise<boolean> {
      return remove.run(key).changes > 0;
    },
    /** True when the database answers a trivial query. */
    async ping(): Promise<boolean> {
      try {
        return ping.get()?.ok === 1;
      } catch {
        return false;
      }
    },
  };
}
