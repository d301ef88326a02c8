// Cursor pagination shared by list routes: opaque cursors over time-ordered ids, newest first.
import { t } from "elysia";
import { ValidationError } from "../lib/errors.ts";

export const PageQuery = {
  limit: t.Optional(t.Numeric({ minimum: 1, maximum: 100, description: "Items per page (default 20, max 100).", examples: [20] })),
  cursor: t.Optional(t.String({ maxLength: 200, description: "Opaque cursor from a previous page's next_cursor." })),
};

/** The position to continue after, decoded from a cursor; null for the first page. */
export function decodeCursor(cursor: string | undefined): string | null {
  if (cursor === undefined || cursor === "") return null;
  const position = /^[A-Za-z0-9_-]{1,200}$/.test(cursor) ? Buffer.from(cursor, "base64url").toString("utf8") : "";
  if (!/^[A-Za-z0-9_:\-]{1,100}$/.test(position)) throw new ValidationError("cursor is not a cursor from this API.", [{ field: "cursor", message: "is invalid" }]);
  return position;
}

export function encodeCursor(position: string): string {
  return Buffer.from(position, "utf8").toString("base64url");
}

/** Builds a list response from `limit + 1` fetched rows. */
export function page<T, R>(rows: T[], limit: number, positionOf: (row: T) => string, render: (row: T) => R) {
  const has_more = rows.length > limit;
  const items = has_more ? rows.slice(0, limit) : rows;
  return {
    data: items.map(render),
    next_cursor: has_more ? encodeCursor(positionOf(items[items.length - 1]!)) : null,
    has_more,
  };
}

export const ListEnvelope = <T extends Parameters<typeof t.Array>[0]>(item: T) =>
  t.Object({ data: t.Array(item), next_cursor: t.Union([t.String(), t.Null()]), has_more: t.Boolean() });

export const ErrorModel = t.Object(
  {
    error: t.Object({
      code: t.String({ examples: ["validation_error"] }),
      message: t.String({ examples: ["url: must be an absolute https URL"] }),
      details: t.Optional(t.Array(t.Object({ field: t.String(), message: t.String() }))),
    }),
  },
  { description: "Error body (API.md)", examples: [{ error: { code: "validation_error", message: "url: must be an absolute https URL", details: [{ field: "url", message: "must be an absolute https URL" }] } }] },
);
