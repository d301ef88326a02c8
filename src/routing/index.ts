// The routing module's public surface: event-type matching, content filters and payload transforms.
// No network or store I/O; imports only src/lib/ from the rest of src/.

export * from "./filter.ts";
export * from "./transform.ts";
export * from "./type-index.ts";
