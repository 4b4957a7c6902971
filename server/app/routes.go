package app

import (
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/99designs/gqlgen/graphql/playground"

	"github.com/sidekick-forge/sidekick-forge/graph"
	"github.com/sidekick-forge/sidekick-forge/server/auth"
	"github.com/sidekick-forge/sidekick-forge/server/livekit"
	"github.com/sidekick-forge/sidekick-forge/server/rest"
	"github.com/sidekick-forge/sidekick-forge/server/trigger"
	"github.com/sidekick-forge/sidekick-forge/server/web"
)

// routeMux is a ServeMux that records its patterns, so that tests can
// check that every route is covered.
type routeMux struct {
	*http.ServeMux
	patterns *[]string
}

func (m routeMux) Handle(pattern string, h http.Handler) {
	*m.patterns = append(*m.patterns, pattern)
	m.ServeMux.Handle(pattern, h)
}

// Routes returns the patterns of every route outside the REST API's own
// table (rest.Routes lists those, which are served under "/api/").
func (a *App) Routes() []string { return slices.Clone(a.routePatterns) }

func (a *App) routes() http.Handler {
	mux := routeMux{http.NewServeMux(), &a.routePatterns}
	protect := func(h http.Handler) http.Handler { return auth.RequireAccount(WriteError, h) }

	mux.Handle("GET /health", http.HandlerFunc(a.health))
	mux.Handle("GET /health/detailed", protect(http.HandlerFunc(a.healthDetailed)))
	// Metrics describe the whole platform, so only its admins read them.
	mux.Handle("GET /metrics", auth.RequirePlatformAdmin(WriteError, a.metricsHandler()))

	gql := graph.NewHandler(a.Schema, graph.HandlerOptions{
		Auth: a.Auth, Log: a.Log, Audit: a.auditMutation,
	})
	// Anonymous operations reach the executor, which lets through only the
	// public fields (health, validateSiteKey).
	mux.Handle("/graphql", requireUnlessWebsocket(graph.LimitBody(gql)))
	mux.Handle("GET /playground", protect(playground.Handler("Sidekick Forge GraphQL", "/graphql")))

	// REST routes authenticate through the executor, like /graphql.
	mux.Handle("/api/", auth.CORS(a.Store, a.Log, WriteError)(
		rest.NewHandler(rest.Options{Executor: a.Executor, Log: a.Log})))
	mux.Handle("GET /docs", protect(rest.DocsHandler()))
	mux.Handle("/", protect(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		WriteError(w, r, http.StatusNotFound, "NOT_FOUND", "no route for "+r.Method+" "+r.URL.Path)
	})))

	// Agent workers and LiveKit authenticate with their own credentials (a
	// worker token, a signed webhook) in the Authorization header, so these
	// two routes bypass the credential middleware. So do the session API,
	// which reads the cookie itself, and the SPA's static files: a stale
	// cookie must not keep anyone from loading the login page.
	root := routeMux{http.NewServeMux(), &a.routePatterns}
	root.Handle("GET "+trigger.WorkerConfigPath, a.Trigger.WorkerConfigHandler(WriteError))
	root.Handle("POST /webhooks/livekit", a.Trigger.WebhookHandler(WriteError))
	sessions := a.Sessions.Handler(WriteError)
	root.Handle("POST "+auth.LoginPath, sessions)
	root.Handle("POST "+auth.LogoutPath, sessions)
	root.Handle("GET "+auth.SessionPath, sessions)
	// The SPA is static files only: it signs in and fetches data through /graphql.
	root.Handle("GET "+web.Prefix, web.Handler(web.Embedded))
	root.Handle("/", a.Auth.Middleware(WriteError)(mux))
	return withRequestLog(a.Log, root)
}

func (a *App) health(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, map[string]any{
		"status": "healthy", "service": "sidekick-forge", "timestamp": time.Now().UTC(),
	})
}

// healthDetailed reports the platform database, LiveKit and, for platform
// keys, tenant pool statistics and client counts by status.
func (a *App) healthDetailed(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 3*time.Second)
	defer cancel()

	checks := map[string]bool{"database": a.DB.PingContext(ctx) == nil}
	lk := livekit.Settings{URL: a.Config.LiveKitURL, APIKey: a.Config.LiveKitAPIKey,
		APISecret: a.Config.LiveKitAPISecret}
	if len(lk.Missing()) == 0 {
		checks["livekit"] = a.LiveKit.Ping(ctx, lk) == nil
	}
	status := "healthy"
	for _, ok := range checks {
		if !ok {
			status = "degraded"
		}
	}
	body := map[string]any{"status": status, "checks": checks, "timestamp": time.Now().UTC()}
	if auth.FromContext(r.Context()).PlatformAdmin() {
		counts, err := a.Store.CountByStatus(ctx)
		if err == nil {
			body["clients"] = counts
		}
		body["tenant_pools"] = a.Tenants.Stats()
	}
	writeJSON(w, http.StatusOK, body)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// requireUnlessWebsocket rejects anonymous GraphQL requests with 401. A
// websocket upgrade goes through: a browser cannot set headers on it, so
// subscriptions authenticate in their connection_init payload instead.
func requireUnlessWebsocket(next http.Handler) http.Handler {
	protected := auth.Require(WriteError, next)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.EqualFold(r.Header.Get("Upgrade"), "websocket") {
			next.ServeHTTP(w, r)
			return
		}
		protected.ServeHTTP(w, r)
	})
}
