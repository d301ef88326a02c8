-- hookgate schema v2: the kind of an error gets its own column (the text beside it stays what the API shows),
-- so code and queries never parse "<kind>: <message>" strings.

ALTER TABLE attempts ADD COLUMN error_kind TEXT;
ALTER TABLE deliveries ADD COLUMN error_kind TEXT;

UPDATE attempts SET error_kind = substr(error, 1, instr(error, ':') - 1)
  WHERE error IS NOT NULL AND instr(error, ':') > 1;
UPDATE deliveries SET error_kind = CASE
    WHEN last_error LIKE 'HTTP %' THEN 'http_error'
    WHEN instr(last_error, ':') > 1 THEN substr(last_error, 1, instr(last_error, ':') - 1)
    ELSE last_error END
  WHERE last_error IS NOT NULL;
