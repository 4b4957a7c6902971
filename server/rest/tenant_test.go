package rest_test

import (
	"net/http"
	"strings"
	"testing"
)

// TestREST_tenantDirectiveRejectsOtherClient proves that REST goes through
// the executor. A site key of client A that requests client B's data gets
// the @tenant directive's error: the status and body for a client that does
// not exist, with the message of the GraphQL field.
func TestREST_tenantDirectiveRejectsOtherClient(t *testing.T) {
	p := startPlatform(t, nil)
	env := p.env
	clientA := env.CreateClient(t, "Tenant A")
	clientB := env.CreateClient(t, "Tenant B")
	env.CreateAgent(t, clientB, "b-agent", nil)
	siteA := env.CreateSite(t, clientA, "a.example", nil)
	missing := newClientID()

	routes := []struct {
		name, method, path string
		body               any
	}{
		{"v2 agents", http.MethodGet, "/api/v2/agents?client_id={client}", nil},
		{"v2 agent", http.MethodGet, "/api/v2/agents/b-agent?client_id={client}", nil},
		{"v2 agent update", http.MethodPut, "/api/v2/agents/b-agent?client_id={client}",
			map[string]any{"name": "Taken Over"}},
		{"v2 agent delete", http.MethodDelete, "/api/v2/agents/b-agent?client_id={client}", nil},
		{"v2 agent create", http.MethodPost, "/api/v2/agents?client_id={client}",
			map[string]any{"slug": "intruder", "name": "Intruder"}},
		{"v1 agents", http.MethodGet, "/api/v1/agents/client/{client}", nil},
		{"v1 agent", http.MethodGet, "/api/v1/agents/client/{client}/b-agent", nil},
		{"sites", http.MethodGet, "/api/v1/wordpress-sites?client_id={client}", nil},
		{"v2 client", http.MethodGet, "/api/v2/clients/{client}", nil},
		{"v2 api-keys", http.MethodGet, "/api/v2/clients/{client}/api-keys", nil},
	}
	for _, rt := range routes {
		t.Run(rt.name, func(t *testing.T) {
			other := p.call(t, rt.method, strings.ReplaceAll(rt.path, "{client}", clientB.String()),
				siteA, rt.body)
			absent := p.call(t, rt.method, strings.ReplaceAll(rt.path, "{client}", missing),
				siteA, rt.body)
			if other.Status != http.StatusNotFound {
				t.Errorf("other client's data = %d %s, want 404", other.Status, other.Body)
			}
			if other.Status != absent.Status {
				t.Errorf("status %d for client B, %d for a missing client", other.Status,
					absent.Status)
			}
			otherBody := strings.ReplaceAll(string(other.Body), clientB.String(), "<client>")
			absentBody := strings.ReplaceAll(string(absent.Body), missing, "<client>")
			if otherBody != absentBody {
				t.Errorf("body for client B %s differs from body for a missing client %s",
					otherBody, absentBody)
			}
		})
	}

	t.Run("same message as GraphQL", func(t *testing.T) {
		res := env.GraphQL(t, siteA, `query($c: UUID!) { agents(clientId: $c) { totalCount } }`,
			map[string]any{"c": clientB})
		if res.Code() != "NOT_FOUND" {
			t.Fatalf("GraphQL code = %q, want NOT_FOUND: %s", res.Code(), res.Raw)
		}
		got := p.call(t, http.MethodGet, "/api/v2/agents?client_id="+clientB.String(), siteA, nil)
		if detail := got.json(t)["detail"]; detail != res.Errors[0].Message {
			t.Errorf("REST detail %q, GraphQL message %q", detail, res.Errors[0].Message)
		}
	})
}

// TestREST_siteKeyTriggerOtherClientAgent checks that a site key of client
// A triggering client B's agent learns nothing about it: the response is the
// one for an agent or client that does not exist.
func TestREST_siteKeyTriggerOtherClientAgent(t *testing.T) {
	p := startPlatform(t, nil)
	env := p.env
	clientA := env.CreateClient(t, "Trigger A")
	clientB := env.CreateClient(t, "Trigger B")
	env.CreateAgent(t, clientB, "b-secret-agent", nil)
	siteA := env.CreateSite(t, clientA, "trigger-a.example", nil)
	missing := newClientID()

	trigger := func(slug, clientID string) *reply {
		body := map[string]any{"agent_slug": slug, "mode": "voice", "user_id": "u",
			"room_name": "room-1"}
		if clientID != "" {
			body["client_id"] = clientID
		}
		return p.call(t, http.MethodPost, "/api/v2/trigger-agent", siteA, body)
	}

	cases := []struct {
		name           string
		other, absent  *reply
		otherID, absID string
	}{
		{"slug only", trigger("b-secret-agent", ""), trigger("no-such-agent", ""),
			"b-secret-agent", "no-such-agent"},
		{"with client_id", trigger("b-secret-agent", clientB.String()),
			trigger("b-secret-agent", missing), clientB.String(), missing},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if c.other.Status != http.StatusNotFound {
				t.Errorf("other client's agent = %d %s, want 404", c.other.Status, c.other.Body)
			}
			if c.other.Status != c.absent.Status {
				t.Errorf("status %d for client B's agent, %d for a missing one", c.other.Status,
					c.absent.Status)
			}
			other := strings.ReplaceAll(string(c.other.Body), c.otherID, "<x>")
			absent := strings.ReplaceAll(string(c.absent.Body), c.absID, "<x>")
			if other != absent {
				t.Errorf("body for client B's agent %s differs from body for a missing one %s",
					other, absent)
			}
		})
	}
}
