package auth_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	lkproto "github.com/livekit/protocol/livekit"
	lksdk "github.com/livekit/server-sdk-go/v2"

	"github.com/sidekick-forge/sidekick-forge/server/app"
	"github.com/sidekick-forge/sidekick-forge/server/apptest"
	"github.com/sidekick-forge/sidekick-forge/server/auth"
	"github.com/sidekick-forge/sidekick-forge/server/livekit"
	"github.com/sidekick-forge/sidekick-forge/server/livekit/livekittest"
	"github.com/sidekick-forge/sidekick-forge/server/llm/llmtest"
	"github.com/sidekick-forge/sidekick-forge/server/trigger"
)

// Secrets that the fixture stores and no response or log line may show.
const (
	openAIKeyA  = "sk-matrix-acme-0123456789abcdefQRST"
	openAIKeyB  = "sk-matrix-globex-0123456789abcdefUVWX"
	groqSecret  = "gsk-matrix-groq-0123456789abcdefYZ12"
	resetSecret = "password set by a platform admin"
	nameA       = "Acme Matrix"
	nameB       = "Globex Matrix"
)

// syncBuffer collects the platform's log lines from many goroutines.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// principal is one kind of caller of the matrix, with its credentials.
type principal struct {
	name string
	// key is sent as Authorization: Bearer; the worker token goes there too.
	key     string
	embed   string
	session *apptest.Session
	// actor is the audit log's name for the principal.
	actor    string
	anon     bool
	worker   bool
	isEmbed  bool
	isUser   bool
	platform bool
	// scopesA are the principal's scopes on client A; platform principals
	// hold every scope on every client.
	scopesA []string
	// email and password of a user principal; changePassword updates the
	// password.
	email, password string
}

// boundToA reports whether the principal may reach client A and nothing
// else, so that no response to it may mention client B.
func (p *principal) boundToA() bool { return !p.anon && !p.worker && !p.platform }

func (p *principal) has(scope string) bool {
	for _, s := range p.scopesA {
		if s == scope {
			return true
		}
	}
	return false
}

// authorize adds the principal's credentials to req.
func (p *principal) authorize(req *http.Request) {
	switch {
	case p.key != "":
		req.Header.Set("Authorization", "Bearer "+p.key)
	case p.embed != "":
		req.Header.Set(auth.EmbedTokenHeader, p.embed)
	case p.session != nil:
		req.AddCookie(&http.Cookie{Name: auth.SessionCookie, Value: p.session.Cookie})
		req.Header.Set(auth.CSRFHeader, p.session.CSRF)
	}
}

// fixture is the platform the matrix runs against.
type fixture struct {
	t          *testing.T
	env        *apptest.Env
	logs       *syncBuffer
	lk         livekit.Settings
	a, b       uuid.UUID
	siteA      string
	principals []*principal
	// secrets maps a description to a value that must appear in no
	// response and no log line.
	secrets map[string]string
	// n numbers the objects that cases create, so that names never clash.
	n int
}

func (f *fixture) next() int {
	f.n++
	return f.n
}

func (f *fixture) secret(name, value string) {
	if value != "" {
		f.secrets[name] = value
	}
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	double := llmtest.NewServer(t)
	lk := livekittest.Start(t)
	logs := &syncBuffer{}
	env := apptest.Start(t, apptest.Options{Log: logs, Configure: func(cfg *app.Config) {
		cfg.LiveKitURL, cfg.LiveKitAPIKey, cfg.LiveKitAPISecret = lk.URL, lk.APIKey, lk.APISecret
		cfg.LiveKitAgentName = lk.AgentName
		cfg.LLMBaseURLs["openai"] = double.OpenAIBaseURL()
		// The matrix sends hundreds of triggers and logins from one address.
		cfg.TriggerRateLimit = 0
		cfg.LoginRateLimit = 1000
	}})
	f := &fixture{t: t, env: env, logs: logs, lk: lk, secrets: map[string]string{}}
	f.a = env.CreateClient(t, nameA)
	f.b = env.CreateClient(t, nameB)
	llm := map[string]any{"voiceSettings": map[string]any{"llm_provider": "openai",
		"llm_model": "gpt-test"}}
	for _, c := range []uuid.UUID{f.a, f.b} {
		env.CreateAgent(t, c, "helper", llm)
	}
	env.CreateAgent(t, f.a, "a-only", llm)
	env.CreateAgent(t, f.b, "b-only", llm)
	env.SetProviderKey(t, f.a, "openai", openAIKeyA)
	env.SetProviderKey(t, f.b, "openai", openAIKeyB)

	f.secret("OpenAI key of A", openAIKeyA)
	f.secret("OpenAI key of B", openAIKeyB)
	f.secret("Groq key", groqSecret)
	f.secret("password set by an admin", resetSecret)
	f.secret("platform LiveKit secret", lk.APISecret)
	f.secret("platform secret key", env.App.Config.SecretKey)
	f.secret("platform key", env.PlatformKey)

	f.principals = f.makePrincipals(t)
	for _, p := range f.principals {
		f.secret(p.name+" key", p.key)
		f.secret(p.name+" embed token", p.embed)
		f.secret(p.name+" password", p.password)
		if p.session != nil {
			f.secret(p.name+" session cookie", p.session.Cookie)
			f.secret(p.name+" CSRF token", p.session.CSRF)
		}
	}
	f.registerPasswordHashes(t)
	return f
}

