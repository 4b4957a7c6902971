package auth_test

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/sidekick-forge/sidekick-forge/server/app"
	"github.com/sidekick-forge/sidekick-forge/server/apptest"
	"github.com/sidekick-forge/sidekick-forge/server/auth"
	"github.com/sidekick-forge/sidekick-forge/server/llm/llmtest"
)

// textPlatform starts a platform whose client "Embed Co" has the text
// agents helper and other, answered by an LLM double.
func textPlatform(t *testing.T, configure func(*app.Config)) (*apptest.Env, uuid.UUID) {
	t.Helper()
	double := llmtest.NewServer(t)
	env := apptest.Start(t, apptest.Options{Configure: func(cfg *app.Config) {
		cfg.LLMBaseURLs["openai"] = double.OpenAIBaseURL()
		if configure != nil {
			configure(cfg)
		}
	}})
	client := env.CreateClient(t, "Embed Co")
	llm := map[string]any{"voiceSettings": map[string]any{"llm_provider": "openai",
		"llm_model": "gpt-test"}}
	env.CreateAgent(t, client, "helper", llm)
	env.CreateAgent(t, client, "other", llm)
	env.SetProviderKey(t, client, "openai", "sk-embed-test-0123456789abcdef")
	return env, client
}

// embedTrigger sends a REST text trigger with an embed token.
func embedTrigger(t *testing.T, env *apptest.Env, token string, body map[string]any) httpReply {
	t.Helper()
	raw, _ := json.Marshal(body)
	req := mustRequest(t, http.MethodPost, env.URL+"/api/v2/trigger-agent")
	req.Body = jsonBody(string(raw))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set(auth.EmbedTokenHeader, token)
	return send(t, req)
}

func textBody(slug, user, conversation string) map[string]any {
	b := map[string]any{"agent_slug": slug, "mode": "text", "user_id": user, "message": "hello"}
	if conversation != "" {
		b["conversation_id"] = conversation
	}
	return b
}

func TestEmbedToken_limitsCallsToItsAgent(t *testing.T) {
	t.Parallel()
	env, client := textPlatform(t, nil)
	site := env.CreateSite(t, client, "embed.example", []string{"https://embed.example"})
	token := env.CreateEmbedToken(t, site, client, "helper", "")

	ok := embedTrigger(t, env, token, textBody("helper", "anything", ""))
	if ok.Status != http.StatusOK {
		t.Fatalf("trigger of the token's agent = %d %s", ok.Status, ok.Body)
	}
	other := embedTrigger(t, env, token, textBody("other", "anything", ""))
	if other.Status != http.StatusForbidden {
		t.Errorf("trigger of another agent = %d %s, want 403", other.Status, other.Body)
	}

	req := mustRequest(t, http.MethodPost, env.URL+"/api/v2/trigger-agent")
	req.Body = jsonBody(`{"agent_slug":"helper","mode":"text","user_id":"u","message":"hi"}`)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set(auth.EmbedTokenHeader, token)
	req.Header.Set("Origin", "https://embed.example")
	if got := send(t, req); got.Header.Get("Access-Control-Allow-Origin") != "https://embed.example" {
		t.Errorf("an embed token from its site's origin got Access-Control-Allow-Origin %q",
			got.Header.Get("Access-Control-Allow-Origin"))
	}
}

func TestEmbedToken_anonymousVisitorsNeverShareAUser(t *testing.T) {
	t.Parallel()
	env, client := textPlatform(t, nil)
	site := env.CreateSite(t, client, "anon.example", nil)

	users := map[string]bool{}
	for range 3 {
		token := env.CreateEmbedToken(t, site, client, "helper", "")
		got := embedTrigger(t, env, token, textBody("helper", "anonymous", ""))
		var out struct {
			Data struct {
				UserID string `json:"user_id"`
			} `json:"data"`
		}
		if err := json.Unmarshal([]byte(got.Body), &out); err != nil || got.Status != 200 {
			t.Fatalf("trigger = %d %s", got.Status, got.Body)
		}
		if out.Data.UserID == "anonymous" || !strings.HasPrefix(out.Data.UserID, "anon-") {
			t.Errorf("user_id = %q, want the token's generated id", out.Data.UserID)
		}
		users[out.Data.UserID] = true
	}
	if len(users) != 3 {
		t.Errorf("three anonymous visitors got %d distinct user ids: %v", len(users), users)
	}
}

