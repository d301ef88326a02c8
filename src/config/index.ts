// The config room's public surface.

export * from "./endpoint-spec.ts";
export { eventTypeSchemaProblems } from "./event-type-schema.ts";
export { ConfigError, type LoadOptions, loadConfig } from "./load.ts";
export type { Config, ConfigEndpoint, EventTypeDecl, Settings } from "./types.ts";
