package graph

import (
	"encoding/base64"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/sidekick-forge/sidekick-forge/graph/model"
	"github.com/sidekick-forge/sidekick-forge/server/agents"
	"github.com/sidekick-forge/sidekick-forge/server/apperr"
	"github.com/sidekick-forge/sidekick-forge/server/conversations"
	"github.com/sidekick-forge/sidekick-forge/server/platform"
	"github.com/sidekick-forge/sidekick-forge/server/secrets"
)

// Page sizes of connections.
const (
	defaultPageSize = 20
	maxPageSize     = 100
)

func pageSize(first *int) (int, error) {
	if first == nil {
		return defaultPageSize, nil
	}
	if *first < 1 || *first > maxPageSize {
		return 0, apperr.Invalid("first", "is %d; it must be between 1 and %d", *first, maxPageSize)
	}
	return *first, nil
}

// Cursors are opaque to callers: base64 of "kind:value".
func encodeCursor(kind, value string) string {
	return base64.RawURLEncoding.EncodeToString([]byte(kind + ":" + value))
}

func decodeCursor(kind string, after *string) (string, error) {
	if after == nil || *after == "" {
		return "", nil
	}
	raw, err := base64.RawURLEncoding.DecodeString(*after)
	value, ok := strings.CutPrefix(string(raw), kind+":")
	if err != nil || !ok {
		return "", apperr.Invalid("after", "is not a cursor returned by this connection")
	}
	return value, nil
}

// timeIDCursor joins a timestamp and an id, for keyset pages ordered by both.
func timeIDCursor(kind string, t time.Time, id string) string {
	return encodeCursor(kind, t.UTC().Format(time.RFC3339Nano)+"|"+id)
}

func decodeTimeIDCursor(kind string, after *string) (time.Time, string, error) {
	v, err := decodeCursor(kind, after)
	if err != nil || v == "" {
		return time.Time{}, "", err
	}
	ts, id, ok := strings.Cut(v, "|")
	t, perr := time.Parse(time.RFC3339Nano, ts)
	if !ok || perr != nil {
		return time.Time{}, "", apperr.Invalid("after", "is not a cursor returned by this connection")
	}
	return t, id, nil
}

// pageInfo describes a page of a connection from its edges, whose cursors
// cursor reads.
func pageInfo[E any](edges []*E, cursor func(*E) string, hasNext, hasPrevious bool) *model.PageInfo {
	info := &model.PageInfo{HasNextPage: hasNext, HasPreviousPage: hasPrevious}
	if n := len(edges); n > 0 {
		start, end := cursor(edges[0]), cursor(edges[n-1])
		info.StartCursor, info.EndCursor = &start, &end
	}
	return info
}

