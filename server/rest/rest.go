// Package rest serves the REST v1 and v2 compatibility API. Every route runs
// a named GraphQL operation through the platform's executor and reshapes the
// result into the legacy JSON. The routes are rows of one table (routes.go),
// from which the OpenAPI document and the HTML reference are generated too.
package rest

import (
	"log/slog"
	"net/http"
	"strings"

	"github.com/99designs/gqlgen/graphql/executor"

	"github.com/sidekick-forge/sidekick-forge/server/apperr"
	"github.com/sidekick-forge/sidekick-forge/server/auth"
)

// Options configure the REST handler.
type Options struct {
	// Executor runs the operations. It must be configured with the same
	// policies as the /graphql handler (graph.Configure), because REST relies
	// on its authentication, @tenant checks and limits.
	Executor *executor.Executor
	Log      *slog.Logger
}

// OpenAPIPath serves the OpenAPI 3 document of the REST API.
const OpenAPIPath = "/api/openapi.json"

type handler struct {
	exec *executor.Executor
	log  *slog.Logger
	mux  *http.ServeMux
}

// NewHandler returns the handler of every REST route under /api/. Paths
// match with or without a trailing slash.
func NewHandler(opts Options) http.Handler {
	log := opts.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	h := &handler{exec: opts.Executor, log: log, mux: http.NewServeMux()}
	for _, rt := range routes {
		h.mux.HandleFunc(rt.Method+" "+rt.Path, func(w http.ResponseWriter, r *http.Request) {
			h.serve(rt, w, r)
		})
	}
	h.mux.Handle("GET "+OpenAPIPath, requireKey(http.HandlerFunc(serveOpenAPI)))
	h.mux.Handle("/", requireKey(http.HandlerFunc(notFound)))
	return h
}

func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if p := r.URL.Path; len(p) > len("/api/") && strings.HasSuffix(p, "/") {
		r2 := new(http.Request)
		*r2 = *r
		u := *r.URL
		u.Path = strings.TrimSuffix(p, "/")
		u.RawPath = ""
		r2.URL = &u
		r = r2
	}
	h.mux.ServeHTTP(w, r)
}

// DocsHandler serves the HTML reference of the REST API, generated from the
// route table. The caller mounts it behind authentication.
func DocsHandler() http.Handler { return http.HandlerFunc(serveDocs) }

// requireKey rejects anonymous callers with 401 on the routes that run no
// GraphQL operation, as the executor does on every other route.
func requireKey(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if auth.FromContext(r.Context()) == nil {
			w.Header().Set("WWW-Authenticate", `Bearer realm="sidekick-forge"`)
			writeJSON(w, http.StatusUnauthorized, &apiError{Code: string(apperr.Unauthenticated),
				Detail: "authentication required: send Authorization: Bearer <key>"})
			return
		}
		next.ServeHTTP(w, r)
	})
}

func notFound(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusNotFound, &apiError{Code: string(apperr.NotFound),
		Detail: "no route for " + r.Method + " " + r.URL.Path + "; see " + OpenAPIPath})
}
