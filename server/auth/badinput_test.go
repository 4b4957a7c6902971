package auth_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/google/uuid"

	"github.com/sidekick-forge/sidekick-forge/server/app"
	"github.com/sidekick-forge/sidekick-forge/server/apptest"
	"github.com/sidekick-forge/sidekick-forge/server/auth"
	"github.com/sidekick-forge/sidekick-forge/server/trigger"
)

// badCredential is one kind of bad input and how it is sent.
type badCredential struct {
	name string
	// apply sets the credential on an HTTP request.
	apply func(r *http.Request)
	// payload is the connection_init payload that carries it; nil when it
	// travels only on the upgrade request (cookies).
	payload map[string]any
	secret  string
}

// rejectionLines counts the log lines that record a rejected or denied
// request. The one summary line per request is not one of them.
func rejectionLines(logs string) []string {
	var out []string
	for _, line := range strings.Split(logs, "\n") {
		if strings.Contains(line, "rejected") || strings.Contains(line, "denied") {
			out = append(out, line)
		}
	}
	return out
}

func bearer(v string) func(*http.Request) {
	return func(r *http.Request) { r.Header.Set("Authorization", "Bearer "+v) }
}

func embedHeader(v string) func(*http.Request) {
	return func(r *http.Request) { r.Header.Set(auth.EmbedTokenHeader, v) }
}

func cookie(v string) func(*http.Request) {
	return func(r *http.Request) { r.AddCookie(&http.Cookie{Name: auth.SessionCookie, Value: v}) }
}

// badCredentials builds every kind of bad credential against a fresh
// platform with clients A and B.
func badCredentials(t *testing.T, env *apptest.Env, a uuid.UUID) []badCredential {
	t.Helper()
	site := env.CreateSite(t, a, "bad-input.example", nil)
	revokedKey := env.CreateClientKey(t, a, "READ")
	res := env.GraphQL(t, env.PlatformKey, `query($c: UUID!) { accessKeys(clientId: $c) { id prefix } }`,
		map[string]any{"c": a})
	var keys struct{ AccessKeys []struct{ ID, Prefix string } }
	res.Decode(t, &keys)
	for _, k := range keys.AccessKeys {
		if k.Prefix == revokedKey[:12] {
			env.GraphQL(t, env.PlatformKey, `mutation($id: UUID!) { revokeAccessKey(id: $id) }`,
				map[string]any{"id": k.ID})
		}
	}

	// An embed token whose minting key is revoked afterwards.
	minter := env.CreateClientKey(t, a, "TRIGGER")
	orphan := env.CreateEmbedToken(t, minter, a, "helper", "")
	res = env.GraphQL(t, env.PlatformKey, `query($c: UUID!) { accessKeys(clientId: $c) { id prefix } }`,
		map[string]any{"c": a})
	res.Decode(t, &keys)
	for _, k := range keys.AccessKeys {
		if k.Prefix == minter[:12] {
			env.GraphQL(t, env.PlatformKey, `mutation($id: UUID!) { revokeAccessKey(id: $id) }`,
				map[string]any{"id": k.ID})
		}
	}
	expiring := env.CreateEmbedToken(t, site, a, "helper", "")
	forgedEmbed, _ := auth.NewEmbedTokens([]byte("not the platform's key, 32 bytes!"), time.Hour).
		Mint(uuid.New(), a, "helper", "")
	forgedWorker, _ := trigger.NewWorkerTokens([]byte("not the platform's key, 32 bytes!"),
		time.Hour).Mint(a, "helper", "room", "conv")
	none, _ := jwt.NewWithClaims(jwt.SigningMethodNone, jwt.MapClaims{"cid": a.String(),
		"agt": "helper", "kid": uuid.NewString(), "sub": "x", "aud": "sidekick-forge/embed",
		"exp": time.Now().Add(time.Hour).Unix()}).SignedString(jwt.UnsafeAllowNoneSignatureType)

	env.CreateUser(t, "replay@example.com", password, false)
	loggedOut := env.Login(t, "replay@example.com", password)
	out := send(t, loggedOut.Request(t, http.MethodPost, env.URL+auth.LogoutPath, nil))
	if out.Status != http.StatusNoContent {
		t.Fatalf("logout = %d", out.Status)
	}
	time.Sleep(1100 * time.Millisecond) // let the 1s embed token expire

	long := strings.Repeat("k", 16<<10)
	huge := strings.Repeat("k", 60<<10)
	key := func(name, v string) badCredential {
		return badCredential{name, bearer(v), map[string]any{"Authorization": "Bearer " + v}, v}
	}
	return []badCredential{
		key("unknown platform key", "sfp_"+strings.Repeat("A", 43)),
		key("malformed bearer", "%%%not-a-key%%%"),
		key("revoked client key", revokedKey),
		{"other scheme", func(r *http.Request) { r.Header.Set("Authorization", "Basic dXNlcjpwdw==") },
			map[string]any{"Authorization": "Basic dXNlcjpwdw=="}, "dXNlcjpwdw=="},
		key("oversized key (16 KiB)", long),
		key("oversized key (60 KiB)", huge),
		key("forged worker token as a key", forgedWorker),
		{"forged embed token", embedHeader(forgedEmbed.Token), map[string]any{"embedToken": forgedEmbed.Token},
			forgedEmbed.Token},
		{"unsigned embed token", embedHeader(none), map[string]any{"embedToken": none}, none},
		{"malformed embed token", embedHeader("abc.def"), map[string]any{"embedToken": "abc.def"}, "abc.def"},
		{"expired embed token", embedHeader(expiring), map[string]any{"embedToken": expiring}, expiring},
		{"embed token of a revoked key", embedHeader(orphan), map[string]any{"embedToken": orphan}, orphan},
		{"oversized embed token", embedHeader(long), map[string]any{"embedToken": long}, long},
		{"key and embed token together", func(r *http.Request) {
			bearer(site)(r)
			embedHeader(expiring)(r)
		}, map[string]any{"Authorization": "Bearer " + site, "embedToken": expiring}, site},
		{"session replayed after logout", cookie(loggedOut.Cookie), nil, loggedOut.Cookie},
		{"forged session cookie", cookie(strings.Repeat("c", 43)), nil, strings.Repeat("c", 43)},
		{"oversized session cookie", cookie(long[:3000]), nil, long[:3000]},
	}
}

