package trigger_test

import (
	"bytes"
	"context"
	"fmt"
	"github.com/sidekick-forge/sidekick-forge/server/app"
	"io"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/sidekick-forge/sidekick-forge/server/agents"
	"github.com/sidekick-forge/sidekick-forge/server/conversations"
	"github.com/sidekick-forge/sidekick-forge/server/livekit"
	"github.com/sidekick-forge/sidekick-forge/server/llm"
	"github.com/sidekick-forge/sidekick-forge/server/trigger"
)

// latencies collects one duration per benchmark operation and reports the
// median and 99th percentile as extra benchmark metrics.
type latencies []time.Duration

func (l *latencies) time(fn func()) {
	start := time.Now()
	fn()
	*l = append(*l, time.Since(start))
}

func (l latencies) report(b *testing.B) { l.reportAs(b, "") }

// reportAs reports the metrics with prefix before their units.
func (l latencies) reportAs(b *testing.B, prefix string) {
	if len(l) == 0 {
		return
	}
	sorted := slices.Clone(l)
	slices.Sort(sorted)
	pick := func(q float64) float64 {
		i := min(int(q*float64(len(sorted))), len(sorted)-1)
		return float64(sorted[i].Microseconds()) / 1000
	}
	b.ReportMetric(pick(0.50), prefix+"p50-ms")
	b.ReportMetric(pick(0.99), prefix+"p99-ms")
}

// BenchmarkTrigger_voice measures a whole voice trigger through /graphql:
// authentication, tenant scope, conversation row, room creation, dispatch
// and user token, each into a new room of a local livekit-server.
func BenchmarkTrigger_voice(b *testing.B) {
	p := startPlatform(b, platformSetup{liveKit: true, configure: unlimitedTriggers})
	p.newClient(b, "Bench Voice", "bench-voice", nil)
	prefix := fmt.Sprintf("bench-%d-", time.Now().UnixNano())

	var l latencies
	i := 0
	for b.Loop() {
		i++
		in := voiceInput("bench-voice", fmt.Sprintf("%s%d", prefix, i), "bench-user")
		l.time(func() {
			res := p.trigger(b, p.env.PlatformKey, in)
			if len(res.Errors) > 0 {
				b.Fatalf("voice trigger failed: %s", res.Raw)
			}
		})
	}
	l.report(b)
}

// BenchmarkLiveKitCalls_voice makes the LiveKit calls of one voice trigger
// directly, with the same settings and server: EnsureRoom, EnsureAgentDispatch
// and the user token. Subtracting it from BenchmarkTrigger_voice gives the
// platform's own share of a voice trigger.
func BenchmarkLiveKitCalls_voice(b *testing.B) {
	p := startPlatform(b, platformSetup{liveKit: true, configure: unlimitedTriggers})
	svc := p.env.App.LiveKit
	prefix := fmt.Sprintf("direct-%d-", time.Now().UnixNano())
	ctx := context.Background()

	var l latencies
	i := 0
	for b.Loop() {
		i++
		room := fmt.Sprintf("%s%d", prefix, i)
		l.time(func() {
			_, err := svc.EnsureRoom(ctx, p.lk, livekit.RoomRequest{Name: room,
				Metadata:     `{"client_id":"00000000-0000-0000-0000-000000000000"}`,
				EmptyTimeout: 5 * time.Minute, MaxParticipants: 10})
			if err != nil {
				b.Fatal(err)
			}
			if _, err := svc.EnsureAgentDispatch(ctx, p.lk, room, p.lk.AgentName,
				`{"worker_token":"x"}`); err != nil {
				b.Fatal(err)
			}
			if _, err := livekit.UserToken(p.lk, livekit.TokenParams{Room: room,
				Identity: "user_bench", TTL: 15 * time.Minute}); err != nil {
				b.Fatal(err)
			}
		})
	}
	l.report(b)
}

// BenchmarkTrigger_text measures a text trigger through /graphql against
// the in-process LLM double, which answers at once. Run it with
// -cpuprofile to see where the platform spends its time.
func BenchmarkTrigger_text(b *testing.B) {
	p := startPlatform(b, platformSetup{configure: unlimitedTriggers})
	p.newClient(b, "Bench Text", "bench-text", nil)

	var l latencies
	for b.Loop() {
		l.time(func() {
			res := p.trigger(b, p.env.PlatformKey, textInput("bench-text", "", "hello"))
			if len(res.Errors) > 0 {
				b.Fatalf("text trigger failed: %s", res.Raw)
			}
		})
	}
	l.report(b)
}

