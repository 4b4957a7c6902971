// Package apptest starts the whole platform in-process for tests: a
// throwaway platform database on the test PostgreSQL, the real services and
// routes behind an httptest server on 127.0.0.1, and a platform key.
package apptest

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/sidekick-forge/sidekick-forge/server/app"
	"github.com/sidekick-forge/sidekick-forge/server/pgtest"
	"github.com/sidekick-forge/sidekick-forge/server/platform"
	"github.com/sidekick-forge/sidekick-forge/server/secrets"
)

// Env is a running platform.
type Env struct {
	App *app.App
	// URL is the base URL of the HTTP server.
	URL string
	// PlatformKey is a raw platform API key.
	PlatformKey string
	Server      *httptest.Server
}

// Options adjust the configuration before the platform starts.
type Options struct {
	Configure func(cfg *app.Config)
	// Log receives the platform's logs; nil discards them unless
	// SIDEKICK_TEST_LOG is set.
	Log io.Writer
}

// Start runs a platform for the duration of the test.
func Start(t testing.TB, opts Options) *Env {
	t.Helper()

	dsn := pgtest.NewDatabase(t)
	key, err := secrets.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := app.Load(newFlagSet(), nil, func(name string) string {
		switch name {
		case "SIDEKICK_DATABASE_URL":
			return dsn
		case "SIDEKICK_TENANT_DATABASE_URL":
			return pgtest.ServerURL()
		case "SIDEKICK_SECRET_KEY":
			return key
		case "SIDEKICK_DATA_DIR":
			return t.TempDir()
		}
		return ""
	})
	if err != nil {
		t.Fatalf("load test configuration: %v", err)
	}

	// The listener exists before the app, so the public URL given to agent
	// workers points at this server.
	srv := httptest.NewUnstartedServer(nil)
	cfg.PublicURL = "http://" + srv.Listener.Addr().String()
	cfg.Listen = srv.Listener.Addr().String()
	if opts.Configure != nil {
		opts.Configure(cfg)
	}

	logOut := opts.Log
	if logOut == nil {
		logOut = io.Discard
		if os.Getenv("SIDEKICK_TEST_LOG") != "" {
			logOut = os.Stderr
		}
	}
	log := slog.New(slog.NewTextHandler(logOut, &slog.HandlerOptions{Level: slog.LevelDebug}))

	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	a, err := app.New(ctx, cfg, log)
	if err != nil {
		t.Fatalf("start platform: %v", err)
	}
	srv.Config.Handler = a.Handler()
	srv.Start()

	env := &Env{App: a, URL: srv.URL, Server: srv}
	t.Cleanup(func() {
		srv.Close()
		env.dropTenantDatabases(t)
		if err := a.Close(); err != nil {
			t.Errorf("close platform: %v", err)
		}
	})
	env.PlatformKey = env.CreatePlatformKey(t, "test")
	return env
}

// dropTenantDatabases drops the managed databases the test created.
func (e *Env) dropTenantDatabases(t testing.TB) {
	var names []string
	err := e.App.DB.NewSelect().Table("clients").Column("database_name").
		Where("database_mode = 'managed'").Scan(context.Background(), &names)
	if err != nil {
		t.Logf("list managed tenant databases: %v", err)
		return
	}
	// A client deleted without dropDatabase leaves its database behind on
	// purpose; the audit log still names it.
	var deleted []uuid.UUID
	err = e.App.DB.NewSelect().Table("audit_log").ColumnExpr("DISTINCT client_id").
		Where("action = 'client.create' AND client_id IS NOT NULL").
		Scan(context.Background(), &deleted)
	if err != nil {
		t.Logf("list created clients: %v", err)
	}
	for _, id := range deleted {
		names = append(names, platform.ManagedDatabaseName(id))
	}
	e.App.Provisioner.Wait()
	_ = e.App.Tenants.Close()
	seen := map[string]bool{}
	for _, n := range names {
		if n == "" || seen[n] {
			continue
		}
		seen[n] = true
		pgtest.DropDatabase(t, n)
	}
}