func TestBadCredentials_401AndLoggedOnce(t *testing.T) {
	logs := &syncBuffer{}
	env := apptest.Start(t, apptest.Options{Log: logs, Configure: func(cfg *app.Config) {
		cfg.EmbedTokenTTL = time.Second
	}})
	a := env.CreateClient(t, "Bad Input A")
	env.CreateAgent(t, a, "helper", nil)
	cases := badCredentials(t, env, a)

	surfaces := map[string]func(t *testing.T, bc badCredential) (int, string){
		"GraphQL": func(t *testing.T, bc badCredential) (int, string) {
			req := mustRequest(t, http.MethodPost, env.URL+"/graphql")
			req.Body = jsonBody(`{"query":"{ clients { totalCount } }"}`)
			req.Header.Set("Content-Type", "application/json")
			bc.apply(req)
			got := send(t, req)
			return got.Status, got.Body
		},
		"REST": func(t *testing.T, bc badCredential) (int, string) {
			req := mustRequest(t, http.MethodGet, env.URL+"/api/v2/clients")
			bc.apply(req)
			got := send(t, req)
			return got.Status, got.Body
		},
		"websocket": func(t *testing.T, bc badCredential) (int, string) {
			header := http.Header{}
			if bc.payload == nil {
				req := mustRequest(t, http.MethodGet, env.URL)
				bc.apply(req)
				header = req.Header
			}
			f := &fixture{t: t, env: env}
			conn, err := f.dialGraphQL(header)
			if err != nil {
				t.Fatalf("dial: %v", err)
			}
			defer conn.conn.Close()
			payload := bc.payload
			if payload == nil {
				payload = map[string]any{"csrfToken": "x"}
			}
			r := conn.run(payload, `subscription { triggerAgentStream(input: {agentSlug: "helper",
				mode: TEXT, userId: "u", message: "m"}) { type } }`, nil)
			return r.closeCode, r.body
		},
	}
	for _, bc := range cases {
		for surface, call := range surfaces {
			if surface == "websocket" && strings.HasPrefix(bc.name, "oversized key (60") {
				// A header this large is a plain HTTP test; the upgrade adds
				// nothing to it.
				continue
			}
			t.Run(bc.name+" over "+surface, func(t *testing.T) {
				before := len(logs.String())
				status, body := call(t, bc)
				time.Sleep(20 * time.Millisecond) // the request log line follows the response
				delta := logs.String()[before:]

				want := http.StatusUnauthorized
				if surface == "websocket" {
					want = 4401
				}
				if status != want {
					t.Errorf("status %d, want %d: %s", status, want, short(body))
				}
				if strings.Contains(body, bc.secret) {
					t.Errorf("the response repeats the credential")
				}
				if lines := rejectionLines(delta); len(lines) != 1 {
					t.Errorf("%d rejection log lines, want 1:\n%s", len(lines), strings.Join(lines, "\n"))
				}
				if strings.Contains(delta, bc.secret) {
					t.Errorf("the log contains the credential:\n%s", short(delta))
				}
			})
		}
	}
}

