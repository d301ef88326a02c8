-- hookgate schema v1. Times are integer milliseconds since the Unix epoch (UTC).

CREATE TABLE meta (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
) STRICT;

CREATE TABLE event_types (
  name         TEXT PRIMARY KEY,
  description  TEXT NOT NULL DEFAULT '',
  schema_json  TEXT,
  example_json TEXT,
  source       TEXT NOT NULL CHECK (source IN ('api', 'config')),
  created_at   INTEGER NOT NULL
) STRICT;

CREATE TABLE endpoints (
  id                  TEXT PRIMARY KEY,
  tenant_id           TEXT NOT NULL,
  url                 TEXT NOT NULL,
  description         TEXT NOT NULL DEFAULT '',
  events_json         TEXT NOT NULL,
  enabled             INTEGER NOT NULL DEFAULT 1,
  disabled_reason     TEXT CHECK (disabled_reason IN ('manual', 'gone', 'failing')),
  metadata_json       TEXT NOT NULL DEFAULT '{}',
  secrets_enc         TEXT NOT NULL,
  signing_json        TEXT NOT NULL,
  http_method         TEXT NOT NULL DEFAULT 'POST',
  headers_json        TEXT NOT NULL DEFAULT '{}',
  auth_enc            TEXT,
  filter_json         TEXT,
  transform           TEXT,
  rate_limit          REAL,
  timeout_ms          INTEGER NOT NULL,
  retry_schedule_json TEXT,
  source              TEXT NOT NULL CHECK (source IN ('api', 'config')),
  failing_since       INTEGER,
  created_at          INTEGER NOT NULL,
  updated_at          INTEGER NOT NULL
) STRICT;
CREATE INDEX endpoints_tenant ON endpoints (tenant_id, id);

CREATE TABLE events (
  id                   TEXT PRIMARY KEY,
  tenant_id            TEXT NOT NULL,
  type                 TEXT NOT NULL,
  payload              TEXT NOT NULL,
  idempotency_key      TEXT,
  idempotency_response TEXT,
  created_at           INTEGER NOT NULL
) STRICT;
CREATE UNIQUE INDEX events_idempotency ON events (tenant_id, idempotency_key) WHERE idempotency_key IS NOT NULL;
-- No index on created_at: rows are appended in time order, so retention walks the rowid from the oldest.

CREATE TABLE deliveries (
  id              TEXT PRIMARY KEY,
  event_id        TEXT NOT NULL REFERENCES events (id) ON DELETE CASCADE,
  endpoint_id     TEXT REFERENCES endpoints (id) ON DELETE CASCADE,
  tenant_id       TEXT NOT NULL,
  target_url      TEXT,
  status          TEXT NOT NULL CHECK (status IN ('pending', 'delivering', 'delivered', 'failed', 'skipped')),
  attempts        INTEGER NOT NULL DEFAULT 0,
  next_attempt_at INTEGER,
  lease_until     INTEGER,
  http_status     INTEGER,
  last_error      TEXT,
  -- attempts made before the current run of the retry schedule (a recover starts a new run)
  retry_base      INTEGER NOT NULL DEFAULT 0,
  manual          INTEGER NOT NULL DEFAULT 0,
  created_at      INTEGER NOT NULL,
  delivered_at    INTEGER
) STRICT, WITHOUT ROWID;
-- Partial indexes: only waiting rows are indexed, so a large delivered history costs the scheduler nothing.
CREATE INDEX deliveries_due ON deliveries (next_attempt_at) WHERE status = 'pending';
CREATE INDEX deliveries_pending_age ON deliveries (created_at) WHERE status = 'pending';
CREATE INDEX deliveries_endpoint ON deliveries (endpoint_id, id);
CREATE INDEX deliveries_event ON deliveries (event_id);

-- Attempts are read by delivery only, so their id needs no index of its own.
CREATE TABLE attempts (
  id               TEXT NOT NULL,
  delivery_id      TEXT NOT NULL REFERENCES deliveries (id) ON DELETE CASCADE,
  n                INTEGER NOT NULL,
  trigger          TEXT NOT NULL CHECK (trigger IN ('scheduled', 'manual', 'test')),
  started_at       INTEGER NOT NULL,
  duration_ms      INTEGER NOT NULL,
  http_status      INTEGER,
  response_headers TEXT,
  response_body    TEXT,
  body_encoding    TEXT,
  error            TEXT
) STRICT;
CREATE INDEX attempts_delivery ON attempts (delivery_id, n);

CREATE TABLE api_keys (
  id          TEXT PRIMARY KEY,
  hash        TEXT NOT NULL UNIQUE,
  prefix      TEXT NOT NULL,
  name        TEXT NOT NULL,
  tenant_id   TEXT,
  scopes_json TEXT NOT NULL,
  expires_at  INTEGER,
  revoked_at  INTEGER,
  created_at  INTEGER NOT NULL
) STRICT;
