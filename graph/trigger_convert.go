package graph

import (
	"strings"

	"github.com/sidekick-forge/sidekick-forge/graph/model"
	"github.com/sidekick-forge/sidekick-forge/server/apperr"
	"github.com/sidekick-forge/sidekick-forge/server/trigger"
)

func triggerRequest(in model.TriggerAgentInput) trigger.Request {
	req := trigger.Request{
		AgentSlug: in.AgentSlug, Mode: strings.ToLower(string(in.Mode)), UserID: in.UserID,
		Context: in.Context,
	}
	setString(&req.Message, in.Message)
	setString(&req.RoomName, in.RoomName)
	setString(&req.ConversationID, in.ConversationID)
	setString(&req.SessionID, in.SessionID)
	setString(&req.Platform, in.Platform)
	return req
}

func toTriggerResult(res *trigger.Result) *model.TriggerResult {
	out := &model.TriggerResult{
		Mode:           model.TriggerMode(strings.ToUpper(res.Mode)),
		ConversationID: res.ConversationID,
		Agent: &model.TriggerAgentInfo{
			Slug: res.Agent.Slug, Name: res.Agent.Name, ClientID: res.Agent.ClientID,
			ClientName: res.Agent.ClientName, VoiceProvider: optional(res.Agent.VoiceProvider),
			VoiceID: optional(res.Agent.VoiceID),
		},
	}
	if v := res.Voice; v != nil {
		out.Voice = &model.VoiceSession{
			RoomName: v.RoomName, Platform: v.Platform, ServerURL: v.ServerURL,
			UserToken: v.UserToken, RoomStatus: v.RoomStatus, Participants: v.Participants,
			Dispatch: &model.DispatchInfo{Status: v.Dispatch.Status,
				DispatchID: optional(v.Dispatch.DispatchID), Reason: optional(v.Dispatch.Reason)},
		}
	}
	if t := res.Text; t != nil {
		out.Text = &model.TextReply{
			MessageReceived: t.MessageReceived, UserID: t.UserID, Response: t.Response,
			LlmProvider: t.LLMProvider, LlmModel: t.LLMModel,
		}
	}
	return out
}

func toStreamEvent(ev trigger.StreamEvent) *model.TriggerStreamEvent {
	switch {
	case ev.Err != nil:
		code, msg := string(apperr.Internal), "internal error"
		if e, ok := apperr.As(ev.Err); ok {
			code, msg = string(e.Code), e.Message
		}
		return &model.TriggerStreamEvent{Type: model.StreamEventTypeError, ErrorCode: &code,
			ErrorMessage: &msg, ConversationID: optional(ev.ConversationID)}
	case ev.Done:
		return &model.TriggerStreamEvent{Type: model.StreamEventTypeDone,
			ConversationID: optional(ev.ConversationID), FullText: &ev.FullText}
	default:
		return &model.TriggerStreamEvent{Type: model.StreamEventTypeDelta, Delta: &ev.Delta,
			ConversationID: optional(ev.ConversationID)}
	}
}
