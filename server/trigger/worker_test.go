package trigger_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/google/uuid"

	"github.com/sidekick-forge/sidekick-forge/server/app"
	"github.com/sidekick-forge/sidekick-forge/server/livekit/livekittest"
	"github.com/sidekick-forge/sidekick-forge/server/trigger"
)

// Keys of providers that the worker test agent uses and does not use.
const (
	deepgramKey  = "dg-test-0123456789abcdefghijkl"
	cartesiaKey  = "ca-test-0123456789abcdefghijkl"
	anthropicKey = "sk-ant-test-0123456789abcdefghij"
	groqKey      = "gsk-test-0123456789abcdefghijkl"
)

// fetchedConfig is what a worker got from the config endpoint.
type fetchedConfig struct {
	status int
	body   []byte
	config trigger.WorkerConfig
}

// getWorkerConfig sends GET url with token as the bearer credential.
func getWorkerConfig(ctx context.Context, url, token string) (fetchedConfig, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return fetchedConfig{}, err
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return fetchedConfig{}, err
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		return fetchedConfig{}, err
	}
	out := fetchedConfig{status: res.StatusCode, body: body}
	if res.StatusCode == http.StatusOK {
		if err := json.Unmarshal(body, &out.config); err != nil {
			return out, fmt.Errorf("decode worker config %s: %w", body, err)
		}
	}
	return out, nil
}

// workerAgentInput is an agent that uses openai, deepgram and cartesia.
func workerAgentInput(prompt string) map[string]any {
	return map[string]any{"systemPrompt": prompt, "voiceSettings": map[string]any{
		"llm_provider": "openai", "llm_model": "gpt-test", "stt_provider": "deepgram",
		"tts_provider": "cartesia", "voice_id": "voice-7",
	}}
}

func TestTrigger_dispatchReachesWorker(t *testing.T) {
	p := startPlatform(t, platformSetup{liveKit: true})
	prompt := "You are the worker test agent."
	client := p.newClient(t, "Worker Co", "worker-bot", workerAgentInput(prompt))
	for provider, key := range map[string]string{"deepgram": deepgramKey, "cartesia": cartesiaKey,
		"anthropic": anthropicKey, "groq": groqKey} {
		p.env.SetProviderKey(t, client, provider, key)
	}

	type jobResult struct {
		meta    trigger.DispatchMetadata
		fetched fetchedConfig
		err     error
	}
	results := make(chan jobResult, 4)
	worker := livekittest.StartWorker(t, p.lk, p.lk.AgentName,
		func(ctx context.Context, job livekittest.Job) error {
			var r jobResult
			r.err = json.Unmarshal([]byte(job.Metadata), &r.meta)
			if r.err == nil {
				r.fetched, r.err = getWorkerConfig(ctx, r.meta.ConfigURL, r.meta.WorkerToken)
			}
			results <- r
			return r.err
		})

	in := voiceInput("worker-bot", "worker-room", "kate")
	in["conversationId"] = "conv-worker"
	res := p.mustTrigger(t, in)
	if res.Voice.Dispatch.Status != "dispatched" {
		t.Fatalf("dispatch status = %q, want dispatched", res.Voice.Dispatch.Status)
	}

	var r jobResult
	select {
	case r = <-results:
	case <-time.After(15 * time.Second):
		t.Fatal("the worker received no job within 15s")
	}
	if r.err != nil {
		t.Fatalf("worker job: %v (status %d, body %s)", r.err, r.fetched.status, r.fetched.body)
	}
	if want := p.env.URL + trigger.WorkerConfigPath; r.meta.ConfigURL != want {
		t.Errorf("config_url = %q, want %q", r.meta.ConfigURL, want)
	}
	if r.meta.WorkerToken == "" {
		t.Error("dispatch metadata has no worker_token")
	}
	if r.fetched.status != http.StatusOK {
		t.Fatalf("GET config_url = %d %s, want 200", r.fetched.status, r.fetched.body)
	}

	cfg := r.fetched.config
	if cfg.Agent.SystemPrompt != prompt {
		t.Errorf("system_prompt = %q, want %q", cfg.Agent.SystemPrompt, prompt)
	}
	if cfg.Agent.VoiceSettings["tts_provider"] != "cartesia" {
		t.Errorf("voice_settings = %v, want the agent's settings", cfg.Agent.VoiceSettings)
	}
	if cfg.ConversationID != "conv-worker" {
		t.Errorf("conversation_id = %q, want conv-worker", cfg.ConversationID)
	}
	if cfg.ClientID != client.String() || cfg.RoomName != "worker-room" {
		t.Errorf("client_id, room_name = %q, %q; want %s, worker-room", cfg.ClientID,
			cfg.RoomName, client)
	}
	wantKeys := map[string]string{"openai": testProviderKey, "deepgram": deepgramKey,
		"cartesia": cartesiaKey}
	for provider, key := range wantKeys {
		if cfg.ProviderKeys[provider] != key {
			t.Errorf("provider_keys[%s] = %q, want the client's key", provider,
				cfg.ProviderKeys[provider])
		}
	}
	if len(cfg.ProviderKeys) != len(wantKeys) {
		t.Errorf("provider_keys has %d keys, want only the %d the agent uses", len(cfg.ProviderKeys),
			len(wantKeys))
	}
	if s, leaked := containsAny(string(r.fetched.body), anthropicKey, groqKey); leaked {
		t.Errorf("worker config contains the key %q of a provider the agent does not use", s)
	}

	jobs := worker.WaitJoined(t, 1, 15*time.Second)
	if jobs[0].RoomName != "worker-room" {
		t.Errorf("job room = %q, want worker-room", jobs[0].RoomName)
	}
	if n := agentCount(t, p.lk, "worker-room"); n != 1 {
		t.Errorf("room has %d agent participants, want 1", n)
	}
}

