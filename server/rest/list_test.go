package rest_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"testing"

	"github.com/sidekick-forge/sidekick-forge/server/apptest"
)

// TestList_returnsEveryPage checks that a list route returns every agent,
// not only the first page of the GraphQL connection.
func TestList_returnsEveryPage(t *testing.T) {
	env := apptest.Start(t, apptest.Options{})
	p := &platform{env: env}
	id := env.CreateClient(t, "Many Agents")
	const total = 57 // more than one page of 50
	for i := range total {
		env.CreateAgent(t, id, fmt.Sprintf("agent-%03d", i), nil)
	}

	for _, path := range []string{
		"/api/v2/agents?client_id=" + id.String(),
		"/api/v1/agents/client/" + id.String(),
	} {
		t.Run(path, func(t *testing.T) {
			got := p.call(t, http.MethodGet, path, env.PlatformKey, nil)
			if got.Status != http.StatusOK {
				t.Fatalf("status = %d %s", got.Status, got.Body)
			}
			var list []struct {
				Slug string `json:"slug"`
			}
			if err := json.Unmarshal(got.Body, &list); err != nil {
				t.Fatal(err)
			}
			if len(list) != total {
				t.Fatalf("got %d agents, want %d", len(list), total)
			}
			for i, a := range list {
				if want := fmt.Sprintf("agent-%03d", i); a.Slug != want {
					t.Errorf("agent %d = %s, want %s", i, a.Slug, want)
				}
			}
		})
	}
}
