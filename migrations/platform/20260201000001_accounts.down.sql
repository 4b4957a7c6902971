DROP INDEX IF EXISTS audit_log_at_idx;
DROP INDEX IF EXISTS access_keys_client_idx;
ALTER TABLE access_keys DROP COLUMN IF EXISTS replaced_by;
DROP TABLE IF EXISTS sessions;
DROP TABLE IF EXISTS memberships;
DROP TABLE IF EXISTS users;
