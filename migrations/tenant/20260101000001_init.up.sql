CREATE TABLE agents (
    id                        uuid PRIMARY KEY,
    slug                      text NOT NULL UNIQUE CHECK (slug ~ '^[a-z0-9-]+$'),
    name                      text NOT NULL,
    description               text NOT NULL DEFAULT '',
    agent_image               text NOT NULL DEFAULT '',
    system_prompt             text NOT NULL DEFAULT '',
    voice_settings            jsonb NOT NULL DEFAULT '{}',
    webhooks                  jsonb NOT NULL DEFAULT '{}',
    enabled                   boolean NOT NULL DEFAULT true,
    text_chat_enabled         boolean NOT NULL DEFAULT true,
    voice_chat_enabled        boolean NOT NULL DEFAULT true,
    video_chat_enabled        boolean NOT NULL DEFAULT false,
    model                     text NOT NULL DEFAULT '',
    context_retention_minutes integer NOT NULL DEFAULT 30,
    max_context_messages      integer NOT NULL DEFAULT 50,
    created_at                timestamptz NOT NULL DEFAULT now(),
    updated_at                timestamptz NOT NULL DEFAULT now()
);

-- Conversation ids come from callers and may be any string, so they are text.
CREATE TABLE conversations (
    id          text PRIMARY KEY,
    agent_slug  text NOT NULL,
    user_id     text NOT NULL,
    session_id  text NOT NULL DEFAULT '',
    mode        text NOT NULL,
    room_name   text NOT NULL DEFAULT '',
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX conversations_agent_user_idx ON conversations (agent_slug, user_id, updated_at DESC);

CREATE TABLE messages (
    id              bigserial PRIMARY KEY,
    conversation_id text NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
    role            text NOT NULL CHECK (role IN ('user', 'assistant', 'system')),
    content         text NOT NULL,
    llm_provider    text NOT NULL DEFAULT '',
    llm_model       text NOT NULL DEFAULT '',
    created_at      timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX messages_conversation_idx ON messages (conversation_id, id);

-- Room and participant events from LiveKit webhooks.
CREATE TABLE conversation_events (
    id              bigserial PRIMARY KEY,
    conversation_id text NOT NULL,
    event_id        text NOT NULL UNIQUE,
    event           text NOT NULL,
    room_name       text NOT NULL DEFAULT '',
    participant     text NOT NULL DEFAULT '',
    created_at      timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX conversation_events_conversation_idx ON conversation_events (conversation_id, id);
