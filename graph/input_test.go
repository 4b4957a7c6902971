package graph_test

import (
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/sidekick-forge/sidekick-forge/server/apptest"
)

func TestUUIDArguments_malformedIsInvalidInput(t *testing.T) {
	t.Parallel()
	env := apptest.Start(t, apptest.Options{})
	id := env.CreateClient(t, "Parser")

	cases := []struct {
		name, query string
		vars        map[string]any
		field       string
	}{
		{"literal", `{ client(id: "not-a-uuid") { id } }`, nil, "id"},
		{"literal too short", `{ agents(clientId: "1234") { totalCount } }`, nil, "clientId"},
		{"literal with suffix", `{ client(id: "` + id.String() + `x") { id } }`, nil, "id"},
		{"variable", `query($id: UUID!) { client(id: $id) { id } }`,
			map[string]any{"id": "nope"}, "id"},
		{"variable of wrong JSON type", `query($id: UUID!) { client(id: $id) { id } }`,
			map[string]any{"id": 42}, "id"},
		{"variable in a mutation", `mutation($c: UUID!) { deleteAgent(clientId: $c, slug: "x") }`,
			map[string]any{"c": "00000000-0000-0000-0000"}, "clientId"},
		{"variable in an input object", `mutation($c: UUID) { triggerAgent(input: {
			agentSlug: "x", clientId: $c, mode: TEXT, userId: "u", message: "hi"}) { mode } }`,
			map[string]any{"c": "zzz"}, "clientId"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			res := env.GraphQL(t, env.PlatformKey, tc.query, tc.vars)
			e := expectError(t, res, "INVALID_INPUT", tc.field)
			mustContain(t, "message", e.Message, tc.field)
			if strings.Contains(e.Message, "internal") {
				t.Errorf("message %q reads like an internal error", e.Message)
			}
		})
	}
}

// agentWriteCounts are the rows an agent write touches.
type agentWriteCounts struct{ agents, slugs, audits int }

func countAgentWrites(t *testing.T, env *apptest.Env, clientID uuid.UUID) agentWriteCounts {
	t.Helper()
	return agentWriteCounts{
		agents: tenantCount(t, env, clientID, "agents"),
		slugs: platformCount(t, env, "SELECT count(*) FROM agent_slugs WHERE client_id = ?",
			clientID),
		audits: platformCount(t, env, "SELECT count(*) FROM audit_log WHERE client_id = ?",
			clientID),
	}
}

