package rest_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/sidekick-forge/sidekick-forge/server/app"
	"github.com/sidekick-forge/sidekick-forge/server/llm/llmtest"
)

// llmTimeout bounds LLM calls in the fixes tests, so the timeout case is
// quick. The double replies to other calls well within it.
const llmTimeout = 700 * time.Millisecond

// TestContractFixes checks each place where the contract fixed a defect of
// the old server.
func TestContractFixes(t *testing.T) {
	p := startPlatform(t, func(cfg *app.Config) { cfg.LLMTimeout = llmTimeout })
	env := p.env
	key := env.PlatformKey

	t.Run("partial PUT keeps other keys", func(t *testing.T) {
		id := env.CreateClient(t, "Partial Keys")
		path := "/api/v2/clients/" + id.String()
		putKeys(t, p, path, map[string]any{"openai_api_key": openAIKey, "groq_api_key": groqKey})

		renamed := p.call(t, http.MethodPut, path, key, map[string]any{"name": "Partial Keys 2"})
		if renamed.Status != http.StatusOK {
			t.Fatalf("PUT name = %d %s", renamed.Status, renamed.Body)
		}
		newGroq := "gsk-second-key-abcdefghijklmnop5555"
		putKeys(t, p, path, map[string]any{"groq_api_key": newGroq})

		stored := providerSecrets(t, p, id)
		if stored["openai"] != openAIKey {
			t.Errorf("openai key = %q after PUTs that did not name it, want the original", stored["openai"])
		}
		if stored["groq"] != newGroq {
			t.Errorf("groq key = %q, want the one sent last", stored["groq"])
		}
	})

	t.Run("null clears one key", func(t *testing.T) {
		id := env.CreateClient(t, "Null Clears")
		path := "/api/v2/clients/" + id.String()
		putKeys(t, p, path, map[string]any{"openai_api_key": openAIKey, "groq_api_key": groqKey})
		got := putKeys(t, p, path, map[string]any{"groq_api_key": nil})

		keys := got.json(t)["settings"].(map[string]any)["api_keys"].(map[string]any)
		if keys["groq_api_key"] != nil {
			t.Errorf("groq_api_key = %v after null, want null", keys["groq_api_key"])
		}
		if keys["openai_api_key"] != "••••••••WXYZ" {
			t.Errorf("openai_api_key = %v, want its mask", keys["openai_api_key"])
		}
		stored := providerSecrets(t, p, id)
		if _, ok := stored["groq"]; ok {
			t.Error("groq key is still stored after null")
		}
		if stored["openai"] != openAIKey {
			t.Errorf("openai key = %q, want the original", stored["openai"])
		}
	})

	t.Run("one invalid key changes nothing", func(t *testing.T) {
		id := env.CreateClient(t, "All Or Nothing")
		path := "/api/v2/clients/" + id.String()
		putKeys(t, p, path, map[string]any{"groq_api_key": groqKey})

		got := p.call(t, http.MethodPut, path, key, map[string]any{
			"name": "Changed Name",
			"settings": map[string]any{"api_keys": map[string]any{
				"openai_api_key": openAIKey, "groq_api_key": nil, "cohere_api_key": "your-api-key-here",
			}},
		})
		if got.Status != http.StatusUnprocessableEntity {
			t.Fatalf("PUT with an invalid key = %d %s, want 422", got.Status, got.Body)
		}
		after := p.call(t, http.MethodGet, path, key, nil).json(t)
		if after["name"] != "All Or Nothing" {
			t.Errorf("name = %v after the rejected PUT, want it unchanged", after["name"])
		}
		stored := providerSecrets(t, p, id)
		if stored["groq"] != groqKey {
			t.Errorf("groq key = %q after the rejected PUT, want it kept", stored["groq"])
		}
		if _, ok := stored["openai"]; ok {
			t.Error("openai key was stored by a rejected PUT")
		}
	})

	t.Run("malformed client_id is 400", func(t *testing.T) {
		clientID := env.CreateClient(t, "Malformed Ids")
		env.CreateAgent(t, clientID, "ids", nil)
		trigger := map[string]any{"agent_slug": "ids", "mode": "text", "user_id": "u",
			"message": "hi", "client_id": "client-7"}
		cases := []struct {
			name, method, path string
			body               any
		}{
			{"v2 agents query", http.MethodGet, "/api/v2/agents?client_id=client-7", nil},
			{"v2 agent query", http.MethodGet, "/api/v2/agents/ids?client_id=client-7", nil},
			{"v2 agent update query", http.MethodPut, "/api/v2/agents/ids?client_id=client-7",
				map[string]any{"name": "X"}},
			{"v2 agent delete query", http.MethodDelete, "/api/v2/agents/ids?client_id=client-7", nil},
			{"v1 agents path", http.MethodGet, "/api/v1/agents/client/client-7", nil},
			{"v1 agent create path", http.MethodPost, "/api/v1/agents/client/client-7",
				map[string]any{"slug": "x", "name": "X"}},
			{"v1 client path", http.MethodGet, "/api/v1/clients/client-7", nil},
			{"v2 client path", http.MethodGet, "/api/v2/clients/client-7", nil},
			{"v2 api-keys path", http.MethodGet, "/api/v2/clients/client-7/api-keys", nil},
			{"v2 client delete path", http.MethodDelete, "/api/v2/clients/client-7", nil},
			{"sites query", http.MethodGet, "/api/v1/wordpress-sites?client_id=client-7", nil},
			{"site create body", http.MethodPost, "/api/v1/wordpress-sites",
				map[string]any{"client_id": "client-7", "name": "X", "domain": "x.example"}},
			{"v1 trigger body", http.MethodPost, "/api/v1/trigger-agent", trigger},
			{"v2 trigger body", http.MethodPost, "/api/v2/trigger-agent", trigger},
			{"stream body", http.MethodPost, "/api/v2/trigger-agent/stream", trigger},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				got := p.call(t, c.method, c.path, key, c.body)
				if got.Status != http.StatusBadRequest {
					t.Errorf("status = %d %s, want 400", got.Status, got.Body)
				}
				if code := got.json(t)["code"]; code != "INVALID_INPUT" {
					t.Errorf("code = %v, want INVALID_INPUT", code)
				}
			})
		}
	})

	t.Run("video stays video", func(t *testing.T) {
		clientID := env.CreateClient(t, "Video Mode")
		env.CreateAgent(t, clientID, "camera", map[string]any{"videoChatEnabled": true})
		got := p.call(t, http.MethodPost, "/api/v2/trigger-agent", key, map[string]any{
			"agent_slug": "camera", "mode": "video", "user_id": "viewer", "room_name": "studio-1",
			"conversation_id": "video-conv-1",
		})
		if got.Status != http.StatusOK {
			t.Fatalf("video trigger = %d %s", got.Status, got.Body)
		}

		body := got.json(t)
		data := body["data"].(map[string]any)
		if data["mode"] != "video" {
			t.Errorf("data.mode = %v, want video", data["mode"])
		}
		if data["status"] != "video_agent_triggered" {
			t.Errorf("data.status = %v, want video_agent_triggered", data["status"])
		}
		if body["message"] != "Agent camera triggered successfully in video mode" {
			t.Errorf("message = %v", body["message"])
		}

		res := env.GraphQL(t, key, `query($c: UUID!) {
			conversations(clientId: $c, agentSlug: "camera") { edges { node { id mode } } } }`,
			map[string]any{"c": clientID})
		var out struct {
			Conversations struct {
				Edges []struct{ Node struct{ ID, Mode string } }
			}
		}
		res.Decode(t, &out)
		if len(out.Conversations.Edges) != 1 || out.Conversations.Edges[0].Node.Mode != "video" {
			t.Errorf("stored conversations = %+v, want one in video mode", out.Conversations.Edges)
		}
	})

	t.Run("ambiguous slug is 409", func(t *testing.T) {
		first := env.CreateClient(t, "Twin One")
		second := env.CreateClient(t, "Twin Two")
		env.CreateAgent(t, first, "twin", nil)
		env.CreateAgent(t, second, "twin", nil)

		for _, c := range []struct {
			name, method, path string
			body               any
		}{
			{"get agent", http.MethodGet, "/api/v2/agents/twin", nil},
			{"trigger", http.MethodPost, "/api/v2/trigger-agent", map[string]any{
				"agent_slug": "twin", "mode": "voice", "user_id": "u", "room_name": "twin-room"}},
		} {
			t.Run(c.name, func(t *testing.T) {
				got := p.call(t, c.method, c.path, key, c.body)
				if got.Status != http.StatusConflict {
					t.Fatalf("status = %d %s, want 409", got.Status, got.Body)
				}
				body := got.json(t)
				if body["code"] != "AMBIGUOUS_AGENT" {
					t.Errorf("code = %v, want AMBIGUOUS_AGENT", body["code"])
				}
				cands, _ := body["candidates"].([]any)
				if len(cands) != 2 {
					t.Errorf("candidates = %v, want both clients", body["candidates"])
				}
			})
		}

		t.Run("site key sees one match", func(t *testing.T) {
			site := env.CreateSite(t, first, "twin-one.example", nil)
			got := p.call(t, http.MethodGet, "/api/v2/agents/twin", site, nil)
			if got.Status != http.StatusOK {
				t.Fatalf("status = %d %s, want 200", got.Status, got.Body)
			}
			if cid := got.json(t)["client_id"]; cid != first.String() {
				t.Errorf("client_id = %v, want the site's client %s", cid, first)
			}
		})
	})

	t.Run("non-UUID conversation_id is echoed", func(t *testing.T) {
		clientID := env.CreateClient(t, "Echo Conversation")
		env.CreateAgent(t, clientID, "echo", map[string]any{"voiceSettings": llmSettings})
		env.SetProviderKey(t, clientID, "openai", openAIKey)
		got := p.call(t, http.MethodPost, "/api/v1/trigger-agent", key, map[string]any{
			"agent_slug": "echo", "mode": "text", "user_id": "u", "message": "ping",
			"conversation_id": "wp-session-0042",
		})
		if got.Status != http.StatusOK {
			t.Fatalf("text trigger = %d %s", got.Status, got.Body)
		}
		if cid := got.json(t)["data"].(map[string]any)["conversation_id"]; cid != "wp-session-0042" {
			t.Errorf("conversation_id = %v, want wp-session-0042", cid)
		}
	})

	t.Run("provider failure is 502 and timeout 504", func(t *testing.T) {
		clientID := env.CreateClient(t, "Failing Provider")
		env.CreateAgent(t, clientID, "fragile", map[string]any{"voiceSettings": llmSettings})
		env.SetProviderKey(t, clientID, "openai", openAIKey)
		body := map[string]any{"agent_slug": "fragile", "mode": "text", "user_id": "u",
			"message": "are you there?"}

		p.llm.Fail(llmtest.Failure{Status: http.StatusInternalServerError})
		failed := p.call(t, http.MethodPost, "/api/v2/trigger-agent", key, body)
		p.llm.Fail(llmtest.Failure{})
		if failed.Status != http.StatusBadGateway {
			t.Errorf("provider failure = %d %s, want 502", failed.Status, failed.Body)
		}
		if code := failed.json(t)["code"]; code != "UPSTREAM_FAILED" {
			t.Errorf("provider failure code = %v, want UPSTREAM_FAILED", code)
		}

		p.llm.Hang(0)
		timedOut := p.call(t, http.MethodPost, "/api/v2/trigger-agent", key, body)
		p.llm.StopHanging()
		if timedOut.Status != http.StatusGatewayTimeout {
			t.Errorf("provider timeout = %d %s, want 504", timedOut.Status, timedOut.Body)
		}
		if code := timedOut.json(t)["code"]; code != "UPSTREAM_TIMEOUT" {
			t.Errorf("provider timeout code = %v, want UPSTREAM_TIMEOUT", code)
		}
	})
}

// putKeys sends settings.api_keys in a PUT and fails the test unless it
// succeeds.
func putKeys(t *testing.T, p *platform, path string, keys map[string]any) *reply {
	t.Helper()
	got := p.call(t, http.MethodPut, path, p.env.PlatformKey,
		map[string]any{"settings": map[string]any{"api_keys": keys}})
	if got.Status != http.StatusOK {
		t.Fatalf("PUT %s = %d %s", path, got.Status, got.Body)
	}
	return got
}

// providerSecrets returns the decrypted openai and groq keys the platform
// stores for a client, read past the API to prove what was written.
func providerSecrets(t *testing.T, p *platform, id uuid.UUID) map[string]string {
	t.Helper()
	secrets, err := p.env.App.Store.ProviderSecrets(context.Background(), id, "openai", "groq")
	if err != nil {
		t.Fatal(err)
	}
	out := make(map[string]string, len(secrets))
	for provider, s := range secrets {
		out[provider] = s.Key
	}
	return out
}
