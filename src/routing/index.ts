// The routing module's public surface: event-type matching, content filters and payload transforms.
// Pure: no I/O, no imports from the rest of src/.

export * from "./filter.ts";
export * from "./transform.ts";
export * from "./type-index.ts";
