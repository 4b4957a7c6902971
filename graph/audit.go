package graph

import (
	"context"
	"log/slog"

	"github.com/99designs/gqlgen/graphql"
	"github.com/google/uuid"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/sidekick-forge/sidekick-forge/server/platform"
)

// AuditFunc records that the caller of ctx ran mutation field on client
// (nil when no client is named). It never receives argument values, which
// may hold secrets.
type AuditFunc func(ctx context.Context, field string, clientID *uuid.UUID)

// ConfigOption adds an optional policy to Configure.
type ConfigOption func(*configOptions)

type configOptions struct{ audit AuditFunc }

// WithAudit makes every successful mutation leave an audit entry: one that
// wrote none of its own gets a generic entry from audit. Nil turns it off.
func WithAudit(audit AuditFunc) ConfigOption {
	return func(o *configOptions) { o.audit = audit }
}

// auditExempt are the mutations that change nothing and so leave no entry.
var auditExempt = map[string]bool{"validateSiteKey": true}

// auditMutations is the extension behind WithAudit. Mutations run one at a
// time, so each root field's audit mark belongs to that field alone.
type auditMutations struct {
	audit AuditFunc
	log   *slog.Logger
}

var _ graphql.RootFieldInterceptor = auditMutations{}

func (auditMutations) ExtensionName() string                   { return "AuditMutations" }
func (auditMutations) Validate(graphql.ExecutableSchema) error { return nil }

func (a auditMutations) InterceptRootField(ctx context.Context, next graphql.RootResolver) graphql.Marshaler {
	rc := graphql.GetRootFieldContext(ctx)
	if rc == nil || rc.Object != "Mutation" || auditExempt[rc.Field.Name] {
		return next(ctx)
	}
	ctx = platform.WithAuditMark(ctx)
	res := next(ctx)
	if platform.Audited(ctx) || rootFieldFailed(ctx, rc.Field.Alias) {
		return res
	}
	a.log.Warn("mutation wrote no audit entry of its own; writing a generic one",
		"field", rc.Field.Name)
	a.audit(ctx, rc.Field.Name, clientArgument(ctx, rc))
	return res
}

// rootFieldFailed reports whether the root field with alias returned an
// error. Errors deeper in its result mean the mutation itself ran.
func rootFieldFailed(ctx context.Context, alias string) bool {
	for _, e := range graphql.GetErrors(ctx) {
		if len(e.Path) == 1 && e.Path[0] == ast.PathName(alias) {
			return true
		}
	}
	return false
}

// clientArgument returns the client a mutation names in clientId or
// input.clientId, if any.
func clientArgument(ctx context.Context, rc *graphql.RootFieldContext) *uuid.UUID {
	args := rc.Field.ArgumentMap(graphql.GetOperationContext(ctx).Variables)
	raw, _ := args["clientId"].(string)
	if input, ok := args["input"].(map[string]any); ok && raw == "" {
		raw, _ = input["clientId"].(string)
	}
	id, err := uuid.Parse(raw)
	if err != nil {
		return nil
	}
	return &id
}