func optional(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func toClient(c *platform.Client, platformLiveKit bool) *model.Client {
	out := &model.Client{
		ID: c.ID, Name: c.Name, Slug: c.Slug,
		DatabaseMode:       model.DatabaseMode(strings.ToUpper(c.DatabaseMode)),
		ProvisioningStatus: model.ProvisioningStatus(strings.ToUpper(c.ProvisioningStatus)),
		ProvisioningError:  c.ProvisioningError,
		SchemaVersion:      int(c.SchemaVersion),
		CreatedAt:          c.CreatedAt, UpdatedAt: c.UpdatedAt,
	}
	for _, st := range platform.KeyStatuses(c.Credentials) {
		out.ProviderKeys = append(out.ProviderKeys, toProviderKey(st))
	}
	own := c.LiveKitConfigured()
	out.Livekit = &model.LiveKitConfig{
		URL: optional(c.LiveKitURL), AgentName: optional(c.LiveKitAgentName),
		Configured: own, Available: own || platformLiveKit,
	}
	if c.LiveKitAPIKey != "" {
		masked := secrets.Mask(c.LiveKitAPIKey)
		out.Livekit.APIKey = &masked
	}
	return out
}

// credentialChanges converts updateClient's providerKeys, naming each entry
// by its list index for error messages.
func credentialChanges(in []*model.ProviderKeyChange) []platform.CredentialChange {
	out := make([]platform.CredentialChange, 0, len(in))
	for i, ch := range in {
		c := platform.CredentialChange{Provider: ch.Provider, Key: ch.Key,
			Field: "providerKeys[" + strconv.Itoa(i) + "]"}
		setString(&c.BaseURL, ch.BaseURL)
		out = append(out, c)
	}
	return out
}

func toProviderKey(st platform.KeyStatus) *model.ProviderKey {
	return &model.ProviderKey{
		Provider: st.Provider, Configured: st.Configured, Last4: optional(st.Last4),
		BaseURL: optional(st.BaseURL), UpdatedAt: st.UpdatedAt,
	}
}

func toAgent(a *agents.Agent) *model.Agent {
	vs := a.VoiceSettings
	if vs == nil {
		vs = map[string]any{}
	}
	return &model.Agent{
		ID: a.ID, Slug: a.Slug, Name: a.Name, Description: a.Description, ClientID: a.ClientID,
		AgentImage: a.AgentImage, SystemPrompt: a.SystemPrompt, VoiceSettings: vs,
		Webhooks: &model.AgentWebhooks{
			VoiceContextWebhookURL: optional(a.Webhooks.VoiceContextWebhookURL),
			TextContextWebhookURL:  optional(a.Webhooks.TextContextWebhookURL),
		},
		Enabled: a.Enabled, TextChatEnabled: a.TextChatEnabled,
		VoiceChatEnabled: a.VoiceChatEnabled, VideoChatEnabled: a.VideoChatEnabled,
		Model: a.Model, ContextRetentionMinutes: a.ContextRetentionMinutes,
		MaxContextMessages: a.MaxContextMessages, CreatedAt: a.CreatedAt, UpdatedAt: a.UpdatedAt,
	}
}

// agentFromInput builds a new agent with the defaults for absent fields.
func agentFromInput(in model.AgentInput) *agents.Agent {
	a := agents.New(in.Slug, in.Name)
	applyAgentPatch(a, model.AgentPatch{
		Description: in.Description, AgentImage: in.AgentImage, SystemPrompt: in.SystemPrompt,
		VoiceSettings: in.VoiceSettings, Webhooks: in.Webhooks, Enabled: in.Enabled,
		TextChatEnabled: in.TextChatEnabled, VoiceChatEnabled: in.VoiceChatEnabled,
		VideoChatEnabled: in.VideoChatEnabled, Model: in.Model,
		ContextRetentionMinutes: in.ContextRetentionMinutes, MaxContextMessages: in.MaxContextMessages,
	})
	return a
}

// applyAgentPatch sets every field present in p.
func applyAgentPatch(a *agents.Agent, p model.AgentPatch) {
	setString(&a.Slug, p.Slug)
	setString(&a.Name, p.Name)
	setString(&a.Description, p.Description)
	setString(&a.AgentImage, p.AgentImage)
	setString(&a.SystemPrompt, p.SystemPrompt)
	setString(&a.Model, p.Model)
	if p.VoiceSettings != nil {
		a.VoiceSettings = p.VoiceSettings
	}
	if p.Webhooks != nil {
		setString(&a.Webhooks.VoiceContextWebhookURL, p.Webhooks.VoiceContextWebhookURL)
		setString(&a.Webhooks.TextContextWebhookURL, p.Webhooks.TextContextWebhookURL)
	}
	setBool(&a.Enabled, p.Enabled)
	setBool(&a.TextChatEnabled, p.TextChatEnabled)
	setBool(&a.VoiceChatEnabled, p.VoiceChatEnabled)
	setBool(&a.VideoChatEnabled, p.VideoChatEnabled)
	setInt(&a.ContextRetentionMinutes, p.ContextRetentionMinutes)
	setInt(&a.MaxContextMessages, p.MaxContextMessages)
}

func setString(dst *string, v *string) {
	if v != nil {
		*dst = *v
	}
}

func setBool(dst *bool, v *bool) {
	if v != nil {
		*dst = *v
	}
}

func setInt(dst *int, v *int) {
	if v != nil {
		*dst = *v
	}
}

func toConversation(c *conversations.Conversation) *model.Conversation {
	return &model.Conversation{
		ID: c.ID, AgentSlug: c.AgentSlug, UserID: c.UserID, SessionID: c.SessionID,
		Mode: c.Mode, RoomName: c.RoomName, CreatedAt: c.CreatedAt, UpdatedAt: c.UpdatedAt,
	}
}

func toMessage(m *conversations.Message) *model.Message {
	return &model.Message{
		ID: strconv.FormatInt(m.ID, 10), ConversationID: m.ConversationID, Role: m.Role,
		Content: m.Content, LlmProvider: m.LLMProvider, LlmModel: m.LLMModel, CreatedAt: m.CreatedAt,
	}
}

func toSite(k *platform.AccessKey) *model.WordPressSite {
	site := &model.WordPressSite{
		ID: k.ID, Name: k.Name, Domain: k.Domain, AllowedOrigins: k.AllowedOrigins,
		KeyPrefix: k.Prefix, CreatedAt: k.CreatedAt, LastUsedAt: k.LastUsedAt,
		Revoked: k.RevokedAt != nil,
	}
	if k.ClientID != nil {
		site.ClientID = *k.ClientID
	}
	if site.AllowedOrigins == nil {
		site.AllowedOrigins = []string{}
	}
	return site
}

func parseStatus(s *model.ProvisioningStatus) string {
	if s == nil {
		return ""
	}
	return strings.ToLower(string(*s))
}

func uuidPtr(id uuid.UUID) *uuid.UUID { return &id }
