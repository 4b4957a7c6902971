package trigger_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/sidekick-forge/sidekick-forge/server/app"
	"github.com/sidekick-forge/sidekick-forge/server/apptest"
	"github.com/sidekick-forge/sidekick-forge/server/livekit"
	"github.com/sidekick-forge/sidekick-forge/server/livekit/livekittest"
	"github.com/sidekick-forge/sidekick-forge/server/llm/llmtest"
)

// testProviderKey is a provider key long enough to pass the platform's key
// checks; the LLM double accepts any non-empty key.
const testProviderKey = "sk-test-0123456789abcdefghijklmnop"

// platformSetup selects the real components a test platform talks to.
type platformSetup struct {
	// liveKit starts a livekit-server and makes it the platform default.
	liveKit bool
	// webhook makes that livekit-server send its webhooks to the platform.
	webhook bool
	// configure adjusts the configuration further.
	configure func(cfg *app.Config)
}

// platform is a running platform with its LiveKit server and LLM double.
type platform struct {
	env *apptest.Env
	// lk holds the platform's default LiveKit settings; empty without LiveKit.
	lk  livekit.Settings
	llm *llmtest.Server
	// hooks receives livekit-server's webhooks, keeps a copy of each and
	// passes it on to the platform's own HTTP handler.
	hooks *httptest.Server

	mu       sync.Mutex
	webhooks []capturedRequest
}

// capturedRequest is one webhook request as livekit-server sent it.
type capturedRequest struct {
	header http.Header
	body   []byte
}

func startPlatform(t testing.TB, setup platformSetup) *platform {
	t.Helper()
	p := &platform{llm: llmtest.NewServer(t)}
	var handler atomic.Pointer[http.Handler]
	p.hooks = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := handler.Load()
		if h == nil {
			http.Error(w, "platform not started yet", http.StatusServiceUnavailable)
			return
		}
		body, _ := io.ReadAll(r.Body)
		p.mu.Lock()
		p.webhooks = append(p.webhooks, capturedRequest{header: r.Header.Clone(), body: body})
		p.mu.Unlock()
		r.Body = io.NopCloser(bytes.NewReader(body))
		(*h).ServeHTTP(w, r)
	}))
	t.Cleanup(p.hooks.Close)

	p.env = apptest.Start(t, apptest.Options{Configure: func(cfg *app.Config) {
		cfg.LLMBaseURLs["openai"] = p.llm.OpenAIBaseURL()
		cfg.LLMBaseURLs["anthropic"] = p.llm.AnthropicBaseURL()
		if setup.liveKit {
			if setup.webhook {
				p.lk = livekittest.StartWithWebhook(t, p.hooks.URL+"/webhooks/livekit")
			} else {
				p.lk = livekittest.Start(t)
			}
			cfg.LiveKitURL = p.lk.URL
			cfg.LiveKitAPIKey = p.lk.APIKey
			cfg.LiveKitAPISecret = p.lk.APISecret
			cfg.LiveKitAgentName = p.lk.AgentName
		}
		if setup.configure != nil {
			setup.configure(cfg)
		}
	}})
	h := p.env.App.Handler()
	handler.Store(&h)
	return p
}

// capturedWebhooks returns the webhook requests received so far.
func (p *platform) capturedWebhooks() []capturedRequest {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]capturedRequest(nil), p.webhooks...)
}

// textAgent is the voice_settings of an agent that the OpenAI double serves.
func textAgent() map[string]any {
	return map[string]any{"llm_provider": "openai", "llm_model": "gpt-test"}
}

