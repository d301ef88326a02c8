// SQL for endpoints. Secrets and outbound credentials arrive here already encrypted. Every change notifies the other
// replicas in its own transaction, so their registries reload that endpoint.
import type { TransactionSQL } from "bun";
import { endpointColumns, endpointRecord } from "../rows.ts";
import type { EndpointListFilter, EndpointRecord } from "../types.ts";
import { announceChange, type PgContext } from "./context.ts";
import { filteredQuery } from "./filtered-list.ts";

const COLUMNS = Object.keys(endpointColumns({ events: [], metadata: {}, headers: {} } as unknown as EndpointRecord));
const UPDATED = COLUMNS.filter((c) => c !== "id" && c !== "created_at");
const INSERT = `INSERT INTO endpoints (${COLUMNS.join(", ")}) VALUES (${COLUMNS.map((_, i) => `$${i + 1}`).join(", ")})`;
const UPDATE = `UPDATE endpoints SET ${UPDATED.map((c, i) => `${c} = $${i + 2}`).join(", ")} WHERE id = $1`;

export function endpointQueries({ sql, replicaId }: PgContext) {
  /** Runs `write` and announces the change of endpoint `id` in one transaction; returns write's row count. */
  const changing = (id: string, write: (tx: TransactionSQL) => Promise<{ count: number }>) =>
    sql.begin(async (tx) => {
      const { count } = await write(tx);
      if (count > 0) await announceChange(tx, replicaId, { k: "endpoint", id });
      return count;
    });

  return {
    async insertEndpoint(e: EndpointRecord): Promise<void> {
      const c = endpointColumns(e);
      await changing(e.id, (tx) =>
        tx.unsafe(
          INSERT,
          COLUMNS.map((k) => c[k as keyof typeof c]),
        ),
      );
    },
    /** Writes every column but id and created_at. */
    async updateEndpoint(e: EndpointRecord): Promise<void> {
      const c = endpointColumns(e);
      await changing(e.id, (tx) => tx.unsafe(UPDATE, [e.id, ...UPDATED.map((k) => c[k as keyof typeof c])]));
    },
    async endpointById(id: string): Promise<EndpointRecord | null> {
      const [r] = await sql`SELECT * FROM endpoints WHERE id = ${id}`;
      return r ? endpointRecord(r) : null;
    },
    async allEndpoints(): Promise<EndpointRecord[]> {
      return (await sql`SELECT * FROM endpoints`).map(endpointRecord);
    },
    /** Newest first; `after` is the (created_at, id) of the last row of the previous page. */
    async listEndpoints(f: EndpointListFilter): Promise<EndpointRecord[]> {
      const [text, params] = filteredQuery(
        "SELECT * FROM endpoints",
        "ORDER BY created_at DESC, id DESC",
        [
          ["tenant_id = ?", f.tenant_id],
          ["enabled = ?", f.enabled],
          ["(created_at < ? OR (created_at = ? AND id < ?))", f.after?.created_at, f.after?.created_at, f.after?.id],
        ],
        f.limit,
      );
      return (await sql.unsafe(text, params)).map(endpointRecord);
    },
    /** Deletes the endpoint; its deliveries and their attempts go with it (foreign-key cascade). */
    async deleteEndpoint(id: string): Promise<boolean> {
      const count = await changing(id, async (tx) => {
        const r = await tx`DELETE FROM endpoints WHERE id = ${id}`;
        await tx`DELETE FROM rate_buckets WHERE key = ${id}`;
        return r;
      });
      return count > 0;
    },
    async setEndpointState(id: string, enabled: boolean, reason: string | null, at: number): Promise<void> {
      await changing(
        id,
        (tx) =>
          tx`UPDATE endpoints SET enabled = ${enabled}, disabled_reason = ${reason}, updated_at = ${at} WHERE id = ${id}`,
      );
    },
    async setEndpointFailingSince(id: string, since: number | null): Promise<void> {
      await changing(id, (tx) => tx`UPDATE endpoints SET failing_since = ${since} WHERE id = ${id}`);
    },
    async setEndpointDraining(id: string, since: number): Promise<void> {
      await changing(id, (tx) => tx`UPDATE endpoints SET draining_since = ${since} WHERE id = ${id}`);
    },
    /** Deletes a draining endpoint with nothing left open: no pending or delivering delivery of its own or like it. */
    async deleteDrainedEndpoint(id: string): Promise<boolean> {
      const count = await changing(id, async (tx) => {
        // The endpoint row is locked first, so a delivery cannot be claimed for it between the check and the delete.
        const [locked] = await tx`SELECT id FROM endpoints WHERE id = ${id} AND draining_since IS NOT NULL FOR UPDATE`;
        if (!locked) return { count: 0 };
        const r = await tx`DELETE FROM endpoints WHERE id = ${id}
          AND NOT EXISTS (SELECT 1 FROM deliveries WHERE endpoint_id = ${id} AND status IN ('pending', 'delivering'))
          AND NOT EXISTS (SELECT 1 FROM deliveries WHERE like_endpoint_id = ${id} AND status IN ('pending', 'delivering'))`;
        if (r.count > 0) await tx`DELETE FROM rate_buckets WHERE key = ${id}`;
        return r;
      });
      return count > 0;
    },
  };
}