// BenchmarkDouble_text posts the chat completion that a text trigger sends
// straight to the LLM double, for the baseline of BenchmarkTrigger_text.
func BenchmarkDouble_text(b *testing.B) {
	p := startPlatform(b, platformSetup{configure: unlimitedTriggers})
	body := []byte(`{"model":"gpt-test","messages":[{"role":"system","content":"You are a ` +
		`test agent."},{"role":"user","content":"hello"}]}`)
	url := p.llm.OpenAIBaseURL() + "/chat/completions"

	var l latencies
	for b.Loop() {
		l.time(func() {
			req, _ := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
			req.Header.Set("Authorization", "Bearer "+testProviderKey)
			req.Header.Set("Content-Type", "application/json")
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				b.Fatal(err)
			}
			_, _ = io.Copy(io.Discard, res.Body)
			_ = res.Body.Close()
			if res.StatusCode != http.StatusOK {
				b.Fatalf("double answered %d", res.StatusCode)
			}
		})
	}
	l.report(b)
}

// BenchmarkTrigger_textSteps times each call that a text trigger through
// /graphql makes, one after the other and with the same arguments. The calls
// are the API key lookup and slug detection of the GraphQL layer, then the
// trigger service's reads, the provider call and the write of the turn. It
// shows where the time of BenchmarkTrigger_text goes.
func BenchmarkTrigger_textSteps(b *testing.B) {
	p := startPlatform(b, platformSetup{configure: unlimitedTriggers})
	client := p.newClient(b, "Bench Steps", "bench-steps", nil)
	app := p.env.App
	ctx := context.Background()
	registry := llm.NewRegistry(llm.Config{BaseURLs: map[string]string{
		"openai": p.llm.OpenAIBaseURL()}})
	lease, err := app.Tenants.Acquire(ctx, client)
	if err != nil {
		b.Fatal(err)
	}
	defer lease.Release()
	db := lease.DB()

	names := []string{"key", "slug", "client", "agent", "secret", "history", "llm", "store"}
	steps := make(map[string]*latencies, len(names))
	for _, n := range names {
		steps[n] = &latencies{}
	}
	step := func(name string, fn func() error) {
		steps[name].time(func() {
			if err := fn(); err != nil {
				b.Fatalf("%s: %v", name, err)
			}
		})
	}
	for b.Loop() {
		id := uuid.NewString()
		step("key", func() error {
			_, err := app.Store.AccessKeyByRaw(ctx, p.env.PlatformKey)
			return err
		})
		step("slug", func() error { _, err := app.Store.FindSlug(ctx, "bench-steps", nil); return err })
		step("client", func() error { _, err := app.Store.ClientByID(ctx, client); return err })
		step("agent", func() error {
			_, err := agents.Get(ctx, db, client, "bench-steps")
			return err
		})
		step("secret", func() error {
			_, err := app.Store.ProviderSecrets(ctx, client, "openai")
			return err
		})
		step("history", func() error {
			_, err := conversations.History(ctx, db, id, "bench-steps", 50, 30*time.Minute)
			return err
		})
		step("llm", func() error {
			_, err := registry.Complete(ctx, llm.Request{Provider: "openai", Model: "gpt-test",
				APIKey: testProviderKey, System: "You are the bench-steps test agent.",
				Messages: []llm.Message{{Role: llm.RoleUser, Content: "hello"}}})
			return err
		})
		step("store", func() error {
			return conversations.AppendTurn(ctx, db, &conversations.Conversation{ID: id,
				AgentSlug: "bench-steps", UserID: "bench-user", Mode: trigger.ModeText},
				&conversations.Message{Role: conversations.RoleUser, Content: "hello"},
				&conversations.Message{Role: conversations.RoleAssistant, Content: "echo: hello"})
		})
	}
	for _, n := range names {
		steps[n].reportAs(b, n+"-")
	}
}

// unlimitedTriggers turns the per-key trigger rate limit off: a benchmark
// measures the trigger, not the limiter's rejections.
func unlimitedTriggers(cfg *app.Config) { cfg.TriggerRateLimit = 0 }
