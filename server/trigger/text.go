package trigger

import (
	"context"
	"errors"
	"time"

	"github.com/sidekick-forge/sidekick-forge/server/apperr"
	"github.com/sidekick-forge/sidekick-forge/server/conversations"
	"github.com/sidekick-forge/sidekick-forge/server/llm"
	"github.com/sidekick-forge/sidekick-forge/server/tenancy"
)

// prepareText checks the agent's LLM settings, loads the client's key and
// the conversation's recent history, and returns the provider request.
func (s *Service) prepareText(ctx context.Context, t *turn) (llm.Request, error) {
	provider, model := t.agent.LLMProvider(), t.agent.LLMModel()
	if provider == "" {
		return llm.Request{}, apperr.New(apperr.NotConfigured,
			"agent %q has no voice_settings.llm_provider; set it to one of: %v", t.agent.Slug,
			llm.Providers())
	}
	if !s.llm.Supported(provider) {
		return llm.Request{}, apperr.New(apperr.NotConfigured,
			"agent %q uses llm_provider %q, which is not supported; use one of: %v", t.agent.Slug,
			provider, llm.Providers())
	}
	if model == "" {
		return llm.Request{}, apperr.New(apperr.NotConfigured,
			"agent %q has no voice_settings.llm_model (or model); set the model name", t.agent.Slug)
	}
	keys, err := s.store.ProviderSecrets(ctx, t.client.ID, provider)
	if err != nil {
		return llm.Request{}, err
	}
	key, ok := keys[provider]
	if !ok {
		return llm.Request{}, apperr.New(apperr.NotConfigured,
			"client %s has no %s API key; set it with setProviderKey", t.client.ID, provider)
	}

	// The conversation row is created only with the turn, so a failed
	// provider call leaves no trace.
	retention := time.Duration(t.agent.ContextRetentionMinutes) * time.Minute
	history, err := conversations.History(ctx, t.scope.DB, t.req.ConversationID,
		t.agent.Slug, t.agent.MaxContextMessages, retention)
	if err != nil {
		return llm.Request{}, err
	}

	req := llm.Request{Provider: provider, Model: model, APIKey: key.Key, BaseURL: key.BaseURL,
		System: t.agent.SystemPrompt}
	if temp, ok := t.agent.VoiceSettings["temperature"].(float64); ok {
		req.Temperature = &temp
	}
	for _, m := range history {
		req.Messages = append(req.Messages, llm.Message{Role: llm.Role(m.Role), Content: m.Content})
	}
	req.Messages = append(req.Messages, llm.Message{Role: llm.RoleUser, Content: t.req.Message})
	return req, nil
}

func (s *Service) text(ctx context.Context, t *turn) (*Result, error) {
	req, err := s.prepareText(ctx, t)
	if err != nil {
		return nil, err
	}
	reply, err := s.llm.Complete(ctx, req)
	if err != nil {
		return nil, err
	}
	if err := s.storeTurn(ctx, t, req, reply.Text); err != nil {
		return nil, err
	}
	return s.textResult(t, req, reply.Text), nil
}

// storeTurn stores the user's message and the reply together, creating the
// conversation with its first turn.
func (s *Service) storeTurn(ctx context.Context, t *turn, req llm.Request, reply string) error {
	conv := &conversations.Conversation{ID: t.req.ConversationID, AgentSlug: t.agent.Slug,
		UserID: t.req.UserID, SessionID: t.req.SessionID, Mode: ModeText}
	user := &conversations.Message{Role: conversations.RoleUser, Content: t.req.Message}
	assistant := &conversations.Message{Role: conversations.RoleAssistant, Content: reply,
		LLMProvider: req.Provider, LLMModel: req.Model}
	return conversations.AppendTurn(ctx, t.scope.DB, conv, user, assistant)
}

func (s *Service) textResult(t *turn, req llm.Request, reply string) *Result {
	return &Result{
		Mode: ModeText, ConversationID: t.req.ConversationID, Agent: t.agentInfo(),
		Text: &TextReply{MessageReceived: t.req.Message, UserID: t.req.UserID, Response: reply,
			LLMProvider: req.Provider, LLMModel: req.Model},
	}
}

// Stream runs a text trigger and streams the reply. Validation and setup
// errors are returned at once; errors of the provider call arrive as the
// last event. The turn is stored only when the reply is complete, so a
// cancelled stream leaves the conversation as it was.
func (s *Service) Stream(ctx context.Context, scope *tenancy.Scope, req Request) (<-chan StreamEvent, error) {
	if req.Mode == "" {
		req.Mode = ModeText
	}
	if req.Mode != ModeText {
		return nil, apperr.Invalid("mode", "streaming supports text mode only")
	}
	if err := s.validate(&req); err != nil {
		return nil, err
	}
	t, err := s.load(ctx, scope, req)
	if err != nil {
		return nil, err
	}
	llmReq, err := s.prepareText(ctx, t)
	if err != nil {
		return nil, err
	}

	events := make(chan StreamEvent, 16)
	go func() {
		defer close(events)
		send := func(ev StreamEvent) error {
			ev.ConversationID = req.ConversationID
			select {
			case events <- ev:
				return nil
			case <-ctx.Done():
				return ctx.Err()
			}
		}
		reply, err := s.llm.Stream(ctx, llmReq, func(delta string) error {
			return send(StreamEvent{Delta: delta})
		})
		if err == nil {
			err = s.storeTurn(ctx, t, llmReq, reply.Text)
		}
		if err != nil {
			if !errors.Is(err, context.Canceled) {
				s.log.Warn("streamed trigger failed", "client_id", scope.ClientID,
					"agent_slug", req.AgentSlug, "error", err)
			}
			_ = send(StreamEvent{Err: err})
			return
		}
		_ = send(StreamEvent{Done: true, FullText: reply.Text})
	}()
	return events, nil
}
