package trigger

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/livekit/protocol/auth"

	"github.com/sidekick-forge/sidekick-forge/server/agents"
	"github.com/sidekick-forge/sidekick-forge/server/apperr"
	"github.com/sidekick-forge/sidekick-forge/server/conversations"
	"github.com/sidekick-forge/sidekick-forge/server/livekit"
)

// ErrorWriter writes an API error response.
type ErrorWriter func(w http.ResponseWriter, r *http.Request, status int, code, detail string)

// WorkerConfig is the configuration an agent worker fetches for its job.
// It is the only response of the platform that contains provider keys.
type WorkerConfig struct {
	ClientID       string            `json:"client_id"`
	ConversationID string            `json:"conversation_id"`
	RoomName       string            `json:"room_name"`
	Agent          WorkerAgent       `json:"agent"`
	ProviderKeys   map[string]string `json:"provider_keys"`
	ProviderURLs   map[string]string `json:"provider_base_urls,omitempty"`
}

// WorkerAgent is the agent part of a worker's configuration.
type WorkerAgent struct {
	Slug                    string         `json:"slug"`
	Name                    string         `json:"name"`
	SystemPrompt            string         `json:"system_prompt"`
	VoiceSettings           map[string]any `json:"voice_settings"`
	Model                   string         `json:"model"`
	ContextRetentionMinutes int            `json:"context_retention_minutes"`
	MaxContextMessages      int            `json:"max_context_messages"`
}

// usedProviders lists the providers whose keys an agent's worker needs.
func usedProviders(a *agents.Agent) []string {
	var out []string
	seen := map[string]bool{}
	for _, key := range []string{"llm_provider", "stt_provider", "tts_provider", "provider"} {
		if p := a.VoiceString(key); p != "" && !seen[p] {
			seen[p] = true
			out = append(out, p)
		}
	}
	return out
}

// WorkerConfigHandler serves GET /api/v1/worker/config to a worker holding
// the token of its dispatch.
func (s *Service) WorkerConfigHandler(writeError ErrorWriter) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		raw, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		if !ok || raw == "" {
			writeError(w, r, http.StatusUnauthorized, string(apperr.Unauthenticated),
				"worker token required: send Authorization: Bearer <worker_token>")
			return
		}
		claims, err := s.tokens.Verify(raw)
		if err != nil {
			s.log.Info("worker config request with invalid token rejected", "remote", r.RemoteAddr)
			writeError(w, r, http.StatusUnauthorized, string(apperr.Unauthenticated), err.Error())
			return
		}
		cfg, err := s.workerConfig(r.Context(), claims)
		if err != nil {
			code := apperr.CodeOf(err)
			msg := "worker configuration unavailable"
			if e, ok := apperr.As(err); ok && code != apperr.Internal {
				msg = e.Message
			} else {
				s.log.Error("load worker configuration", "client_id", claims.ClientID, "error", err)
			}
			writeError(w, r, code.Status(), string(code), msg)
			return
		}
		s.log.Info("worker configuration served", "client_id", claims.ClientID,
			"agent_slug", claims.AgentSlug, "room", claims.RoomName)
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Cache-Control", "no-store")
		_ = json.NewEncoder(w).Encode(cfg)
	})
}

func (s *Service) workerConfig(ctx context.Context, c *WorkerClaims) (*WorkerConfig, error) {
	clientID := uuid.MustParse(c.ClientID)
	lease, err := s.tenants.Acquire(ctx, clientID)
	if err != nil {
		return nil, err
	}
	defer lease.Release()

	agent, err := agents.Get(ctx, lease.DB(), clientID, c.AgentSlug)
	if err != nil {
		return nil, err
	}
	secrets, err := s.store.ProviderSecrets(ctx, clientID, usedProviders(agent)...)
	if err != nil {
		return nil, err
	}
	cfg := &WorkerConfig{
		ClientID: c.ClientID, ConversationID: c.ConversationID, RoomName: c.RoomName,
		Agent: WorkerAgent{
			Slug: agent.Slug, Name: agent.Name, SystemPrompt: agent.SystemPrompt,
			VoiceSettings: agent.VoiceSettings, Model: agent.Model,
			ContextRetentionMinutes: agent.ContextRetentionMinutes,
			MaxContextMessages:      agent.MaxContextMessages,
		},
		ProviderKeys: map[string]string{}, ProviderURLs: map[string]string{},
	}
	for provider, secret := range secrets {
		cfg.ProviderKeys[provider] = secret.Key
		if secret.BaseURL != "" {
			cfg.ProviderURLs[provider] = secret.BaseURL
		}
	}
	return cfg, nil
}

