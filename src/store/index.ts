// The store room's public surface: the Store interface and its records; src/store/sqlite/ and src/store/postgres/
// implement it and are the only places with SQL.
export {
  COPY_MARKER,
  type CopyProgress,
  copyRecords,
  describeCount,
  interruptedCopy,
  refuseInterruptedCopy,
  StoreCopyError,
} from "./copy.ts";
export { loadMasterKey, MasterKeyError, masterKeyPath, parseMasterKey } from "./master-key.ts";
export {
  describePostgresUrl,
  isPostgresUrl,
  PgSchemaTooNewError,
  PostgresUnavailableError,
} from "./postgres/connect.ts";
export { PG_LATEST_VERSION } from "./postgres/migrations.ts";
export { migratePostgresDatabase, openPostgresStore } from "./postgres/store.ts";
export { BackupError, type BackupResult, backupSqlite } from "./sqlite/backup.ts";
export { acquireInstanceLock, type InstanceLock, InstanceLockedError } from "./sqlite/instance-lock.ts";
export { LATEST_VERSION, MIGRATIONS } from "./sqlite/migrations.ts";
export { migrateSqliteFile, openDatabase, SchemaTooNewError, schemaVersion } from "./sqlite/open.ts";
export { createSqliteStore, openServingSqliteStore, openSqliteStore } from "./sqlite/store.ts";
export type * from "./store.ts";
export * from "./types.ts";
