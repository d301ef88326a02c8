// The config room's public surface.
export { loadConfig, ConfigError, type LoadOptions } from "./load.ts";
export type { Config, ConfigEndpoint, EventTypeDecl, Settings } from "./types.ts";
export * from "./endpoint-spec.ts";
export { eventTypeSchemaProblems } from "./event-type-schema.ts";
