CREATE TABLE clients (
    id                  uuid PRIMARY KEY,
    name                text NOT NULL,
    slug                text NOT NULL UNIQUE,
    database_mode       text NOT NULL CHECK (database_mode IN ('managed', 'external')),
    -- Managed: the database name on the tenant server. External: empty.
    database_name       text NOT NULL DEFAULT '',
    -- External DSN, encrypted like every other secret (see credentials).
    external_dsn_cipher bytea,
    external_dsn_key_id text,
    provisioning_status text NOT NULL DEFAULT 'pending'
        CHECK (provisioning_status IN ('pending', 'provisioning', 'ready', 'failed')),
    provisioning_error  text,
    schema_version      bigint NOT NULL DEFAULT 0,
    livekit_url         text NOT NULL DEFAULT '',
    livekit_api_key     text NOT NULL DEFAULT '',
    livekit_secret_cipher bytea,
    livekit_secret_key_id text,
    livekit_agent_name  text NOT NULL DEFAULT '',
    created_at          timestamptz NOT NULL DEFAULT now(),
    updated_at          timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX clients_created_idx ON clients (created_at, id);

-- One row per client and provider. The key is AES-256-GCM ciphertext; key_id
-- names the encryption key so that keys can be rotated.
CREATE TABLE credentials (
    client_id  uuid NOT NULL REFERENCES clients (id) ON DELETE CASCADE,
    provider   text NOT NULL,
    ciphertext bytea NOT NULL,
    key_id     text NOT NULL,
    last4      text NOT NULL DEFAULT '',
    -- Per-client endpoint, used by openai_compatible (self-hosted models).
    base_url   text NOT NULL DEFAULT '',
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (client_id, provider)
);

-- Slug index for auto-detection: which clients have an agent with a slug.
-- Kept in step with agent writes in the tenant databases.
CREATE TABLE agent_slugs (
    slug       text NOT NULL,
    client_id  uuid NOT NULL REFERENCES clients (id) ON DELETE CASCADE,
    agent_name text NOT NULL DEFAULT '',
    PRIMARY KEY (slug, client_id)
);

CREATE INDEX agent_slugs_client_idx ON agent_slugs (client_id);

-- Access keys are stored as SHA-256 hashes of the raw key; prefix is the
-- visible start of the key, for identification.
CREATE TABLE access_keys (
    id              uuid PRIMARY KEY,
    kind            text NOT NULL CHECK (kind IN ('platform', 'client', 'site')),
    name            text NOT NULL,
    prefix          text NOT NULL,
    key_hash        bytea NOT NULL UNIQUE,
    client_id       uuid REFERENCES clients (id) ON DELETE CASCADE,
    scopes          text[] NOT NULL DEFAULT '{}',
    domain          text NOT NULL DEFAULT '',
    allowed_origins text[] NOT NULL DEFAULT '{}',
    created_at      timestamptz NOT NULL DEFAULT now(),
    last_used_at    timestamptz,
    revoked_at      timestamptz,
    CHECK ((kind = 'platform') = (client_id IS NULL))
);

CREATE TABLE audit_log (
    id         bigserial PRIMARY KEY,
    at         timestamptz NOT NULL DEFAULT now(),
    actor      text NOT NULL,
    action     text NOT NULL,
    client_id  uuid,
    target     text NOT NULL DEFAULT '',
    details    jsonb NOT NULL DEFAULT '{}'
);

CREATE INDEX audit_log_client_idx ON audit_log (client_id, at DESC);
