package auth_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/sidekick-forge/sidekick-forge/server/auth"
)

// gql builds a call of a GraphQL operation.
func gql(query string, vars map[string]any, idents ...string) call {
	return call{query: query, vars: vars, idents: idents}
}

// clientVar is the usual {"c": client} variables of a targeted case.
func clientVar(c *matrixCase) map[string]any { return map[string]any{"c": c.client} }

// clientName is the stored name of the case's client, so that updates
// leave it as it was.
func clientName(f *fixture, c *matrixCase) string {
	switch c.client {
	case f.a:
		return nameA
	case f.b:
		return nameB
	}
	return "Ghost"
}

// detectSlug is an agent slug found only in the target client, for rows
// that find the client from the slug.
func detectSlug(c *matrixCase) string {
	switch c.target {
	case targetA:
		return "a-only"
	case targetB:
		return "b-only"
	}
	return "ghost-agent"
}

// objectClient is the client in which a case's fresh object lives: the
// target, except for a missing target, whose objects do not exist.
func (c *matrixCase) objectClient() uuid.UUID {
	if c.target == targetMissing {
		return uuid.Nil
	}
	return c.client
}

// onlyOwnClient checks that a principal bound to A lists A alone.
func onlyOwnClient(t *testing.T, f *fixture, c *matrixCase, r result) {
	if c.p.boundToA() && c.p.has(auth.ScopeRead) && !strings.Contains(r.body, f.a.String()) {
		t.Errorf("the clients of a reader of A do not include A: %s", r.body)
	}
}

func readRow(name, query string) row {
	return row{name: name, access: accessClient, scope: auth.ScopeRead, targeted: true,
		build: func(f *fixture, c *matrixCase) call { return gql(query, clientVar(c)) }}
}

func manageRow(name string, build func(f *fixture, c *matrixCase) call) row {
	return row{name: name, access: accessClient, scope: auth.ScopeManage, targeted: true,
		mutation: strings.HasPrefix(name, "Mutation."), build: build}
}

// graphQLRows are the matrix rows of every root field.
func graphQLRows() []row {
	rows := []row{
		// Over HTTP, /graphql rejects anonymous callers before the executor;
		// the executor's public fields serve the REST validate route.
		{name: "Query.health", access: accessAny,
			build: func(*fixture, *matrixCase) call { return gql(`{ health { status } }`, nil) }},
		{name: "Query.clients", access: accessAccount, check: onlyOwnClient,
			build: func(*fixture, *matrixCase) call {
				return gql(`{ clients { totalCount edges { node { id name } } } }`, nil)
			}},
		{name: "Query.dashboard", access: accessAccount,
			build: func(*fixture, *matrixCase) call {
				return gql(`{ dashboard { agents clients { ready } triggersLast24h { text } } }`, nil)
			}},
		{name: "Query.me", access: accessAccount,
			build: func(*fixture, *matrixCase) call { return gql(`{ me { id email } }`, nil) }},
		readRow("Query.client", `query($c: UUID!) { client(id: $c) { id name
			providerKeys { provider last4 } livekit { apiKey } } }`),
		readRow("Query.agents", `query($c: UUID!) { agents(clientId: $c) {
			totalCount edges { node { slug systemPrompt } } } }`),
		readRow("Query.agent", `query($c: UUID!) { agent(slug: "helper", clientId: $c) {
			id voiceSettings } }`),
		{name: "Query.agent", variant: "client found from the slug", access: accessClient,
			scope: auth.ScopeRead, targeted: true,
			build: func(_ *fixture, c *matrixCase) call {
				return gql(`query($s: String!) { agent(slug: $s) { id } }`,
					map[string]any{"s": detectSlug(c)}, detectSlug(c))
			}},
		readRow("Query.conversations", `query($c: UUID!) { conversations(clientId: $c) {
			totalCount edges { node { id userId } } } }`),
		readRow("Query.messages", `query($c: UUID!) { messages(clientId: $c,
			conversationId: "none") { totalCount } }`),
		readRow("Query.wordpressSites", `query($c: UUID!) { wordpressSites(clientId: $c) {
			id keyPrefix } }`),
		readRow("Query.clientMembers", `query($c: UUID!) { clientMembers(clientId: $c) {
			userId email role } }`),
		{name: "Query.users", access: accessPlatform,
			build: func(*fixture, *matrixCase) call {
				return gql(`{ users { totalCount edges { node { email } } } }`, nil)
			}},
		{name: "Query.user", access: accessPlatformHidden, targeted: true,
			build: func(f *fixture, c *matrixCase) call {
				id := uuid.New()
				if c.target != targetMissing {
					email := "bystander-a@example.com"
					if c.target == targetB {
						email = "bystander-b@example.com"
					}
					u, err := f.env.App.Store.UserByEmail(f.t.Context(), email)
					if err != nil {
						f.t.Fatal(err)
					}
					id = u.ID
				}
				return gql(`query($id: UUID!) { user(id: $id) { id email } }`,
					map[string]any{"id": id})
			}},
		manageRow("Query.accessKeys", func(_ *fixture, c *matrixCase) call {
			return gql(`query($c: UUID) { accessKeys(clientId: $c) { id prefix scopes } }`,
				clientVar(c))
		}),
		{name: "Query.accessKeys", variant: "platform keys", access: accessPlatform,
			build: func(*fixture, *matrixCase) call {
				return gql(`{ accessKeys { id prefix } }`, nil)
			}},
		manageRow("Query.auditLog", func(_ *fixture, c *matrixCase) call {
			return gql(`query($c: UUID) { auditLog(clientId: $c) { totalCount
				edges { node { actor action target details } } } }`, clientVar(c))
		}),
		{name: "Query.auditLog", variant: "whole platform", access: accessPlatform,
			build: func(*fixture, *matrixCase) call {
				return gql(`{ auditLog { totalCount edges { node { actor action details } } } }`, nil)
			}},
	}
	rows = append(rows, clientMutationRows()...)
	rows = append(rows, agentAndTriggerRows()...)
	rows = append(rows, userRows()...)
	return append(rows, keyRows()...)
}

