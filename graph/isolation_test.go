package graph_test

import (
	"reflect"
	"sort"
	"testing"

	"github.com/google/uuid"

	"github.com/sidekick-forge/sidekick-forge/server/apptest"
)

const agentFields = `id slug name description clientId systemPrompt voiceSettings model`

type agentView struct {
	ID            uuid.UUID
	Slug          string
	Name          string
	Description   string
	ClientID      uuid.UUID
	SystemPrompt  string
	VoiceSettings map[string]any
	Model         string
}

func getAgent(t *testing.T, env *apptest.Env, key string, clientID uuid.UUID, slug string) agentView {
	t.Helper()
	res := env.GraphQL(t, key, `query($c: UUID!, $s: String!) {
		agent(slug: $s, clientId: $c) { `+agentFields+` } }`,
		map[string]any{"c": clientID, "s": slug})
	var out struct{ Agent *agentView }
	res.Decode(t, &out)
	if out.Agent == nil {
		t.Fatalf("agent %s of client %s is null", slug, clientID)
	}
	return *out.Agent
}

// twoClientsWithSameSlug starts a platform with clients Acme and Globex, each
// holding an agent "clarence" with its own prompt and description.
func twoClientsWithSameSlug(t *testing.T) (env *apptest.Env, acme, globex uuid.UUID) {
	t.Helper()
	env = apptest.Start(t, apptest.Options{})
	acme = env.CreateClient(t, "Acme")
	globex = env.CreateClient(t, "Globex")
	env.CreateAgent(t, acme, "clarence", map[string]any{
		"description": "Acme's helper", "systemPrompt": "You work for Acme.", "model": "acme-model",
	})
	env.CreateAgent(t, globex, "clarence", map[string]any{
		"description": "Globex's helper", "systemPrompt": "You work for Globex.",
		"voiceSettings": map[string]any{"voice_id": "globex-voice"},
	})
	return env, acme, globex
}

func TestAgents_sameSlugStaysIsolated(t *testing.T) {
	t.Parallel()
	env, acme, globex := twoClientsWithSameSlug(t)

	a := getAgent(t, env, env.PlatformKey, acme, "clarence")
	g := getAgent(t, env, env.PlatformKey, globex, "clarence")
	t.Run("reads", func(t *testing.T) {
		if a.ClientID != acme || g.ClientID != globex {
			t.Errorf("clientId = %s / %s, want %s / %s", a.ClientID, g.ClientID, acme, globex)
		}
		if a.ID == g.ID {
			t.Errorf("both clients return agent id %s", a.ID)
		}
		if a.SystemPrompt != "You work for Acme." || a.Description != "Acme's helper" ||
			a.Model != "acme-model" {
			t.Errorf("Acme's agent = %+v", a)
		}
		if g.SystemPrompt != "You work for Globex." || g.Description != "Globex's helper" ||
			g.Model != "" {
			t.Errorf("Globex's agent = %+v", g)
		}
		if g.VoiceSettings["voice_id"] != "globex-voice" || len(a.VoiceSettings) != 0 {
			t.Errorf("voiceSettings = %v (Acme) / %v (Globex)", a.VoiceSettings, g.VoiceSettings)
		}
	})

	t.Run("update of one leaves the other", func(t *testing.T) {
		res := env.GraphQL(t, env.PlatformKey, `mutation($c: UUID!) {
			updateAgent(clientId: $c, slug: "clarence",
				input: {systemPrompt: "Acme, revised.", name: "Acme Clarence",
					voiceSettings: {voice_id: "acme-voice"}}) { systemPrompt } }`,
			map[string]any{"c": acme})
		var out map[string]any
		res.Decode(t, &out)

		if got := getAgent(t, env, env.PlatformKey, globex, "clarence"); !sameAgent(got, g) {
			t.Errorf("Globex's agent changed after Acme's update: %+v, was %+v", got, g)
		}
		if got := getAgent(t, env, env.PlatformKey, acme, "clarence"); got.SystemPrompt !=
			"Acme, revised." || got.Name != "Acme Clarence" {
			t.Errorf("Acme's agent after update = %+v", got)
		}
	})

	t.Run("create and delete in one leave the other", func(t *testing.T) {
		before := tenantCount(t, env, globex, "agents")
		env.CreateAgent(t, acme, "only-acme", nil)
		res := env.GraphQL(t, env.PlatformKey, `mutation($c: UUID!) {
			deleteAgent(clientId: $c, slug: "clarence") }`, map[string]any{"c": acme})
		var out map[string]any
		res.Decode(t, &out)

		if n := tenantCount(t, env, globex, "agents"); n != before {
			t.Errorf("Globex has %d agents after writes to Acme, had %d", n, before)
		}
		if got := getAgent(t, env, env.PlatformKey, globex, "clarence"); !sameAgent(got, g) {
			t.Errorf("Globex's agent changed after Acme deleted its own: %+v", got)
		}
		res = env.GraphQL(t, env.PlatformKey, `query($c: UUID!) {
			agent(slug: "only-acme", clientId: $c) { id } }`, map[string]any{"c": globex})
		expectError(t, res, "NOT_FOUND", "")
	})
}

func sameAgent(x, y agentView) bool { return reflect.DeepEqual(x, y) }

func TestAgentAutodetect_ambiguousSlugNamesBothClients(t *testing.T) {
	t.Parallel()
	env, acme, globex := twoClientsWithSameSlug(t)

	res := env.GraphQL(t, env.PlatformKey, `{ agent(slug: "clarence") { id } }`, nil)
	e := expectError(t, res, "AMBIGUOUS_AGENT", "")
	mustContain(t, "message", e.Message, "Acme", "Globex", acme.String(), globex.String())

	raw, _ := e.Extensions["candidates"].([]any)
	var ids, names []string
	for _, c := range raw {
		m, _ := c.(map[string]any)
		id, _ := m["client_id"].(string)
		name, _ := m["client_name"].(string)
		ids, names = append(ids, id), append(names, name)
	}
	sort.Strings(ids)
	sort.Strings(names)
	want := []string{acme.String(), globex.String()}
	sort.Strings(want)
	if len(ids) != 2 || ids[0] != want[0] || ids[1] != want[1] {
		t.Errorf("extensions.candidates client ids = %v, want %v", ids, want)
	}
	if len(names) != 2 || names[0] != "Acme" || names[1] != "Globex" {
		t.Errorf("extensions.candidates client names = %v, want [Acme Globex]", names)
	}

	t.Run("site key sees only its own client", func(t *testing.T) {
		site := env.CreateSite(t, globex, "globex.example", nil)
		res := env.GraphQL(t, site, `{ agent(slug: "clarence") { clientId systemPrompt } }`, nil)
		var out struct{ Agent agentView }
		res.Decode(t, &out)
		if out.Agent.ClientID != globex {
			t.Errorf("site key of Globex detected client %s", out.Agent.ClientID)
		}
	})

	t.Run("unique after one is deleted", func(t *testing.T) {
		res := env.GraphQL(t, env.PlatformKey, `mutation($c: UUID!) {
			deleteAgent(clientId: $c, slug: "clarence") }`, map[string]any{"c": acme})
		var del map[string]any
		res.Decode(t, &del)

		res = env.GraphQL(t, env.PlatformKey, `{ agent(slug: "clarence") { clientId } }`, nil)
		var out struct{ Agent agentView }
		res.Decode(t, &out)
		if out.Agent.ClientID != globex {
			t.Errorf("detected client %s after Acme's agent was deleted, want %s",
				out.Agent.ClientID, globex)
		}
	})
}
