package graph_test

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"reflect"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/sidekick-forge/sidekick-forge/graph"
	"github.com/sidekick-forge/sidekick-forge/server/agents"
	"github.com/sidekick-forge/sidekick-forge/server/apptest"
	"github.com/sidekick-forge/sidekick-forge/server/auth"
	"github.com/sidekick-forge/sidekick-forge/server/tenancy"
)

const benchAgentsQuery = `query Agents($c: UUID!, $first: Int) {
	agents(clientId: $c, first: $first) {
		totalCount
		pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
		edges { cursor node {
			id slug name description clientId agentImage systemPrompt voiceSettings
			webhooks { voiceContextWebhookUrl textContextWebhookUrl }
			enabled textChatEnabled voiceChatEnabled videoChatEnabled model
			contextRetentionMinutes maxContextMessages createdAt updatedAt } } } }`

// The bare handler's JSON mirrors the GraphQL selection above field by field.
type bareWebhooks struct {
	VoiceContextWebhookURL *string `json:"voiceContextWebhookUrl"`
	TextContextWebhookURL  *string `json:"textContextWebhookUrl"`
}

type bareAgent struct {
	ID                      uuid.UUID      `json:"id"`
	Slug                    string         `json:"slug"`
	Name                    string         `json:"name"`
	Description             string         `json:"description"`
	ClientID                uuid.UUID      `json:"clientId"`
	AgentImage              string         `json:"agentImage"`
	SystemPrompt            string         `json:"systemPrompt"`
	VoiceSettings           map[string]any `json:"voiceSettings"`
	Webhooks                bareWebhooks   `json:"webhooks"`
	Enabled                 bool           `json:"enabled"`
	TextChatEnabled         bool           `json:"textChatEnabled"`
	VoiceChatEnabled        bool           `json:"voiceChatEnabled"`
	VideoChatEnabled        bool           `json:"videoChatEnabled"`
	Model                   string         `json:"model"`
	ContextRetentionMinutes int            `json:"contextRetentionMinutes"`
	MaxContextMessages      int            `json:"maxContextMessages"`
	CreatedAt               time.Time      `json:"createdAt"`
	UpdatedAt               time.Time      `json:"updatedAt"`
}

type bareEdge struct {
	Cursor string    `json:"cursor"`
	Node   bareAgent `json:"node"`
}

type barePageInfo struct {
	HasNextPage     bool    `json:"hasNextPage"`
	HasPreviousPage bool    `json:"hasPreviousPage"`
	StartCursor     *string `json:"startCursor"`
	EndCursor       *string `json:"endCursor"`
}

type bareConnection struct {
	TotalCount int          `json:"totalCount"`
	PageInfo   barePageInfo `json:"pageInfo"`
	Edges      []bareEdge   `json:"edges"`
}

func nullable(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// bareAgentsHandler serves the first page of agents(clientId) with the same
// principal check, tenant lease and scope as the @tenant directive, the same
// agents.List call and the same JSON fields, without GraphQL.
func bareAgentsHandler(tenants *tenancy.Manager) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		clientID, err := uuid.Parse(r.URL.Query().Get("clientId"))
		if err != nil {
			http.Error(w, "clientId: invalid UUID", http.StatusBadRequest)
			return
		}
		p := auth.FromContext(r.Context())
		if !p.CanAccessClient(clientID) || !p.HasScope(auth.ScopeRead) {
			http.Error(w, "client not found", http.StatusNotFound)
			return
		}
		lease, err := tenants.Acquire(r.Context(), clientID)
		if err != nil {
			http.Error(w, err.Error(), http.StatusServiceUnavailable)
			return
		}
		defer lease.Release()
		ctx := tenancy.WithScope(r.Context(), &tenancy.Scope{ClientID: clientID, DB: lease.DB()})
		scope, err := tenancy.ScopeFrom(ctx)
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		page, err := agents.List(ctx, scope.DB, scope.ClientID, "", 20)
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		conn := bareConnection{TotalCount: page.TotalCount, Edges: make([]bareEdge, 0, len(page.Agents))}
		for _, a := range page.Agents {
			vs := a.VoiceSettings
			if vs == nil {
				vs = map[string]any{}
			}
			conn.Edges = append(conn.Edges, bareEdge{
				Cursor: base64.RawURLEncoding.EncodeToString([]byte("agent:" + a.Slug)),
				Node: bareAgent{
					ID: a.ID, Slug: a.Slug, Name: a.Name, Description: a.Description,
					ClientID: a.ClientID, AgentImage: a.AgentImage, SystemPrompt: a.SystemPrompt,
					VoiceSettings: vs,
					Webhooks: bareWebhooks{
						VoiceContextWebhookURL: nullable(a.Webhooks.VoiceContextWebhookURL),
						TextContextWebhookURL:  nullable(a.Webhooks.TextContextWebhookURL),
					},
					Enabled: a.Enabled, TextChatEnabled: a.TextChatEnabled,
					VoiceChatEnabled: a.VoiceChatEnabled, VideoChatEnabled: a.VideoChatEnabled,
					Model: a.Model, ContextRetentionMinutes: a.ContextRetentionMinutes,
					MaxContextMessages: a.MaxContextMessages,
					CreatedAt:          a.CreatedAt, UpdatedAt: a.UpdatedAt,
				},
			})
		}
		conn.PageInfo.HasNextPage = page.HasNext
		if n := len(conn.Edges); n > 0 {
			conn.PageInfo.StartCursor = &conn.Edges[0].Cursor
			conn.PageInfo.EndCursor = &conn.Edges[n-1].Cursor
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]any{"data": map[string]any{"agents": conn}})
	})
}

