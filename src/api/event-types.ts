// /v1/event-types: the optional catalog; when non-empty, subscriptions and events must use known types.
import { Elysia, t } from "elysia";
import { eventTypeSchemaProblems } from "../config/index.ts";
import { TYPE_NAME } from "../endpoints/spec.ts";
import { type FieldProblem, NotFoundError, ValidationError } from "../lib/errors.ts";
import type { EventTypeRecord } from "../store/index.ts";
import { routePolicy } from "./auth.ts";
import type { ApiDeps } from "./context.ts";

export const EventTypeOut = t.Object(
  {
    name: t.String({ examples: ["run.completed"] }),
    description: t.String({ examples: ["A run finished."] }),
    schema: t.Union([t.Record(t.String(), t.Unknown()), t.Null()], {
      description: "JSON Schema that `data` of published events must satisfy.",
    }),
    example: t.Unknown({ description: "An example `data` payload.", examples: [{ run_id: "run_123", amount: 250 }] }),
    source: t.Union([t.Literal("api"), t.Literal("config"), t.Literal("system")], {
      description:
        "`api` or `config` (the YAML file); `system`: an operational event type (`hookgate.*`) that hookgate publishes about itself into the reserved tenant `_system`. System types do not make the catalog non-empty.",
    }),
  },
  { description: "An event type." },
);

export const EventTypeIn = t.Object(
  {
    name: t.String({ maxLength: 128, pattern: TYPE_NAME.source, examples: ["run.completed"] }),
    description: t.Optional(t.String({ maxLength: 1000 })),
    schema: t.Optional(t.Union([t.Record(t.String(), t.Unknown()), t.Null()])),
    example: t.Optional(t.Unknown()),
  },
  {
    additionalProperties: false,
    examples: [
      {
        name: "run.completed",
        description: "A run finished.",
        schema: { type: "object", required: ["run_id"], properties: { run_id: { type: "string" } } },
        example: { run_id: "run_123" },
      },
    ],
  },
);

const render = (r: EventTypeRecord) => ({
  name: r.name,
  description: r.description,
  schema: r.schema as Record<string, unknown> | null,
  example: r.example ?? null,
  source: r.source,
});
const NameParams = t.Object({ name: t.String({ maxLength: 128 }) });

export function eventTypesPlugin({ auth, catalog }: ApiDeps) {
  return new Elysia({ name: "event-types", prefix: "/v1/event-types", tags: ["Event types"] })
    .use(routePolicy(auth))
    .get(
      "",
      async () => {
        const data = catalog.list().map(render);
        return { data, next_cursor: null, has_more: false };
      },
      {
        scope: "any",
        response: t.Object({ data: t.Array(EventTypeOut), next_cursor: t.Null(), has_more: t.Boolean() }),
        detail: { summary: "List event types", description: "The whole catalog, by name (any valid key)." },
      },
    )
    .post(
      "",
      async ({ body, set }) => {
        if (body.schema) {
          const problems: FieldProblem[] =
            JSON.stringify(body.schema).length > 65_536
              ? [{ field: "schema", message: "must be at most 64 KiB" }]
              : eventTypeSchemaProblems(body.schema, body.example).map((p) => ({ field: p.path, message: p.message }));
          if (problems.length > 0) throw ValidationError.of(problems);
        }
        set.status = 201;
        return {
          data: render(
            await catalog.create(
              body as { name: string; description?: string; schema?: object | null; example?: unknown },
            ),
          ),
        };
      },
      {
        scope: "admin",
        body: EventTypeIn,
        response: { 201: t.Object({ data: EventTypeOut }) },
        detail: {
          summary: "Create an event type",
          description:
            "Admin only. An optional JSON Schema validates `data` of every published event of this type; 409 if the name exists. Names starting with `hookgate.` are reserved for operational events (400).",
        },
      },
    )
    .get(
      "/:name",
      async ({ params }) => {
        const record = catalog.get(params.name);
        if (!record) throw new NotFoundError(`Event type ${params.name}`);
        return { data: render(record) };
      },
      {
        scope: "any",
        params: NameParams,
        response: t.Object({ data: EventTypeOut }),
        detail: { summary: "Get an event type" },
      },
    )
    .delete(
      "/:name",
      async ({ params }) => {
        await catalog.delete(params.name);
        return new Response(null, { status: 204 });
      },
      {
        scope: "admin",
        response: { 204: t.Void({ description: "Done; no body." }) },
        params: NameParams,
        detail: {
          summary: "Delete an event type",
          description:
            "Admin only. YAML-declared types answer 409 managed_by_config; operational (`system`) types 409 conflict.",
        },
      },
    );
}
