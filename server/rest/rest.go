// Package rest serves the REST v1 and v2 compatibility API. Every route runs
// a named GraphQL operation through the platform's executor and reshapes the
// result into the legacy JSON.
package rest

import (
	"log/slog"
	"net/http"

	"github.com/99designs/gqlgen/graphql/executor"
)

// Options configure the REST handler.
type Options struct {
	Executor *executor.Executor
	Log      *slog.Logger
}

// NewHandler returns the handler of every REST route under /api/.
func NewHandler(opts Options) http.Handler {
	// TODO: route table.
	return http.NotFoundHandler()
}
