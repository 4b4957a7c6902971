// Package agents stores the agents of one tenant database and validates
// their fields. Every function takes the tenant database explicitly; only the
// tenancy package opens one.
package agents

import (
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"
)

// Agent is one sidekick of a client.
type Agent struct {
	bun.BaseModel `bun:"table:agents"`

	ID                      uuid.UUID      `bun:"id,pk,type:uuid"`
	Slug                    string         `bun:"slug,notnull"`
	Name                    string         `bun:"name,notnull"`
	Description             string         `bun:"description,notnull"`
	AgentImage              string         `bun:"agent_image,notnull"`
	SystemPrompt            string         `bun:"system_prompt,notnull"`
	VoiceSettings           map[string]any `bun:"voice_settings,type:jsonb,notnull"`
	Webhooks                Webhooks       `bun:"webhooks,type:jsonb,notnull"`
	Enabled                 bool           `bun:"enabled,notnull"`
	TextChatEnabled         bool           `bun:"text_chat_enabled,notnull"`
	VoiceChatEnabled        bool           `bun:"voice_chat_enabled,notnull"`
	VideoChatEnabled        bool           `bun:"video_chat_enabled,notnull"`
	Model                   string         `bun:"model,notnull"`
	ContextRetentionMinutes int            `bun:"context_retention_minutes,notnull"`
	MaxContextMessages      int            `bun:"max_context_messages,notnull"`
	CreatedAt               time.Time      `bun:"created_at,notnull,default:current_timestamp"`
	UpdatedAt               time.Time      `bun:"updated_at,notnull,default:current_timestamp"`

	// ClientID is not stored in the tenant database, whose whole content
	// belongs to one client; the store fills it in on load.
	ClientID uuid.UUID `bun:"-"`
}

// Webhooks are the URLs an agent calls for extra context.
type Webhooks struct {
	VoiceContextWebhookURL string `json:"voice_context_webhook_url,omitempty"`
	TextContextWebhookURL  string `json:"text_context_webhook_url,omitempty"`
}

// VoiceString returns a string value of the voice settings, or "".
func (a *Agent) VoiceString(key string) string {
	if v, ok := a.VoiceSettings[key].(string); ok {
		return v
	}
	return ""
}

// LLMProvider returns the provider that answers text turns.
func (a *Agent) LLMProvider() string { return a.VoiceString("llm_provider") }

// LLMModel returns the model of text turns: voice_settings.llm_model, or the
// agent's model field when that is unset.
func (a *Agent) LLMModel() string {
	if m := a.VoiceString("llm_model"); m != "" {
		return m
	}
	return a.Model
}

// Defaults of a new agent.
const (
	DefaultContextRetentionMinutes = 30
	DefaultMaxContextMessages      = 50
)

// New returns an agent with the documented defaults.
func New(slug, name string) *Agent {
	now := time.Now()
	return &Agent{
		ID: uuid.New(), Slug: slug, Name: name, VoiceSettings: map[string]any{},
		Enabled: true, TextChatEnabled: true, VoiceChatEnabled: true,
		ContextRetentionMinutes: DefaultContextRetentionMinutes,
		MaxContextMessages:      DefaultMaxContextMessages,
		CreatedAt:               now, UpdatedAt: now,
	}
}
