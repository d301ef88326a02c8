// The config room's public surface.
export { loadConfig, ConfigError, jsonSchemaProblem, exampleProblem, type LoadOptions } from "./load.ts";
export type { Config, ConfigEndpoint, EventTypeDecl, Settings } from "./types.ts";
export * from "./endpoint-spec.ts";
export { unsafePatternProblem } from "./schema-patterns.ts";
