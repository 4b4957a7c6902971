package main

import (
	"context"
	"fmt"
	"strings"
)

// Trigger APIs that the demo can call.
const (
	// TriggerREST calls POST /api/v2/trigger-agent (voice) and
	// POST /api/v1/trigger-agent (text), as WordPress sites do.
	TriggerREST = "rest"
	// TriggerGraphQL calls the triggerAgent mutation, which the REST routes
	// run underneath.
	TriggerGraphQL = "graphql"
)

// TriggerRequest is the body of POST /api/v{1,2}/trigger-agent.
type TriggerRequest struct {
	AgentSlug string `json:"agent_slug"`
	Mode      string `json:"mode"`
	UserID    string `json:"user_id"`
	RoomName  string `json:"room_name,omitempty"`
	Message   string `json:"message,omitempty"`
}

// TriggerResponse is the 200 body of the trigger routes.
type TriggerResponse struct {
	Success   bool        `json:"success"`
	Message   string      `json:"message"`
	Data      TriggerData `json:"data"`
	AgentInfo AgentInfo   `json:"agent_info"`
}

// TriggerData holds the fields of both modes: voice and video fill the
// LiveKit ones, text fills the reply.
type TriggerData struct {
	Mode           string         `json:"mode"`
	ConversationID string         `json:"conversation_id"`
	Status         string         `json:"status"`
	RoomName       string         `json:"room_name"`
	Platform       string         `json:"platform"`
	LiveKitConfig  *LiveKitConfig `json:"livekit_config"`
	RoomInfo       *RoomInfo      `json:"room_info"`
	DispatchInfo   *DispatchInfo  `json:"dispatch_info"`

	MessageReceived string `json:"message_received"`
	UserID          string `json:"user_id"`
	Response        string `json:"response"`
	// AgentResponse and AIResponse repeat Response for older clients.
	AgentResponse string `json:"agent_response"`
	AIResponse    string `json:"ai_response"`
	LLMProvider   string `json:"llm_provider"`
	LLMModel      string `json:"llm_model"`
}

// LiveKitConfig is the server URL and token the user joins the room with.
type LiveKitConfig struct {
	ServerURL  string `json:"server_url"`
	UserToken  string `json:"user_token"`
	Configured bool   `json:"configured"`
}

// RoomInfo describes the room the trigger created or found.
type RoomInfo struct {
	RoomName     string `json:"room_name"`
	Status       string `json:"status"`
	Participants int    `json:"participants"`
}

// DispatchInfo is the outcome of the agent dispatch.
type DispatchInfo struct {
	Status     string `json:"status"`
	DispatchID string `json:"dispatch_id"`
	Reason     string `json:"reason"`
}

// AgentInfo names the agent and its client.
type AgentInfo struct {
	Slug          string `json:"slug"`
	Name          string `json:"name"`
	ClientID      string `json:"client_id"`
	ClientName    string `json:"client_name"`
	VoiceProvider string `json:"voice_provider"`
	VoiceID       string `json:"voice_id"`
}

// trigger calls the trigger route of version ("v1" or "v2") with key, or the
// triggerAgent mutation when api is TriggerGraphQL.
func (c *apiClient) trigger(ctx context.Context, api, version, key string,
	req TriggerRequest) (*TriggerResponse, error) {
	if api == TriggerGraphQL {
		return c.triggerGraphQL(ctx, key, req)
	}
	path := "/api/" + version + "/trigger-agent"
	var res TriggerResponse
	if err := c.postREST(ctx, path, key, req, &res); err != nil {
		if isMissingRoute(err) {
			return nil, fmt.Errorf("POST %s: the platform has no such route (%w); "+
				"run the demo with --trigger-api graphql to use the triggerAgent mutation",
				path, err)
		}
		return nil, fmt.Errorf("POST %s: %w", path, err)
	}
	if !res.Success {
		return nil, fmt.Errorf("POST %s: success is false: %s", path, res.Message)
	}
	return &res, nil
}

const triggerMutation = `mutation($in: TriggerAgentInput!) {
  triggerAgent(input: $in) {
    mode conversationId
    agent { slug name clientId clientName voiceProvider voiceId }
    voice { roomName platform serverUrl userToken roomStatus participants
      dispatch { status dispatchId reason } }
    text { messageReceived userId response llmProvider llmModel }
  }
}`

// triggerGraphQL runs the triggerAgent mutation and reshapes its result into
// the REST response, so the rest of the demo reads one shape.
func (c *apiClient) triggerGraphQL(ctx context.Context, key string,
	req TriggerRequest) (*TriggerResponse, error) {
	input := map[string]any{"agentSlug": req.AgentSlug, "mode": strings.ToUpper(req.Mode),
		"userId": req.UserID}
	if req.RoomName != "" {
		input["roomName"] = req.RoomName
	}
	if req.Message != "" {
		input["message"] = req.Message
	}
	var out struct {
		TriggerAgent struct {
			Mode           string
			ConversationID string
			Agent          struct {
				Slug, Name, ClientID, ClientName string
				VoiceProvider, VoiceID           *string
			}
			Voice *struct {
				RoomName, Platform, ServerURL, UserToken, RoomStatus string
				Participants                                         int
				Dispatch                                             struct {
					Status     string
					DispatchID *string
					Reason     *string
				}
			}
			Text *struct {
				MessageReceived, UserID, Response, LLMProvider, LLMModel string
			}
		}
	}
	if err := c.graphQL(ctx, key, triggerMutation, map[string]any{"in": input}, &out); err != nil {
		return nil, fmt.Errorf("triggerAgent: %w", err)
	}

	t := out.TriggerAgent
	mode := strings.ToLower(t.Mode)
	res := &TriggerResponse{
		Success: true,
		Message: fmt.Sprintf("Agent %s triggered successfully in %s mode", t.Agent.Slug, mode),
		Data:    TriggerData{Mode: mode, ConversationID: t.ConversationID},
		AgentInfo: AgentInfo{Slug: t.Agent.Slug, Name: t.Agent.Name, ClientID: t.Agent.ClientID,
			ClientName: t.Agent.ClientName, VoiceProvider: deref(t.Agent.VoiceProvider),
			VoiceID: deref(t.Agent.VoiceID)},
	}
	if v := t.Voice; v != nil {
		res.Data.Status = mode + "_agent_triggered"
		res.Data.RoomName, res.Data.Platform = v.RoomName, v.Platform
		res.Data.LiveKitConfig = &LiveKitConfig{ServerURL: v.ServerURL, UserToken: v.UserToken,
			Configured: true}
		res.Data.RoomInfo = &RoomInfo{RoomName: v.RoomName, Status: v.RoomStatus,
			Participants: v.Participants}
		res.Data.DispatchInfo = &DispatchInfo{Status: v.Dispatch.Status,
			DispatchID: deref(v.Dispatch.DispatchID), Reason: deref(v.Dispatch.Reason)}
	}
	if x := t.Text; x != nil {
		res.Data.Status = "text_message_processed"
		res.Data.MessageReceived, res.Data.UserID = x.MessageReceived, x.UserID
		res.Data.Response, res.Data.LLMProvider, res.Data.LLMModel = x.Response, x.LLMProvider,
			x.LLMModel
		res.Data.AgentResponse, res.Data.AIResponse = x.Response, x.Response
	}
	return res, nil
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
