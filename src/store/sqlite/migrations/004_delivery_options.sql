-- hookgate schema v4: delivery options (docs/api.md "Delivery options").

-- An endpoint deleted with ?drain=true: when the drain began (NULL: not draining). No new deliveries are made
-- for it; once its last pending delivery ends, the endpoint and its history are removed.
ALTER TABLE endpoints ADD COLUMN draining_since INTEGER;
-- description is NOT NULL in v1 and SQLite cannot relax a column in place (a table rebuild would cascade into
-- deliveries); 1 here means the description was cleared with null and reads back as null.
ALTER TABLE endpoints ADD COLUMN description_null INTEGER NOT NULL DEFAULT 0;

-- An ad-hoc target delivery signed like an endpoint (publish target.like_endpoint_id): that endpoint's id, kept so
-- retries sign alike. No foreign key: the delivery stays in the event's history if that endpoint is deleted.
ALTER TABLE deliveries ADD COLUMN like_endpoint_id TEXT;
CREATE INDEX deliveries_like_open ON deliveries (like_endpoint_id) WHERE like_endpoint_id IS NOT NULL AND status IN ('pending', 'delivering');

-- The body an attempt sent when it differs from the stored event envelope (a transform), first 32 KiB.
ALTER TABLE attempts ADD COLUMN request_body TEXT;
