package trigger_test

import (
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/sidekick-forge/sidekick-forge/server/app"
	"github.com/sidekick-forge/sidekick-forge/server/apperr"
	"github.com/sidekick-forge/sidekick-forge/server/tenancy"
	"github.com/sidekick-forge/sidekick-forge/server/trigger"
)

const maxMessageLength = 200

func TestTrigger_rejectsInvalidInput(t *testing.T) {
	p := startPlatform(t, platformSetup{liveKit: true, configure: func(cfg *app.Config) {
		cfg.MaxMessageLength = maxMessageLength
	}})
	client := p.newClient(t, "Input Co", "input-bot", nil)

	with := func(base map[string]any, changes map[string]any) map[string]any {
		out := map[string]any{}
		for k, v := range base {
			out[k] = v
		}
		for k, v := range changes {
			if v == nil {
				delete(out, k)
			} else {
				out[k] = v
			}
		}
		return out
	}
	voice := voiceInput("input-bot", "input-room", "pia")
	text := textInput("input-bot", "", "hello")
	tests := []struct {
		name  string
		in    map[string]any
		field string
	}{
		{name: "voice without room_name", in: with(voice, map[string]any{"roomName": nil}),
			field: "room_name"},
		{name: "voice with empty room_name", in: with(voice, map[string]any{"roomName": ""}),
			field: "room_name"},
		{name: "video without room_name", in: with(voice, map[string]any{"roomName": nil,
			"mode": "VIDEO"}), field: "room_name"},
		{name: "room_name too long", in: with(voice, map[string]any{
			"roomName": strings.Repeat("r", 129)}), field: "room_name"},
		{name: "text without message", in: with(text, map[string]any{"message": nil}),
			field: "message"},
		{name: "text with empty message", in: with(text, map[string]any{"message": ""}),
			field: "message"},
		{name: "oversized message", in: with(text, map[string]any{
			"message": strings.Repeat("é", maxMessageLength+1)}), field: "message"},
		{name: "empty user_id", in: with(text, map[string]any{"userId": ""}), field: "user_id"},
		{name: "user_id too long", in: with(text, map[string]any{
			"userId": strings.Repeat("u", 257)}), field: "user_id"},
		{name: "conversation_id too long", in: with(text, map[string]any{
			"conversationId": strings.Repeat("c", 257)}), field: "conversation_id"},
		{name: "malformed slug", in: with(text, map[string]any{"agentSlug": "Not A Slug!",
			"clientId": client.String()}), field: "agent_slug"},
		{name: "malformed client id", in: with(text, map[string]any{"clientId": "not-a-uuid"}),
			field: "clientId"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			expectError(t, p.trigger(t, p.env.PlatformKey, tt.in), "INVALID_INPUT", tt.field)
		})
	}
	t.Run("message at the limit", func(t *testing.T) {
		res := p.mustTrigger(t, with(text, map[string]any{
			"message": strings.Repeat("é", maxMessageLength)}))
		if res.Text == nil {
			t.Fatal("no text reply")
		}
	})
	if n := len(p.llm.Requests()); n != 1 {
		t.Errorf("the provider received %d requests, want 1 (only the valid message)", n)
	}
	if n := p.countRows(t, client, "conversations", ""); n != 1 {
		t.Errorf("%d conversations stored, want only the valid trigger's", n)
	}
}

