// The store room's public surface: the Store interface and its records; src/store/sqlite/ implements it and is the
// only place with SQL.
export { loadMasterKey, MasterKeyError, masterKeyPath, parseMasterKey } from "./master-key.ts";
export { acquireInstanceLock, type InstanceLock, InstanceLockedError } from "./sqlite/instance-lock.ts";
export { LATEST_VERSION } from "./sqlite/migrations.ts";
export { openDatabase, SchemaTooNewError, schemaVersion } from "./sqlite/open.ts";
export { createSqliteStore, openSqliteStore } from "./sqlite/store.ts";
export type * from "./store.ts";
export * from "./types.ts";