func clientMutationRows() []row {
	return []row{
		{name: "Mutation.createClient", access: accessPlatform, mutation: true,
			build: func(f *fixture, c *matrixCase) call {
				return gql(`mutation($n: String!) { createClient(input: {name: $n}) { id } }`,
					map[string]any{"n": fmt.Sprintf("Created %d", c.n)})
			}},
		manageRow("Mutation.updateClient", func(f *fixture, c *matrixCase) call {
			return gql(`mutation($c: UUID!, $n: String!) { updateClient(id: $c,
				input: {name: $n}) { id name } }`,
				map[string]any{"c": c.client, "n": clientName(f, c)}, clientName(f, c))
		}),
		{name: "Mutation.deleteClient", access: accessPlatform, targeted: true, mutation: true,
			build: func(f *fixture, c *matrixCase) call {
				id := c.client
				if c.allowed {
					id = f.newClient()
				}
				return gql(`mutation($c: UUID!) { deleteClient(id: $c) { id } }`,
					map[string]any{"c": id})
			}},
		{name: "Mutation.retryProvisioning", access: accessClient, scope: auth.ScopeManage,
			targeted: true, mutation: true, okCodes: []string{"CONFLICT"},
			build: func(_ *fixture, c *matrixCase) call {
				return gql(`mutation($c: UUID!) { retryProvisioning(id: $c) { id } }`, clientVar(c))
			}},
		manageRow("Mutation.setProviderKey", func(_ *fixture, c *matrixCase) call {
			return gql(`mutation($c: UUID!, $k: String!) { setProviderKey(clientId: $c,
				provider: "groq", key: $k) { configured last4 } }`,
				map[string]any{"c": c.client, "k": groqSecret})
		}),
		manageRow("Mutation.removeProviderKey", func(_ *fixture, c *matrixCase) call {
			return gql(`mutation($c: UUID!) { removeProviderKey(clientId: $c, provider: "groq") {
				configured } }`, clientVar(c))
		}),
		manageRow("Mutation.setLiveKitConfig", func(_ *fixture, c *matrixCase) call {
			return gql(`mutation($c: UUID!) { setLiveKitConfig(clientId: $c,
				input: {agentName: "sidekick-agent"}) { id } }`, clientVar(c))
		}),
		manageRow("Mutation.createWordPressSite", func(_ *fixture, c *matrixCase) call {
			return gql(`mutation($c: UUID!, $d: String!) { createWordPressSite(clientId: $c,
				input: {name: "matrix", domain: $d}) { site { id } apiKey } }`,
				map[string]any{"c": c.client, "d": fmt.Sprintf("made-%d.example", c.n)})
		}),
		manageRow("Mutation.revokeWordPressSite", func(f *fixture, c *matrixCase) call {
			id := uuid.New()
			if owner := c.objectClient(); owner != uuid.Nil {
				id = f.newSite(owner)
			}
			return gql(`mutation($c: UUID!, $id: UUID!) { revokeWordPressSite(clientId: $c,
				id: $id) }`, map[string]any{"c": c.client, "id": id})
		}),
		{name: "Mutation.validateSiteKey", access: accessAny,
			build: func(f *fixture, _ *matrixCase) call {
				return gql(`mutation($k: String!) { validateSiteKey(apiKey: $k) { valid clientId } }`,
					map[string]any{"k": f.siteA})
			}},
	}
}