// CreatePlatformKey stores a platform key and returns it raw.
func (e *Env) CreatePlatformKey(t testing.TB, name string) string {
	t.Helper()
	key, raw, err := platform.NewAccessKey(platform.KeyPlatform, name, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := e.App.Store.InsertAccessKey(context.Background(), key); err != nil {
		t.Fatal(err)
	}
	return raw
}

// Response is a GraphQL response.
type Response struct {
	Data   json.RawMessage `json:"data"`
	Errors []struct {
		Message    string         `json:"message"`
		Path       []any          `json:"path"`
		Extensions map[string]any `json:"extensions"`
	} `json:"errors"`
	// Raw is the whole body, for checks that no secret appears in it.
	Raw string `json:"-"`
	// Status is the HTTP status of the response.
	Status int `json:"-"`
}

// Code returns extensions.code of the first error, or "".
func (r *Response) Code() string {
	if len(r.Errors) == 0 {
		return ""
	}
	c, _ := r.Errors[0].Extensions["code"].(string)
	return c
}

// Decode unmarshals data into v, failing the test on GraphQL errors.
func (r *Response) Decode(t testing.TB, v any) {
	t.Helper()
	if len(r.Errors) > 0 {
		t.Fatalf("GraphQL errors: %s", r.Raw)
	}
	if err := json.Unmarshal(r.Data, v); err != nil {
		t.Fatalf("decode GraphQL data %s: %v", r.Data, err)
	}
}

// GraphQL posts an operation with key ("" for none).
func (e *Env) GraphQL(t testing.TB, key, query string, vars map[string]any) *Response {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	resp := e.Do(t, http.MethodPost, "/graphql", key, bytes.NewReader(body))
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	out := &Response{Raw: string(raw), Status: resp.StatusCode}
	if err := json.Unmarshal(raw, out); err != nil {
		t.Fatalf("decode GraphQL response (HTTP %d) %s: %v", resp.StatusCode, raw, err)
	}
	if resp.StatusCode == http.StatusUnauthorized && len(out.Errors) == 0 {
		// The HTTP layer rejected the request before GraphQL ran, with the
		// REST error shape {"detail", "code"}; present it as a GraphQL error
		// so tests check one shape.
		var rejected struct{ Detail, Code string }
		if err := json.Unmarshal(raw, &rejected); err == nil && rejected.Code != "" {
			out.Errors = append(out.Errors, struct {
				Message    string         `json:"message"`
				Path       []any          `json:"path"`
				Extensions map[string]any `json:"extensions"`
			}{Message: rejected.Detail, Extensions: map[string]any{"code": rejected.Code}})
		}
	}
	return out
}

// Do sends a request with key as a bearer token ("" for none).
func (e *Env) Do(t testing.TB, method, path, key string, body io.Reader) *http.Response {
	t.Helper()
	req, err := http.NewRequest(method, e.URL+path, body)
	if err != nil {
		t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	return resp
}

// CreateClient creates a managed client, waits until it is ready and
// returns its id.
func (e *Env) CreateClient(t testing.TB, name string) uuid.UUID {
	t.Helper()
	res := e.GraphQL(t, e.PlatformKey, `mutation($name: String!) {
		createClient(input: {name: $name}) { id provisioningStatus provisioningError } }`,
		map[string]any{"name": name})
	var out struct {
		CreateClient struct {
			ID                 uuid.UUID
			ProvisioningStatus string
			ProvisioningError  *string
		}
	}
	res.Decode(t, &out)
	if out.CreateClient.ProvisioningStatus != "READY" {
		t.Fatalf("client %s is %s: %v", name, out.CreateClient.ProvisioningStatus,
			out.CreateClient.ProvisioningError)
	}
	return out.CreateClient.ID
}

// CreateAgent creates an agent with the given extra input fields.
func (e *Env) CreateAgent(t testing.TB, clientID uuid.UUID, slug string, extra map[string]any) {
	t.Helper()
	input := map[string]any{"slug": slug, "name": strings.ToUpper(slug[:1]) + slug[1:]}
	for k, v := range extra {
		input[k] = v
	}
	res := e.GraphQL(t, e.PlatformKey, `mutation($c: UUID!, $in: AgentInput!) {
		createAgent(clientId: $c, input: $in) { id } }`, map[string]any{"c": clientID, "in": input})
	var out map[string]any
	res.Decode(t, &out)
}

// SetProviderKey stores a provider key of a client.
func (e *Env) SetProviderKey(t testing.TB, clientID uuid.UUID, provider, key string) {
	t.Helper()
	res := e.GraphQL(t, e.PlatformKey, `mutation($c: UUID!, $p: String!, $k: String!) {
		setProviderKey(clientId: $c, provider: $p, key: $k) { configured } }`,
		map[string]any{"c": clientID, "p": provider, "k": key})
	var out map[string]any
	res.Decode(t, &out)
}

// CreateSite creates a WordPress site key for a client and returns it raw.
func (e *Env) CreateSite(t testing.TB, clientID uuid.UUID, domain string, origins []string) string {
	t.Helper()
	if origins == nil {
		origins = []string{}
	}
	res := e.GraphQL(t, e.PlatformKey, `mutation($c: UUID!, $in: WordPressSiteInput!) {
		createWordPressSite(clientId: $c, input: $in) { apiKey } }`,
		map[string]any{"c": clientID, "in": map[string]any{"name": domain, "domain": domain,
			"allowedOrigins": origins}})
	var out struct{ CreateWordPressSite struct{ APIKey string } }
	res.Decode(t, &out)
	return out.CreateWordPressSite.APIKey
}
