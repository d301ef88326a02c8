-- hookgate PostgreSQL schema v2 (as SQLite v2): the kind of an error gets its own column, so code and queries never
-- parse "<kind>: <message>" strings. Rows written before it get the kind read from their text.

ALTER TABLE attempts ADD COLUMN error_kind text;
ALTER TABLE deliveries ADD COLUMN error_kind text;

UPDATE attempts SET error_kind = split_part(error, ':', 1)
  WHERE error IS NOT NULL AND position(':' IN error) > 1;
UPDATE deliveries SET error_kind = CASE
    WHEN last_error LIKE 'HTTP %' THEN 'http_error'
    WHEN position(':' IN last_error) > 1 THEN split_part(last_error, ':', 1)
    ELSE last_error END
  WHERE last_error IS NOT NULL;
