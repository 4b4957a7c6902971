package auth_test

import (
	"fmt"
	"io/fs"
	"net/http"
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/sidekick-forge/sidekick-forge/server/apperr"
	"github.com/sidekick-forge/sidekick-forge/server/auth"
	"github.com/sidekick-forge/sidekick-forge/server/web"
)

// httpCall builds a call of a REST or plain HTTP route.
func httpCall(method, path string, body any, idents ...string) call {
	return call{method: method, path: path, body: body, idents: idents}
}

func restRow(route string, a access, scope string, status int, targeted bool,
	build func(f *fixture, c *matrixCase) call) row {
	method, _, _ := strings.Cut(route, " ")
	return row{name: route, surface: overHTTP, access: a, scope: scope, status: status,
		targeted: targeted, mutation: method != http.MethodGet, build: build}
}

// path fills {client} with the case's client id.
func path(template string) func(*fixture, *matrixCase) call {
	method, p, _ := strings.Cut(template, " ")
	return func(_ *fixture, c *matrixCase) call {
		return httpCall(method, strings.ReplaceAll(p, "{client}", c.client.String()), nil)
	}
}

func triggerBody(c *matrixCase, mode string) map[string]any {
	body := map[string]any{"agent_slug": "helper", "client_id": c.client, "mode": mode,
		"user_id": "matrix-user", "message": "hello from the REST matrix"}
	if mode == "voice" {
		body["room_name"] = fmt.Sprintf("matrix-rest-room-%d", c.n)
	}
	return body
}

// restRows are the matrix rows of every route of the REST route table.
func restRows() []row {
	trig := auth.ScopeTrigger
	trigger := func(route, mode string) row {
		r := restRow(route, accessEmbedTrigger, trig, http.StatusOK, true,
			func(_ *fixture, c *matrixCase) call {
				_, p, _ := strings.Cut(route, " ")
				return httpCall(http.MethodPost, p, triggerBody(c, mode),
					fmt.Sprintf("matrix-rest-room-%d", c.n))
			})
		r.variant = mode
		return r
	}

	// The stream route runs a subscription, and validation changes nothing:
	// neither leaves an audit entry.
	stream := trigger("POST /api/v2/trigger-agent/stream", "text")
	stream.mutation = false
	stream.check = func(t *testing.T, _ *fixture, _ *matrixCase, r result) {
		if !strings.Contains(r.body, `"done":true`) {
			t.Errorf("stream did not end with a done event: %s", short(r.body))
		}
	}
	validate := restRow("POST /api/v1/wordpress-sites/auth/validate", accessPublic, "",
		http.StatusOK, false, func(f *fixture, _ *matrixCase) call {
			return httpCall(http.MethodPost, "/api/v1/wordpress-sites/auth/validate",
				map[string]any{"api_key": f.siteA})
		})
	validate.mutation = false

	rows := []row{
		trigger("POST /api/v1/trigger-agent", "text"),
		trigger("POST /api/v2/trigger-agent", "text"),
		trigger("POST /api/v2/trigger-agent", "voice"),
		stream, validate,
		restRow("POST /api/v2/embed-token", accessMintEmbed, trig, http.StatusOK, true,
			func(_ *fixture, c *matrixCase) call {
				return httpCall(http.MethodPost, "/api/v2/embed-token",
					map[string]any{"agent_slug": "helper", "client_id": c.client})
			}),
	}
	rows = append(rows, restClientRows("v1")...)
	rows = append(rows, restClientRows("v2")...)
	rows = append(rows, restRow("GET /api/v2/clients/{id}/api-keys", accessClient,
		auth.ScopeRead, http.StatusOK, true, path("GET /api/v2/clients/{client}/api-keys")))
	rows = append(rows, restAgentRows()...)
	return append(rows, restSiteRows()...)
}

// restClientRows are the client routes of one API version.
func restClientRows(v string) []row {
	read, manage := auth.ScopeRead, auth.ScopeManage
	base := "/api/" + v + "/clients"
	item := base + "/{id}"
	if v == "v1" {
		item = base + "/{client_id}"
	}
	list := restRow("GET "+base, accessAccount, "", http.StatusOK, false,
		func(*fixture, *matrixCase) call { return httpCall(http.MethodGet, base, nil) })
	list.check = onlyOwnClient
	return []row{list,
		restRow("POST "+base, accessPlatform, "", http.StatusCreated, false,
			func(_ *fixture, c *matrixCase) call {
				return httpCall(http.MethodPost, base,
					map[string]any{"name": fmt.Sprintf("REST created %d", c.n)})
			}),
		restRow("GET "+item, accessClient, read, http.StatusOK, true,
			path("GET "+base+"/{client}")),
		restRow("PUT "+item, accessClient, manage, http.StatusOK, true,
			func(f *fixture, c *matrixCase) call {
				return httpCall(http.MethodPut, base+"/"+c.client.String(),
					map[string]any{"name": clientName(f, c)}, clientName(f, c))
			}),
		restRow("DELETE "+item, accessPlatform, "", http.StatusOK, true,
			func(f *fixture, c *matrixCase) call {
				id := c.client
				if c.allowed {
					id = f.newClient()
				}
				return httpCall(http.MethodDelete, base+"/"+id.String(), nil)
			}),
	}
}

