// The config room's public surface.
export { eventTypeSchemaProblems } from "./event-type-schema.ts";
export { ConfigError, type LoadOptions, loadConfig } from "./load.ts";
export type { Config, Settings } from "./types.ts";
