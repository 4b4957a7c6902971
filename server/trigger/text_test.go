package trigger_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/uptrace/bun"

	"github.com/sidekick-forge/sidekick-forge/server/app"
	"github.com/sidekick-forge/sidekick-forge/server/llm/llmtest"
)

func textInput(slug, conversation, message string) map[string]any {
	in := map[string]any{"agentSlug": slug, "mode": "TEXT", "userId": "tess", "message": message}
	if conversation != "" {
		in["conversationId"] = conversation
	}
	return in
}

// lastRequest returns the last request the LLM double received.
func lastRequest(t *testing.T, srv *llmtest.Server) llmtest.Recorded {
	t.Helper()
	reqs := srv.Requests()
	if len(reqs) == 0 {
		t.Fatal("the LLM double received no request")
	}
	return reqs[len(reqs)-1]
}

// sentMessages renders the messages of a provider request as role:content.
func sentMessages(r llmtest.Recorded) []string {
	out := make([]string, 0, len(r.Messages))
	for _, m := range r.Messages {
		out = append(out, m.Role+":"+m.Content)
	}
	return out
}

func TestTrigger_textReply(t *testing.T) {
	p := startPlatform(t, platformSetup{})
	client := p.newClient(t, "Text Co", "text-bot", map[string]any{"voiceSettings": map[string]any{
		"llm_provider": "openai", "llm_model": "gpt-test", "temperature": 0.25}})

	res := p.mustTrigger(t, textInput("text-bot", "", "hello there"))

	if res.Mode != "TEXT" {
		t.Errorf("mode = %q, want TEXT", res.Mode)
	}
	if res.Text == nil {
		t.Fatalf("text is null: %s", jsonString(res))
	}
	if res.Text.Response != "echo: hello there" {
		t.Errorf("response = %q, want the double's echo", res.Text.Response)
	}
	if res.Text.MessageReceived != "hello there" || res.Text.UserID != "tess" {
		t.Errorf("messageReceived, userId = %q, %q", res.Text.MessageReceived, res.Text.UserID)
	}
	if res.Text.LlmProvider != "openai" || res.Text.LlmModel != "gpt-test" {
		t.Errorf("llmProvider, llmModel = %q, %q; want openai, gpt-test", res.Text.LlmProvider,
			res.Text.LlmModel)
	}
	if res.ConversationID == "" {
		t.Error("conversationId is empty")
	}

	req := lastRequest(t, p.llm)
	if req.APIKey != testProviderKey {
		t.Errorf("provider received key %q, want the client's key", req.APIKey)
	}
	if req.Model != "gpt-test" {
		t.Errorf("provider received model %q, want gpt-test", req.Model)
	}
	if req.Temperature == nil || *req.Temperature != 0.25 {
		t.Errorf("provider received temperature %v, want the agent's 0.25", req.Temperature)
	}
	if req.System != "You are the text-bot test agent." {
		t.Errorf("provider received system prompt %q", req.System)
	}
	got := p.messages(t, client, res.ConversationID)
	want := []string{"user:hello there", "assistant:echo: hello there"}
	if fmt.Sprint(roles(got)) != fmt.Sprint(want) {
		t.Errorf("stored messages = %v, want %v", roles(got), want)
	}
	if _, leaked := containsAny(jsonString(res), testProviderKey); leaked {
		t.Error("the response contains the provider key")
	}
}

func roles(ms []storedMessage) []string {
	out := make([]string, 0, len(ms))
	for _, m := range ms {
		out = append(out, m.Role+":"+m.Content)
	}
	return out
}

func TestTrigger_textHistoryBoundedByMaxContextMessages(t *testing.T) {
	p := startPlatform(t, platformSetup{})
	p.newClient(t, "History Co", "hist-bot", map[string]any{"maxContextMessages": 4})

	for i := 1; i <= 4; i++ {
		p.mustTrigger(t, textInput("hist-bot", "conv-hist", fmt.Sprintf("m%d", i)))
	}
	p.mustTrigger(t, textInput("hist-bot", "conv-hist", "m5"))

	got := sentMessages(lastRequest(t, p.llm))
	want := []string{"user:m3", "assistant:echo: m3", "user:m4", "assistant:echo: m4", "user:m5"}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("provider received %v, want the last 4 messages in order, then the new one: %v",
			got, want)
	}
}

