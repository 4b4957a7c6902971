package apptest

import "testing"

func TestStart_createsReadyClientWithAgent(t *testing.T) {
	env := Start(t, Options{})
	id := env.CreateClient(t, "Smoke Test")
	env.CreateAgent(t, id, "litebridge", nil)

	res := env.GraphQL(t, env.PlatformKey, `{ agent(slug: "litebridge") { slug clientId } }`, nil)
	var out struct {
		Agent struct{ Slug, ClientID string }
	}
	res.Decode(t, &out)
	if out.Agent.ClientID != id.String() {
		t.Errorf("auto-detected client = %s, want %s", out.Agent.ClientID, id)
	}
}