func TestEmbedToken_boundUserAndConversation(t *testing.T) {
	t.Parallel()
	env, client := textPlatform(t, nil)
	site := env.CreateSite(t, client, "bound.example", nil)
	ann := env.CreateEmbedToken(t, site, client, "helper", "ann")
	bob := env.CreateEmbedToken(t, site, client, "helper", "bob")

	if got := embedTrigger(t, env, ann, textBody("helper", "ann", "conv-ann")); got.Status != 200 {
		t.Fatalf("ann's trigger = %d %s", got.Status, got.Body)
	}
	if got := embedTrigger(t, env, ann, textBody("helper", "bob", "")); got.Status != 403 {
		t.Errorf("ann's token naming bob = %d %s, want 403", got.Status, got.Body)
	}
	if got := embedTrigger(t, env, bob, textBody("helper", "bob", "conv-ann")); got.Status != 403 {
		t.Errorf("bob continuing ann's conversation = %d %s, want 403", got.Status, got.Body)
	}
	if got := embedTrigger(t, env, bob, textBody("helper", "bob", "conv-bob")); got.Status != 200 {
		t.Errorf("bob's own conversation = %d %s, want 200", got.Status, got.Body)
	}
}

func TestEmbedToken_mintedOnlyByKeysWithTrigger(t *testing.T) {
	t.Parallel()
	env, client := textPlatform(t, nil)
	read := env.CreateClientKey(t, client, "READ")
	trig := env.CreateClientKey(t, client, "TRIGGER")
	mint := `mutation($c: UUID!) { createEmbedToken(input: {agentSlug: "helper", clientId: $c}) {
		token } }`
	if res := env.GraphQL(t, read, mint, map[string]any{"c": client}); res.Code() != "FORBIDDEN" {
		t.Errorf("a read key minting = %s, want FORBIDDEN", res.Raw)
	}
	res := env.GraphQL(t, trig, mint, map[string]any{"c": client})
	var out struct{ CreateEmbedToken struct{ Token string } }
	res.Decode(t, &out)
	again := env.GraphQL(t, "", `mutation($c: UUID!) { createEmbedToken(input: {agentSlug: "helper",
		clientId: $c}) { token } }`, map[string]any{"c": client})
	if again.Code() != "UNAUTHENTICATED" {
		t.Errorf("anonymous minting = %s", again.Raw)
	}
	req := mustRequest(t, http.MethodPost, env.URL+"/graphql")
	req.Body = jsonBody(`{"query":"mutation { createEmbedToken(input: {agentSlug: \"helper\"}) { token } }"}`)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set(auth.EmbedTokenHeader, out.CreateEmbedToken.Token)
	if got := send(t, req); !strings.Contains(got.Body, `"code":"FORBIDDEN"`) {
		t.Errorf("an embed token minting another = %s, want FORBIDDEN", got.Body)
	}
}

func TestTriggerRateLimit_perKey(t *testing.T) {
	t.Parallel()
	env, client := textPlatform(t, func(cfg *app.Config) { cfg.TriggerRateLimit = 2 })
	site := env.CreateSite(t, client, "limited.example", nil)
	other := env.CreateSite(t, client, "unlimited.example", nil)
	token := env.CreateEmbedToken(t, site, client, "helper", "")

	rest := func(key string) httpReply {
		req := mustRequest(t, http.MethodPost, env.URL+"/api/v1/trigger-agent")
		req.Body = jsonBody(`{"agent_slug":"helper","mode":"text","user_id":"u","message":"hi"}`)
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+key)
		return send(t, req)
	}
	if got := rest(site); got.Status != 200 {
		t.Fatalf("first trigger = %d %s", got.Status, got.Body)
	}
	// The embed token counts against the key that minted it.
	if got := embedTrigger(t, env, token, textBody("helper", "u", "")); got.Status != 200 {
		t.Fatalf("second trigger, with the key's embed token = %d %s", got.Status, got.Body)
	}
	limited := rest(site)
	if limited.Status != http.StatusTooManyRequests {
		t.Fatalf("third trigger = %d %s, want 429", limited.Status, limited.Body)
	}
	if secs, err := strconv.Atoi(limited.Header.Get("Retry-After")); err != nil || secs < 1 ||
		secs > 30 {
		t.Errorf("Retry-After = %q, want 1..30 seconds", limited.Header.Get("Retry-After"))
	}
	if !strings.Contains(limited.Body, `"code":"RATE_LIMITED"`) {
		t.Errorf("429 body = %s", limited.Body)
	}
	if got := embedTrigger(t, env, token, textBody("helper", "u", "")); got.Status != 429 {
		t.Errorf("the embed token after its key's budget = %d, want 429", got.Status)
	}
	if got := rest(other); got.Status != 200 {
		t.Errorf("another key = %d %s, want 200", got.Status, got.Body)
	}

	res := env.GraphQL(t, site, `mutation { triggerAgent(input: {agentSlug: "helper", mode: TEXT,
		userId: "u", message: "hi"}) { conversationId } }`, nil)
	if res.Code() != "RATE_LIMITED" {
		t.Fatalf("GraphQL trigger over the limit = %s", res.Raw)
	}
	if secs, _ := res.Errors[0].Extensions["retryAfter"].(float64); secs < 1 {
		t.Errorf("extensions.retryAfter = %v, want seconds", res.Errors[0].Extensions["retryAfter"])
	}
}
