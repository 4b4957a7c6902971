package graph_test

import (
	"encoding/base64"
	"fmt"
	"testing"

	"github.com/google/uuid"

	"github.com/sidekick-forge/sidekick-forge/server/apptest"
)

type pageInfo struct {
	HasNextPage, HasPreviousPage bool
	StartCursor, EndCursor       *string
}

type page struct {
	TotalCount int
	PageInfo   pageInfo
	Edges      []struct {
		Cursor string
		Node   struct {
			ID   uuid.UUID
			Slug string
		}
	}
}

const pageFields = `totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
	edges { cursor node { id slug } }`

func (p page) slugs() []string {
	out := make([]string, 0, len(p.Edges))
	for _, e := range p.Edges {
		out = append(out, e.Node.Slug)
	}
	return out
}

// checkPage compares one page with the expected slugs and flags.
func checkPage(t *testing.T, p page, total int, slugs []string, hasNext, hasPrevious bool) {
	t.Helper()
	if p.TotalCount != total {
		t.Errorf("totalCount = %d, want %d", p.TotalCount, total)
	}
	if fmt.Sprint(p.slugs()) != fmt.Sprint(slugs) {
		t.Errorf("slugs = %v, want %v", p.slugs(), slugs)
	}
	if p.PageInfo.HasNextPage != hasNext || p.PageInfo.HasPreviousPage != hasPrevious {
		t.Errorf("hasNextPage, hasPreviousPage = %v, %v, want %v, %v",
			p.PageInfo.HasNextPage, p.PageInfo.HasPreviousPage, hasNext, hasPrevious)
	}
	if len(p.Edges) == 0 {
		if p.PageInfo.StartCursor != nil || p.PageInfo.EndCursor != nil {
			t.Errorf("empty page has cursors %v, %v", p.PageInfo.StartCursor, p.PageInfo.EndCursor)
		}
		return
	}
	if p.PageInfo.StartCursor == nil || *p.PageInfo.StartCursor != p.Edges[0].Cursor {
		t.Errorf("startCursor = %v, want the first edge's cursor", p.PageInfo.StartCursor)
	}
	if p.PageInfo.EndCursor == nil || *p.PageInfo.EndCursor != p.Edges[len(p.Edges)-1].Cursor {
		t.Errorf("endCursor = %v, want the last edge's cursor", p.PageInfo.EndCursor)
	}
}

func TestAgentsConnection_pagesInSlugOrder(t *testing.T) {
	t.Parallel()
	env := apptest.Start(t, apptest.Options{})
	id := env.CreateClient(t, "Pager")
	for _, slug := range []string{"echo", "alpha", "delta", "charlie", "bravo"} {
		env.CreateAgent(t, id, slug, nil)
	}
	other := env.CreateClient(t, "Other Pager")
	env.CreateAgent(t, other, "zulu", nil)

	queries := map[string]struct {
		query string
		pick  func(raw *apptest.Response) page
	}{
		"Query.agents": {
			`query($c: UUID!, $first: Int, $after: String) {
				agents(clientId: $c, first: $first, after: $after) { ` + pageFields + ` } }`,
			func(res *apptest.Response) page {
				var out struct{ Agents page }
				res.Decode(t, &out)
				return out.Agents
			},
		},
		"Client.agents": {
			`query($c: UUID!, $first: Int, $after: String) { client(id: $c) {
				agents(first: $first, after: $after) { ` + pageFields + ` } } }`,
			func(res *apptest.Response) page {
				var out struct{ Client struct{ Agents page } }
				res.Decode(t, &out)
				return out.Client.Agents
			},
		},
	}
	for name, q := range queries {
		t.Run(name, func(t *testing.T) {
			fetch := func(after *string) page {
				vars := map[string]any{"c": id, "first": 2}
				if after != nil {
					vars["after"] = *after
				}
				return q.pick(env.GraphQL(t, env.PlatformKey, q.query, vars))
			}
			p1 := fetch(nil)
			checkPage(t, p1, 5, []string{"alpha", "bravo"}, true, false)
			p2 := fetch(p1.PageInfo.EndCursor)
			checkPage(t, p2, 5, []string{"charlie", "delta"}, true, true)
			p3 := fetch(p2.PageInfo.EndCursor)
			checkPage(t, p3, 5, []string{"echo"}, false, true)
			p4 := fetch(p3.PageInfo.EndCursor)
			checkPage(t, p4, 5, []string{}, false, true)
		})
	}

	t.Run("default page size", func(t *testing.T) {
		res := env.GraphQL(t, env.PlatformKey, `query($c: UUID!) { agents(clientId: $c) { `+
			pageFields+` } }`, map[string]any{"c": id})
		var out struct{ Agents page }
		res.Decode(t, &out)
		checkPage(t, out.Agents, 5, []string{"alpha", "bravo", "charlie", "delta", "echo"},
			false, false)
	})
}