func restAgentRows() []row {
	read, manage := auth.ScopeRead, auth.ScopeManage
	doomed := func(f *fixture, c *matrixCase) string {
		slug := fmt.Sprintf("doomed-%d", c.n)
		if owner := c.objectClient(); owner != uuid.Nil {
			f.newAgent(owner, slug)
		}
		return slug
	}
	create := func(c *matrixCase) map[string]any {
		return map[string]any{"slug": fmt.Sprintf("rest-made-%d", c.n), "name": "Made"}
	}
	detect := restRow("GET /api/v2/agents/{slug}", accessClient, read, http.StatusOK, true,
		func(_ *fixture, c *matrixCase) call {
			return httpCall(http.MethodGet, "/api/v2/agents/"+detectSlug(c), nil, detectSlug(c))
		})
	detect.variant = "client found from the slug"
	return []row{
		restRow("GET /api/v2/agents", accessClient, read, http.StatusOK, true,
			path("GET /api/v2/agents?client_id={client}")),
		restRow("GET /api/v2/agents/{slug}", accessClient, read, http.StatusOK, true,
			path("GET /api/v2/agents/helper?client_id={client}")),
		detect,
		restRow("POST /api/v2/agents", accessClient, manage, http.StatusCreated, true,
			func(_ *fixture, c *matrixCase) call {
				return httpCall(http.MethodPost, "/api/v2/agents?client_id="+c.client.String(),
					create(c))
			}),
		restRow("PUT /api/v2/agents/{slug}", accessClient, manage, http.StatusOK, true,
			func(_ *fixture, c *matrixCase) call {
				return httpCall(http.MethodPut, "/api/v2/agents/helper?client_id="+c.client.String(),
					map[string]any{"name": "Helper"})
			}),
		restRow("DELETE /api/v2/agents/{slug}", accessClient, manage, http.StatusOK, true,
			func(f *fixture, c *matrixCase) call {
				return httpCall(http.MethodDelete, "/api/v2/agents/"+doomed(f, c)+"?client_id="+
					c.client.String(), nil)
			}),
		restRow("GET /api/v1/agents/client/{client_id}", accessClient, read, http.StatusOK, true,
			path("GET /api/v1/agents/client/{client}")),
		restRow("POST /api/v1/agents/client/{client_id}", accessClient, manage,
			http.StatusCreated, true, func(_ *fixture, c *matrixCase) call {
				return httpCall(http.MethodPost, "/api/v1/agents/client/"+c.client.String(), create(c))
			}),
		restRow("GET /api/v1/agents/client/{client_id}/{slug}", accessClient, read,
			http.StatusOK, true, path("GET /api/v1/agents/client/{client}/helper")),
		restRow("PUT /api/v1/agents/client/{client_id}/{slug}", accessClient, manage,
			http.StatusOK, true, func(_ *fixture, c *matrixCase) call {
				return httpCall(http.MethodPut, "/api/v1/agents/client/"+c.client.String()+"/helper",
					map[string]any{"name": "Helper"})
			}),
		restRow("DELETE /api/v1/agents/client/{client_id}/{slug}", accessClient, manage,
			http.StatusOK, true, func(f *fixture, c *matrixCase) call {
				return httpCall(http.MethodDelete,
					"/api/v1/agents/client/"+c.client.String()+"/"+doomed(f, c), nil)
			}),
	}
}

func restSiteRows() []row {
	read, manage := auth.ScopeRead, auth.ScopeManage
	return []row{
		restRow("POST /api/v1/wordpress-sites", accessClient, manage, http.StatusCreated, true,
			func(_ *fixture, c *matrixCase) call {
				return httpCall(http.MethodPost, "/api/v1/wordpress-sites", map[string]any{
					"client_id": c.client, "name": "REST site",
					"domain": fmt.Sprintf("rest-%d.example", c.n)})
			}),
		restRow("GET /api/v1/wordpress-sites", accessClient, read, http.StatusOK, true,
			path("GET /api/v1/wordpress-sites?client_id={client}")),
		restRow("DELETE /api/v1/wordpress-sites/{id}", accessClient, manage, http.StatusOK, true,
			func(f *fixture, c *matrixCase) call {
				id := uuid.New()
				if owner := c.objectClient(); owner != uuid.Nil {
					id = f.newSite(owner)
				}
				return httpCall(http.MethodDelete, "/api/v1/wordpress-sites/"+id.String()+
					"?client_id="+c.client.String(), nil)
			}),
	}
}

