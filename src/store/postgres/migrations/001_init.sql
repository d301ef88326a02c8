-- hookgate PostgreSQL schema v1: the SQLite schema v1 (src/store/sqlite/migrations/001_init.sql) in PostgreSQL
-- types, plus what replicas sharing the database need (lease owners, a change revision, shared rate buckets).
-- Times are bigint milliseconds since the Unix epoch (UTC). Ids compare bytewise (COLLATE "C"), as in SQLite.

CREATE TABLE meta (
  key   text PRIMARY KEY,
  value text NOT NULL
);

CREATE TABLE event_types (
  name         text COLLATE "C" PRIMARY KEY,
  description  text NOT NULL DEFAULT '',
  schema_json  text,
  example_json text,
  source       text NOT NULL CHECK (source IN ('api', 'config')),
  created_at   bigint NOT NULL
);

CREATE TABLE endpoints (
  id                  text COLLATE "C" PRIMARY KEY,
  tenant_id           text COLLATE "C" NOT NULL,
  url                 text NOT NULL,
  description         text NOT NULL DEFAULT '',
  events_json         text NOT NULL,
  enabled             boolean NOT NULL DEFAULT true,
  disabled_reason     text CHECK (disabled_reason IN ('manual', 'gone', 'failing')),
  metadata_json       text NOT NULL DEFAULT '{}',
  secrets_enc         text NOT NULL,
  signing_json        text NOT NULL,
  http_method         text NOT NULL DEFAULT 'POST',
  headers_json        text NOT NULL DEFAULT '{}',
  auth_enc            text,
  filter_json         text,
  transform           text,
  rate_limit          double precision,
  timeout_ms          integer NOT NULL,
  retry_schedule_json text,
  source              text NOT NULL CHECK (source IN ('api', 'config')),
  failing_since       bigint,
  created_at          bigint NOT NULL,
  updated_at          bigint NOT NULL
);
CREATE INDEX endpoints_tenant ON endpoints (tenant_id, id);
CREATE INDEX endpoints_created ON endpoints (created_at DESC, id DESC);

CREATE TABLE events (
  id                   text COLLATE "C" PRIMARY KEY,
  tenant_id            text COLLATE "C" NOT NULL,
  type                 text COLLATE "C" NOT NULL,
  payload              text NOT NULL,
  idempotency_key      text COLLATE "C",
  idempotency_response text,
  created_at           bigint NOT NULL
);
-- One event per tenant and key, also when two replicas insert it at the same moment.
CREATE UNIQUE INDEX events_idempotency ON events (tenant_id, idempotency_key) WHERE idempotency_key IS NOT NULL;
-- Retention walks the oldest events first.
CREATE INDEX events_created ON events (created_at);

CREATE TABLE deliveries (
  id              text COLLATE "C" PRIMARY KEY,
  event_id        text COLLATE "C" NOT NULL REFERENCES events (id) ON DELETE CASCADE,
  endpoint_id     text COLLATE "C" REFERENCES endpoints (id) ON DELETE CASCADE,
  tenant_id       text COLLATE "C" NOT NULL,
  target_url      text,
  status          text NOT NULL CHECK (status IN ('pending', 'delivering', 'delivered', 'failed', 'skipped')),
  attempts        integer NOT NULL DEFAULT 0,
  next_attempt_at bigint,
  lease_until     bigint,
  -- the replica holding the lease (a random id per process); only it renews the lease and records results
  lease_owner     text,
  http_status     integer,
  last_error      text,
  -- attempts made before the current run of the retry schedule (a recover starts a new run)
  retry_base      integer NOT NULL DEFAULT 0,
  manual          boolean NOT NULL DEFAULT false,
  created_at      bigint NOT NULL,
  delivered_at    bigint
);
-- Partial indexes: only waiting or leased rows are indexed, so a large delivered history costs claims nothing.
CREATE INDEX deliveries_due ON deliveries (next_attempt_at) WHERE status = 'pending';
CREATE INDEX deliveries_pending_age ON deliveries (created_at) WHERE status = 'pending';
CREATE INDEX deliveries_leased ON deliveries (lease_until) WHERE status = 'delivering';
CREATE INDEX deliveries_endpoint ON deliveries (endpoint_id, id);
CREATE INDEX deliveries_event ON deliveries (event_id);

CREATE TABLE attempts (
  id               text COLLATE "C" NOT NULL,
  delivery_id      text COLLATE "C" NOT NULL REFERENCES deliveries (id) ON DELETE CASCADE,
  n                integer NOT NULL,
  trigger          text NOT NULL CHECK (trigger IN ('scheduled', 'manual', 'test')),
  started_at       bigint NOT NULL,
  duration_ms      integer NOT NULL,
  http_status      integer,
  response_headers text,
  response_body    text,
  body_encoding    text,
  error            text
);
CREATE INDEX attempts_delivery ON attempts (delivery_id, n);

CREATE TABLE api_keys (
  id          text COLLATE "C" PRIMARY KEY,
  hash        text NOT NULL UNIQUE,
  prefix      text NOT NULL,
  name        text NOT NULL,
  tenant_id   text COLLATE "C",
  scopes_json text NOT NULL,
  expires_at  bigint,
  revoked_at  bigint,
  created_at  bigint NOT NULL
);

-- Replicas only: a counter bumped by every endpoint or event-type change (a replica that missed a notification
-- sees it move and reloads), and the per-endpoint token buckets of rate_limit_per_second shared by all replicas.
CREATE TABLE revisions (
  name  text PRIMARY KEY,
  value bigint NOT NULL
);
INSERT INTO revisions (name, value) VALUES ('config', 0);

CREATE TABLE rate_buckets (
  key         text PRIMARY KEY,
  tokens      double precision NOT NULL,
  refilled_at double precision NOT NULL,
  granted     integer NOT NULL
);