func TestBadRequests_403NeverServerError(t *testing.T) {
	logs := &syncBuffer{}
	env := apptest.Start(t, apptest.Options{Log: logs})
	a := env.CreateClient(t, "Wrong Tenant A")
	b := env.CreateClient(t, "Wrong Tenant B")
	env.CreateAgent(t, a, "helper", nil)
	env.CreateAgent(t, b, "b-only", nil)
	site := env.CreateSite(t, a, "wrong-tenant.example", nil)
	embed := env.CreateEmbedToken(t, site, a, "helper", "visitor-1")
	env.CreateUser(t, "csrf@example.com", password, true)
	s := env.Login(t, "csrf@example.com", password)

	trig := func(slug, client, user string) string {
		body, _ := json.Marshal(map[string]any{"agent_slug": slug, "client_id": client,
			"mode": "text", "user_id": user, "message": "hi"})
		return string(body)
	}
	cases := []struct {
		name   string
		method string
		path   string
		body   string
		apply  func(r *http.Request)
	}{
		{"embed token for another client", http.MethodPost, "/api/v2/trigger-agent",
			trig("b-only", b.String(), "visitor-1"), embedHeader(embed)},
		{"embed token for another agent", http.MethodPost, "/api/v2/trigger-agent",
			trig("a-other", a.String(), "visitor-1"), embedHeader(embed)},
		{"embed token for another user", http.MethodPost, "/api/v2/trigger-agent",
			trig("helper", a.String(), "visitor-2"), embedHeader(embed)},
		{"embed token on a read route", http.MethodGet, "/api/v2/agents?client_id=" + a.String(),
			"", embedHeader(embed)},
		{"cookie POST without CSRF token", http.MethodPost, "/graphql",
			`{"query":"mutation { createClient(input: {name: \"No CSRF\"}) { id } }"}`,
			cookie(s.Cookie)},
		{"cookie POST from a foreign origin", http.MethodPost, "/graphql",
			`{"query":"{ me { id } }"}`, func(r *http.Request) {
				cookie(s.Cookie)(r)
				r.Header.Set(auth.CSRFHeader, s.CSRF)
				r.Header.Set("Origin", "https://evil.example")
			}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			req := mustRequest(t, tc.method, env.URL+tc.path)
			if tc.body != "" {
				req.Body = jsonBody(tc.body)
				req.Header.Set("Content-Type", "application/json")
			}
			tc.apply(req)
			before := len(logs.String())
			got := send(t, req)
			time.Sleep(20 * time.Millisecond)
			delta := logs.String()[before:]
			if got.Status != http.StatusForbidden {
				t.Errorf("status %d, want 403: %s", got.Status, got.Body)
			}
			if lines := rejectionLines(delta); len(lines) != 1 {
				t.Errorf("%d rejection log lines, want 1:\n%s", len(lines), strings.Join(lines, "\n"))
			}
			for _, secret := range []string{embed, s.Cookie, s.CSRF} {
				if strings.Contains(delta, secret) || strings.Contains(got.Body, secret) {
					t.Errorf("the log or response repeats a credential")
				}
			}
		})
	}
	if n := tenantCount(t, env, b); n != 0 {
		t.Errorf("client B has %d messages after the denied triggers", n)
	}
}

func jsonBody(s string) io.ReadCloser { return io.NopCloser(strings.NewReader(s)) }

func tenantCount(t *testing.T, env *apptest.Env, client uuid.UUID) int {
	t.Helper()
	lease, err := env.App.Tenants.Acquire(context.Background(), client)
	if err != nil {
		t.Fatal(err)
	}
	defer lease.Release()
	n, err := lease.DB().NewSelect().Table("messages").Count(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return int(n)
}
