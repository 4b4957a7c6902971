// Package auth authenticates callers and carries their principal through the
// request context.
package auth

import (
	"context"
	"slices"

	"github.com/google/uuid"
)

// Principal kinds.
const (
	KindPlatformKey = "platform_key"
	KindClientKey   = "client_key"
	KindSiteKey     = "site_key"
)

// Scopes of client keys.
const (
	ScopeRead    = "read"
	ScopeTrigger = "trigger"
	ScopeManage  = "manage"
)

// Principal is the authenticated caller of a request.
type Principal struct {
	Kind   string
	KeyID  uuid.UUID
	Prefix string
	// ClientID is the one client a client or site key acts for; zero for
	// platform keys, which act for every client.
	ClientID       uuid.UUID
	Scopes         []string
	AllowedOrigins []string
	Domain         string
}

// PlatformAdmin reports whether p may act on every client.
func (p *Principal) PlatformAdmin() bool { return p != nil && p.Kind == KindPlatformKey }

// CanAccessClient reports whether p may act on client id.
func (p *Principal) CanAccessClient(id uuid.UUID) bool {
	if p == nil {
		return false
	}
	return p.PlatformAdmin() || (p.ClientID != uuid.Nil && p.ClientID == id)
}

// VisibleClients returns the clients p may see: nil for every client.
func (p *Principal) VisibleClients() []uuid.UUID {
	if p.PlatformAdmin() {
		return nil
	}
	if p == nil || p.ClientID == uuid.Nil {
		return []uuid.UUID{}
	}
	return []uuid.UUID{p.ClientID}
}

// HasScope reports whether p holds scope. Platform keys hold every scope.
func (p *Principal) HasScope(scope string) bool {
	return p.PlatformAdmin() || (p != nil && slices.Contains(p.Scopes, scope))
}

// Actor names p in the audit log: its kind and visible key prefix.
func (p *Principal) Actor() string {
	if p == nil {
		return "anonymous"
	}
	return p.Kind + ":" + p.Prefix
}

type principalKey struct{}

// WithPrincipal returns ctx carrying p.
func WithPrincipal(ctx context.Context, p *Principal) context.Context {
	return context.WithValue(ctx, principalKey{}, p)
}

// FromContext returns the principal of ctx, or nil for an anonymous caller.
func FromContext(ctx context.Context) *Principal {
	p, _ := ctx.Value(principalKey{}).(*Principal)
	return p
}
