package graph_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/sidekick-forge/sidekick-forge/server/apptest"
)

const dashboardQuery = `{ dashboard {
	clients { pending provisioning ready failed }
	agents
	triggersLast24h { voice video text countedClients readyClients unavailableClients countLimit }
} }`

type dashboardResult struct {
	Dashboard struct {
		Clients struct{ Pending, Provisioning, Ready, Failed int }
		Agents  int
		Trigger struct {
			Voice, Video, Text                               int
			CountedClients, ReadyClients, UnavailableClients int
			CountLimit                                       int
		} `json:"triggersLast24h"`
	}
}

// seedTriggers writes conversations and messages into a tenant database as
// triggers would, some of them older than 24 hours.
func seedTriggers(t *testing.T, env *apptest.Env, clientID uuid.UUID, statements ...string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	lease, err := env.App.Tenants.Acquire(ctx, clientID)
	if err != nil {
		t.Fatalf("acquire tenant database of %s: %v", clientID, err)
	}
	defer lease.Release()
	for _, s := range statements {
		if _, err := lease.DB().ExecContext(ctx, s); err != nil {
			t.Fatalf("seed %q: %v", s, err)
		}
	}
}

func TestDashboard_countsVisibleClients(t *testing.T) {
	env := apptest.Start(t, apptest.Options{})
	acme := env.CreateClient(t, "Acme")
	beta := env.CreateClient(t, "Beta")
	env.CreateAgent(t, acme, "front-desk", nil)
	env.CreateAgent(t, acme, "sales", nil)
	env.CreateAgent(t, beta, "helper", nil)
	seedTriggers(t, env, acme,
		`INSERT INTO conversations (id, agent_slug, user_id, mode) VALUES ('v1', 'front-desk', 'u', 'voice')`,
		`INSERT INTO conversations (id, agent_slug, user_id, mode, created_at)
			VALUES ('v-old', 'front-desk', 'u', 'video', now() - interval '2 days')`,
		`INSERT INTO conversations (id, agent_slug, user_id, mode) VALUES ('t1', 'sales', 'u', 'text')`,
		`INSERT INTO messages (conversation_id, role, content) VALUES
			('t1', 'user', 'hi'), ('t1', 'assistant', 'hello'), ('t1', 'user', 'again')`,
		`INSERT INTO messages (conversation_id, role, content, created_at)
			VALUES ('t1', 'user', 'old', now() - interval '25 hours')`,
	)
	seedTriggers(t, env, beta,
		`INSERT INTO conversations (id, agent_slug, user_id, mode) VALUES ('b1', 'helper', 'u', 'video')`,
		`INSERT INTO conversations (id, agent_slug, user_id, mode) VALUES ('b2', 'helper', 'u', 'text')`,
		`INSERT INTO messages (conversation_id, role, content) VALUES ('b2', 'user', 'hey')`,
	)
	betaKey := env.CreateSite(t, beta, "beta.example", nil)

	t.Run("platform key sees every client", func(t *testing.T) {
		var got dashboardResult
		env.GraphQL(t, env.PlatformKey, dashboardQuery, nil).Decode(t, &got)
		d := got.Dashboard

		if d.Clients.Ready != 2 {
			t.Errorf("clients.ready = %d, want 2", d.Clients.Ready)
		}
		if d.Agents != 3 {
			t.Errorf("agents = %d, want 3", d.Agents)
		}
		if d.Trigger.Voice != 1 {
			t.Errorf("voice = %d, want 1", d.Trigger.Voice)
		}
		if d.Trigger.Video != 1 {
			t.Errorf("video = %d, want 1 (the 2-day-old one excluded)", d.Trigger.Video)
		}
		if d.Trigger.Text != 3 {
			t.Errorf("text = %d, want 3 user messages of the last 24 hours", d.Trigger.Text)
		}
		if d.Trigger.CountedClients != 2 || d.Trigger.ReadyClients != 2 {
			t.Errorf("counted %d of %d ready clients, want 2 of 2",
				d.Trigger.CountedClients, d.Trigger.ReadyClients)
		}
		if d.Trigger.UnavailableClients != 0 {
			t.Errorf("unavailableClients = %d, want 0", d.Trigger.UnavailableClients)
		}
	})

	t.Run("client key sees only its client", func(t *testing.T) {
		var got dashboardResult
		env.GraphQL(t, betaKey, dashboardQuery, nil).Decode(t, &got)
		d := got.Dashboard

		if d.Clients.Ready != 1 {
			t.Errorf("clients.ready = %d, want 1", d.Clients.Ready)
		}
		if d.Agents != 1 {
			t.Errorf("agents = %d, want 1", d.Agents)
		}
		if d.Trigger.Voice != 0 {
			t.Errorf("voice = %d, want 0: Acme's session leaked", d.Trigger.Voice)
		}
		if d.Trigger.Video != 1 {
			t.Errorf("video = %d, want 1", d.Trigger.Video)
		}
		if d.Trigger.Text != 1 {
			t.Errorf("text = %d, want 1", d.Trigger.Text)
		}
	})

	t.Run("anonymous caller is rejected", func(t *testing.T) {
		res := env.GraphQL(t, "", dashboardQuery, nil)

		expectError(t, res, "UNAUTHENTICATED", "")
	})
}