// newClient creates a ready client with an OpenAI key and an agent slug
// with extra agent input fields.
func (p *platform) newClient(t testing.TB, name, slug string, extra map[string]any) uuid.UUID {
	t.Helper()
	id := p.env.CreateClient(t, name)
	p.env.SetProviderKey(t, id, "openai", testProviderKey)
	input := map[string]any{"systemPrompt": "You are the " + slug + " test agent.",
		"voiceSettings": textAgent()}
	for k, v := range extra {
		input[k] = v
	}
	p.env.CreateAgent(t, id, slug, input)
	return id
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

// triggerResult is the triggerAgent payload.
type triggerResult struct {
	Mode           string
	ConversationID string
	Agent          struct {
		Slug, Name, ClientName string
		ClientID               uuid.UUID
		VoiceProvider, VoiceID *string
	}
	Voice *struct {
		RoomName, Platform, ServerURL, UserToken, RoomStatus string
		Participants                                         int
		Dispatch                                             struct {
			Status             string
			DispatchID, Reason *string
		}
	}
	Text *struct {
		MessageReceived, UserID, Response, LlmProvider, LlmModel string
	}
}

// trigger runs triggerAgent with key and returns the raw response.
func (p *platform) trigger(t testing.TB, key string, in map[string]any) *apptest.Response {
	t.Helper()
	return p.env.GraphQL(t, key, triggerMutation, map[string]any{"in": in})
}

// mustTrigger runs triggerAgent with the platform key and fails the test on
// any error.
func (p *platform) mustTrigger(t testing.TB, in map[string]any) triggerResult {
	t.Helper()
	var out struct{ TriggerAgent triggerResult }
	p.trigger(t, p.env.PlatformKey, in).Decode(t, &out)
	return out.TriggerAgent
}

// gqlError is the first error of a GraphQL response.
type gqlError struct {
	Code, Field, Message string
	Extensions           map[string]any
}

// expectError checks that res failed with code and, when field is not
// empty, that extensions.field is field.
func expectError(t *testing.T, res *apptest.Response, code, field string) gqlError {
	t.Helper()
	if len(res.Errors) == 0 {
		t.Fatalf("expected a %s error, got none: %s", code, res.Raw)
	}
	e := res.Errors[0]
	got := gqlError{Message: e.Message, Extensions: e.Extensions}
	got.Code, _ = e.Extensions["code"].(string)
	got.Field, _ = e.Extensions["field"].(string)
	if got.Code != code {
		t.Errorf("extensions.code = %q, want %q (response %s)", got.Code, code, res.Raw)
	}
	if field != "" && got.Field != field {
		t.Errorf("extensions.field = %q, want %q (response %s)", got.Field, field, res.Raw)
	}
	return got
}

func testContext(t *testing.T) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// tenantDB runs fn with the tenant database of client.
func (p *platform) tenantDB(t *testing.T, client uuid.UUID, fn func(ctx context.Context, db bun.IDB)) {
	t.Helper()
	ctx := testContext(t)
	lease, err := p.env.App.Tenants.Acquire(ctx, client)
	if err != nil {
		t.Fatalf("acquire tenant database of %s: %v", client, err)
	}
	defer lease.Release()
	fn(ctx, lease.DB())
}

// countRows counts the rows of table in the tenant database of client that
// match where (all rows when where is empty).
func (p *platform) countRows(t *testing.T, client uuid.UUID, table, where string, args ...any) int {
	t.Helper()
	var n int
	p.tenantDB(t, client, func(ctx context.Context, db bun.IDB) {
		q := db.NewSelect().Table(table)
		if where != "" {
			q = q.Where(where, args...)
		}
		count, err := q.Count(ctx)
		if err != nil {
			t.Fatalf("count %s of client %s: %v", table, client, err)
		}
		n = int(count)
	})
	return n
}

// storedMessage is one row of the messages table.
type storedMessage struct {
	ID      int64
	Role    string
	Content string
}

// messages returns the stored messages of a conversation in id order.
func (p *platform) messages(t *testing.T, client uuid.UUID, conversation string) []storedMessage {
	t.Helper()
	var out []storedMessage
	p.tenantDB(t, client, func(ctx context.Context, db bun.IDB) {
		err := db.NewSelect().Table("messages").Column("id", "role", "content").
			Where("conversation_id = ?", conversation).Order("id").Scan(ctx, &out)
		if err != nil {
			t.Fatalf("list messages of %s: %v", conversation, err)
		}
	})
	return out
}

// jsonString renders v for failure messages.
func jsonString(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// containsAny reports the first of needles that haystack contains.
func containsAny(haystack string, needles ...string) (string, bool) {
	for _, n := range needles {
		if n != "" && strings.Contains(haystack, n) {
			return n, true
		}
	}
	return "", false
}
