// Package auth authenticates callers and carries their principal through the
// request context: access keys, admin SPA sessions (with CSRF protection),
// embed tokens, and the policy of what each principal may do.
package auth

import (
	"context"
	"slices"

	"github.com/google/uuid"
)

// Principal kinds. A user's kind is its highest role: a user who is admin of
// one client and member of another is KindClientAdmin, and the per-client
// checks use its Memberships.
const (
	KindPlatformAdmin = "platform_admin"
	KindClientAdmin   = "client_admin"
	KindClientMember  = "client_member"
	KindPlatformKey   = "platform_key"
	KindClientKey     = "client_key"
	KindSiteKey       = "site_key"
	KindEmbedToken    = "embed_token"
)

// Scopes of client keys.
const (
	ScopeRead    = "read"
	ScopeTrigger = "trigger"
	ScopeManage  = "manage"
)

// Membership roles, as in the platform database.
const (
	RoleAdmin  = "admin"
	RoleMember = "member"
)

// roleScopes maps each membership role to the scopes it grants in its
// client.
var roleScopes = map[string][]string{
	RoleAdmin:  {ScopeRead, ScopeTrigger, ScopeManage},
	RoleMember: {ScopeRead},
}

// Membership is a user's role in one client.
type Membership struct {
	ClientID uuid.UUID
	Role     string
}

// Principal is the authenticated caller of a request.
type Principal struct {
	Kind string

	// KeyID and Prefix identify the access key of a key principal, and the
	// key that minted an embed token.
	KeyID  uuid.UUID
	Prefix string
	// ClientID is the one client a client key, site key or embed token acts
	// for; zero for platform keys and users.
	ClientID       uuid.UUID
	Scopes         []string
	AllowedOrigins []string
	Domain         string

	// UserID, Email and Memberships describe a signed-in user. SessionID is
	// set when the user authenticated with the session cookie, which makes
	// the request subject to CSRF checks.
	UserID      uuid.UUID
	Email       string
	SessionID   uuid.UUID
	Memberships []Membership

	// AgentSlug and EndUserID bind an embed token to one agent and one end
	// user. AnonymousEndUser is true when the platform generated EndUserID.
	AgentSlug        string
	EndUserID        string
	AnonymousEndUser bool
}

// IsUser reports whether p is a signed-in user.
func (p *Principal) IsUser() bool {
	if p == nil {
		return false
	}
	switch p.Kind {
	case KindPlatformAdmin, KindClientAdmin, KindClientMember:
		return true
	}
	return false
}

// IsKey reports whether p authenticated with an access key.
func (p *Principal) IsKey() bool {
	return p != nil && (p.Kind == KindPlatformKey || p.Kind == KindClientKey || p.Kind == KindSiteKey)
}

// IsEmbed reports whether p is an embed token.
func (p *Principal) IsEmbed() bool { return p != nil && p.Kind == KindEmbedToken }

// ViaSession reports whether p authenticated with the session cookie.
func (p *Principal) ViaSession() bool { return p != nil && p.SessionID != uuid.Nil }

// PlatformAdmin reports whether p may act on every client: a platform key or
// a platform admin user.
func (p *Principal) PlatformAdmin() bool {
	return p != nil && (p.Kind == KindPlatformKey || p.Kind == KindPlatformAdmin)
}

// ScopesFor returns the scopes p holds on client id.
func (p *Principal) ScopesFor(id uuid.UUID) []string {
	switch {
	case p == nil || id == uuid.Nil:
		return nil
	case p.PlatformAdmin():
		return roleScopes[RoleAdmin]
	case p.IsUser():
		for _, m := range p.Memberships {
			if m.ClientID == id {
				return roleScopes[m.Role]
			}
		}
		return nil
	case p.ClientID == id:
		return p.Scopes
	}
	return nil
}

// HasScopeFor reports whether p holds scope on client id.
func (p *Principal) HasScopeFor(id uuid.UUID, scope string) bool {
	return slices.Contains(p.ScopesFor(id), scope)
}

// CanAccessClient reports whether p has any access to client id. A
// principal without it gets NOT_FOUND for the client, the same error as for
// a client that does not exist.
func (p *Principal) CanAccessClient(id uuid.UUID) bool {
	if p.PlatformAdmin() {
		return true
	}
	return len(p.ScopesFor(id)) > 0
}

// AccessibleClients returns the clients p has any access to: nil for every
// client.
func (p *Principal) AccessibleClients() []uuid.UUID {
	switch {
	case p.PlatformAdmin():
		return nil
	case p.IsUser():
		out := make([]uuid.UUID, 0, len(p.Memberships))
		for _, m := range p.Memberships {
			out = append(out, m.ClientID)
		}
		return out
	case p == nil || p.ClientID == uuid.Nil || len(p.Scopes) == 0:
		return []uuid.UUID{}
	}
	return []uuid.UUID{p.ClientID}
}

// VisibleClients returns the clients p may read: nil for every client.
func (p *Principal) VisibleClients() []uuid.UUID {
	all := p.AccessibleClients()
	if all == nil {
		return nil
	}
	out := make([]uuid.UUID, 0, len(all))
	for _, id := range all {
		if p.HasScopeFor(id, ScopeRead) {
			out = append(out, id)
		}
	}
	return out
}

// HasScope reports whether p holds scope on every client it can access.
// Platform keys and platform admins hold every scope. Checks about one
// client use HasScopeFor.
func (p *Principal) HasScope(scope string) bool {
	if p.PlatformAdmin() {
		return true
	}
	clients := p.AccessibleClients()
	if len(clients) == 0 {
		return false
	}
	for _, id := range clients {
		if !p.HasScopeFor(id, scope) {
			return false
		}
	}
	return true
}

// Actor names p in the audit log: a user's email, or a key's kind and
// visible prefix. It never contains a secret.
func (p *Principal) Actor() string {
	switch {
	case p == nil:
		return "anonymous"
	case p.IsUser():
		return "user:" + p.Email
	case p.IsEmbed():
		return "embed_token:" + p.Prefix + ":" + p.AgentSlug
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

type originKey struct{}

// WithOrigin returns ctx carrying the Origin header of the request, which the
// websocket transport checks once the connection_init payload has
// authenticated the caller.
func WithOrigin(ctx context.Context, origin string) context.Context {
	return context.WithValue(ctx, originKey{}, origin)
}

// OriginFrom returns the Origin header stored by WithOrigin, or "".
func OriginFrom(ctx context.Context) string {
	o, _ := ctx.Value(originKey{}).(string)
	return o
}
