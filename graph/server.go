package graph

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler"
	"github.com/99designs/gqlgen/graphql/handler/extension"
	"github.com/99designs/gqlgen/graphql/handler/lru"
	"github.com/99designs/gqlgen/graphql/handler/transport"
	"github.com/google/uuid"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/sidekick-forge/sidekick-forge/graph/model"
	"github.com/sidekick-forge/sidekick-forge/server/apperr"
	"github.com/sidekick-forge/sidekick-forge/server/auth"
)

// MaxComplexity bounds the cost of one operation: each field costs 1 and a
// list field costs its page size times its children.
const MaxComplexity = 2000

// maxQueryTokens bounds the size of one query document before parsing.
const maxQueryTokens = 10000

// MaxRequestBytes bounds the body of one GraphQL request.
const MaxRequestBytes = 1 << 20

// NewSchema returns the executable schema over r.
func NewSchema(r *Resolver) graphql.ExecutableSchema {
	cfg := Config{Resolvers: r}
	cfg.Directives.Tenant = r.tenantDirective
	cfg.Directives.TenantData = func(ctx context.Context, _ any, next graphql.Resolver) (any, error) {
		return next(ctx)
	}
	cfg.Complexity.Query.Agents = func(child int, _ uuid.UUID, first *int, _ *string) int {
		return pagedComplexity(child, first)
	}
	cfg.Complexity.Query.Clients = func(child int, first *int, _ *string, _ *string,
		_ *model.ProvisioningStatus) int {
		return pagedComplexity(child, first)
	}
	cfg.Complexity.Client.Agents = func(child int, first *int, _ *string) int {
		return pagedComplexity(child, first)
	}
	cfg.Complexity.Query.Users = func(child int, first *int, _ *string, _ *string) int {
		return pagedComplexity(child, first)
	}
	cfg.Complexity.Query.AuditLog = func(child int, _ *uuid.UUID, first *int, _ *string) int {
		return pagedComplexity(child, first)
	}
	return NewExecutableSchema(cfg)
}

// pagedComplexity counts a page of first items. A first outside 1..100 is
// counted as the default page, so the resolver rejects it with a message
// naming the argument instead of the complexity limit rejecting it.
func pagedComplexity(child int, first *int) int {
	n := defaultPageSize
	if first != nil && *first >= 1 && *first <= maxPageSize {
		n = *first
	}
	return 1 + n*child
}

// Configurable is what both the HTTP handler and the bare executor used by
// the REST shims offer, so that both get the same extensions and policies.
type Configurable interface {
	Use(graphql.HandlerExtension)
	AroundOperations(graphql.OperationMiddleware)
	SetErrorPresenter(graphql.ErrorPresenterFunc)
	SetRecoverFunc(graphql.RecoverFunc)
	SetQueryCache(graphql.Cache[*ast.QueryDocument])
	SetDisableSuggestion(bool)
	SetParserTokenLimit(int)
}

// Configure applies the platform's GraphQL policies to c: authentication of
// every operation but the public ones, complexity limits, persisted queries
// and the error presenter.
func Configure(c Configurable, log *slog.Logger, opts ...ConfigOption) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	var cfg configOptions
	for _, o := range opts {
		o(&cfg)
	}
	c.SetQueryCache(lru.New[*ast.QueryDocument](1000))
	// Validation runs before authentication, so "did you mean" suggestions
	// would describe the schema to anonymous callers.
	c.SetDisableSuggestion(true)
	c.SetParserTokenLimit(maxQueryTokens)
	c.Use(extension.Introspection{})
	c.Use(extension.AutomaticPersistedQuery{Cache: lru.New[string](1000)})
	c.Use(extension.FixedComplexityLimit(MaxComplexity))
	c.AroundOperations(requirePrincipal(log))
	if cfg.audit != nil {
		c.Use(auditMutations{audit: cfg.audit, log: log})
	}
	c.SetErrorPresenter(presentError(log))
	c.SetRecoverFunc(recoverPanic(log))
}

// publicFields may be used without a principal.
var publicFields = map[string]bool{"health": true, "validateSiteKey": true, "__typename": true}

// requirePrincipal rejects operations of anonymous callers unless every
// top-level field is public, and operations of embed tokens unless every
// top-level field is public or a trigger. Introspection needs a principal
// too.
func requirePrincipal(log *slog.Logger) graphql.OperationMiddleware {
	return func(ctx context.Context, next graphql.OperationHandler) graphql.ResponseHandler {
		op := graphql.GetOperationContext(ctx)
		if p := auth.FromContext(ctx); p != nil {
			if p.IsEmbed() && (op.Operation == nil || !onlyFields(op.Operation.SelectionSet,
				publicFields, embedFields)) {
				log.Info("request denied", "code", apperr.Forbidden, "actor", p.Actor(),
					"operation", op.OperationName)
				return graphql.OneShot(&graphql.Response{Errors: gqlerror.List{{
					Message:    "an embed token may only trigger its own agent",
					Extensions: map[string]any{"code": string(apperr.Forbidden)},
				}}})
			}
			return next(ctx)
		}
		if op.Operation != nil && allPublic(op.Operation.SelectionSet) {
			return next(ctx)
		}
		return graphql.OneShot(&graphql.Response{Errors: gqlerror.List{{
			Message:    "authentication required: send Authorization: Bearer <key>",
			Extensions: map[string]any{"code": string(apperr.Unauthenticated)},
		}}})
	}
}

func allPublic(set ast.SelectionSet) bool {
	if len(set) == 0 {
		return false
	}
	for _, sel := range set {
		f, ok := sel.(*ast.Field)
		if !ok || !publicFields[f.Name] {
			return false
		}
	}
	return true
}

// HandlerOptions configure the HTTP handler.
type HandlerOptions struct {
	// Auth authenticates websocket connection_init payloads and checks the
	// CSRF token and the browser origin of each connection. Nil accepts only
	// connections whose upgrade request already authenticated a principal
	// and that come from no browser origin.
	Auth WebsocketAuth
	Log  *slog.Logger
	// Audit records successful mutations that wrote no audit entry of
	// their own; nil records nothing extra.
	Audit AuditFunc
}

// NewHandler returns the /graphql HTTP handler: POST, GET and websocket
// subscriptions (graphql-transport-ws and graphql-ws) on gorilla/websocket.
func NewHandler(es graphql.ExecutableSchema, opts HandlerOptions) *handler.Server {
	srv := handler.New(es)
	srv.AddTransport(transport.Websocket{
		Implementation:        gorillaImplementation(),
		InitFunc:              websocketInit(opts.Auth, opts.Log),
		InitTimeout:           10 * time.Second,
		KeepAlivePingInterval: 15 * time.Second,
	})
	srv.AddTransport(transport.Options{})
	srv.AddTransport(transport.GET{})
	srv.AddTransport(postTransport{})
	Configure(srv, opts.Log, WithAudit(opts.Audit))
	return srv
}

// LimitBody caps request bodies at MaxRequestBytes, so an anonymous caller
// cannot make the server read an unbounded body before it is rejected.
func LimitBody(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Body != nil {
			r.Body = http.MaxBytesReader(w, r.Body, MaxRequestBytes)
		}
		next.ServeHTTP(w, r)
	})
}
