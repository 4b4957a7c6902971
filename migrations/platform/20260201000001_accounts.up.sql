-- People who sign in to the admin SPA. Emails are stored in lowercase, so
-- the unique constraint is case-insensitive. password_hash is an argon2id
-- hash in PHC string form; the password itself is never stored.
CREATE TABLE users (
    id                  uuid PRIMARY KEY,
    email               text NOT NULL UNIQUE CHECK (email = lower(email)),
    password_hash       text NOT NULL,
    platform_admin      boolean NOT NULL DEFAULT false,
    created_at          timestamptz NOT NULL DEFAULT now(),
    updated_at          timestamptz NOT NULL DEFAULT now(),
    password_changed_at timestamptz NOT NULL DEFAULT now()
);

-- A user's role in one client: admins manage the client, members only read.
CREATE TABLE memberships (
    user_id    uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    client_id  uuid NOT NULL REFERENCES clients (id) ON DELETE CASCADE,
    role       text NOT NULL CHECK (role IN ('admin', 'member')),
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (user_id, client_id)
);

CREATE INDEX memberships_client_idx ON memberships (client_id);

-- Login sessions of the admin SPA. The cookie holds a random token; only its
-- SHA-256 is stored, like access keys.
CREATE TABLE sessions (
    id           uuid PRIMARY KEY,
    user_id      uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    token_hash   bytea NOT NULL UNIQUE,
    created_at   timestamptz NOT NULL DEFAULT now(),
    expires_at   timestamptz NOT NULL,
    last_seen_at timestamptz NOT NULL DEFAULT now(),
    revoked_at   timestamptz,
    remote_addr  text NOT NULL DEFAULT '',
    user_agent   text NOT NULL DEFAULT ''
);

CREATE INDEX sessions_user_idx ON sessions (user_id);

-- A rotated key points at the key that replaced it.
ALTER TABLE access_keys ADD COLUMN replaced_by uuid REFERENCES access_keys (id) ON DELETE SET NULL;

CREATE INDEX access_keys_client_idx ON access_keys (client_id, kind);

-- The platform-wide audit log is read newest first.
CREATE INDEX audit_log_at_idx ON audit_log (at DESC, id DESC);
