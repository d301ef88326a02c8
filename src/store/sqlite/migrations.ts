// Schema migrations, embedded as text so the compiled binary carries them. Append only; never edit a shipped one.
import m001 from "./migrations/001_init.sql" with { type: "text" };
import m002 from "./migrations/002_error_kind.sql" with { type: "text" };
import m003 from "./migrations/003_stats_indexes.sql" with { type: "text" };
import m004 from "./migrations/004_delivery_options.sql" with { type: "text" };
import m005 from "./migrations/005_egress.sql" with { type: "text" };

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export const MIGRATIONS: readonly Migration[] = [
  { version: 1, name: "init", sql: m001 },
  { version: 2, name: "error_kind", sql: m002 },
  { version: 3, name: "stats_indexes", sql: m003 },
  { version: 4, name: "delivery_options", sql: m004 },
  { version: 5, name: "egress", sql: m005 },
];

export const LATEST_VERSION = MIGRATIONS[MIGRATIONS.length - 1]!.version;
