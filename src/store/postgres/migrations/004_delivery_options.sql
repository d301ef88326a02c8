-- hookgate PostgreSQL schema v4 (as SQLite v4): delivery options.

-- An endpoint deleted with ?drain=true: when the drain began (NULL: not draining).
ALTER TABLE endpoints ADD COLUMN draining_since bigint;
-- description: null clears it (SQLite keeps a flag for this; PostgreSQL relaxes the column).
ALTER TABLE endpoints ALTER COLUMN description DROP NOT NULL;

-- An ad-hoc target delivery signed like an endpoint: that endpoint's id (no foreign key: the delivery stays in the
-- event's history if that endpoint is deleted).
ALTER TABLE deliveries ADD COLUMN like_endpoint_id text COLLATE "C";
CREATE INDEX deliveries_like_open ON deliveries (like_endpoint_id)
  WHERE like_endpoint_id IS NOT NULL AND status IN ('pending', 'delivering');

-- The body an attempt sent when it differs from the stored event envelope (a transform), first 32 KiB.
ALTER TABLE attempts ADD COLUMN request_body text;
