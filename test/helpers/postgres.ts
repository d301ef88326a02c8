// PostgreSQL for tests: each test file creates its own database on the server named by HOOKGATE_TEST_PG_URL
// (default postgres://postgres@127.0.0.1:5432/postgres, trust auth) and drops it afterwards. Outside CI a test that
// needs PostgreSQL is skipped, saying why, when the server is unreachable; with CI=true it runs and fails.
import { randomBytes } from "node:crypto";
import { SQL } from "bun";

/** The server used for test databases (its database is only used to create and drop them). */
export const PG_ADMIN_URL = process.env.HOOKGATE_TEST_PG_URL || "postgres://postgres@127.0.0.1:5432/postgres";

async function reachable(): Promise<string | null> {
  const sql = new SQL(PG_ADMIN_URL, { max: 1, connectionTimeout: 3 });
  try {
    await sql`SELECT 1`;
    return null;
  } catch (e) {
    return (e as Error).message;
  } finally {
    await sql.close({ timeout: 0 }).catch(() => {});
  }
}

const problem = await reachable();
const inCi = process.env.CI === "true";

/** True when tests that need PostgreSQL run (always under CI, where an unreachable server fails them). */
export const PG_AVAILABLE = problem === null || inCi;

if (problem !== null && !inCi)
  process.stderr.write(
    `\n  skipping the PostgreSQL tests of this file: ${PG_ADMIN_URL.replace(/:[^:@/]*@/, "@")} is unreachable (${problem}); set HOOKGATE_TEST_PG_URL or run .ci/run\n\n`,
  );

export interface TestDatabase {
  /** postgres://…/hookgate_test_<random> */
  url: string;
  name: string;
  /** Drops the database (closing whatever is still connected to it). */
  drop(): Promise<void>;
}

/** Creates an empty database of its own for a test. */
export async function createTestDatabase(): Promise<TestDatabase> {
  const name = `hookgate_test_${randomBytes(6).toString("hex")}`;
  const admin = new SQL(PG_ADMIN_URL, { max: 1 });
  try {
    await admin.unsafe(`CREATE DATABASE ${name}`);
  } finally {
    await admin.close({ timeout: 0 });
  }
  const url = new URL(PG_ADMIN_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    name,
    async drop() {
      const sql = new SQL(PG_ADMIN_URL, { max: 1 });
      try {
        await sql.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await sql.close({ timeout: 0 });
      }
    },
  };
}

/** Rows of a query run on a test database through a connection of the test's own. */
export async function pgRows<T = Record<string, unknown>>(
  url: string,
  text: string,
  params: unknown[] = [],
): Promise<T[]> {
  const sql = new SQL(url, { max: 1 });
  try {
    return [...(await sql.unsafe(text, params))] as T[];
  } finally {
    await sql.close({ timeout: 0 });
  }
}
