package graph_test

import (
	"encoding/json"
	"io"
	"net/http"
	"sort"
	"strings"
	"testing"

	"github.com/google/uuid"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/sidekick-forge/sidekick-forge/server/apptest"
)

// publicRootFields may be used without a key.
var publicRootFields = map[string]bool{"health": true, "validateSiteKey": true}

// literal returns a GraphQL literal of type typ that passes validation.
func literal(s *ast.Schema, typ *ast.Type) string {
	if typ.Elem != nil {
		return "[" + literal(s, typ.Elem) + "]"
	}
	def := s.Types[typ.NamedType]
	switch def.Kind {
	case ast.Enum:
		return def.EnumValues[0].Name
	case ast.InputObject:
		var fields []string
		for _, f := range def.Fields {
			if f.Type.NonNull && f.DefaultValue == nil {
				fields = append(fields, f.Name+": "+literal(s, f.Type))
			}
		}
		return "{" + strings.Join(fields, ", ") + "}"
	}
	switch typ.NamedType {
	case "UUID":
		return `"` + uuid.NewString() + `"`
	case "Int":
		return "1"
	case "Float":
		return "1.5"
	case "Boolean":
		return "true"
	case "Map":
		return "{}"
	case "Time":
		return `"2026-01-01T00:00:00Z"`
	}
	return `"x"`
}

// rootOperation builds a valid operation that calls field of root with
// every required argument and selects only __typename of an object result.
func rootOperation(s *ast.Schema, kind string, f *ast.FieldDefinition) string {
	var args []string
	for _, a := range f.Arguments {
		if a.Type.NonNull && a.DefaultValue == nil {
			args = append(args, a.Name+": "+literal(s, a.Type))
		}
	}
	call := f.Name
	if len(args) > 0 {
		call += "(" + strings.Join(args, ", ") + ")"
	}
	if k := s.Types[f.Type.Name()].Kind; k == ast.Object || k == ast.Interface || k == ast.Union {
		call += " { __typename }"
	}
	return kind + " { " + call + " }"
}

func TestAnonymous_everyNonPublicOperationIsUnauthenticated(t *testing.T) {
	t.Parallel()
	env := apptest.Start(t, apptest.Options{})
	schema := parseSchema(t, schemaSources(t))

	ops := map[string]string{
		"introspection __schema": `{ __schema { types { name } } }`,
		"introspection __type":   `{ __type(name: "Agent") { name fields { name } } }`,
		"public with private":    `{ health { status } clients { totalCount } }`,
		"private in a fragment":  `{ ...F } fragment F on Query { clients { totalCount } }`,
		"aliased as public":      `{ health: clients { totalCount } }`,
	}
	for kind, root := range map[string]*ast.Definition{"query": schema.Query,
		"mutation": schema.Mutation} {
		for _, f := range root.Fields {
			if strings.HasPrefix(f.Name, "__") || publicRootFields[f.Name] {
				continue
			}
			ops[kind+" "+f.Name] = rootOperation(schema, kind, f)
		}
	}
	if len(ops) < 20 {
		t.Fatalf("only %d operations generated from the schema", len(ops))
	}
	names := make([]string, 0, len(ops))
	for name := range ops {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		t.Run(name, func(t *testing.T) {
			res := env.GraphQL(t, "", ops[name], nil)
			expectError(t, res, "UNAUTHENTICATED", "")
			if string(res.Data) != "" && string(res.Data) != "null" {
				t.Errorf("anonymous operation returned data: %s", res.Data)
			}
		})
	}
	// Nothing ran: no client was created, deleted or changed.
	if n := platformCount(t, env, "SELECT count(*) FROM audit_log"); n != 0 {
		t.Errorf("anonymous operations wrote %d audit entries", n)
	}
}

func TestAnonymous_graphQLIsUnauthorizedButHealthIsOpen(t *testing.T) {
	t.Parallel()
	env := apptest.Start(t, apptest.Options{})

	// Every route but /health requires credentials, so /graphql answers an
	// anonymous caller with 401 before the executor runs, even for fields
	// the executor itself treats as public.
	for _, query := range []string{
		`{ health { status } }`,
		`{ __typename }`,
		`mutation { validateSiteKey(apiKey: "sfs_wrong") { valid } }`,
	} {
		res := env.GraphQL(t, "", query, nil)
		if res.Status != http.StatusUnauthorized {
			t.Errorf("%s anonymously: HTTP %d, want 401: %s", query, res.Status, res.Raw)
		}
		expectError(t, res, "UNAUTHENTICATED", "")
	}

	res := env.GraphQL(t, env.PlatformKey, `mutation { validateSiteKey(apiKey: "sfs_wrong") { valid } }`, nil)
	e := expectError(t, res, "UNAUTHENTICATED", "")
	if e.Message != "invalid site key" {
		t.Errorf("validateSiteKey message = %q, want the resolver's \"invalid site key\"", e.Message)
	}

	resp := env.Do(t, http.MethodGet, "/health", "", nil)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("GET /health anonymously = %d, want 200", resp.StatusCode)
	}
}