func TestAgentInput_rejectedWritesStoreNothing(t *testing.T) {
	t.Parallel()
	env := apptest.Start(t, apptest.Options{})
	id := env.CreateClient(t, "Strict")
	env.CreateAgent(t, id, "existing", map[string]any{"systemPrompt": "Original prompt."})

	create := `mutation($c: UUID!, $in: AgentInput!) { createAgent(clientId: $c, input: $in) { id } }`
	update := `mutation($c: UUID!, $in: AgentPatch!) {
		updateAgent(clientId: $c, slug: "existing", input: $in) { id } }`
	cases := []struct {
		name, query string
		input       map[string]any
		field       string
		message     string
	}{
		{"slug with underscore", create, map[string]any{"slug": "clarence_coherence", "name": "C"},
			"slug", `did you mean "clarence-coherence"`},
		{"slug with capitals", create, map[string]any{"slug": "Clarence", "name": "C"},
			"slug", `"clarence"`},
		{"renamed to invalid slug", update, map[string]any{"slug": "clarence_coherence"},
			"slug", `"clarence-coherence"`},
		{"oversized name", create, map[string]any{"slug": "big", "name": strings.Repeat("n", 201)},
			"name", "maximum is 200"},
		{"oversized system prompt", create, map[string]any{"slug": "big", "name": "Big",
			"systemPrompt": strings.Repeat("p", 100_001)}, "system_prompt", "maximum is 100000"},
		{"oversized system prompt in update", update,
			map[string]any{"systemPrompt": strings.Repeat("p", 100_001)}, "system_prompt", "maximum"},
		{"temperature as string", create, map[string]any{"slug": "warm", "name": "W",
			"voiceSettings": map[string]any{"temperature": "hot"}},
			"voice_settings.temperature", "number"},
		{"temperature out of range", update,
			map[string]any{"voiceSettings": map[string]any{"temperature": 7}},
			"voice_settings.temperature", "between 0 and 2"},
		{"llm_model as number", create, map[string]any{"slug": "numeric", "name": "N",
			"voiceSettings": map[string]any{"llm_model": 4}}, "voice_settings.llm_model", "string"},
		{"voice_id as object", update,
			map[string]any{"voiceSettings": map[string]any{"voice_id": map[string]any{"a": 1}}},
			"voice_settings.voice_id", "string"},
		{"webhook that is not a URL", create, map[string]any{"slug": "hook", "name": "H",
			"webhooks": map[string]any{"textContextWebhookUrl": "ftp://example.com/x"}},
			"webhooks.text_context_webhook_url", "http"},
		{"negative retention", create, map[string]any{"slug": "neg", "name": "N",
			"contextRetentionMinutes": -1}, "context_retention_minutes", "between"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			before := countAgentWrites(t, env, id)
			res := env.GraphQL(t, env.PlatformKey, tc.query, map[string]any{"c": id, "in": tc.input})
			e := expectError(t, res, "INVALID_INPUT", tc.field)
			mustContain(t, "message", e.Message, tc.field, tc.message)

			if after := countAgentWrites(t, env, id); after != before {
				t.Errorf("rows (agents, slug index, audit) = %+v after rejected write, were %+v",
					after, before)
			}
			if got := getAgent(t, env, env.PlatformKey, id, "existing"); got.SystemPrompt !=
				"Original prompt." || got.Slug != "existing" {
				t.Errorf("existing agent changed by a rejected write: %+v", got)
			}
		})
	}

	t.Run("voice settings as literals", func(t *testing.T) {
		for field, literal := range map[string]string{
			"voice_settings.temperature": `{temperature: "hot"}`,
			"voice_settings.llm_model":   `{llm_model: 4}`,
		} {
			before := countAgentWrites(t, env, id)
			res := env.GraphQL(t, env.PlatformKey, `mutation($c: UUID!) { createAgent(clientId: $c,
				input: {slug: "literal", name: "L", voiceSettings: `+literal+`}) { id } }`,
				map[string]any{"c": id})
			expectError(t, res, "INVALID_INPUT", field)
			if after := countAgentWrites(t, env, id); after != before {
				t.Errorf("rows = %+v after rejected %s, were %+v", after, literal, before)
			}
		}
	})

	t.Run("numeric temperature from variables is accepted", func(t *testing.T) {
		res := env.GraphQL(t, env.PlatformKey, create, map[string]any{"c": id, "in": map[string]any{
			"slug": "tempered", "name": "T",
			"voiceSettings": map[string]any{"temperature": 0.7, "llm_model": "gpt-4o-mini"},
		}})
		var out map[string]any
		res.Decode(t, &out)
		a := getAgent(t, env, env.PlatformKey, id, "tempered")
		if a.VoiceSettings["temperature"] != 0.7 {
			t.Errorf("stored temperature = %v, want 0.7", a.VoiceSettings["temperature"])
		}
	})
}

func TestClientInput_rejectedWritesStoreNothing(t *testing.T) {
	t.Parallel()
	env := apptest.Start(t, apptest.Options{})
	id := env.CreateClient(t, "Existing Client")

	cases := []struct {
		name, query string
		vars        map[string]any
		field       string
		message     string
	}{
		{"oversized name", `mutation($n: String!) { createClient(input: {name: $n}) { id } }`,
			map[string]any{"n": strings.Repeat("c", 201)}, "name", "maximum is 200"},
		{"blank name", `mutation { createClient(input: {name: "   "}) { id } }`, nil,
			"name", "required"},
		{"slug with underscore", `mutation {
			createClient(input: {name: "Clarence", slug: "clarence_coherence"}) { id } }`, nil,
			"slug", `"clarence-coherence"`},
		{"external without DSN", `mutation {
			createClient(input: {name: "Ext", databaseMode: EXTERNAL}) { id } }`, nil,
			"externalDsn", "required"},
		{"DSN that is not PostgreSQL", `mutation {
			createClient(input: {name: "Ext", databaseMode: EXTERNAL,
				externalDsn: "mysql://u:pw@h/db"}) { id } }`, nil, "externalDsn", "postgres://"},
		{"rename to oversized name", `mutation($id: UUID!, $n: String!) {
			updateClient(id: $id, input: {name: $n}) { id } }`,
			map[string]any{"id": id, "n": strings.Repeat("c", 201)}, "name", "maximum"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			before := platformCount(t, env, "SELECT count(*) FROM clients")
			audits := platformCount(t, env, "SELECT count(*) FROM audit_log")
			res := env.GraphQL(t, env.PlatformKey, tc.query, tc.vars)
			e := expectError(t, res, "INVALID_INPUT", tc.field)
			mustContain(t, "message", e.Message, tc.field, tc.message)
			if n := platformCount(t, env, "SELECT count(*) FROM clients"); n != before {
				t.Errorf("clients = %d after rejected write, were %d", n, before)
			}
			if n := platformCount(t, env, "SELECT count(*) FROM audit_log"); n != audits {
				t.Errorf("audit entries = %d after rejected write, were %d", n, audits)
			}
			if n := platformCount(t, env, "SELECT count(*) FROM clients WHERE id = ? AND "+
				"name = 'Existing Client'", id); n != 1 {
				t.Error("existing client was renamed by a rejected write")
			}
		})
	}
}
