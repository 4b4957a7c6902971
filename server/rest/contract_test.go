package rest_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/sidekick-forge/sidekick-forge/server/pgtest"
)

// siteOrigin is the allowed browser origin of the contract's site key.
const siteOrigin = "https://acme.example"

// TestContract runs every fixture file of testdata against one platform,
// then checks that the fixtures reached every route and that no response
// body carried a secret.
func TestContract(t *testing.T) {
	p := startPlatform(t, nil)
	env := p.env
	clientA := env.CreateClient(t, "Acme")
	clientB := env.CreateClient(t, "Globex")
	env.SetProviderKey(t, clientA, "openai", openAIKey)

	voiceSettings := map[string]any{"provider": "cartesia", "voice_id": "voice-1"}
	for k, v := range llmSettings {
		voiceSettings[k] = v
	}
	env.CreateAgent(t, clientA, "helper", map[string]any{"name": "Helper",
		"voiceSettings": voiceSettings, "videoChatEnabled": true})
	env.CreateAgent(t, clientA, "no-video", map[string]any{"voiceSettings": llmSettings})
	env.CreateAgent(t, clientA, "sleepy", map[string]any{"enabled": false})
	env.CreateAgent(t, clientA, "shared-helper", map[string]any{"voiceSettings": llmSettings})
	env.CreateAgent(t, clientB, "shared-helper", map[string]any{"voiceSettings": llmSettings})
	env.CreateAgent(t, clientB, "b-only", nil)

	f := &fixtureRun{p: p,
		keys: map[string]string{
			"platform": env.PlatformKey,
			"site_a":   env.CreateSite(t, clientA, "acme.example", []string{siteOrigin}),
			"site_b":   env.CreateSite(t, clientB, "globex.example", nil),
			"none":     "",
		},
		vars: map[string]string{
			"client_a": clientA.String(), "client_b": clientB.String(),
			"missing_client": newClientID(), "livekit_url": p.livekit.URL,
			"external_dsn": externalDSN(t), "openai_key": openAIKey, "groq_key": groqKey,
			"client_lk_secret": clientLKSecret,
		},
	}
	f.vars["platform_key"] = env.PlatformKey

	files, err := filepath.Glob(filepath.Join("testdata", "*.json"))
	if err != nil {
		t.Fatal(err)
	}
	for _, file := range files {
		name := filepath.Base(file)
		t.Run(strings.TrimSuffix(name, ".json"), func(t *testing.T) { f.runFile(t, name) })
	}

	t.Run("every route exercised", func(t *testing.T) {
		for _, rt := range openAPIRoutes(t, p) {
			if !f.reached(rt) {
				t.Errorf("no fixture sends %s", rt)
			}
		}
	})
	t.Run("no secret in any response body", func(t *testing.T) {
		secrets := map[string]string{
			"OpenAI key": openAIKey, "Groq key": groqKey,
			"client LiveKit secret": clientLKSecret, "platform LiveKit secret": p.livekit.APISecret,
			"external DSN password": dsnPassword,
		}
		if len(f.bodies) == 0 {
			t.Fatal("no response bodies recorded")
		}
		for name, secret := range secrets {
			for i, body := range f.bodies {
				if strings.Contains(string(body), secret) {
					t.Errorf("%s appears in the response to %s: %s", name, f.requests[i], body)
				}
			}
		}
	})
}

// externalDSN returns a DSN with a password for a fresh database. The test
// server trusts local connections, so the password is never checked, but it
// is what the platform stores and must never show.
func externalDSN(t *testing.T) string {
	u, err := url.Parse(pgtest.NewDatabase(t))
	if err != nil {
		t.Fatal(err)
	}
	u.User = url.UserPassword(u.User.Username(), dsnPassword)
	return u.String()
}

// openAPIRoutes returns "METHOD /path/{param}" of every route in the
// OpenAPI document.
func openAPIRoutes(t *testing.T, p *platform) []string {
	t.Helper()
	got := p.call(t, http.MethodGet, "/api/openapi.json", p.env.PlatformKey, nil)
	if got.Status != http.StatusOK {
		t.Fatalf("GET /api/openapi.json = %d %s", got.Status, got.Body)
	}
	var doc struct {
		Paths map[string]map[string]json.RawMessage `json:"paths"`
	}
	if err := json.Unmarshal(got.Body, &doc); err != nil {
		t.Fatal(err)
	}
	var out []string
	for path, ops := range doc.Paths {
		for method := range ops {
			out = append(out, strings.ToUpper(method)+" "+path)
		}
	}
	if len(out) == 0 {
		t.Fatal("the OpenAPI document lists no routes")
	}
	return out
}

var pathParam = regexp.MustCompile(`\\\{[a-z_]+\\\}`)

// reached reports whether a request matched the route "METHOD /path/{x}".
func (f *fixtureRun) reached(rt string) bool {
	pattern := regexp.MustCompile("^" + pathParam.ReplaceAllString(regexp.QuoteMeta(rt), "[^/]+") +
		"$")
	for _, req := range f.requests {
		path := strings.TrimSuffix(strings.SplitN(req, "?", 2)[0], "/")
		if pattern.MatchString(path) {
			return true
		}
	}
	return false
}