func (f *fixture) makePrincipals(t *testing.T) []*principal {
	env := f.env
	read, trig, manage := auth.ScopeRead, auth.ScopeTrigger, auth.ScopeManage
	user := func(name, email string, admin bool, role string, scopes []string) *principal {
		pw := "matrix password of " + name
		env.CreateUser(t, email, pw, admin)
		if role != "" {
			env.SetMember(t, f.a, email, role)
		}
		return &principal{name: name, session: env.Login(t, email, pw), isUser: true,
			platform: admin, scopesA: scopes, email: email, password: pw, actor: "user:" + email}
	}
	key := func(name, kind, raw string, scopes []string) *principal {
		return &principal{name: name, key: raw, scopesA: scopes, actor: kind + ":" + raw[:12]}
	}
	f.siteA = env.CreateSite(t, f.a, "acme-matrix.example", nil)
	embed := env.CreateEmbedToken(t, f.siteA, f.a, "helper", "")

	// Bystanders are users of A and of B whom the user rows ask about.
	env.CreateUser(t, "bystander-a@example.com", "bystander password A", false)
	env.SetMember(t, f.a, "bystander-a@example.com", "MEMBER")
	env.CreateUser(t, "bystander-b@example.com", "bystander password B", false)
	env.SetMember(t, f.b, "bystander-b@example.com", "MEMBER")

	platformKey := key("platform key", "platform_key", env.PlatformKey, nil)
	platformKey.platform = true
	return []*principal{
		{name: "anonymous", anon: true},
		{name: "worker token", key: f.workerToken(t), worker: true},
		{name: "embed token of A", embed: embed, isEmbed: true, scopesA: []string{trig},
			actor: "embed_token:" + f.siteA[:12] + ":helper"},
		user("member of A", "member-a@example.com", false, "MEMBER", []string{read}),
		user("admin of A", "admin-a@example.com", false, "ADMIN", []string{read, trig, manage}),
		key("read key of A", "client_key", env.CreateClientKey(t, f.a, "READ"), []string{read}),
		key("trigger key of A", "client_key", env.CreateClientKey(t, f.a, "TRIGGER"), []string{trig}),
		key("manage key of A", "client_key", env.CreateClientKey(t, f.a, "MANAGE"), []string{manage}),
		key("site key of A", "site_key", f.siteA, []string{read, trig}),
		user("platform admin", "root@example.com", true, "", nil),
		platformKey,
	}
}

// workerToken starts a voice session on client A and reads the worker
// token from the dispatch's metadata, as a real worker would.
func (f *fixture) workerToken(t *testing.T) string {
	t.Helper()
	res := f.env.GraphQL(t, f.env.PlatformKey, `mutation($c: UUID!) { triggerAgent(input: {
		agentSlug: "helper", clientId: $c, mode: VOICE, userId: "setup", roomName: "matrix-setup"})
		{ voice { dispatch { status } } } }`, map[string]any{"c": f.a})
	if len(res.Errors) > 0 {
		t.Fatalf("voice trigger for the worker token: %s", res.Raw)
	}
	client := lksdk.NewAgentDispatchServiceClient(f.lk.ServerURL(), f.lk.APIKey, f.lk.APISecret)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	list, err := client.ListDispatch(ctx, &lkproto.ListAgentDispatchRequest{Room: "matrix-setup"})
	if err != nil {
		t.Fatalf("list dispatches: %v", err)
	}
	for _, d := range list.AgentDispatches {
		var meta trigger.DispatchMetadata
		if json.Unmarshal([]byte(d.Metadata), &meta) == nil && meta.WorkerToken != "" {
			f.secret("worker token", meta.WorkerToken)
			return meta.WorkerToken
		}
	}
	t.Fatal("no dispatch of matrix-setup carries a worker token")
	return ""
}

// registerPasswordHashes adds every stored password hash to the secrets.
func (f *fixture) registerPasswordHashes(t *testing.T) {
	var hashes []string
	err := f.env.App.DB.NewSelect().Table("users").Column("password_hash").
		Scan(context.Background(), &hashes)
	if err != nil {
		t.Fatal(err)
	}
	for i, h := range hashes {
		f.secret(fmt.Sprintf("password hash %d", i), h)
	}
}

func (f *fixture) principal(name string) *principal {
	for _, p := range f.principals {
		if p.name == name {
			return p
		}
	}
	f.t.Fatalf("no principal %q", name)
	return nil
}

