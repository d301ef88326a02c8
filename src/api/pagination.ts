// Cursor pagination shared by list routes: opaque cursors over time-ordered ids, newest first.
import { t } from "elysia";
import { ValidationError } from "../lib/errors.ts";

/** Page size bounds of every list (`?limit=`). */
export const PAGE_SIZE = { min: 1, max: 100, default: 20 } as const;

export const PageQuery = {
  // The 1–100 range is checked by limitOf, so the error names the field (Elysia's range errors on query
  // properties do not).
  limit: t.Optional(t.Integer({ description: "Items per page: 1–100, default 20.", examples: [20] })),
  cursor: t.Optional(t.String({ maxLength: 200, description: "Opaque cursor from a previous page's next_cursor." })),
};

/** The page size from `?limit=`: default 20, 1–100 or a validation error naming `limit`. */
export function limitOf(limit: number | undefined): number {
  if (limit === undefined) return PAGE_SIZE.default;
  if (!Number.isInteger(limit) || limit < PAGE_SIZE.min || limit > PAGE_SIZE.max)
    throw new ValidationError("limit must be from 1 to 100.", [{ field: "limit", message: "must be from 1 to 100" }]);
  return limit;
}

/** The position to continue after, decoded from a cursor; null for the first page. */
export function decodeCursor(cursor: string | undefined): string | null {
  if (cursor === undefined || cursor === "") return null;
  const position = /^[A-Za-z0-9_-]{1,200}$/.test(cursor) ? Buffer.from(cursor, "base64url").toString("utf8") : "";
  if (!/^[A-Za-z0-9_:-]{1,100}$/.test(position))
    throw new ValidationError("cursor is not a cursor from this API.", [{ field: "cursor", message: "is invalid" }]);
  return position;
}

export function encodeCursor(position: string): string {
  return Buffer.from(position, "utf8").toString("base64url");
}

/** The answer of a list with nothing in it. */
export const EMPTY_PAGE = { data: [] as never[], next_cursor: null, has_more: false };

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
      details: t.Array(t.Object({ field: t.String(), message: t.String() }), {
        description: "Field-level problems; empty when there is nothing more to say.",
      }),
    }),
  },
  {
    description: 'Error body (docs/api.md "Conventions")',
    examples: [
      {
        error: {
          code: "validation_error",
          message: "url: must be an absolute https URL",
          details: [{ field: "url", message: "must be an absolute https URL" }],
        },
      },
    ],
  },
);
