package rest

import (
	"encoding/json"
	"fmt"
	"strings"
)

// gqlTrigger is the triggerAgent selection of RestTriggerAgent.
type gqlTrigger struct {
	Mode           string `json:"mode"`
	ConversationID string `json:"conversationId"`
	Agent          struct {
		Slug          string  `json:"slug"`
		Name          string  `json:"name"`
		ClientID      string  `json:"clientId"`
		ClientName    string  `json:"clientName"`
		VoiceProvider *string `json:"voiceProvider"`
		VoiceID       *string `json:"voiceId"`
	} `json:"agent"`
	Voice *struct {
		RoomName     string `json:"roomName"`
		Platform     string `json:"platform"`
		ServerURL    string `json:"serverUrl"`
		UserToken    string `json:"userToken"`
		RoomStatus   string `json:"roomStatus"`
		Participants int    `json:"participants"`
		Dispatch     struct {
			Status     string  `json:"status"`
			DispatchID *string `json:"dispatchId"`
			Reason     *string `json:"reason"`
		} `json:"dispatch"`
	} `json:"voice"`
	Text *struct {
		MessageReceived string `json:"messageReceived"`
		UserID          string `json:"userId"`
		Response        string `json:"response"`
		LLMProvider     string `json:"llmProvider"`
		LLMModel        string `json:"llmModel"`
	} `json:"text"`
}

type triggerJSON struct {
	Success   bool          `json:"success"`
	Message   string        `json:"message"`
	Data      any           `json:"data"`
	AgentInfo agentInfoJSON `json:"agent_info"`
}

type agentInfoJSON struct {
	Slug          string  `json:"slug"`
	Name          string  `json:"name"`
	ClientID      string  `json:"client_id"`
	ClientName    string  `json:"client_name"`
	VoiceProvider *string `json:"voice_provider"`
	VoiceID       *string `json:"voice_id"`
}

type voiceDataJSON struct {
	Mode           string `json:"mode"`
	RoomName       string `json:"room_name"`
	Platform       string `json:"platform"`
	ConversationID string `json:"conversation_id"`
	LiveKitConfig  struct {
		ServerURL  string `json:"server_url"`
		UserToken  string `json:"user_token"`
		Configured bool   `json:"configured"`
	} `json:"livekit_config"`
	RoomInfo struct {
		RoomName     string `json:"room_name"`
		Status       string `json:"status"`
		Participants int    `json:"participants"`
	} `json:"room_info"`
	DispatchInfo struct {
		Status     string `json:"status"`
		DispatchID string `json:"dispatch_id,omitempty"`
		Reason     string `json:"reason,omitempty"`
	} `json:"dispatch_info"`
	Status string `json:"status"`
}

// textDataJSON repeats the reply in agent_response and ai_response, the
// field names of older clients.
type textDataJSON struct {
	Mode            string `json:"mode"`
	MessageReceived string `json:"message_received"`
	UserID          string `json:"user_id"`
	ConversationID  string `json:"conversation_id"`
	Response        string `json:"response"`
	AgentResponse   string `json:"agent_response"`
	AIResponse      string `json:"ai_response"`
	LLMProvider     string `json:"llm_provider"`
	LLMModel        string `json:"llm_model"`
	Status          string `json:"status"`
}

// triggered shapes a trigger result into the legacy response.
func triggered(_ *call, data json.RawMessage) (any, error) {
	raw, err := rootField(data, "triggerAgent")
	if err != nil {
		return nil, err
	}
	var g gqlTrigger
	if err := json.Unmarshal(raw, &g); err != nil {
		return nil, fmt.Errorf("decode triggerAgent: %w", err)
	}
	mode := strings.ToLower(g.Mode)
	a := g.Agent
	out := triggerJSON{
		Success: true,
		Message: fmt.Sprintf("Agent %s triggered successfully in %s mode", a.Slug, mode),
		AgentInfo: agentInfoJSON{Slug: a.Slug, Name: a.Name, ClientID: a.ClientID,
			ClientName: a.ClientName, VoiceProvider: a.VoiceProvider, VoiceID: a.VoiceID},
	}
	switch {
	case g.Text != nil:
		t := g.Text
		out.Data = textDataJSON{
			Mode: mode, MessageReceived: t.MessageReceived, UserID: t.UserID,
			ConversationID: g.ConversationID, Response: t.Response, AgentResponse: t.Response,
			AIResponse: t.Response, LLMProvider: t.LLMProvider, LLMModel: t.LLMModel,
			Status: "text_message_processed",
		}
	case g.Voice != nil:
		out.Data = voiceData(mode, g.ConversationID, &g)
	default:
		return nil, fmt.Errorf("trigger result in %s mode has neither voice nor text", mode)
	}
	return out, nil
}

func voiceData(mode, conversationID string, g *gqlTrigger) voiceDataJSON {
	v := g.Voice
	d := voiceDataJSON{Mode: mode, RoomName: v.RoomName, Platform: v.Platform,
		ConversationID: conversationID, Status: mode + "_agent_triggered"}
	d.LiveKitConfig.ServerURL, d.LiveKitConfig.UserToken = v.ServerURL, v.UserToken
	d.LiveKitConfig.Configured = true
	d.RoomInfo.RoomName, d.RoomInfo.Status = v.RoomName, v.RoomStatus
	d.RoomInfo.Participants = v.Participants
	d.DispatchInfo.Status = v.Dispatch.Status
	if v.Dispatch.DispatchID != nil {
		d.DispatchInfo.DispatchID = *v.Dispatch.DispatchID
	}
	if v.Dispatch.Reason != nil {
		d.DispatchInfo.Reason = *v.Dispatch.Reason
	}
	return d
}
