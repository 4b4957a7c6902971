package trigger

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/sidekick-forge/sidekick-forge/server/apperr"
	"github.com/sidekick-forge/sidekick-forge/server/conversations"
	"github.com/sidekick-forge/sidekick-forge/server/livekit"
)

// WorkerConfigPath is where agent workers fetch their configuration.
const WorkerConfigPath = "/api/v1/worker/config"

// RoomMetadata is all that a room's metadata holds: routing ids, never a
// prompt or a key, because every participant can read it.
type RoomMetadata struct {
	ClientID       string `json:"client_id"`
	AgentSlug      string `json:"agent_slug"`
	ConversationID string `json:"conversation_id"`
}

// DispatchMetadata is what the dispatched worker receives: routing ids and
// the means to fetch its configuration, valid for this dispatch only.
type DispatchMetadata struct {
	RoomMetadata
	RoomName    string `json:"room_name"`
	ConfigURL   string `json:"config_url"`
	WorkerToken string `json:"worker_token"`
}

// liveKitSettings returns the client's own LiveKit settings when complete,
// or the platform default.
func (s *Service) liveKitSettings(t *turn) (livekit.Settings, error) {
	if t.client.LiveKitConfigured() {
		own, err := s.store.LiveKit(t.client)
		if err != nil {
			return livekit.Settings{}, err
		}
		set := livekit.Settings{URL: own.URL, APIKey: own.APIKey, APISecret: own.APISecret,
			AgentName: own.AgentName}
		if set.AgentName == "" {
			set.AgentName = s.cfg.AgentName
		}
		return set, nil
	}
	set := s.cfg.PlatformLiveKit
	if missing := set.Missing(); len(missing) > 0 {
		env := make([]string, 0, len(missing))
		for _, m := range missing {
			env = append(env, "SIDEKICK_LIVEKIT_"+strings.ToUpper(m))
		}
		return livekit.Settings{}, &apperr.Error{Code: apperr.NotConfigured,
			Message: fmt.Sprintf("LiveKit is not configured for client %s: set %s on the platform, "+
				"or the client's LiveKit settings (setLiveKitConfig)", t.client.ID, strings.Join(env, ", ")),
			Details: map[string]any{"missing": env}}
	}
	if set.AgentName == "" {
		set.AgentName = s.cfg.AgentName
	}
	return set, nil
}

func (s *Service) voice(ctx context.Context, t *turn) (*Result, error) {
	set, err := s.liveKitSettings(t)
	if err != nil {
		return nil, err
	}
	req := t.req
	conv, err := conversations.Ensure(ctx, t.scope.DB, &conversations.Conversation{
		ID: req.ConversationID, AgentSlug: t.agent.Slug, UserID: req.UserID,
		SessionID: req.SessionID, Mode: req.Mode, RoomName: req.RoomName,
	})
	if err != nil {
		return nil, err
	}

	routing := RoomMetadata{ClientID: t.client.ID.String(), AgentSlug: t.agent.Slug,
		ConversationID: conv.ID}
	roomMeta, _ := json.Marshal(routing)
	room, err := s.rooms.EnsureRoom(ctx, set, livekit.RoomRequest{
		Name: req.RoomName, Metadata: string(roomMeta), EmptyTimeout: s.cfg.EmptyTimeout,
		MaxParticipants: s.cfg.MaxParticipants,
	})
	if err != nil {
		return nil, err
	}

	workerToken, err := s.tokens.Mint(t.client.ID, t.agent.Slug, req.RoomName, conv.ID)
	if err != nil {
		return nil, err
	}
	dispatchMeta, _ := json.Marshal(DispatchMetadata{
		RoomMetadata: routing, RoomName: req.RoomName,
		ConfigURL: s.cfg.PublicURL + WorkerConfigPath, WorkerToken: workerToken,
	})
	dispatch, err := s.rooms.EnsureAgentDispatch(ctx, set, req.RoomName, set.AgentName,
		string(dispatchMeta))
	if err != nil {
		return nil, err
	}

	userToken, err := livekit.UserToken(set, livekit.TokenParams{
		Room: req.RoomName, Identity: "user_" + req.UserID, Name: req.UserID,
		TTL: s.cfg.UserTokenTTL,
	})
	if err != nil {
		return nil, err
	}
	status := "existing"
	if room.Created {
		status = "created"
	}
	return &Result{
		Mode: req.Mode, ConversationID: conv.ID, Agent: t.agentInfo(),
		Voice: &VoiceSession{
			RoomName: req.RoomName, Platform: req.Platform, ServerURL: set.ServerURL(),
			UserToken: userToken, RoomStatus: status, Participants: room.Participants,
			Dispatch: Dispatch{Status: dispatch.Status, DispatchID: dispatch.DispatchID,
				Reason: dispatch.Reason},
		},
	}, nil
}