func postGraphQL(t *testing.T, env *apptest.Env, header, value string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, env.URL+"/graphql",
		strings.NewReader(`{"query":"{ health { status } }"}`))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set(header, value)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

func TestInvalidKey_isHTTP401(t *testing.T) {
	t.Parallel()
	env := apptest.Start(t, apptest.Options{})
	id := env.CreateClient(t, "Revoker")
	site := env.CreateSite(t, id, "revoked.example", nil)
	res := env.GraphQL(t, env.PlatformKey, `query($c: UUID!) { wordpressSites(clientId: $c) { id } }`,
		map[string]any{"c": id})
	var sites struct{ WordpressSites []struct{ ID uuid.UUID } }
	res.Decode(t, &sites)
	res = env.GraphQL(t, env.PlatformKey, `mutation($c: UUID!, $id: UUID!) {
		revokeWordPressSite(clientId: $c, id: $id) }`,
		map[string]any{"c": id, "id": sites.WordpressSites[0].ID})
	var revoked map[string]any
	res.Decode(t, &revoked)

	cases := []struct{ name, header, value string }{
		{"unknown bearer key", "Authorization", "Bearer sfp_" + strings.Repeat("A", 43)},
		{"unknown X-API-Key", "X-API-Key", "sfs_not-a-real-key"},
		{"revoked site key", "Authorization", "Bearer " + site},
		{"other scheme", "Authorization", "Basic dXNlcjpwYXNz"},
		{"oversized key", "Authorization", "Bearer " + strings.Repeat("k", 1000)},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			status, body := postGraphQL(t, env, tc.header, tc.value)
			if status != http.StatusUnauthorized {
				t.Errorf("status = %d, want 401 (body %s)", status, body)
			}
			var out struct{ Code string }
			if err := json.Unmarshal([]byte(body), &out); err != nil || out.Code != "UNAUTHENTICATED" {
				t.Errorf("body = %s, want code UNAUTHENTICATED", body)
			}
		})
	}
}

// errorShape returns the first error with every occurrence of id replaced,
// so denials for different ids compare equal when they reveal nothing more.
func errorShape(t *testing.T, res *apptest.Response, id uuid.UUID) string {
	t.Helper()
	if len(res.Errors) == 0 {
		t.Fatalf("expected an error, got %s", res.Raw)
	}
	b, err := json.Marshal(res.Errors[0])
	if err != nil {
		t.Fatal(err)
	}
	return strings.ReplaceAll(string(b), id.String(), "<id>")
}

