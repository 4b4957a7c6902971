package graph

import (
	"context"
	"strings"

	"github.com/99designs/gqlgen/graphql"
	"github.com/google/uuid"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/sidekick-forge/sidekick-forge/graph/model"
	"github.com/sidekick-forge/sidekick-forge/server/agents"
	"github.com/sidekick-forge/sidekick-forge/server/apperr"
	"github.com/sidekick-forge/sidekick-forge/server/auth"
	"github.com/sidekick-forge/sidekick-forge/server/tenancy"
)

// tenantDirective implements @tenant: find the client, check the caller may
// use it with scope, open the tenant database and put it in the context.
func (r *Resolver) tenantDirective(ctx context.Context, obj any, next graphql.Resolver,
	autodetect *string, scope *model.AccessScope) (any, error) {
	p := auth.FromContext(ctx)
	if p == nil {
		return nil, apperr.New(apperr.Unauthenticated, "authentication required")
	}
	var clientID uuid.UUID
	var err error
	if p.IsEmbed() {
		clientID, err = embedClient(ctx, p, autodetect)
	} else {
		clientID, err = r.resolveClient(ctx, p, obj, autodetect)
	}
	if err != nil {
		return nil, err
	}
	if !p.CanAccessClient(clientID) {
		// The same error whether or not the client exists.
		return nil, auth.HiddenClient(clientID)
	}
	need := auth.ScopeRead
	if scope != nil {
		need = strings.ToLower(string(*scope))
	}
	if !p.HasScopeFor(clientID, need) {
		return nil, auth.ScopeDenied(p, need, nil)
	}

	lease, err := r.Tenants.Acquire(ctx, clientID)
	if err != nil {
		return nil, err
	}
	scoped := tenancy.WithScope(ctx, &tenancy.Scope{ClientID: clientID, DB: lease.DB()})
	res, err := next(scoped)

	if graphql.GetOperationContext(ctx).Operation.Operation == ast.Subscription && err == nil {
		// A subscription resolver returns a channel and goes on producing
		// events; the tenant database stays leased until the subscription's
		// context ends.
		go func() {
			<-ctx.Done()
			lease.Release()
		}()
		return res, nil
	}
	lease.Release()
	return res, err
}

// resolveClient finds the client of a @tenant field: the clientId argument,
// the input's clientId, the parent object, or auto-detection by slug.
func (r *Resolver) resolveClient(ctx context.Context, p *auth.Principal, obj any,
	autodetect *string) (uuid.UUID, error) {
	args := graphql.GetFieldContext(ctx).Args
	if id, ok := args["clientId"].(uuid.UUID); ok {
		return id, nil
	}
	if id, ok := args["clientId"].(*uuid.UUID); ok && id != nil {
		return *id, nil
	}
	input, _ := args["input"].(interface{ TenantClientID() *uuid.UUID })
	if input != nil && input.TenantClientID() != nil {
		return *input.TenantClientID(), nil
	}
	if owner, ok := obj.(interface{ OwnerClientID() uuid.UUID }); ok {
		return owner.OwnerClientID(), nil
	}
	if autodetect == nil {
		return uuid.Nil, apperr.New(apperr.Internal, "field %s has no client to scope to",
			graphql.GetFieldContext(ctx).Field.Name)
	}
	slug := slugArgument(args, *autodetect)
	field := "slug"
	if strings.HasPrefix(*autodetect, "input.") {
		field = "agent_slug"
	}
	if err := agents.ValidateSlug(field, slug); err != nil {
		return uuid.Nil, err
	}
	return r.detectClient(ctx, p, slug)
}

func slugArgument(args map[string]any, name string) string {
	if s, ok := args[name].(string); ok {
		return s
	}
	if in, ok := args["input"].(interface{ TenantAgentSlug() string }); ok &&
		strings.HasPrefix(name, "input.") {
		return in.TenantAgentSlug()
	}
	return ""
}

// detectClient finds the one client, among those visible to p, that has an
// agent with slug. It reads only the platform's slug index.
func (r *Resolver) detectClient(ctx context.Context, p *auth.Principal, slug string) (uuid.UUID, error) {
	// Every client the caller has any role in is searched, so that a key
	// with the trigger scope alone still finds its agent.
	matches, err := r.Store.FindSlug(ctx, slug, p.AccessibleClients())
	if err != nil {
		return uuid.Nil, err
	}
	switch len(matches) {
	case 0:
		return uuid.Nil, apperr.New(apperr.NotFound, "agent %q not found", slug)
	case 1:
		return matches[0].ClientID, nil
	}
	candidates := make([]map[string]any, 0, len(matches))
	names := make([]string, 0, len(matches))
	for _, m := range matches {
		candidates = append(candidates, map[string]any{"client_id": m.ClientID.String(),
			"client_name": m.ClientName})
		names = append(names, m.ClientName+" ("+m.ClientID.String()+")")
	}
	return uuid.Nil, &apperr.Error{
		Code: apperr.AmbiguousAgent,
		Message: "agent \"" + slug + "\" exists in several clients: " + strings.Join(names, ", ") +
			"; pass client_id to choose one",
		Details: map[string]any{"candidates": candidates},
	}
}
