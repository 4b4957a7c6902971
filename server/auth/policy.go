package auth

import (
	"github.com/google/uuid"

	"github.com/sidekick-forge/sidekick-forge/server/apperr"
)

// ErrUnauthenticated is the error for a request without a principal.
func ErrUnauthenticated() error {
	return apperr.New(apperr.Unauthenticated, "authentication required")
}

// HiddenClient is the error for a client outside the caller's reach. It is
// the same whether or not the client exists, so a denial reveals nothing.
func HiddenClient(id uuid.UUID) error {
	return apperr.New(apperr.NotFound, "client %s not found", id)
}

// CheckClient checks that p may use scope on client id: UNAUTHENTICATED
// without a principal, NOT_FOUND (as for a missing client) without access,
// and FORBIDDEN without the scope.
func CheckClient(p *Principal, id uuid.UUID, scope string) error {
	if p == nil {
		return ErrUnauthenticated()
	}
	if !p.CanAccessClient(id) {
		return HiddenClient(id)
	}
	if !p.HasScopeFor(id, scope) {
		return ScopeDenied(p, scope, &id)
	}
	return nil
}

// ScopeDenied is the FORBIDDEN error for a principal that may see a client
// but lacks scope on it. clientID is named in the message when given.
func ScopeDenied(p *Principal, scope string, clientID *uuid.UUID) error {
	switch {
	case p.IsEmbed():
		return apperr.New(apperr.Forbidden, "an embed token may only trigger its own agent")
	case p.IsUser() && clientID != nil:
		return apperr.New(apperr.Forbidden,
			"your role in client %s does not allow %q; ask an admin of the client", *clientID, scope)
	case p.IsUser():
		return apperr.New(apperr.Forbidden, "your role does not allow %q", scope)
	case clientID != nil:
		return apperr.New(apperr.Forbidden, "this key lacks the %q scope for client %s", scope,
			*clientID)
	}
	return apperr.New(apperr.Forbidden, "this key lacks the %q scope", scope)
}

// CheckPlatformAdmin checks that p is a platform key or a platform admin.
func CheckPlatformAdmin(p *Principal) error {
	switch {
	case p == nil:
		return ErrUnauthenticated()
	case p.PlatformAdmin():
		return nil
	case p.IsUser():
		return apperr.New(apperr.Forbidden, "only platform admins may do this")
	}
	return apperr.New(apperr.Forbidden, "only platform keys may do this")
}
