// The store room's public surface: the only place with SQL.
export { openStore, createSqliteStore, type Store } from "./sqlite-store.ts";
export { openDatabase, schemaVersion, SchemaTooNewError } from "./open.ts";
export { acquireInstanceLock, InstanceLockedError, type InstanceLock } from "./instance-lock.ts";
export { loadMasterKey, parseMasterKey, masterKeyPath, MasterKeyError } from "./master-key.ts";
export { LATEST_VERSION } from "./migrations.ts";
export * from "./types.ts";
