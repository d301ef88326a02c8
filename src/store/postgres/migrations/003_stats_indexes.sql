-- hookgate PostgreSQL schema v3 (as SQLite v3): indexes for GET /v1/stats, so the console's charts read a time
-- range instead of the tables.

-- Attempts by start time (the charts bucket attempts by when they started).
CREATE INDEX attempts_started ON attempts (started_at);
-- Deliveries that ended without any attempt (skipped by a filter, or failed before sending), by creation time.
CREATE INDEX deliveries_unattempted ON deliveries (created_at) WHERE attempts = 0 AND status IN ('skipped', 'failed');
