package conversations_test

import (
	"fmt"
	"testing"

	"github.com/google/uuid"

	"github.com/sidekick-forge/sidekick-forge/server/app"
	"github.com/sidekick-forge/sidekick-forge/server/apptest"
	"github.com/sidekick-forge/sidekick-forge/server/llm/llmtest"
)

const providerKey = "sk-test-0123456789abcdefghijklmnop"

// startWithAgent starts a platform whose OpenAI provider is the LLM double,
// with two clients that each have an agent "helper".
func startWithAgent(t *testing.T) (env *apptest.Env, clientA, clientB uuid.UUID) {
	t.Helper()
	double := llmtest.NewServer(t)
	env = apptest.Start(t, apptest.Options{Configure: func(cfg *app.Config) {
		cfg.LLMBaseURLs["openai"] = double.OpenAIBaseURL()
	}})
	for _, c := range []*uuid.UUID{&clientA, &clientB} {
		*c = env.CreateClient(t, "Client "+uuid.NewString()[:8])
		env.SetProviderKey(t, *c, "openai", providerKey)
		env.CreateAgent(t, *c, "helper", map[string]any{
			"voiceSettings": map[string]any{"llm_provider": "openai", "llm_model": "gpt-test"}})
	}
	return env, clientA, clientB
}

func sendText(t *testing.T, env *apptest.Env, client uuid.UUID, user, conversation, text string) {
	t.Helper()
	res := env.GraphQL(t, env.PlatformKey, `mutation($in: TriggerAgentInput!) {
		triggerAgent(input: $in) { conversationId } }`, map[string]any{"in": map[string]any{
		"agentSlug": "helper", "clientId": client, "mode": "TEXT", "userId": user,
		"conversationId": conversation, "message": text}})
	var out map[string]any
	res.Decode(t, &out)
}

const conversationsQuery = `query($c: UUID!, $slug: String, $user: String) {
  conversations(clientId: $c, agentSlug: $slug, userId: $user) {
    totalCount edges { node { id agentSlug userId mode } }
  }
}`

const messagesQuery = `query($c: UUID!, $conv: String!) {
  messages(clientId: $c, conversationId: $conv) {
    totalCount edges { node { role content llmProvider llmModel } }
  }
}`

type conversationsResult struct {
	Conversations struct {
		TotalCount int
		Edges      []struct {
			Node struct{ ID, AgentSlug, UserID, Mode string }
		}
	}
}

type messagesResult struct {
	Messages struct {
		TotalCount int
		Edges      []struct {
			Node struct{ Role, Content, LlmProvider, LlmModel string }
		}
	}
}

func TestConversationsQuery_returnsStoredTurns(t *testing.T) {
	env, clientA, _ := startWithAgent(t)
	sendText(t, env, clientA, "ursula", "conv-1", "first")
	sendText(t, env, clientA, "ursula", "conv-1", "second")
	sendText(t, env, clientA, "victor", "conv-2", "other user")

	var convs conversationsResult
	env.GraphQL(t, env.PlatformKey, conversationsQuery, map[string]any{"c": clientA,
		"slug": "helper", "user": "ursula"}).Decode(t, &convs)
	if convs.Conversations.TotalCount != 1 || len(convs.Conversations.Edges) != 1 {
		t.Fatalf("conversations of ursula = %+v, want exactly conv-1", convs.Conversations)
	}
	node := convs.Conversations.Edges[0].Node
	if node.ID != "conv-1" || node.AgentSlug != "helper" || node.Mode != "text" {
		t.Errorf("conversation = %+v, want conv-1 of helper in text mode", node)
	}

	var msgs messagesResult
	env.GraphQL(t, env.PlatformKey, messagesQuery, map[string]any{"c": clientA,
		"conv": "conv-1"}).Decode(t, &msgs)
	var got []string
	for _, e := range msgs.Messages.Edges {
		got = append(got, e.Node.Role+":"+e.Node.Content)
	}
	want := []string{"user:first", "assistant:echo: first", "user:second",
		"assistant:echo: second"}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("messages = %v, want %v", got, want)
	}
	if msgs.Messages.TotalCount != 4 {
		t.Errorf("totalCount = %d, want 4", msgs.Messages.TotalCount)
	}
	if last := msgs.Messages.Edges[len(msgs.Messages.Edges)-1].Node; last.LlmProvider != "openai" ||
		last.LlmModel != "gpt-test" {
		t.Errorf("reply provider, model = %q, %q; want openai, gpt-test", last.LlmProvider,
			last.LlmModel)
	}
}

func TestConversationsQuery_otherClientsSiteKeyGetsNotFound(t *testing.T) {
	env, clientA, clientB := startWithAgent(t)
	sendText(t, env, clientA, "wendy", "conv-secret", "private question")
	siteA := env.CreateSite(t, clientA, "a.example", nil)
	siteB := env.CreateSite(t, clientB, "b.example", nil)

	tests := []struct {
		name, query string
		vars        map[string]any
	}{
		{name: "conversations", query: conversationsQuery, vars: map[string]any{"c": clientA}},
		{name: "messages", query: messagesQuery, vars: map[string]any{"c": clientA,
			"conv": "conv-secret"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := env.GraphQL(t, siteB, tt.query, tt.vars)
			if res.Code() != "NOT_FOUND" {
				t.Errorf("client B's site key got %s, want NOT_FOUND: %s", res.Code(), res.Raw)
			}
			if len(res.Data) > 0 && string(res.Data) != "null" {
				t.Errorf("client B's site key received data: %s", res.Data)
			}

			own := env.GraphQL(t, siteA, tt.query, tt.vars)
			if len(own.Errors) > 0 {
				t.Errorf("client A's own site key failed: %s", own.Raw)
			}
		})
	}
	t.Run("conversation id of A under B", func(t *testing.T) {
		var msgs messagesResult
		env.GraphQL(t, siteB, messagesQuery, map[string]any{"c": clientB,
			"conv": "conv-secret"}).Decode(t, &msgs)
		if msgs.Messages.TotalCount != 0 {
			t.Errorf("client B sees %d messages of client A's conversation id",
				msgs.Messages.TotalCount)
		}
	})
}