// webhookKeys returns the LiveKit API secrets that may sign webhooks: the
// platform default and every client's own.
func (s *Service) webhookKeys(ctx context.Context) (auth.KeyProvider, error) {
	keys, err := s.store.LiveKitSecretsByAPIKey(ctx)
	if err != nil {
		return nil, err
	}
	if p := s.cfg.PlatformLiveKit; p.APIKey != "" && p.APISecret != "" {
		keys[p.APIKey] = p.APISecret
	}
	return auth.NewFileBasedKeyProviderFromMap(keys), nil
}

// WebhookHandler serves POST /webhooks/livekit. Each event is verified,
// deduplicated by its id and recorded against the conversation named in the
// room metadata.
func (s *Service) WebhookHandler(writeError ErrorWriter) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		keys, err := s.webhookKeys(r.Context())
		if err != nil {
			s.log.Error("load LiveKit webhook keys", "error", err)
			writeError(w, r, http.StatusServiceUnavailable, string(apperr.Internal),
				"webhook verification is unavailable")
			return
		}
		event, err := livekit.ReceiveWebhook(r, keys)
		if err != nil {
			code := apperr.CodeOf(err)
			s.log.Warn("LiveKit webhook rejected", "remote", r.RemoteAddr, "error", err)
			writeError(w, r, code.Status(), string(code), "webhook rejected: invalid signature or body")
			return
		}
		// ReceiveWebhook verified this header, so it parses; the check only
		// guards against a change there.
		signer, err := auth.ParseAPIToken(r.Header.Get("Authorization"))
		if err != nil {
			s.log.Warn("LiveKit webhook rejected", "remote", r.RemoteAddr, "error", err)
			writeError(w, r, http.StatusUnauthorized, string(apperr.Unauthenticated),
				"webhook rejected: invalid signature or body")
			return
		}
		err = s.recordWebhook(r.Context(), signer.APIKey(), webhookRecord{
			eventID: event.GetId(), event: event.GetEvent(), room: event.GetRoom().GetName(),
			metadata: event.GetRoom().GetMetadata(), participant: event.GetParticipant().GetIdentity(),
		})
		switch code := apperr.CodeOf(err); {
		case err == nil:
			w.WriteHeader(http.StatusOK)
		case code == apperr.Forbidden || code == apperr.InvalidInput:
			s.log.Warn("LiveKit webhook rejected", "event_id", event.GetId(), "error", err)
			writeError(w, r, code.Status(), string(code), err.Error())
		default:
			s.log.Error("record LiveKit webhook", "event_id", event.GetId(), "error", err)
			writeError(w, r, http.StatusServiceUnavailable, string(code),
				"webhook could not be recorded; retry later")
		}
	})
}

// webhookRecord is the part of a LiveKit webhook event that is stored.
type webhookRecord struct {
	eventID, event, room, metadata, participant string
}

// recordWebhook stores one verified event in the tenant named by the room
// metadata. Every client's LiveKit secret may sign webhooks, so the signing
// API key must be the one the client's rooms are created with. Otherwise a
// client running its own LiveKit server could write events into another
// tenant's database by naming that tenant in a room's metadata.
func (s *Service) recordWebhook(ctx context.Context, signerKey string, rec webhookRecord) error {
	if rec.eventID == "" {
		return apperr.Invalid("id", "webhook event has no id")
	}
	var routing RoomMetadata
	err := json.Unmarshal([]byte(rec.metadata), &routing)
	clientID, idErr := uuid.Parse(routing.ClientID)
	if err != nil || idErr != nil || routing.ConversationID == "" {
		// A room this platform did not create; nothing to record.
		s.log.Debug("LiveKit webhook for an unknown room ignored", "event", rec.event,
			"room", rec.room)
		return nil
	}
	client, err := s.store.ClientByID(ctx, clientID)
	if apperr.CodeOf(err) == apperr.NotFound {
		// A deleted client: a retried delivery would fail the same way.
		s.log.Info("LiveKit webhook for a deleted client ignored", "client_id", clientID,
			"event", rec.event, "room", rec.room)
		return nil
	}
	if err != nil {
		return err
	}
	// NOTE: after a client changes its LiveKit settings, webhooks for rooms
	// created with the previous settings are rejected here.
	want := s.cfg.PlatformLiveKit.APIKey
	if client.LiveKitConfigured() {
		want = client.LiveKitAPIKey
	}
	if signerKey != want {
		return apperr.New(apperr.Forbidden,
			"webhook for client %s is signed with a LiveKit API key the client does not use",
			clientID)
	}

	lease, err := s.tenants.Acquire(ctx, clientID)
	if err != nil {
		return err
	}
	defer lease.Release()
	// LiveKit retries deliveries; the event id is unique in the tenant
	// database, so a repeated delivery is stored once.
	return conversations.RecordEvent(ctx, lease.DB(), &conversations.Event{
		ConversationID: routing.ConversationID, EventID: rec.eventID, Event: rec.event,
		RoomName: rec.room, Participant: rec.participant, CreatedAt: time.Now(),
	})
}
