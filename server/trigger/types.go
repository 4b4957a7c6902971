// Package trigger runs the main job of the platform: triggering an agent in
// voice or video mode (a LiveKit room, an agent dispatch and a user token) or
// in text mode (one LLM turn stored in the conversation).
package trigger

import "github.com/google/uuid"

// Modes of a trigger.
const (
	ModeVoice = "voice"
	ModeVideo = "video"
	ModeText  = "text"
)

// Request is one trigger, already authenticated and scoped to a client.
type Request struct {
	AgentSlug      string
	Mode           string
	UserID         string
	Message        string
	RoomName       string
	ConversationID string
	SessionID      string
	Platform       string
	Context        map[string]any
}

// AgentInfo identifies the triggered agent in the response.
type AgentInfo struct {
	Slug, Name    string
	ClientID      uuid.UUID
	ClientName    string
	VoiceProvider string
	VoiceID       string
}

// Result is the outcome of a trigger. Exactly one of Voice and Text is set.
type Result struct {
	Mode           string
	ConversationID string
	Agent          AgentInfo
	Voice          *VoiceSession
	Text           *TextReply
}

// VoiceSession is what a browser needs to join the agent's room.
type VoiceSession struct {
	RoomName     string
	Platform     string
	ServerURL    string
	UserToken    string
	RoomStatus   string // "created" or "existing"
	Participants int
	Dispatch     Dispatch
}

// Dispatch reports whether an agent was sent to the room.
type Dispatch struct {
	Status     string // "dispatched" or "skipped"
	DispatchID string
	Reason     string
}

// TextReply is the agent's answer to a text message.
type TextReply struct {
	MessageReceived string
	UserID          string
	Response        string
	LLMProvider     string
	LLMModel        string
}

// StreamEvent is one event of a streamed text reply.
type StreamEvent struct {
	Delta          string
	Done           bool
	ConversationID string
	FullText       string
	Err            error
}
