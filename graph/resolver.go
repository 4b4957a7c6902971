package graph

import (
	"context"
	"log/slog"

	"github.com/google/uuid"

	"github.com/sidekick-forge/sidekick-forge/graph/model"
	"github.com/sidekick-forge/sidekick-forge/server/auth"

	"github.com/sidekick-forge/sidekick-forge/server/accounts"
	"github.com/sidekick-forge/sidekick-forge/server/agents"
	"github.com/sidekick-forge/sidekick-forge/server/clients"
	"github.com/sidekick-forge/sidekick-forge/server/platform"
	"github.com/sidekick-forge/sidekick-forge/server/tenancy"
	"github.com/sidekick-forge/sidekick-forge/server/trigger"
)

// Triggerer runs agent triggers inside a tenant scope.
type Triggerer interface {
	Trigger(ctx context.Context, scope *tenancy.Scope, req trigger.Request) (*trigger.Result, error)
	Stream(ctx context.Context, scope *tenancy.Scope, req trigger.Request) (<-chan trigger.StreamEvent, error)
}

// HealthReporter reports platform health for the health query.
type HealthReporter interface {
	PingDatabase(ctx context.Context) bool
	ClientCounts(ctx context.Context) (map[string]int, error)
	PoolStats() tenancy.Stats
}

// Resolver holds the services that resolvers call. Resolvers stay thin: they
// convert arguments, call one service method and shape the result.
type Resolver struct {
	Store         *platform.Store
	ClientService *clients.Service
	AgentService  *agents.Service
	Accounts      *accounts.Service
	Tenants       *tenancy.Manager
	Triggers      Triggerer
	HealthCheck   HealthReporter
	Log           *slog.Logger
	// PlatformLiveKit reports whether the platform has default LiveKit
	// settings for clients without their own.
	PlatformLiveKit bool
	// TriggerLimit limits triggers per access key (embed tokens count
	// against the key that minted them) and per user; nil allows all.
	TriggerLimit *auth.Limiter
}

func (r *Resolver) client(c *platform.Client) *model.Client {
	return toClient(c, r.PlatformLiveKit)
}

// listAgents pages through the agents of the tenant in scope.
func (r *Resolver) listAgents(ctx context.Context, first *int, after *string) (*model.AgentConnection, error) {
	scope, err := tenancy.ScopeFrom(ctx)
	if err != nil {
		return nil, err
	}
	limit, err := pageSize(first)
	if err != nil {
		return nil, err
	}
	afterSlug, err := decodeCursor("agent", after)
	if err != nil {
		return nil, err
	}
	page, err := agents.List(ctx, scope.DB, scope.ClientID, afterSlug, limit)
	if err != nil {
		return nil, err
	}
	conn := &model.AgentConnection{TotalCount: page.TotalCount, Edges: make([]*model.AgentEdge, 0, len(page.Agents))}
	for _, a := range page.Agents {
		conn.Edges = append(conn.Edges, &model.AgentEdge{Cursor: encodeCursor("agent", a.Slug), Node: toAgent(a)})
	}
	conn.PageInfo = pageInfo(conn.Edges, func(e *model.AgentEdge) string { return e.Cursor },
		page.HasNext, afterSlug != "")
	return conn, nil
}

// audit records a tenant-data change made by the caller.
func (r *Resolver) audit(ctx context.Context, action string, clientID uuid.UUID, target string) {
	id := clientID
	actor := auth.FromContext(ctx).Actor()
	if err := r.Store.Audit(context.WithoutCancel(ctx), actor, action, &id, target, nil); err != nil {
		r.Log.Error("write audit entry", "action", action, "client_id", clientID, "error", err)
	}
}
