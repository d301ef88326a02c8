// The store room's public surface: the only place with SQL.

export { acquireInstanceLock, type InstanceLock, InstanceLockedError } from "./instance-lock.ts";
export { loadMasterKey, MasterKeyError, masterKeyPath, parseMasterKey } from "./master-key.ts";
export { LATEST_VERSION } from "./migrations.ts";
export { openDatabase, SchemaTooNewError, schemaVersion } from "./open.ts";
export { createSqliteStore, openStore, type Store } from "./sqlite-store.ts";
export * from "./types.ts";
