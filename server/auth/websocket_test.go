package auth_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/sidekick-forge/sidekick-forge/server/app"
	"github.com/sidekick-forge/sidekick-forge/server/apptest"
	"github.com/sidekick-forge/sidekick-forge/server/auth"
)

const pingSubscription = `subscription { triggerAgentStream(input: {agentSlug: "helper",
	mode: TEXT, userId: "u", message: "hello"}) { type } }`

func TestWebsocket_originAndCSRFCloseCodes(t *testing.T) {
	t.Parallel()
	env, client := textPlatform(t, func(cfg *app.Config) {
		cfg.AllowedOrigins = "https://admin.example"
	})
	site := env.CreateSite(t, client, "ws.example", []string{"https://ws.example"})
	env.CreateUser(t, "ws@example.com", password, true)
	s := env.Login(t, "ws@example.com", password)
	f := &fixture{t: t, env: env}

	cases := []struct {
		name    string
		origin  string
		cookie  bool
		payload map[string]any
		// close is the close code sent in reply to connection_init. 0 means
		// the connection was acknowledged and the stream ran.
		close int
	}{
		{"session from the allowed origin", "https://admin.example", true,
			map[string]any{"csrfToken": s.CSRF}, 0},
		{"session without csrfToken", "https://admin.example", true, map[string]any{}, 4403},
		{"session with a wrong csrfToken", "https://admin.example", true,
			map[string]any{"csrfToken": "AAAA.BBBB"}, 4403},
		{"session from a foreign origin", "https://evil.example", true,
			map[string]any{"csrfToken": s.CSRF}, 4403},
		{"session from the site's origin", "https://ws.example", true,
			map[string]any{"csrfToken": s.CSRF}, 4403},
		{"site key from its own origin", "https://ws.example", false,
			map[string]any{"Authorization": "Bearer " + site}, 0},
		{"site key from a foreign origin", "https://evil.example", false,
			map[string]any{"Authorization": "Bearer " + site}, 4403},
		{"site key without an origin", "", false, map[string]any{"apiKey": site}, 0},
		{"no credentials", "https://admin.example", false, map[string]any{}, 4401},
		{"invalid key", "", false, map[string]any{"apiKey": "sfs_invalid"}, 4401},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			header := http.Header{}
			if tc.origin != "" {
				header.Set("Origin", tc.origin)
			}
			if tc.cookie {
				header.Set("Cookie", auth.SessionCookie+"="+s.Cookie)
			}
			conn, err := f.dialGraphQL(header)
			if err != nil {
				t.Fatalf("upgrade rejected instead of a close code: %v", err)
			}
			defer conn.conn.Close()
			r := conn.run(tc.payload, pingSubscription, nil)
			if r.closeCode != tc.close {
				t.Errorf("close code %d, want %d: %s", r.closeCode, tc.close, short(r.body))
			}
			if tc.close == 0 && !r.done {
				t.Errorf("the stream did not finish: %s", short(r.body))
			}
		})
	}
}

func TestAuditLog_recordsWhoDidWhatWithoutSecrets(t *testing.T) {
	t.Parallel()
	env, client := textPlatform(t, nil)
	other := env.CreateClient(t, "Audit Other")
	env.CreateUser(t, "auditor@example.com", password, false)
	env.SetMember(t, client, "auditor@example.com", "ADMIN")
	s := env.Login(t, "auditor@example.com", password)
	const secret = "sk-audit-secret-0123456789abcdefgh"

	res := env.GraphQLSession(t, s, `mutation($c: UUID!, $k: String!) {
		setProviderKey(clientId: $c, provider: "groq", key: $k) { configured } }`,
		map[string]any{"c": client, "k": secret})
	if len(res.Errors) > 0 {
		t.Fatal(res.Raw)
	}
	env.SetProviderKey(t, other, "groq", secret)

	res = env.GraphQLSession(t, s, `query($c: UUID!) { auditLog(clientId: $c, first: 100) {
		totalCount edges { node { at actor action clientId target details } } } }`,
		map[string]any{"c": client})
	var out struct {
		AuditLog struct {
			TotalCount int
			Edges      []struct {
				Node struct {
					Actor, Action, Target, ClientID string
				}
			}
		}
	}
	res.Decode(t, &out)
	found := false
	for _, e := range out.AuditLog.Edges {
		if e.Node.ClientID != client.String() {
			t.Errorf("the client's audit log holds an entry of client %s", e.Node.ClientID)
		}
		if e.Node.Action == "client.set_provider_key" && e.Node.Actor == "user:auditor@example.com" &&
			e.Node.Target == "groq" {
			found = true
		}
	}
	if !found {
		t.Errorf("no entry says the auditor set the groq key: %s", res.Raw)
	}
	if n := countAuditMatching(t, env, secret); n != 0 {
		t.Errorf("%d audit rows contain the provider key", n)
	}

	res = env.GraphQLSession(t, s, `query($c: UUID!) { auditLog(clientId: $c) { totalCount } }`,
		map[string]any{"c": other})
	if res.Code() != "NOT_FOUND" {
		t.Errorf("another client's audit log = %s, want NOT_FOUND", res.Raw)
	}
	res = env.GraphQLSession(t, s, `{ auditLog { totalCount } }`, nil)
	if res.Code() != "FORBIDDEN" {
		t.Errorf("the platform-wide audit log for a client admin = %s, want FORBIDDEN", res.Raw)
	}
}

// countAuditMatching counts the audit entries that contain s anywhere.
func countAuditMatching(t *testing.T, env *apptest.Env, s string) int {
	t.Helper()
	var n int
	pattern := "%" + s + "%"
	err := env.App.DB.NewRaw(`SELECT count(*) FROM audit_log WHERE details::text LIKE ?
		OR target LIKE ? OR actor LIKE ? OR action LIKE ?`, pattern, pattern, pattern, pattern).
		Scan(context.Background(), &n)
	if err != nil {
		t.Fatal(err)
	}
	return n
}