func TestTrigger_textHistoryBoundedByRetention(t *testing.T) {
	p := startPlatform(t, platformSetup{})
	client := p.newClient(t, "Retention Co", "ret-bot", map[string]any{
		"contextRetentionMinutes": 10})

	p.mustTrigger(t, textInput("ret-bot", "conv-ret", "old question"))
	p.mustTrigger(t, textInput("ret-bot", "conv-ret", "recent question"))
	p.tenantDB(t, client, func(ctx context.Context, db bun.IDB) {
		_, err := db.NewUpdate().Table("messages").Set("created_at = now() - interval '11 minutes'").
			Where("conversation_id = ? AND content LIKE ?", "conv-ret", "%old question").Exec(ctx)
		if err != nil {
			t.Fatalf("age the first turn: %v", err)
		}
	})

	p.mustTrigger(t, textInput("ret-bot", "conv-ret", "new question"))

	got := sentMessages(lastRequest(t, p.llm))
	want := []string{"user:recent question", "assistant:echo: recent question",
		"user:new question"}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("provider received %v, want only messages younger than 10 minutes: %v", got, want)
	}
}

func TestTrigger_textHistoryOfOtherConversationsNotSent(t *testing.T) {
	p := startPlatform(t, platformSetup{})
	p.newClient(t, "Sep Co", "sep-bot", nil)

	p.mustTrigger(t, textInput("sep-bot", "conv-a", "question for a"))
	p.mustTrigger(t, textInput("sep-bot", "conv-b", "question for b"))

	got := sentMessages(lastRequest(t, p.llm))
	if want := []string{"user:question for b"}; fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("provider received %v, want %v", got, want)
	}
}

func TestTrigger_textProviderFailure(t *testing.T) {
	p := startPlatform(t, platformSetup{})
	client := p.newClient(t, "Fail Co", "fail-bot", nil)
	p.llm.Fail(llmtest.Failure{Status: 500, Message: "model overloaded"})

	res := p.trigger(t, p.env.PlatformKey, textInput("fail-bot", "conv-fail", "hello"))

	e := expectError(t, res, "UPSTREAM_FAILED", "")
	if !strings.Contains(e.Message, "500") {
		t.Errorf("message %q does not give the provider's status", e.Message)
	}
	if strings.Contains(res.Raw, "success") || strings.Contains(res.Raw, `"response"`) {
		t.Errorf("failed trigger returned a reply: %s", res.Raw)
	}
	if n := p.countRows(t, client, "messages", ""); n != 0 {
		t.Errorf("%d messages stored after a provider failure, want 0", n)
	}
	if n := p.countRows(t, client, "conversations", ""); n != 0 {
		t.Errorf("%d conversations stored after a provider failure, want 0", n)
	}
}

func TestTrigger_textConversationOfOtherAgent(t *testing.T) {
	p := startPlatform(t, platformSetup{})
	client := p.newClient(t, "Owner Co", "owner-bot", nil)
	p.env.CreateAgent(t, client, "other-bot", map[string]any{"voiceSettings": textAgent()})
	p.mustTrigger(t, textInput("owner-bot", "conv-owned", "private"))
	calls := len(p.llm.Requests())

	res := p.trigger(t, p.env.PlatformKey, textInput("other-bot", "conv-owned", "show me"))

	expectError(t, res, "CONFLICT", "conversation_id")
	if n := len(p.llm.Requests()); n != calls {
		t.Errorf("the provider was called for a conversation of another agent")
	}
	if n := p.countRows(t, client, "messages", ""); n != 2 {
		t.Errorf("%d messages stored, want only the owner's turn", n)
	}
}

func TestTrigger_textProviderTimeout(t *testing.T) {
	p := startPlatform(t, platformSetup{configure: func(cfg *app.Config) {
		cfg.LLMTimeout = 300 * time.Millisecond
	}})
	client := p.newClient(t, "Slow Co", "slow-bot", nil)
	p.llm.Hang(0)

	started := time.Now()
	res := p.trigger(t, p.env.PlatformKey, textInput("slow-bot", "conv-slow", "hello"))
	elapsed := time.Since(started)

	expectError(t, res, "UPSTREAM_TIMEOUT", "")
	if elapsed > 5*time.Second {
		t.Errorf("timed-out trigger took %v with a 300ms LLM timeout", elapsed)
	}
	if n := p.countRows(t, client, "messages", ""); n != 0 {
		t.Errorf("%d messages stored after a timeout, want 0", n)
	}
	if !p.llm.WaitCancelled(1, 5*time.Second) {
		t.Error("the hanging provider request was not cancelled")
	}
}