func TestSiteKey_seesOnlyItsClient(t *testing.T) {
	t.Parallel()
	env := apptest.Start(t, apptest.Options{})
	acme := env.CreateClient(t, "Acme Site")
	globex := env.CreateClient(t, "Globex Site")
	env.CreateAgent(t, acme, "helper", nil)
	env.CreateAgent(t, globex, "helper", nil)
	site := env.CreateSite(t, acme, "acme.example", nil)
	random := uuid.New()

	t.Run("clients lists only its own", func(t *testing.T) {
		res := env.GraphQL(t, site, `{ clients { totalCount edges { node { id } } } }`, nil)
		var out struct {
			Clients struct {
				TotalCount int
				Edges      []struct{ Node struct{ ID uuid.UUID } }
			}
		}
		res.Decode(t, &out)
		if out.Clients.TotalCount != 1 || len(out.Clients.Edges) != 1 ||
			out.Clients.Edges[0].Node.ID != acme {
			t.Errorf("clients = %+v, want only %s", out.Clients, acme)
		}
	})

	t.Run("own agents are readable", func(t *testing.T) {
		res := env.GraphQL(t, site, `query($c: UUID!) { agents(clientId: $c) { totalCount } }`,
			map[string]any{"c": acme})
		var out struct{ Agents struct{ TotalCount int } }
		res.Decode(t, &out)
		if out.Agents.TotalCount != 1 {
			t.Errorf("totalCount = %d, want 1", out.Agents.TotalCount)
		}
	})

	denials := []struct{ name, query string }{
		{"client", `query($c: UUID!) { client(id: $c) { id name } }`},
		{"agents", `query($c: UUID!) { agents(clientId: $c) { totalCount } }`},
		{"agent", `query($c: UUID!) { agent(slug: "helper", clientId: $c) { id } }`},
		{"conversations", `query($c: UUID!) { conversations(clientId: $c) { totalCount } }`},
		{"wordpressSites", `query($c: UUID!) { wordpressSites(clientId: $c) { id } }`},
		{"messages", `query($c: UUID!) { messages(clientId: $c, conversationId: "x") {
			totalCount } }`},
		{"triggerAgent", `mutation($c: UUID!) { triggerAgent(input: {agentSlug: "helper",
			clientId: $c, mode: TEXT, userId: "u", message: "hi"}) { conversationId } }`},
	}
	for _, d := range denials {
		t.Run(d.name+" of another client is NOT_FOUND", func(t *testing.T) {
			other := env.GraphQL(t, site, d.query, map[string]any{"c": globex})
			expectError(t, other, "NOT_FOUND", "")
			missing := env.GraphQL(t, site, d.query, map[string]any{"c": random})
			if a, b := errorShape(t, other, globex), errorShape(t, missing, random); a != b {
				t.Errorf("denial differs from a missing client:\n other:   %s\n missing: %s", a, b)
			}
			if strings.Contains(other.Raw, "Globex") {
				t.Errorf("denial names the other client: %s", other.Raw)
			}
		})
	}
	t.Run("denial matches a platform key's missing client", func(t *testing.T) {
		for _, q := range []string{denials[0].query, denials[1].query} {
			other := env.GraphQL(t, site, q, map[string]any{"c": globex})
			missing := env.GraphQL(t, env.PlatformKey, q, map[string]any{"c": random})
			if a, b := errorShape(t, other, globex), errorShape(t, missing, random); a != b {
				t.Errorf("site denial and platform not-found differ:\n site:     %s\n platform: %s",
					a, b)
			}
		}
	})

	manage := []struct{ name, query string }{
		{"createAgent", `mutation($c: UUID!) { createAgent(clientId: $c,
			input: {slug: "intruder", name: "Intruder"}) { id } }`},
		{"updateAgent", `mutation($c: UUID!) { updateAgent(clientId: $c, slug: "helper",
			input: {name: "Renamed"}) { id } }`},
		{"deleteAgent", `mutation($c: UUID!) { deleteAgent(clientId: $c, slug: "helper") }`},
		{"setProviderKey", `mutation($c: UUID!) { setProviderKey(clientId: $c, provider: "openai",
			key: "sk-proj-Zz9Yy8Xx7Ww6Vv5Uu4Tt") { configured } }`},
		{"updateClient", `mutation($c: UUID!) { updateClient(id: $c, input: {name: "Taken"}) { id } }`},
		{"createWordPressSite", `mutation($c: UUID!) { createWordPressSite(clientId: $c,
			input: {name: "x", domain: "x.example"}) { apiKey } }`},
		{"deleteClient", `mutation($c: UUID!) { deleteClient(id: $c) { id } }`},
	}
	for _, m := range manage {
		t.Run(m.name+" on its own client is FORBIDDEN", func(t *testing.T) {
			audits := platformCount(t, env, "SELECT count(*) FROM audit_log")
			res := env.GraphQL(t, site, m.query, map[string]any{"c": acme})
			expectError(t, res, "FORBIDDEN", "")
			if n := platformCount(t, env, "SELECT count(*) FROM audit_log"); n != audits {
				t.Errorf("a forbidden %s wrote %d audit entries", m.name, n-audits)
			}
		})
	}
	if n := tenantCount(t, env, acme, "agents"); n != 1 {
		t.Errorf("Acme has %d agents after forbidden writes, want 1", n)
	}
	if a := getAgent(t, env, env.PlatformKey, acme, "helper"); a.Name != "Helper" {
		t.Errorf("agent name = %q after a forbidden update", a.Name)
	}
	if n := platformCount(t, env, "SELECT count(*) FROM clients"); n != 2 {
		t.Errorf("clients = %d after forbidden writes, want 2", n)
	}
}

func TestProtectedRoutes_requireKey(t *testing.T) {
	t.Parallel()
	env := apptest.Start(t, apptest.Options{})
	id := env.CreateClient(t, "Routes")
	site := env.CreateSite(t, id, "routes.example", nil)

	for _, path := range []string{"/health/detailed", "/playground"} {
		t.Run(path+" anonymous", func(t *testing.T) {
			resp := env.Do(t, http.MethodGet, path, "", nil)
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusUnauthorized {
				t.Errorf("status = %d, want 401 (body %s)", resp.StatusCode, body)
			}
		})
		t.Run(path+" with a key", func(t *testing.T) {
			resp := env.Do(t, http.MethodGet, path, env.PlatformKey, nil)
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				t.Errorf("status = %d, want 200", resp.StatusCode)
			}
		})
	}

	detail := func(key string) map[string]any {
		resp := env.Do(t, http.MethodGet, "/health/detailed", key, nil)
		defer resp.Body.Close()
		var out map[string]any
		if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
			t.Fatal(err)
		}
		return out
	}
	if d := detail(site); d["tenant_pools"] != nil || d["clients"] != nil {
		t.Errorf("site key sees platform details: %v", d)
	}
	if d := detail(env.PlatformKey); d["tenant_pools"] == nil || d["clients"] == nil {
		t.Errorf("platform key misses platform details: %v", d)
	}
}
