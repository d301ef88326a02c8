// Migration 004 (delivery options) on a database written by the previous schema: rows are kept, and the new
// columns read as "nothing set" (not draining, description kept, no like endpoint, no request body).
import { Database } from "bun:sqlite";
import { afterEach, beforeEach, describe, expect, it } from "bun:test";
import { openSqliteStore, schemaVersion } from "../../src/store/index.ts";
import { LATEST_VERSION, MIGRATIONS } from "../../src/store/sqlite/migrations.ts";
import { type TempDir, tempDir } from "../helpers/temp.ts";

describe("store: migration 004_delivery_options", () => {
  let dir: TempDir;
  beforeEach(() => {
    dir = tempDir();
  });
  afterEach(() => dir.cleanup());

  it("upgrades a version 3 database in place, keeping endpoints, deliveries and attempts", async () => {
    const path = dir.file("hookgate.db");
    const old = new Database(path, { create: true });
    old.run("PRAGMA foreign_keys = ON");
    old.run(
      "CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL) STRICT",
    );
    for (const m of MIGRATIONS.filter((m) => m.version <= 3)) {
      old.run(m.sql);
      old.run("INSERT INTO schema_migrations VALUES (?, ?, 0)", [m.version, m.name]);
    }
    old.run(
      `INSERT INTO endpoints (id, tenant_id, url, description, events_json, secrets_enc, signing_json, timeout_ms, source, created_at, updated_at)
       VALUES ('ep_1', 'default', 'https://example.com/h', 'kept', '["*"]', 'x', '{"scheme":"standard-webhooks"}', 10000, 'api', 1, 1)`,
    );
    old.run("INSERT INTO events (id, tenant_id, type, payload, created_at) VALUES ('evt_1', 'default', 't', '{}', 1)");
    old.run(
      "INSERT INTO deliveries (id, event_id, endpoint_id, tenant_id, status, next_attempt_at, created_at) VALUES ('dlv_1', 'evt_1', 'ep_1', 'default', 'pending', 5, 1)",
    );
    old.run(
      "INSERT INTO attempts (id, delivery_id, n, trigger, started_at, duration_ms, http_status) VALUES ('att_1', 'dlv_1', 1, 'scheduled', 2, 3, 500)",
    );
    old.close();

    const store = openSqliteStore({ path, synchronous: "normal" });
    try {
      expect(await store.endpointById("ep_1")).toMatchObject({ description: "kept", draining_since: null });
      expect(await store.deliveryById("dlv_1")).toMatchObject({ status: "pending", like_endpoint_id: null });
      expect(await store.attemptsOf("dlv_1")).toEqual([expect.objectContaining({ id: "att_1", request_body: null })]);
      expect(await store.claimDue(10, 10, 100)).toEqual([
        expect.objectContaining({ id: "dlv_1", like_endpoint_id: null }),
      ]);
    } finally {
      await store.close();
    }
    const check = new Database(path, { readonly: true });
    expect(schemaVersion(check)).toBe(LATEST_VERSION);
    check.close();
  });

  it("deletes a draining endpoint only once nothing of it (own or signed like it) is pending or delivering", async () => {
    const store = openSqliteStore({ path: dir.file("hookgate.db"), synchronous: "normal" });
    const db = new Database(dir.file("hookgate.db"));
    try {
      db.run(
        `INSERT INTO endpoints (id, tenant_id, url, events_json, secrets_enc, signing_json, timeout_ms, source, created_at, updated_at)
         VALUES ('ep_1', 'default', 'https://example.com/h', '["*"]', 'x', '{"scheme":"standard-webhooks"}', 10000, 'api', 1, 1)`,
      );
      db.run("INSERT INTO events (id, tenant_id, type, payload, created_at) VALUES ('evt_1', 'default', 't', '{}', 1)");
      db.run(
        "INSERT INTO deliveries (id, event_id, endpoint_id, tenant_id, status, created_at, like_endpoint_id) VALUES ('dlv_like', 'evt_1', NULL, 'default', 'delivering', 1, 'ep_1')",
      );
      expect(await store.deleteDrainedEndpoint("ep_1")).toBe(false); // not draining
      await store.setEndpointDraining("ep_1", 7);
      expect((await store.endpointById("ep_1"))?.draining_since).toBe(7);
      expect(await store.deleteDrainedEndpoint("ep_1")).toBe(false); // the like delivery is open
      db.run("UPDATE deliveries SET status = 'delivered' WHERE id = 'dlv_like'");
      expect(await store.deleteDrainedEndpoint("ep_1")).toBe(true);
      expect(await store.endpointById("ep_1")).toBeNull();
      expect(await store.deliveryById("dlv_like")).toMatchObject({ like_endpoint_id: "ep_1", status: "delivered" });
    } finally {
      db.close();
      await store.close();
    }
  });
});