func agentAndTriggerRows() []row {
	trigger := func(mode string) func(*fixture, *matrixCase) call {
		return func(_ *fixture, c *matrixCase) call {
			in := map[string]any{"agentSlug": "helper", "clientId": c.client, "mode": mode,
				"userId": "matrix-user", "message": "hello from the matrix"}
			if mode == "VOICE" {
				in["roomName"] = fmt.Sprintf("matrix-room-%d", c.n)
			}
			return gql(`mutation($in: TriggerAgentInput!) { triggerAgent(input: $in) {
				conversationId voice { userToken roomName } text { response userId } } }`,
				map[string]any{"in": in}, fmt.Sprintf("matrix-room-%d", c.n))
		}
	}
	return []row{
		manageRow("Mutation.createAgent", func(_ *fixture, c *matrixCase) call {
			return gql(`mutation($c: UUID!, $s: String!) { createAgent(clientId: $c,
				input: {slug: $s, name: "Made"}) { id } }`,
				map[string]any{"c": c.client, "s": fmt.Sprintf("made-%d", c.n)})
		}),
		manageRow("Mutation.updateAgent", func(_ *fixture, c *matrixCase) call {
			return gql(`mutation($c: UUID!) { updateAgent(clientId: $c, slug: "helper",
				input: {name: "Helper"}) { id } }`, clientVar(c))
		}),
		manageRow("Mutation.deleteAgent", func(f *fixture, c *matrixCase) call {
			slug := fmt.Sprintf("doomed-%d", c.n)
			if owner := c.objectClient(); owner != uuid.Nil {
				f.newAgent(owner, slug)
			}
			return gql(`mutation($c: UUID!, $s: String!) { deleteAgent(clientId: $c, slug: $s) }`,
				map[string]any{"c": c.client, "s": slug})
		}),
		{name: "Mutation.triggerAgent", variant: "text", access: accessEmbedTrigger,
			scope: auth.ScopeTrigger, targeted: true, mutation: true, build: trigger("TEXT"),
			check: func(t *testing.T, f *fixture, c *matrixCase, r result) {
				if c.p.isEmbed && strings.Contains(r.body, `"userId":"matrix-user"`) {
					t.Errorf("an anonymous embed token kept the request's user id: %s", r.body)
				}
			}},
		{name: "Mutation.triggerAgent", variant: "voice", access: accessEmbedTrigger,
			scope: auth.ScopeTrigger, targeted: true, mutation: true, build: trigger("VOICE")},
		{name: "Mutation.createEmbedToken", access: accessMintEmbed, scope: auth.ScopeTrigger,
			targeted: true, mutation: true,
			build: func(_ *fixture, c *matrixCase) call {
				return gql(`mutation($c: UUID!) { createEmbedToken(input: {agentSlug: "helper",
					clientId: $c}) { token userId } }`, clientVar(c))
			}},
		{name: "Subscription.triggerAgentStream", surface: overWebsocket,
			access: accessEmbedTrigger, scope: auth.ScopeTrigger, targeted: true,
			build: func(_ *fixture, c *matrixCase) call {
				return gql(`subscription($in: TriggerAgentInput!) { triggerAgentStream(input: $in) {
					type delta fullText } }`, map[string]any{"in": map[string]any{
					"agentSlug": "helper", "clientId": c.client, "mode": "TEXT",
					"userId": "matrix-user", "message": "stream for the matrix"}})
			}},
	}
}

