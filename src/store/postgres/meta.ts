// SQL for the small key/value table (master-key check value, the sealed Ed25519 key).
import type { PgContext } from "./context.ts";

const PING_TIMEOUT_MS = 2000;

export function metaQueries({ sql }: PgContext) {
  return {
    async getMeta(key: string): Promise<string | null> {
      const [row] = await sql`SELECT value FROM meta WHERE key = ${key}`;
      return row?.value ?? null;
    },
    async putMeta(key: string, value: string): Promise<void> {
      await sql`INSERT INTO meta (key, value) VALUES (${key}, ${value}) ON CONFLICT (key) DO UPDATE SET value = excluded.value`;
    },
    async insertMetaIfAbsent(key: string, value: string): Promise<boolean> {
      const rows =
        await sql`INSERT INTO meta (key, value) VALUES (${key}, ${value}) ON CONFLICT (key) DO NOTHING RETURNING key`;
      return rows.length > 0;
    },
    async deleteMeta(key: string): Promise<boolean> {
      return (await sql`DELETE FROM meta WHERE key = ${key}`).count > 0;
    },
    /** True when the database answers a trivial query within 2 s. */
    async ping(): Promise<boolean> {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const timeout = new Promise<boolean>((resolve) => {
        timer = setTimeout(() => resolve(false), PING_TIMEOUT_MS);
      });
      try {
        return await Promise.race([sql`SELECT 1 AS ok`.then((rows) => rows[0]?.ok === 1), timeout]);
      } catch {
        return false;
      } finally {
        clearTimeout(timer);
      }
    },
  };
}
