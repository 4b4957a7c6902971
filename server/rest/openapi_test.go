package rest_test

import (
	"encoding/json"
	"net/http"
	"regexp"
	"strings"
	"testing"
)

// openAPIOperation is the part of an OpenAPI operation the test checks.
type openAPIOperation struct {
	OperationID string `json:"operationId"`
	GraphQLOp   string `json:"x-graphql-operation"`
	Parameters  []struct {
		Name     string `json:"name"`
		In       string `json:"in"`
		Required bool   `json:"required"`
	} `json:"parameters"`
	Responses map[string]struct {
		Content map[string]struct {
			Schema map[string]any `json:"schema"`
		} `json:"content"`
	} `json:"responses"`
}

func TestOpenAPI_describesEveryRoute(t *testing.T) {
	p := startPlatform(t, nil)

	anon := p.call(t, http.MethodGet, "/api/openapi.json", "", nil)
	if anon.Status != http.StatusUnauthorized {
		t.Errorf("anonymous GET = %d, want 401", anon.Status)
	}

	got := p.call(t, http.MethodGet, "/api/openapi.json", p.env.PlatformKey, nil)
	if got.Status != http.StatusOK {
		t.Fatalf("GET = %d %s", got.Status, got.Body)
	}
	var doc struct {
		OpenAPI    string                                 `json:"openapi"`
		Paths      map[string]map[string]openAPIOperation `json:"paths"`
		Components struct {
			Schemas map[string]any `json:"schemas"`
		} `json:"components"`
	}
	if err := json.Unmarshal(got.Body, &doc); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(doc.OpenAPI, "3.") {
		t.Errorf("openapi = %q, want 3.x", doc.OpenAPI)
	}

	wildcard := regexp.MustCompile(`\{([a-z_]+)\}`)
	ids := map[string]string{}
	count := 0
	for path, ops := range doc.Paths {
		for method, op := range ops {
			count++
			name := strings.ToUpper(method) + " " + path
			if prev, dup := ids[op.OperationID]; dup {
				t.Errorf("%s and %s share operationId %q", prev, name, op.OperationID)
			}
			ids[op.OperationID] = name
			if op.GraphQLOp == "" {
				t.Errorf("%s names no GraphQL operation", name)
			}
			for _, m := range wildcard.FindAllStringSubmatch(path, -1) {
				if !declaresPathParam(op, m[1]) {
					t.Errorf("%s does not declare path parameter %s", name, m[1])
				}
			}
			for status, resp := range op.Responses {
				for _, media := range resp.Content {
					ref, _ := media.Schema["$ref"].(string)
					schema := strings.TrimPrefix(ref, "#/components/schemas/")
					if _, ok := doc.Components.Schemas[schema]; !ok {
						t.Errorf("%s response %s refers to missing schema %q", name, status, ref)
					}
				}
			}
		}
	}
	// Every REST route of the contract: trigger (3), embed tokens (1),
	// clients v2 (6) and v1 (5), agents v2 (5) and v1 (5), WordPress sites
	// (4).
	if count != 29 {
		t.Errorf("document lists %d operations, want 29", count)
	}
}

func declaresPathParam(op openAPIOperation, name string) bool {
	for _, p := range op.Parameters {
		if p.Name == name && p.In == "path" && p.Required {
			return true
		}
	}
	return false
}

func TestDocs_listsEveryRouteBehindAuth(t *testing.T) {
	p := startPlatform(t, nil)

	anon := p.call(t, http.MethodGet, "/docs", "", nil)
	if anon.Status != http.StatusUnauthorized {
		t.Errorf("anonymous GET /docs = %d, want 401", anon.Status)
	}
	got := p.call(t, http.MethodGet, "/docs", p.env.PlatformKey, nil)
	if got.Status != http.StatusOK {
		t.Fatalf("GET /docs = %d %s", got.Status, got.Body)
	}
	if ct := got.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/html") {
		t.Errorf("Content-Type = %q, want text/html", ct)
	}
	page := string(got.Body)
	for _, rt := range openAPIRoutes(t, p) {
		method, path, _ := strings.Cut(rt, " ")
		if !strings.Contains(page, `<span class="method">`+method+`</span> `+path+`</h3>`) {
			t.Errorf("docs page has no section for %s", rt)
		}
	}
}