func userRows() []row {
	// freshUser makes the user a case acts on: a member of the target, or
	// a random id for a missing target.
	freshUser := func(f *fixture, c *matrixCase) uuid.UUID {
		if c.target == targetMissing {
			return uuid.New()
		}
		id, _ := f.newUser(c.objectClient())
		return id
	}
	platformUserRow := func(name, query string, vars func(f *fixture, c *matrixCase) map[string]any) row {
		return row{name: name, access: accessPlatform, targeted: true, mutation: true,
			build: func(f *fixture, c *matrixCase) call {
				v := vars(f, c)
				v["id"] = freshUser(f, c)
				return gql(query, v)
			}}
	}
	none := func(*fixture, *matrixCase) map[string]any { return map[string]any{} }
	return []row{
		{name: "Mutation.createUser", access: accessPlatform, mutation: true,
			build: func(_ *fixture, c *matrixCase) call {
				return gql(`mutation($e: String!) { createUser(input: {email: $e,
					password: "a password for a new user"}) { id } }`,
					map[string]any{"e": fmt.Sprintf("created-%d@example.com", c.n)})
			}},
		platformUserRow("Mutation.updateUser", `mutation($id: UUID!, $e: String!) {
			updateUser(id: $id, input: {email: $e}) { id } }`,
			func(_ *fixture, c *matrixCase) map[string]any {
				return map[string]any{"e": fmt.Sprintf("renamed-%d@example.com", c.n)}
			}),
		platformUserRow("Mutation.deleteUser", `mutation($id: UUID!) { deleteUser(id: $id) }`, none),
		platformUserRow("Mutation.setUserPassword", `mutation($id: UUID!, $p: String!) {
			setUserPassword(id: $id, password: $p) { id } }`,
			func(*fixture, *matrixCase) map[string]any { return map[string]any{"p": resetSecret} }),
		{name: "Mutation.revokeUserSessions", access: accessPlatform, targeted: true,
			mutation: true,
			build: func(f *fixture, c *matrixCase) call {
				return gql(`mutation($id: UUID!) { revokeUserSessions(userId: $id) }`,
					map[string]any{"id": freshUser(f, c)})
			}},
		{name: "Mutation.changePassword", access: accessUser, mutation: true,
			build: func(f *fixture, c *matrixCase) call {
				current, next := c.p.password, fmt.Sprintf("matrix password number %d", c.n)
				if c.allowed {
					c.p.password = next
					f.secret(c.p.name+" password "+fmt.Sprint(c.n), next)
				}
				return gql(`mutation($c: String!, $n: String!) {
					changePassword(currentPassword: $c, newPassword: $n) }`,
					map[string]any{"c": current, "n": next})
			}},
		manageRow("Mutation.setClientMember", func(f *fixture, c *matrixCase) call {
			_, email := f.newUser(uuid.Nil)
			return gql(`mutation($c: UUID!, $e: String!) { setClientMember(clientId: $c,
				email: $e, role: MEMBER) { userId } }`, map[string]any{"c": c.client, "e": email},
				email)
		}),
		manageRow("Mutation.removeClientMember", func(f *fixture, c *matrixCase) call {
			id, _ := f.newUser(c.objectClient())
			return gql(`mutation($c: UUID!, $u: UUID!) { removeClientMember(clientId: $c,
				userId: $u) }`, map[string]any{"c": c.client, "u": id})
		}),
	}
}

func keyRows() []row {
	keyOf := func(f *fixture, c *matrixCase) uuid.UUID {
		if owner := c.objectClient(); owner != uuid.Nil {
			return f.newKey(owner)
		}
		return uuid.New()
	}
	return []row{
		manageRow("Mutation.createAccessKey", func(_ *fixture, c *matrixCase) call {
			return gql(`mutation($c: UUID!) { createAccessKey(input: {name: "matrix",
				clientId: $c, scopes: [READ]}) { key { id } secret } }`, clientVar(c))
		}),
		{name: "Mutation.createAccessKey", variant: "platform key", access: accessPlatform,
			mutation: true,
			build: func(*fixture, *matrixCase) call {
				return gql(`mutation { createAccessKey(input: {name: "matrix platform"}) {
					key { id } secret } }`, nil)
			}},
		manageRow("Mutation.revokeAccessKey", func(f *fixture, c *matrixCase) call {
			return gql(`mutation($id: UUID!) { revokeAccessKey(id: $id) }`,
				map[string]any{"id": keyOf(f, c)})
		}),
		{name: "Mutation.revokeAccessKey", variant: "platform key",
			access: accessPlatformHidden, mutation: true,
			build: func(f *fixture, _ *matrixCase) call {
				return gql(`mutation($id: UUID!) { revokeAccessKey(id: $id) }`,
					map[string]any{"id": f.newKey(uuid.Nil)})
			}},
		manageRow("Mutation.rotateAccessKey", func(f *fixture, c *matrixCase) call {
			return gql(`mutation($id: UUID!) { rotateAccessKey(id: $id) { key { id } secret } }`,
				map[string]any{"id": keyOf(f, c)})
		}),
		{name: "Mutation.rotateAccessKey", variant: "platform key",
			access: accessPlatformHidden, mutation: true,
			build: func(f *fixture, _ *matrixCase) call {
				return gql(`mutation($id: UUID!) { rotateAccessKey(id: $id) { secret } }`,
					map[string]any{"id": f.newKey(uuid.Nil)})
			}},
	}
}
