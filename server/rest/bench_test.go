package rest_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/sidekick-forge/sidekick-forge/server/apptest"
)

// benchAgents is how many agents the benchmark client has.
const benchAgents = 10

// benchAgentsQuery selects the fields that GET /api/v2/agents returns.
const benchAgentsQuery = `query($c: UUID!) {
  agents(clientId: $c, first: 50) {
    edges { node {
      id slug name description clientId agentImage systemPrompt voiceSettings
      webhooks { voiceContextWebhookUrl textContextWebhookUrl }
      enabled textChatEnabled voiceChatEnabled videoChatEnabled model
      contextRetentionMinutes maxContextMessages createdAt updatedAt
    } }
    pageInfo { hasNextPage endCursor }
  }
}`

// BenchmarkREST_agentsVsGraphQL measures the REST shim's cost over GraphQL:
// the same agent list, over real HTTP on one server, once through
// GET /api/v2/agents and once through POST /graphql.
func BenchmarkREST_agentsVsGraphQL(b *testing.B) {
	env := apptest.Start(b, apptest.Options{})
	id := env.CreateClient(b, "Bench")
	for i := range benchAgents {
		env.CreateAgent(b, id, fmt.Sprintf("agent-%02d", i), map[string]any{
			"systemPrompt":  "You are a helpful agent for the benchmark.",
			"voiceSettings": map[string]any{"provider": "cartesia", "voice_id": "v-1"},
		})
	}
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 4}}

	restReq := func() *http.Request {
		req, _ := http.NewRequest(http.MethodGet, env.URL+"/api/v2/agents?client_id="+id.String(),
			nil)
		req.Header.Set("Authorization", "Bearer "+env.PlatformKey)
		return req
	}
	gqlBody, _ := json.Marshal(map[string]any{"query": benchAgentsQuery,
		"variables": map[string]any{"c": id}})
	gqlReq := func() *http.Request {
		req, _ := http.NewRequest(http.MethodPost, env.URL+"/graphql", bytes.NewReader(gqlBody))
		req.Header.Set("Authorization", "Bearer "+env.PlatformKey)
		req.Header.Set("Content-Type", "application/json")
		return req
	}

	for _, c := range []struct {
		name string
		req  func() *http.Request
	}{{"graphql", gqlReq}, {"rest", restReq}} {
		b.Run(c.name, func(b *testing.B) {
			// Warm the connection, the query cache and the tenant pool.
			fetch(b, client, c.req())
			b.ReportAllocs()
			for b.Loop() {
				fetch(b, client, c.req())
			}
		})
	}

	// Alternating the two requests exposes both to the same load on the
	// machine, so their ratio is steadier than the ratio of the runs above.
	b.Run("interleaved", func(b *testing.B) {
		var restTime, gqlTime time.Duration
		for b.Loop() {
			start := time.Now()
			fetch(b, client, restReq())
			mid := time.Now()
			fetch(b, client, gqlReq())
			restTime += mid.Sub(start)
			gqlTime += time.Since(mid)
		}
		b.ReportMetric(float64(restTime.Nanoseconds())/float64(b.N), "rest-ns/op")
		b.ReportMetric(float64(gqlTime.Nanoseconds())/float64(b.N), "graphql-ns/op")
		b.ReportMetric(float64(restTime)/float64(gqlTime), "rest/graphql")
	})
}

func fetch(b *testing.B, client *http.Client, req *http.Request) {
	resp, err := client.Do(req)
	if err != nil {
		b.Fatal(err)
	}
	n, _ := io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || n == 0 {
		b.Fatalf("%s %s = %d with %d bytes", req.Method, req.URL.Path, resp.StatusCode, n)
	}
}
