package accounts

import (
	"context"
	"errors"
	"time"

	"github.com/google/uuid"

	"github.com/sidekick-forge/sidekick-forge/server/apperr"
	"github.com/sidekick-forge/sidekick-forge/server/auth"
	"github.com/sidekick-forge/sidekick-forge/server/platform"
)

// validRole checks a membership role.
func validRole(role string) error {
	if role != platform.RoleAdmin && role != platform.RoleMember {
		return apperr.Invalid("role", "must be ADMIN or MEMBER")
	}
	return nil
}

// clientExists returns NOT_FOUND for a client that was deleted after the
// caller's principal was built.
func (s *Service) clientExists(ctx context.Context, id uuid.UUID) error {
	_, err := s.store.ClientByID(ctx, id)
	return err
}

// ClientMembers lists the users of a client with their roles. Anyone who
// may read the client may list them.
func (s *Service) ClientMembers(ctx context.Context, p *auth.Principal, clientID uuid.UUID) (
	[]*platform.ClientMember, error) {
	if err := auth.CheckClient(p, clientID, auth.ScopeRead); err != nil {
		return nil, err
	}
	if err := s.clientExists(ctx, clientID); err != nil {
		return nil, err
	}
	return s.store.ClientMembers(ctx, clientID)
}

// SetClientMember gives the user with email a role in a client, replacing
// any role the user had there. It needs manage on the client.
//
// NOTE: a client admin learns from the NOT_FOUND error whether an email
// belongs to some user of the platform.
func (s *Service) SetClientMember(ctx context.Context, p *auth.Principal, clientID uuid.UUID,
	email, role string) (*platform.ClientMember, error) {
	if err := auth.CheckClient(p, clientID, auth.ScopeManage); err != nil {
		return nil, err
	}
	if err := validRole(role); err != nil {
		return nil, err
	}
	if err := s.clientExists(ctx, clientID); err != nil {
		return nil, err
	}
	u, err := s.store.UserByEmail(ctx, email)
	if err != nil {
		if apperr.CodeOf(err) == apperr.NotFound {
			return nil, &apperr.Error{Code: apperr.NotFound, Field: "email",
				Message: "email: no user has this email; a platform admin creates users"}
		}
		return nil, err
	}
	m := &platform.Membership{UserID: u.ID, ClientID: clientID, Role: role, CreatedAt: time.Now()}
	if err := s.store.SetMembership(ctx, m); err != nil {
		return nil, err
	}
	s.audit(ctx, p.Actor(), "membership.set", &clientID, u.ID.String(),
		map[string]any{"email": u.Email, "role": role})
	return &platform.ClientMember{UserID: u.ID, Email: u.Email, Role: role, CreatedAt: m.CreatedAt},
		nil
}

// RemoveClientMember removes a user's role in a client. It needs manage on
// the client.
func (s *Service) RemoveClientMember(ctx context.Context, p *auth.Principal, clientID,
	userID uuid.UUID) error {
	if err := auth.CheckClient(p, clientID, auth.ScopeManage); err != nil {
		return err
	}
	if err := s.store.RemoveMembership(ctx, userID, clientID); err != nil {
		return err
	}
	s.audit(ctx, p.Actor(), "membership.remove", &clientID, userID.String(), nil)
	return nil
}

// errKeyNotFound is the error for a key that does not exist and for a key
// outside the caller's reach alike.
func errKeyNotFound(id uuid.UUID) error {
	return apperr.New(apperr.NotFound, "access key %s not found", id)
}

// keyFor loads key id for a caller that needs manage on its client, or
// platform admin for a platform key.
func (s *Service) keyFor(ctx context.Context, p *auth.Principal, id uuid.UUID) (
	*platform.AccessKey, error) {
	if p == nil {
		return nil, auth.ErrUnauthenticated()
	}
	k, err := s.store.AccessKeyByID(ctx, id)
	if errors.Is(err, platform.ErrKeyNotFound) {
		return nil, errKeyNotFound(id)
	}
	if err != nil {
		return nil, err
	}
	if k.ClientID == nil {
		if !p.PlatformAdmin() {
			return nil, errKeyNotFound(id)
		}
		return k, nil
	}
	if !p.CanAccessClient(*k.ClientID) {
		return nil, errKeyNotFound(id)
	}
	if !p.HasScopeFor(*k.ClientID, auth.ScopeManage) {
		return nil, auth.ScopeDenied(p, auth.ScopeManage, k.ClientID)
	}
	return k, nil
}
