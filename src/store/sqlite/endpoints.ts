// SQL for endpoints. Secrets and outbound credentials arrive here already encrypted.
import type { Database } from "bun:sqlite";
import { endpointColumns, endpointRecord } from "../rows.ts";
import type { EndpointListFilter, EndpointRecord } from "../types.ts";
import { filteredList } from "./filtered-list.ts";

export interface Row {
  id: string;
  tenant_id: string;
  url: string;
  description: string;
  events_json: string;
  enabled: number;
  disabled_reason: string | null;
  metadata_json: string;
  secrets_enc: string;
  signing_json: string;
  http_method: string;
  headers_json: string;
  auth_enc: string | null;
  filter_json: string | null;
  transform: string | null;
  rate_limit: number | null;
  timeout_ms: number;
  retry_schedule_json: string | null;
  proxy: string | null;
  tls_enc: string | null;
  source: "api" | "config";
  failing_since: number | null;
  draining_since: number | null;
  description_null: number;
  created_at: number;
  updated_at: number;
}

/** A row as a record: the shared mapping, with SQLite's spelling of a null description and of booleans. */
export const toRecord = (r: Row): EndpointRecord => ({
  ...endpointRecord(r),
  description: r.description_null === 1 ? null : r.description,
  enabled: r.enabled === 1,
});

export const toParams = (e: EndpointRecord) => ({
  ...endpointColumns(e),
  description: e.description ?? "",
  description_null: e.description === null ? 1 : 0,
  enabled: e.enabled ? 1 : 0,
});

const COLUMNS = Object.keys(toParams({} as EndpointRecord));

export function endpointQueries(db: Database) {
  const insert = db.query(
    `INSERT INTO endpoints (${COLUMNS.join(", ")}) VALUES (${COLUMNS.map((c) => `$${c}`).join(", ")})`,
  );
  const update = db.query(
    `UPDATE endpoints SET ${COLUMNS.filter((c) => c !== "id" && c !== "created_at")
      .map((c) => `${c} = $${c}`)
      .join(", ")} WHERE id = $id`,
  );
  const byId = db.query<Row, [string]>("SELECT * FROM endpoints WHERE id = ?");
  const all = db.query<Row, []>("SELECT * FROM endpoints");
  const remove = db.query("DELETE FROM endpoints WHERE id = ?");
  const setState = db.query(
    "UPDATE endpoints SET enabled = $enabled, disabled_reason = $reason, updated_at = $at WHERE id = $id",
  );
  const setFailing = db.query("UPDATE endpoints SET failing_since = $since WHERE id = $id");
  const setDraining = db.query("UPDATE endpoints SET draining_since = $since WHERE id = $id");
  // Open work of an endpoint: its own deliveries and ad-hoc ones signed like it, still pending or delivering.
  const removeDrained = db.query(
    `DELETE FROM endpoints WHERE id = ?1 AND draining_since IS NOT NULL
       AND NOT EXISTS (SELECT 1 FROM deliveries WHERE endpoint_id = ?1 AND status IN ('pending', 'delivering'))
       AND NOT EXISTS (SELECT 1 FROM deliveries WHERE like_endpoint_id = ?1 AND status IN ('pending', 'delivering'))`,
  );
  const list = filteredList<Row>(db, "SELECT * FROM endpoints", "ORDER BY created_at DESC, id DESC");

  return {
    async insertEndpoint(e: EndpointRecord): Promise<void> {
      insert.run(toParams(e));
    },
    /** Writes every column but id and created_at. */
    async updateEndpoint(e: EndpointRecord): Promise<void> {
      const { created_at: _c, ...params } = toParams(e);
      update.run(params);
    },
    async endpointById(id: string): Promise<EndpointRecord | null> {
      const r = byId.get(id);
      return r ? toRecord(r) : null;
    },
    async allEndpoints(): Promise<EndpointRecord[]> {
      return all.all().map(toRecord);
    },
    /** Newest first; `after` is the (created_at, id) of the last row of the previous page. */
    async listEndpoints(f: EndpointListFilter): Promise<EndpointRecord[]> {
      return list(
        [
          ["tenant_id = $tenant_id", "tenant_id", f.tenant_id],
          ["enabled = $enabled", "enabled", f.enabled === undefined ? undefined : f.enabled ? 1 : 0],
          ["(created_at < $created_at OR (created_at = $created_at AND id < $id))", f.after],
        ],
        f.limit,
      ).map(toRecord);
    },
    /** Deletes the endpoint; its deliveries and their attempts go with it (foreign-key cascade). */
    async deleteEndpoint(id: string): Promise<boolean> {
      return db.transaction(() => remove.run(id).changes > 0).immediate();
    },
    async setEndpointState(id: string, enabled: boolean, reason: string | null, at: number): Promise<void> {
      setState.run({ id, enabled: enabled ? 1 : 0, reason, at });
    },
    async setEndpointFailingSince(id: string, since: number | null): Promise<void> {
      setFailing.run({ id, since });
    },
    async setEndpointDraining(id: string, since: number): Promise<void> {
      setDraining.run({ id, since });
    },
    /** Deletes a draining endpoint with nothing left open (its deliveries go with it: foreign-key cascade). */
    async deleteDrainedEndpoint(id: string): Promise<boolean> {
      return db.transaction(() => removeDrained.run(id).changes > 0).immediate();
    },
  };
}
