package trigger

import (
	"context"
	"log/slog"
	"time"

	"github.com/sidekick-forge/sidekick-forge/server/agents"
	"github.com/sidekick-forge/sidekick-forge/server/livekit"
	"github.com/sidekick-forge/sidekick-forge/server/llm"
	"github.com/sidekick-forge/sidekick-forge/server/platform"
	"github.com/sidekick-forge/sidekick-forge/server/tenancy"
)

// Config holds the trigger settings of the platform.
type Config struct {
	// PlatformLiveKit is the default for clients without LiveKit settings.
	PlatformLiveKit livekit.Settings
	// AgentName is the dispatch target unless a client sets its own.
	AgentName string
	// PublicURL is the platform's externally reachable base URL.
	PublicURL        string
	UserTokenTTL     time.Duration
	MaxParticipants  uint32
	EmptyTimeout     time.Duration
	MaxMessageLength int
}

// Service runs triggers.
type Service struct {
	store   *platform.Store
	tenants *tenancy.Manager
	rooms   *livekit.Service
	llm     *llm.Registry
	tokens  *WorkerTokens
	cfg     Config
	log     *slog.Logger
}

// NewService returns a trigger service.
func NewService(store *platform.Store, tenants *tenancy.Manager, rooms *livekit.Service,
	registry *llm.Registry, tokens *WorkerTokens, cfg Config, log *slog.Logger) *Service {
	if cfg.EmptyTimeout == 0 {
		cfg.EmptyTimeout = 5 * time.Minute
	}
	return &Service{store: store, tenants: tenants, rooms: rooms, llm: registry, tokens: tokens,
		cfg: cfg, log: log}
}

// Trigger runs one trigger in the tenant of scope.
func (s *Service) Trigger(ctx context.Context, scope *tenancy.Scope, req Request) (*Result, error) {
	if err := s.validate(&req); err != nil {
		return nil, err
	}
	t, err := s.load(ctx, scope, req)
	if err != nil {
		return nil, err
	}
	log := s.log.With("client_id", scope.ClientID, "agent_slug", req.AgentSlug, "mode", req.Mode,
		"conversation_id", req.ConversationID)
	started := time.Now()

	var res *Result
	if req.Mode == ModeText {
		res, err = s.text(ctx, t)
	} else {
		res, err = s.voice(ctx, t)
	}
	if err != nil {
		log.Warn("trigger failed", "error", err, "duration_ms", time.Since(started).Milliseconds())
		return nil, err
	}
	log.Info("agent triggered", "duration_ms", time.Since(started).Milliseconds())
	return res, nil
}

// turn is a validated trigger with its client and agent loaded.
type turn struct {
	scope  *tenancy.Scope
	req    Request
	client *platform.Client
	agent  *agents.Agent
}

// load reads the client from the platform database and the agent from the
// tenant database, and checks that the agent serves the requested mode.
func (s *Service) load(ctx context.Context, scope *tenancy.Scope, req Request) (*turn, error) {
	client, err := s.store.ClientByID(ctx, scope.ClientID)
	if err != nil {
		return nil, err
	}
	agent, err := agents.Get(ctx, scope.DB, scope.ClientID, req.AgentSlug)
	if err != nil {
		return nil, err
	}
	if err := checkEnabled(agent, req.Mode); err != nil {
		return nil, err
	}
	return &turn{scope: scope, req: req, client: client, agent: agent}, nil
}

func (t *turn) agentInfo() AgentInfo {
	return AgentInfo{
		Slug: t.agent.Slug, Name: t.agent.Name, ClientID: t.client.ID, ClientName: t.client.Name,
		VoiceProvider: t.agent.VoiceString("provider"), VoiceID: t.agent.VoiceString("voice_id"),
	}
}
