package trigger

import (
	"unicode/utf8"

	"github.com/google/uuid"

	"github.com/sidekick-forge/sidekick-forge/server/agents"
	"github.com/sidekick-forge/sidekick-forge/server/apperr"
)

// Limits of trigger fields other than the message, whose limit is
// configurable.
const (
	maxIDLength       = 256
	maxRoomNameLength = 128
)

// validate checks req and fills in the generated conversation id.
func (s *Service) validate(req *Request) error {
	if err := agents.ValidateSlug("agent_slug", req.AgentSlug); err != nil {
		return err
	}
	switch req.Mode {
	case ModeVoice, ModeVideo, ModeText:
	default:
		return apperr.Invalid("mode", "%q is not one of voice, video, text", req.Mode)
	}
	if req.UserID == "" {
		return apperr.Invalid("user_id", "is required")
	}
	for field, v := range map[string]string{"user_id": req.UserID,
		"conversation_id": req.ConversationID, "session_id": req.SessionID, "platform": req.Platform} {
		if utf8.RuneCountInString(v) > maxIDLength {
			return apperr.Invalid(field, "is longer than %d characters", maxIDLength)
		}
	}
	if req.Mode == ModeText {
		if req.Message == "" {
			return apperr.Invalid("message", "is required for text mode")
		}
		if n := utf8.RuneCountInString(req.Message); n > s.cfg.MaxMessageLength {
			return apperr.Invalid("message", "is %d characters; the maximum is %d", n,
				s.cfg.MaxMessageLength)
		}
	} else {
		if req.RoomName == "" {
			return apperr.Invalid("room_name", "is required for %s mode", req.Mode)
		}
		if len(req.RoomName) > maxRoomNameLength {
			return apperr.Invalid("room_name", "is longer than %d characters", maxRoomNameLength)
		}
	}
	if req.Platform == "" {
		req.Platform = "livekit"
	}
	if req.ConversationID == "" {
		req.ConversationID = uuid.NewString()
	}
	return nil
}

func checkEnabled(a *agents.Agent, mode string) error {
	if !a.Enabled {
		return apperr.Invalid("agent_slug", "agent %q is disabled", a.Slug)
	}
	switch {
	case mode == ModeText && !a.TextChatEnabled:
		return apperr.Invalid("mode", "text chat is disabled for agent %q", a.Slug)
	case mode == ModeVoice && !a.VoiceChatEnabled:
		return apperr.Invalid("mode", "voice chat is disabled for agent %q", a.Slug)
	case mode == ModeVideo && !a.VideoChatEnabled:
		return apperr.Invalid("mode", "video chat is disabled for agent %q", a.Slug)
	}
	return nil
}