// withPlatformPrincipal puts a platform principal in the context in place of
// the authentication middleware, which both handlers would share.
func withPlatformPrincipal(h http.Handler) http.Handler {
	p := &auth.Principal{Kind: auth.KindPlatformKey, KeyID: uuid.New(), Prefix: "sfp_bench"}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.ServeHTTP(w, r.WithContext(auth.WithPrincipal(r.Context(), p)))
	})
}

type benchTarget struct {
	handler http.Handler
	request func() *http.Request
}

func (bt benchTarget) serve(tb testing.TB) []byte {
	rec := httptest.NewRecorder()
	bt.handler.ServeHTTP(rec, bt.request())
	if rec.Code != http.StatusOK {
		tb.Fatalf("status %d: %s", rec.Code, rec.Body.String())
	}
	return rec.Body.Bytes()
}

func BenchmarkAgents_graphQLvsBareHandler(b *testing.B) {
	env := apptest.Start(b, apptest.Options{})
	id := env.CreateClient(b, "Bench")
	for i := range 20 {
		env.CreateAgent(b, id, fmt.Sprintf("agent-%02d", i), map[string]any{
			"description":  "Benchmark agent number " + fmt.Sprint(i),
			"systemPrompt": "You are a helpful assistant for the benchmark, agent " + fmt.Sprint(i),
			"model":        "gpt-4o-mini",
			"voiceSettings": map[string]any{"provider": "cartesia", "voice_id": "v-123",
				"llm_provider": "openai", "llm_model": "gpt-4o-mini", "temperature": 0.4},
			"webhooks": map[string]any{"textContextWebhookUrl": "https://example.com/ctx"},
		})
	}

	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	body, _ := json.Marshal(map[string]any{"query": benchAgentsQuery,
		"variables": map[string]any{"c": id, "first": 20}})
	gql := benchTarget{
		handler: withPlatformPrincipal(graph.NewHandler(env.App.Schema,
			graph.HandlerOptions{Log: log})),
		request: func() *http.Request {
			r := httptest.NewRequest(http.MethodPost, "/graphql", bytes.NewReader(body))
			r.Header.Set("Content-Type", "application/json")
			return r
		},
	}
	bare := benchTarget{
		handler: withPlatformPrincipal(bareAgentsHandler(env.App.Tenants)),
		request: func() *http.Request {
			return httptest.NewRequest(http.MethodGet, "/agents?clientId="+id.String(), nil)
		},
	}

	// Both must return the same document, or the comparison is meaningless.
	// NOTE: run the two sub-benchmarks on an otherwise idle machine; their
	// ratio is the GraphQL overhead, and other load inflates it.
	var fromGraphQL, fromBare map[string]any
	if err := json.Unmarshal(gql.serve(b), &fromGraphQL); err != nil {
		b.Fatal(err)
	}
	if err := json.Unmarshal(bare.serve(b), &fromBare); err != nil {
		b.Fatal(err)
	}
	if !reflect.DeepEqual(fromGraphQL, fromBare) {
		b.Fatalf("responses differ:\n graphql: %v\n bare:    %v", fromGraphQL, fromBare)
	}
	agentsPage, _ := fromBare["data"].(map[string]any)["agents"].(map[string]any)
	if edges, _ := agentsPage["edges"].([]any); len(edges) != 20 {
		b.Fatalf("bare handler returned %d agents, want 20", len(edges))
	}

	b.Run("graphql", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			gql.serve(b)
		}
	})
	b.Run("bare", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			bare.serve(b)
		}
	})
}