func TestClientsConnection_pagesOldestFirst(t *testing.T) {
	t.Parallel()
	env := apptest.Start(t, apptest.Options{})
	var created []uuid.UUID
	for _, name := range []string{"First Co", "Second Co", "Third Co"} {
		created = append(created, env.CreateClient(t, name))
	}

	query := `query($first: Int, $after: String, $search: String) {
		clients(first: $first, after: $after, search: $search) {
			totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
			edges { cursor node { id } } } }`
	fetch := func(vars map[string]any) page {
		var out struct{ Clients page }
		env.GraphQL(t, env.PlatformKey, query, vars).Decode(t, &out)
		return out.Clients
	}
	ids := func(p page) []uuid.UUID {
		var out []uuid.UUID
		for _, e := range p.Edges {
			out = append(out, e.Node.ID)
		}
		return out
	}

	p1 := fetch(map[string]any{"first": 2})
	if p1.TotalCount != 3 || !p1.PageInfo.HasNextPage || p1.PageInfo.HasPreviousPage {
		t.Errorf("page 1 = %+v, want totalCount 3, next, no previous", p1.PageInfo)
	}
	p2 := fetch(map[string]any{"first": 2, "after": *p1.PageInfo.EndCursor})
	if p2.TotalCount != 3 || p2.PageInfo.HasNextPage || !p2.PageInfo.HasPreviousPage {
		t.Errorf("page 2 = %+v, want totalCount 3, no next, previous", p2.PageInfo)
	}
	got := append(ids(p1), ids(p2)...)
	if fmt.Sprint(got) != fmt.Sprint(created) {
		t.Errorf("clients over two pages = %v, want %v in creation order", got, created)
	}
	if p2.PageInfo.StartCursor == nil || *p2.PageInfo.StartCursor != p2.Edges[0].Cursor {
		t.Errorf("startCursor of page 2 = %v", p2.PageInfo.StartCursor)
	}

	t.Run("search counts matches only", func(t *testing.T) {
		p := fetch(map[string]any{"first": 1, "search": "second"})
		if p.TotalCount != 1 || len(p.Edges) != 1 || p.Edges[0].Node.ID != created[1] ||
			p.PageInfo.HasNextPage {
			t.Errorf("search page = %+v, want only Second Co", p)
		}
	})
}

func TestConnections_rejectBadPageArguments(t *testing.T) {
	t.Parallel()
	env := apptest.Start(t, apptest.Options{})
	id := env.CreateClient(t, "Bounds")
	env.CreateAgent(t, id, "only", nil)

	connections := map[string]string{
		"agents": `query($c: UUID!, $first: Int, $after: String) {
			agents(clientId: $c, first: $first, after: $after) { totalCount edges { node { slug } } } }`,
		"clients": `query($first: Int, $after: String) {
			clients(first: $first, after: $after) { totalCount edges { node { id } } } }`,
		"Client.agents": `query($c: UUID!, $first: Int, $after: String) { client(id: $c) {
			agents(first: $first, after: $after) { totalCount } } }`,
		"conversations": `query($c: UUID!, $first: Int, $after: String) {
			conversations(clientId: $c, first: $first, after: $after) { totalCount } }`,
		"messages": `query($c: UUID!, $first: Int, $after: String) {
			messages(clientId: $c, conversationId: "x", first: $first, after: $after) { totalCount } }`,
	}
	for name, query := range connections {
		for _, first := range []int{0, -1, 101, 1000} {
			t.Run(fmt.Sprintf("%s first %d", name, first), func(t *testing.T) {
				res := env.GraphQL(t, env.PlatformKey, query, vars(name, id, "first", first))
				e := expectError(t, res, "INVALID_INPUT", "first")
				mustContain(t, "message", e.Message, "between 1 and 100")
			})
		}
		t.Run(name+" garbage cursor", func(t *testing.T) {
			res := env.GraphQL(t, env.PlatformKey, query, vars(name, id, "after", "%%%"))
			expectError(t, res, "INVALID_INPUT", "after")
		})
	}

	t.Run("cursor of another connection", func(t *testing.T) {
		var out struct{ Clients page }
		env.GraphQL(t, env.PlatformKey, `{ clients(first: 1) { edges { cursor node { id } } } }`,
			nil).Decode(t, &out)
		res := env.GraphQL(t, env.PlatformKey, connections["agents"],
			map[string]any{"c": id, "after": out.Clients.Edges[0].Cursor})
		expectError(t, res, "INVALID_INPUT", "after")
	})

	t.Run("client cursor with a malformed id", func(t *testing.T) {
		forged := base64.RawURLEncoding.EncodeToString(
			[]byte("client:2026-01-01T00:00:00Z|not-a-uuid"))
		res := env.GraphQL(t, env.PlatformKey, connections["clients"],
			map[string]any{"after": forged})
		expectError(t, res, "INVALID_INPUT", "after")
	})
}

// vars returns the variables of a connection query: every one but clients
// takes the client id.
func vars(connection string, clientID uuid.UUID, name string, value any) map[string]any {
	out := map[string]any{name: value}
	if connection != "clients" {
		out["c"] = clientID
	}
	return out
}

func TestComplexity_negativeFirstDoesNotOffsetCost(t *testing.T) {
	t.Parallel()
	env := apptest.Start(t, apptest.Options{})
	id := env.CreateClient(t, "Costly")

	// Alone, the second field costs far more than the limit. A negative page
	// size elsewhere in the operation must not pay for it.
	query := `query($c: UUID!) {
		cheap: agents(clientId: $c, first: -1000000) { edges { node { id slug name } } }
		clients(first: 100) { edges { node { id
			agents(first: 100) { edges { node { id slug name systemPrompt } } } } } } }`
	res := env.GraphQL(t, env.PlatformKey, query, map[string]any{"c": id})
	expectError(t, res, "COMPLEXITY_LIMIT_EXCEEDED", "")
	if string(res.Data) != "" && string(res.Data) != "null" {
		t.Errorf("operation over the complexity limit ran: %s", res.Data)
	}
}