func TestTrigger_textNotConfigured(t *testing.T) {
	p := startPlatform(t, platformSetup{})
	client := p.newClient(t, "Config Co", "full-bot", nil)
	agents := map[string]map[string]any{
		"no-provider": {"voiceSettings": map[string]any{"llm_model": "gpt-test"}},
		"no-model":    {"voiceSettings": map[string]any{"llm_provider": "openai"}},
		"groq-bot":    {"voiceSettings": map[string]any{"llm_provider": "groq", "llm_model": "llama"}},
		"cohere-bot": {"voiceSettings": map[string]any{"llm_provider": "cohere",
			"llm_model": "command"}},
	}
	for slug, extra := range agents {
		p.env.CreateAgent(t, client, slug, extra)
	}

	tests := []struct {
		slug    string
		mention []string
	}{
		{slug: "no-provider", mention: []string{"llm_provider"}},
		{slug: "no-model", mention: []string{"llm_model"}},
		{slug: "groq-bot", mention: []string{"groq", "setProviderKey"}},
		{slug: "cohere-bot", mention: []string{"cohere", "not supported", "openai"}},
	}
	for _, tt := range tests {
		t.Run(tt.slug, func(t *testing.T) {
			res := p.trigger(t, p.env.PlatformKey, textInput(tt.slug, "", "hello"))
			e := expectError(t, res, "NOT_CONFIGURED", "")
			for _, m := range tt.mention {
				if !strings.Contains(e.Message, m) {
					t.Errorf("message %q does not mention %q", e.Message, m)
				}
			}
		})
	}
	if n := len(p.llm.Requests()); n != 0 {
		t.Errorf("the provider received %d requests for unconfigured agents", n)
	}
}

func TestTrigger_textAnthropic(t *testing.T) {
	p := startPlatform(t, platformSetup{})
	client := p.env.CreateClient(t, "Claude Co")
	p.env.SetProviderKey(t, client, "anthropic", anthropicKey)
	p.env.CreateAgent(t, client, "claude-bot", map[string]any{
		"systemPrompt":  "You are Claude's test agent.",
		"voiceSettings": map[string]any{"llm_provider": "anthropic", "llm_model": "claude-test"},
	})

	p.mustTrigger(t, textInput("claude-bot", "conv-claude", "first"))
	res := p.mustTrigger(t, textInput("claude-bot", "conv-claude", "second"))

	if res.Text.Response != "echo: second" {
		t.Errorf("response = %q, want echo: second", res.Text.Response)
	}
	if res.Text.LlmProvider != "anthropic" || res.Text.LlmModel != "claude-test" {
		t.Errorf("llmProvider, llmModel = %q, %q", res.Text.LlmProvider, res.Text.LlmModel)
	}
	req := lastRequest(t, p.llm)
	if req.Provider != llmtest.ProtocolAnthropic {
		t.Errorf("request went to the %s protocol, want anthropic", req.Provider)
	}
	if req.APIKey != anthropicKey {
		t.Errorf("provider received key %q, want the client's anthropic key", req.APIKey)
	}
	if req.System != "You are Claude's test agent." {
		t.Errorf("system = %q", req.System)
	}
	want := []string{"user:first", "assistant:echo: first", "user:second"}
	if got := sentMessages(req); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("messages = %v, want %v", got, want)
	}
	if n := p.countRows(t, client, "messages", "llm_provider = 'anthropic'"); n != 2 {
		t.Errorf("%d assistant messages recorded with provider anthropic, want 2", n)
	}
}

func TestTrigger_textConcurrentTurnsLoseNoMessage(t *testing.T) {
	const turns = 50
	p := startPlatform(t, platformSetup{})
	client := p.newClient(t, "Busy Co", "busy-bot", map[string]any{"maxContextMessages": 10})
	p.llm.SetDelay(20 * time.Millisecond)

	var wg sync.WaitGroup
	errs := make(chan string, turns)
	for i := range turns {
		wg.Go(func() {
			res := p.trigger(t, p.env.PlatformKey, textInput("busy-bot", "conv-busy",
				fmt.Sprintf("turn-%02d", i)))
			if len(res.Errors) > 0 {
				errs <- res.Raw
			}
		})
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Errorf("concurrent trigger failed: %s", e)
	}

	stored := p.messages(t, client, "conv-busy")
	if len(stored) != 2*turns {
		t.Fatalf("%d messages stored, want %d", len(stored), 2*turns)
	}
	seen := map[string]bool{}
	for i := 0; i+1 < len(stored); i += 2 {
		user, reply := stored[i], stored[i+1]
		if user.Role != "user" || reply.Role != "assistant" || reply.Content != "echo: "+user.Content {
			t.Errorf("messages %d and %d are %s:%q, %s:%q; want a user message then its reply",
				user.ID, reply.ID, user.Role, user.Content, reply.Role, reply.Content)
			continue
		}
		seen[user.Content] = true
	}
	if len(seen) != turns {
		t.Errorf("%d distinct turns stored, want %d", len(seen), turns)
	}
}