// sessionOnly is the rule of the session API: signed-in users, and 401 for
// everyone else, whatever key they send.
func sessionOnly(p *principal, _ target) outcome {
	if p.isUser {
		return allowed
	}
	return denied(apperr.Unauthenticated)
}

// appRows are the matrix rows of the routes outside the REST table.
func appRows(f *fixture) []row {
	get := func(pattern string, a access, status int, p string) row {
		return row{name: pattern, surface: overHTTP, access: a, status: status,
			build: func(*fixture, *matrixCase) call { return httpCall(http.MethodGet, p, nil) }}
	}
	everyone := func(*principal, target) outcome { return allowed }
	rows := []row{
		get("GET /health", accessPublic, http.StatusOK, "/health"),
		get("GET /health/detailed", accessAccount, http.StatusOK, "/health/detailed"),
		get("GET /metrics", accessPlatform, http.StatusOK, "/metrics"),
		get("GET /playground", accessAccount, http.StatusOK, "/playground"),
		get("GET /docs", accessAccount, http.StatusOK, "/docs"),
		get("/", accessAccount, http.StatusNotFound, "/no-such-route"),
		get("/api/", accessAny, http.StatusOK, "/api/openapi.json"),
		get("/graphql", accessAny, http.StatusOK, "/graphql?query=%7B__typename%7D"),
		{name: "GET /admin/", surface: overHTTP, status: adminStatus(), expect: everyone,
			build: func(*fixture, *matrixCase) call { return httpCall(http.MethodGet, "/admin/", nil) }},
		{name: "GET /api/v1/worker/config", surface: overHTTP, status: http.StatusOK,
			// The worker's configuration holds client A's provider key: that
			// is what the worker fetches it for.
			shownSecrets: []string{"OpenAI key of A"},
			expect: func(p *principal, _ target) outcome {
				if p.worker {
					return allowed
				}
				return denied(apperr.Unauthenticated)
			},
			build: func(*fixture, *matrixCase) call {
				return httpCall(http.MethodGet, "/api/v1/worker/config", nil)
			},
			check: func(t *testing.T, f *fixture, _ *matrixCase, r result) {
				if !strings.Contains(r.body, f.a.String()) || strings.Contains(r.body, openAIKeyB) {
					t.Errorf("worker configuration is not client A's alone: %s", short(r.body))
				}
			}},
		{name: "POST /webhooks/livekit", surface: overHTTP,
			expect: func(*principal, target) outcome { return denied(apperr.Unauthenticated) },
			build: func(*fixture, *matrixCase) call {
				return httpCall(http.MethodPost, "/webhooks/livekit", map[string]any{"event": "room_started"})
			}},
		{name: "GET " + auth.SessionPath, surface: overHTTP, status: http.StatusOK,
			expect: sessionOnly,
			build: func(*fixture, *matrixCase) call {
				return httpCall(http.MethodGet, auth.SessionPath, nil)
			}},
		{name: "POST " + auth.LoginPath, surface: overHTTP, status: http.StatusOK,
			expect: sessionOnly,
			build: func(_ *fixture, c *matrixCase) call {
				email, pw := "nobody@example.com", "not a password"
				if c.p.isUser {
					email, pw = c.p.email, c.p.password
				}
				return httpCall(http.MethodPost, auth.LoginPath,
					map[string]any{"email": email, "password": pw})
			}},
		{name: "POST " + auth.LogoutPath, surface: overHTTP, status: http.StatusNoContent,
			expect: sessionOnly,
			build: func(f *fixture, c *matrixCase) call {
				out := httpCall(http.MethodPost, auth.LogoutPath, nil)
				if c.p.isUser {
					// Sign out a second session of the user, so that the
					// matrix's own session stays.
					fresh := *c.p
					fresh.session = f.env.Login(f.t, c.p.email, c.p.password)
					out.as = &fresh
				}
				return out
			}},
	}
	return rows
}

// adminStatus is the status of GET /admin/: 200 when the SPA build was
// embedded, 503 with the "how to build it" page in a binary built before
// npm run build, as in a fresh clone.
func adminStatus() int {
	if _, err := fs.Stat(web.Embedded, "index.html"); err != nil {
		return http.StatusServiceUnavailable
	}
	return http.StatusOK
}