// signWorkerToken signs claims with key the way the platform's worker
// tokens are signed.
func signWorkerToken(t *testing.T, key []byte, claims jwt.MapClaims) string {
	t.Helper()
	s, err := jwt.NewWithClaims(jwt.SigningMethodHS256, claims).SignedString(key)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestWorkerConfig_rejectsBadTokens(t *testing.T) {
	p := startPlatform(t, platformSetup{liveKit: true})
	client := p.newClient(t, "Token Co", "token-bot", workerAgentInput("prompt"))
	keyring, err := app.Keyring(p.env.App.Config, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	tokenKey := keyring.DeriveKey("worker-token")
	valid := trigger.NewWorkerTokens(tokenKey, time.Minute)
	good, err := valid.Mint(client, "token-bot", "token-room", "conv-token")
	if err != nil {
		t.Fatal(err)
	}
	expired, err := trigger.NewWorkerTokens(tokenKey, -time.Minute).Mint(client, "token-bot",
		"token-room", "conv-token")
	if err != nil {
		t.Fatal(err)
	}
	forged, err := trigger.NewWorkerTokens([]byte("another-key-0123456789abcdefghij"), time.Minute).
		Mint(client, "token-bot", "token-room", "conv-token")
	if err != nil {
		t.Fatal(err)
	}
	base := jwt.MapClaims{"cid": client.String(), "agt": "token-bot", "room": "token-room",
		"conv": "conv-token", "exp": time.Now().Add(time.Minute).Unix()}
	otherAudience := jwt.MapClaims{"aud": "sidekick-forge/embed"}
	noExpiry := jwt.MapClaims{"aud": "sidekick-forge/worker-config"}
	for k, v := range base {
		otherAudience[k] = v
		if k != "exp" {
			noExpiry[k] = v
		}
	}
	none := jwt.NewWithClaims(jwt.SigningMethodNone, jwt.MapClaims(base))
	noneToken, _ := none.SignedString(jwt.UnsafeAllowNoneSignatureType)
	tampered := good[:len(good)-4] + flipChars(good[len(good)-4:])

	url := p.env.URL + trigger.WorkerConfigPath
	tests := []struct {
		name, token string
	}{
		{name: "missing", token: ""},
		{name: "garbage", token: "not-a-token"},
		{name: "forged signature", token: forged},
		{name: "tampered signature", token: tampered},
		{name: "expired", token: expired},
		{name: "other audience", token: signWorkerToken(t, tokenKey, otherAudience)},
		{name: "no expiry", token: signWorkerToken(t, tokenKey, noExpiry)},
		{name: "alg none", token: noneToken},
		{name: "platform API key", token: p.env.PlatformKey},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := getWorkerConfig(testContext(t), url, tt.token)
			if err != nil {
				t.Fatal(err)
			}
			if got.status != http.StatusUnauthorized {
				t.Errorf("status = %d, want 401 (body %s)", got.status, got.body)
			}
			if strings.Contains(string(got.body), testProviderKey) {
				t.Error("a rejected request received a provider key")
			}
		})
	}
	t.Run("valid", func(t *testing.T) {
		got, err := getWorkerConfig(testContext(t), url, good)
		if err != nil {
			t.Fatal(err)
		}
		if got.status != http.StatusOK {
			t.Fatalf("status = %d %s, want 200", got.status, got.body)
		}
		if got.config.ProviderKeys["openai"] != testProviderKey {
			t.Errorf("provider_keys = %v, want the openai key", got.config.ProviderKeys)
		}
	})
	t.Run("deleted agent", func(t *testing.T) {
		other, err := valid.Mint(client, "gone-bot", "token-room", "conv-token")
		if err != nil {
			t.Fatal(err)
		}
		got, err := getWorkerConfig(testContext(t), url, other)
		if err != nil {
			t.Fatal(err)
		}
		if got.status != http.StatusNotFound {
			t.Errorf("status = %d %s, want 404", got.status, got.body)
		}
	})
	t.Run("unknown client", func(t *testing.T) {
		other, err := valid.Mint(uuid.New(), "token-bot", "token-room", "conv-token")
		if err != nil {
			t.Fatal(err)
		}
		got, err := getWorkerConfig(testContext(t), url, other)
		if err != nil {
			t.Fatal(err)
		}
		if got.status != http.StatusNotFound {
			t.Errorf("status = %d %s, want 404", got.status, got.body)
		}
	})
}

// flipChars changes every character of s to another base64url character.
func flipChars(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c == 'A' {
			b[i] = 'B'
		} else {
			b[i] = 'A'
		}
	}
	return string(b)
}