// admin runs a setup operation with the platform key and returns its data.
func (f *fixture) admin(query string, vars map[string]any) map[string]any {
	f.t.Helper()
	res := f.env.GraphQL(f.t, f.env.PlatformKey, query, vars)
	var out map[string]any
	res.Decode(f.t, &out)
	return out
}

// auditCount returns the number of audit entries.
func (f *fixture) auditCount() int {
	n, err := f.env.App.DB.NewSelect().Table("audit_log").Count(context.Background())
	if err != nil {
		f.t.Fatal(err)
	}
	return int(n)
}

// lastActor returns the actor of the newest audit entry.
func (f *fixture) lastActor() string {
	var actor string
	err := f.env.App.DB.NewSelect().Table("audit_log").Column("actor").OrderExpr("id DESC").
		Limit(1).Scan(context.Background(), &actor)
	if err != nil {
		f.t.Fatal(err)
	}
	return actor
}

// newClient creates a client for a case that will delete it.
func (f *fixture) newClient() uuid.UUID {
	return f.env.CreateClient(f.t, fmt.Sprintf("Throwaway %d", f.next()))
}

// newUser creates a user, a member of client when it is not uuid.Nil.
func (f *fixture) newUser(client uuid.UUID) (uuid.UUID, string) {
	email := fmt.Sprintf("user-%d@example.com", f.next())
	id := f.env.CreateUser(f.t, email, "throwaway user password", false)
	if client != uuid.Nil {
		f.env.SetMember(f.t, client, email, "MEMBER")
	}
	return id, email
}

// newKey creates a client key of client, or a platform key for uuid.Nil.
func (f *fixture) newKey(client uuid.UUID) uuid.UUID {
	in := map[string]any{"name": fmt.Sprintf("throwaway %d", f.next())}
	if client != uuid.Nil {
		in["clientId"], in["scopes"] = client, []string{"READ"}
	}
	out := f.admin(`mutation($in: CreateAccessKeyInput!) {
		createAccessKey(input: $in) { key { id } secret } }`, map[string]any{"in": in})
	created := out["createAccessKey"].(map[string]any)
	f.secret(fmt.Sprintf("throwaway key %d", f.n), created["secret"].(string))
	return uuid.MustParse(created["key"].(map[string]any)["id"].(string))
}

// newSite creates a WordPress site of client and returns its id.
func (f *fixture) newSite(client uuid.UUID) uuid.UUID {
	out := f.admin(`mutation($c: UUID!, $in: WordPressSiteInput!) {
		createWordPressSite(clientId: $c, input: $in) { site { id } apiKey } }`,
		map[string]any{"c": client, "in": map[string]any{"name": "throwaway",
			"domain": fmt.Sprintf("site-%d.example", f.next())}})
	created := out["createWordPressSite"].(map[string]any)
	f.secret(fmt.Sprintf("throwaway site key %d", f.n), created["apiKey"].(string))
	return uuid.MustParse(created["site"].(map[string]any)["id"].(string))
}

// newAgent creates an agent of client and returns its slug.
func (f *fixture) newAgent(client uuid.UUID, slug string) string {
	f.env.CreateAgent(f.t, client, slug, nil)
	return slug
}

// mintedValue finds one-time secrets in a response: created keys, embed
// tokens and LiveKit user tokens, which later responses and logs must not
// repeat.
var mintedValue = regexp.MustCompile(
	`"(?:secret|apiKey|api_key|token|userToken|user_token|csrf_token)":"([^"]{16,})"`)

func (f *fixture) registerMinted(body string, header http.Header) {
	for _, m := range mintedValue.FindAllStringSubmatch(body, -1) {
		f.secret(fmt.Sprintf("minted value %d", len(f.secrets)), m[1])
	}
	if c := sessionCookie(header); c != nil {
		f.secret(fmt.Sprintf("minted session cookie %d", len(f.secrets)), c.Value)
	}
}

// leaks returns the names of the secrets that s contains.
func (f *fixture) leaks(s string) []string {
	var out []string
	for name, v := range f.secrets {
		if strings.Contains(s, v) {
			out = append(out, name)
		}
	}
	return out
}

// rooms returns every room of the LiveKit server.
func (f *fixture) rooms(t *testing.T) []*lkproto.Room {
	client := lksdk.NewRoomServiceClient(f.lk.ServerURL(), f.lk.APIKey, f.lk.APISecret)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	list, err := client.ListRooms(ctx, &lkproto.ListRoomsRequest{})
	if err != nil {
		t.Fatalf("list LiveKit rooms: %v", err)
	}
	return list.Rooms
}

// do sends req with p's credentials and reads the whole response.
func (f *fixture) do(p *principal, method, path string, body io.Reader, contentType string) httpReply {
	f.t.Helper()
	req, err := http.NewRequest(method, f.env.URL+path, body)
	if err != nil {
		f.t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	p.authorize(req)
	return send(f.t, req)
}
