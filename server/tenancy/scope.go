package tenancy

import (
	"context"
	"errors"

	"github.com/google/uuid"
	"github.com/uptrace/bun"
)

// Scope is the tenant a request acts on, opened by the GraphQL @tenant
// directive. Resolvers take the tenant database only from here.
type Scope struct {
	ClientID uuid.UUID
	DB       *bun.DB
}

type scopeKey struct{}

// WithScope returns ctx carrying s.
func WithScope(ctx context.Context, s *Scope) context.Context {
	return context.WithValue(ctx, scopeKey{}, s)
}

// ErrNoScope reports a resolver that reads tenant data outside the @tenant
// directive: a programming error in the schema.
var ErrNoScope = errors.New("no tenant scope in context: the field lacks the @tenant directive")

// ScopeFrom returns the tenant scope of ctx.
func ScopeFrom(ctx context.Context) (*Scope, error) {
	s, ok := ctx.Value(scopeKey{}).(*Scope)
	if !ok || s == nil {
		return nil, ErrNoScope
	}
	return s, nil
}