// TestTriggerService_rejectsUnknownMode calls the service directly, because
// the GraphQL enum rejects an unknown mode before it reaches the service,
// while REST callers send the mode as a free string.
func TestTriggerService_rejectsUnknownMode(t *testing.T) {
	p := startPlatform(t, platformSetup{})
	client := p.newClient(t, "Mode Co", "mode-bot", nil)
	lease, err := p.env.App.Tenants.Acquire(testContext(t), client)
	if err != nil {
		t.Fatal(err)
	}
	defer lease.Release()
	scope := &tenancy.Scope{ClientID: client, DB: lease.DB()}

	for _, mode := range []string{"audio", "", "chat"} {
		t.Run("mode "+mode, func(t *testing.T) {
			_, err := p.env.App.Trigger.Trigger(testContext(t), scope, trigger.Request{
				AgentSlug: "mode-bot", Mode: mode, UserID: "quinn", Message: "hi", RoomName: "r",
			})
			e, ok := apperr.As(err)
			if !ok {
				t.Fatalf("error = %v, want an INVALID_INPUT error", err)
			}
			if e.Code != apperr.InvalidInput || e.Field != "mode" {
				t.Errorf("error = %s field %q, want INVALID_INPUT on mode", e.Code, e.Field)
			}
		})
	}
	t.Run("stream in voice mode", func(t *testing.T) {
		_, err := p.env.App.Trigger.Stream(testContext(t), scope, trigger.Request{
			AgentSlug: "mode-bot", Mode: trigger.ModeVoice, UserID: "quinn", RoomName: "r",
		})
		if e, ok := apperr.As(err); !ok || e.Field != "mode" {
			t.Errorf("error = %v, want INVALID_INPUT on mode", err)
		}
	})
	t.Run("unknown agent", func(t *testing.T) {
		_, err := p.env.App.Trigger.Trigger(testContext(t), scope, trigger.Request{
			AgentSlug: "ghost-bot", Mode: trigger.ModeText, UserID: "quinn", Message: "hi",
		})
		if apperr.CodeOf(err) != apperr.NotFound {
			t.Errorf("error = %v, want NOT_FOUND", err)
		}
	})
}

func TestTrigger_unknownModeThroughGraphQL(t *testing.T) {
	p := startPlatform(t, platformSetup{})
	p.newClient(t, "Enum Co", "enum-bot", nil)

	res := p.trigger(t, p.env.PlatformKey, map[string]any{"agentSlug": "enum-bot",
		"mode": "AUDIO", "userId": "rae", "message": "hi"})

	if len(res.Errors) == 0 {
		t.Fatalf("unknown mode accepted: %s", res.Raw)
	}
	// NOTE: gqlgen rejects the enum value while coercing variables, before the
	// error presenter maps codes, so the code is GRAPHQL_VALIDATION_FAILED and
	// the field is only in the path.
	path := res.Errors[0].Path
	if len(path) == 0 || path[len(path)-1] != "mode" {
		t.Errorf("error path = %v, want it to end at mode (%s)", path, res.Raw)
	}
	if !strings.Contains(res.Errors[0].Message, "AUDIO") {
		t.Errorf("error %q does not name the rejected value", res.Errors[0].Message)
	}
}

func TestTrigger_otherClientsAgentNotFound(t *testing.T) {
	p := startPlatform(t, platformSetup{})
	clientA := p.newClient(t, "Tenant A", "a-only-bot", nil)
	clientB := p.newClient(t, "Tenant B", "b-only-bot", nil)
	siteA := p.env.CreateSite(t, clientA, "a.example", nil)

	tests := []struct {
		name string
		in   map[string]any
	}{
		{name: "slug of B found by detection", in: textInput("b-only-bot", "", "hi")},
		{name: "client id of B", in: func() map[string]any {
			in := textInput("b-only-bot", "", "hi")
			in["clientId"] = clientB.String()
			return in
		}()},
		{name: "client id of B with A's slug", in: func() map[string]any {
			in := textInput("a-only-bot", "", "hi")
			in["clientId"] = clientB.String()
			return in
		}()},
		{name: "client that does not exist", in: func() map[string]any {
			in := textInput("a-only-bot", "", "hi")
			in["clientId"] = uuid.NewString()
			return in
		}()},
	}
	var messages []string
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := expectError(t, p.trigger(t, siteA, tt.in), "NOT_FOUND", "")
			messages = append(messages, e.Message)
			if strings.Contains(e.Message, "Tenant B") {
				t.Errorf("message %q reveals client B's name", e.Message)
			}
		})
	}
	if n := len(p.llm.Requests()); n != 0 {
		t.Errorf("the provider received %d requests for another client's agent", n)
	}
	if n := p.countRows(t, clientB, "conversations", ""); n != 0 {
		t.Errorf("client B has %d conversations after client A's attempts", n)
	}

	t.Run("own agent works", func(t *testing.T) {
		var out struct{ TriggerAgent triggerResult }
		p.trigger(t, siteA, textInput("a-only-bot", "", "hi")).Decode(t, &out)
		if out.TriggerAgent.Agent.ClientID != clientA {
			t.Errorf("triggered client %s, want %s", out.TriggerAgent.Agent.ClientID, clientA)
		}
	})
}
