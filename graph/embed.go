package graph

import (
	"context"
	"slices"
	"strconv"

	"github.com/99designs/gqlgen/graphql"
	"github.com/google/uuid"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/sidekick-forge/sidekick-forge/server/apperr"
	"github.com/sidekick-forge/sidekick-forge/server/auth"
	"github.com/sidekick-forge/sidekick-forge/server/conversations"
	"github.com/sidekick-forge/sidekick-forge/server/tenancy"
	"github.com/sidekick-forge/sidekick-forge/server/trigger"
)

// embedFields are the root fields an embed token may use besides the public
// ones. Every other field, including any added later, is FORBIDDEN to it.
var embedFields = map[string]bool{"triggerAgent": true, "triggerAgentStream": true}

// embedClient returns the client of a @tenant field called with an embed
// token. The token is bound to one client and one agent: a field without an
// agent slug, another slug or another client is FORBIDDEN. Another client
// is FORBIDDEN whether or not it exists, so the error reveals nothing, and
// REST clients of embed tokens expect 403 for it.
func embedClient(ctx context.Context, p *auth.Principal, autodetect *string) (uuid.UUID, error) {
	if autodetect == nil {
		return uuid.Nil, auth.ScopeDenied(p, auth.ScopeRead, nil)
	}
	args := graphql.GetFieldContext(ctx).Args
	if slug := slugArgument(args, *autodetect); slug != p.AgentSlug {
		return uuid.Nil, apperr.New(apperr.Forbidden,
			"this embed token is for agent %q, not %q", p.AgentSlug, slug)
	}
	if id := explicitClient(args); id != nil && *id != p.ClientID {
		return uuid.Nil, apperr.New(apperr.Forbidden, "this embed token is for another client")
	}
	return p.ClientID, nil
}

// explicitClient returns the client a field's arguments name, if any.
func explicitClient(args map[string]any) *uuid.UUID {
	switch id := args["clientId"].(type) {
	case uuid.UUID:
		return &id
	case *uuid.UUID:
		if id != nil {
			return id
		}
	}
	if in, ok := args["input"].(interface{ TenantClientID() *uuid.UUID }); ok {
		return in.TenantClientID()
	}
	return nil
}

// bindEndUser applies an embed token's end user to a trigger: every trigger
// runs as the token's user. A token minted for a named user rejects a
// request for another user with FORBIDDEN; an anonymous token replaces the
// request's user id with its generated one, so anonymous visitors never
// share one. A conversation of another user is FORBIDDEN too.
func bindEndUser(ctx context.Context, scope *tenancy.Scope, req *trigger.Request) error {
	p := auth.FromContext(ctx)
	if !p.IsEmbed() {
		return nil
	}
	if !p.AnonymousEndUser && req.UserID != p.EndUserID {
		return apperr.New(apperr.Forbidden, "this embed token is for another user id")
	}
	req.UserID = p.EndUserID
	if req.ConversationID == "" {
		return nil
	}
	conv, err := conversations.Get(ctx, scope.DB, req.ConversationID)
	if apperr.CodeOf(err) == apperr.NotFound {
		return nil
	}
	if err != nil {
		return err
	}
	if conv.UserID != p.EndUserID {
		return apperr.New(apperr.Forbidden, "conversation %q belongs to another user",
			req.ConversationID)
	}
	return nil
}

// limitTrigger takes one trigger from the caller's budget: its access key,
// the key that minted its embed token, or the user. Over the budget it is
// RATE_LIMITED with the seconds to wait in extensions.retryAfter, which
// REST sends as Retry-After with status 429.
func (r *Resolver) limitTrigger(ctx context.Context) error {
	p := auth.FromContext(ctx)
	if p == nil {
		return auth.ErrUnauthenticated()
	}
	key := "key:" + p.KeyID.String()
	if p.IsUser() {
		key = "user:" + p.UserID.String()
	}
	ok, wait := r.TriggerLimit.Allow(key)
	if ok {
		return nil
	}
	secs := auth.RetryAfterSeconds(wait)
	return &apperr.Error{Code: apperr.RateLimited, Details: map[string]any{"retryAfter": secs},
		Message: "trigger rate limit reached for this key; retry in " + strconv.Itoa(secs) + " seconds"}
}

// admitTrigger applies the trigger rate limit and an embed token's bindings
// to req before it runs.
func (r *Resolver) admitTrigger(ctx context.Context, scope *tenancy.Scope, req *trigger.Request) error {
	if err := r.limitTrigger(ctx); err != nil {
		return err
	}
	return bindEndUser(ctx, scope, req)
}

// auditTrigger records a trigger: who started which agent in which mode.
func (r *Resolver) auditTrigger(ctx context.Context, scope *tenancy.Scope, res *trigger.Result) {
	actor := auth.FromContext(ctx).Actor()
	err := r.Store.Audit(context.WithoutCancel(ctx), actor, "agent.trigger", &scope.ClientID,
		res.Agent.Slug, map[string]any{"mode": res.Mode, "conversation_id": res.ConversationID})
	if err != nil {
		r.Log.Error("write audit entry", "action", "agent.trigger", "client_id", scope.ClientID,
			"error", err)
	}
}

// onlyFields reports whether every top-level selection of set is a field
// named in one of allowed. Fragments are not allowed, so that nothing can
// hide a field from the check.
func onlyFields(set ast.SelectionSet, allowed ...map[string]bool) bool {
	if len(set) == 0 {
		return false
	}
	for _, sel := range set {
		f, ok := sel.(*ast.Field)
		if !ok || !slices.ContainsFunc(allowed, func(m map[string]bool) bool { return m[f.Name] }) {
			return false
		}
	}
	return true
}
