// Package accounts manages who may use the platform: users and their client
// memberships, access keys, embed tokens and the audit log. Every method
// checks the caller's principal with the policy of package auth and writes
// an audit entry for each change; no entry holds a secret.
package accounts

import (
	"context"
	"log/slog"
	"net/mail"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/sidekick-forge/sidekick-forge/server/apperr"
	"github.com/sidekick-forge/sidekick-forge/server/auth"
	"github.com/sidekick-forge/sidekick-forge/server/platform"
)

// Service implements account management.
type Service struct {
	store  *platform.Store
	embeds *auth.EmbedTokens
	log    *slog.Logger
	// passwordChecks limits changePassword attempts per user, so a stolen
	// session cannot be used to guess the current password quickly.
	passwordChecks *auth.Limiter
}

// NewService returns an account service. passwordAttempts is the number of
// changePassword attempts allowed per user and minute.
func NewService(store *platform.Store, embeds *auth.EmbedTokens, passwordAttempts int,
	log *slog.Logger) *Service {
	return &Service{store: store, embeds: embeds, log: log,
		passwordChecks: auth.NewLimiter(passwordAttempts)}
}

// UserInput describes a new user.
type UserInput struct {
	Email         string
	Password      string
	PlatformAdmin bool
}

// UserUpdate changes a user; nil fields are kept.
type UserUpdate struct {
	Email         *string
	PlatformAdmin *bool
}

// validateEmail returns the normalized form of an email address.
func validateEmail(field, email string) (string, error) {
	e := platform.NormalizeEmail(email)
	addr, err := mail.ParseAddress(e)
	if err != nil || addr.Address != e || len(e) > 254 || !strings.Contains(e, "@") {
		return "", apperr.Invalid(field, "must be an email address like name@example.com")
	}
	return e, nil
}

// Users returns a page of users. Platform admins only.
func (s *Service) Users(ctx context.Context, p *auth.Principal, f platform.UserFilter) (
	[]*platform.User, int, error) {
	if err := auth.CheckPlatformAdmin(p); err != nil {
		return nil, 0, err
	}
	return s.store.ListUsers(ctx, f)
}

// User returns one user: any user to a platform admin, and a user's own
// record to that user. Anyone else gets NOT_FOUND, as for a missing user.
func (s *Service) User(ctx context.Context, p *auth.Principal, id uuid.UUID) (*platform.User, error) {
	if p == nil {
		return nil, auth.ErrUnauthenticated()
	}
	if !p.PlatformAdmin() && p.UserID != id {
		return nil, apperr.New(apperr.NotFound, "user %s not found", id)
	}
	return s.store.UserByID(ctx, id)
}

// CreateUser stores a new user. Platform admins only.
func (s *Service) CreateUser(ctx context.Context, p *auth.Principal, in UserInput) (
	*platform.User, error) {
	if err := auth.CheckPlatformAdmin(p); err != nil {
		return nil, err
	}
	return s.createUser(ctx, p.Actor(), in)
}

// Bootstrap creates a user for the command line, which holds the database
// credentials and so needs no principal. Its audit entries name "cli".
func (s *Service) Bootstrap(ctx context.Context, in UserInput) (*platform.User, error) {
	return s.createUser(ctx, "cli", in)
}

func (s *Service) createUser(ctx context.Context, actor string, in UserInput) (
	*platform.User, error) {
	email, err := validateEmail("email", in.Email)
	if err != nil {
		return nil, err
	}
	if err := auth.ValidatePassword("password", in.Password); err != nil {
		return nil, err
	}
	hash, err := auth.HashPassword(in.Password)
	if err != nil {
		return nil, err
	}
	now := time.Now()
	u := &platform.User{ID: uuid.New(), Email: email, PasswordHash: hash,
		PlatformAdmin: in.PlatformAdmin, CreatedAt: now, UpdatedAt: now, PasswordChangedAt: now,
		Memberships: []*platform.Membership{}}
	if err := s.store.InsertUser(ctx, u); err != nil {
		return nil, err
	}
	s.audit(ctx, actor, "user.create", nil, u.ID.String(),
		map[string]any{"email": u.Email, "platform_admin": u.PlatformAdmin})
	s.log.Info("user created", "user_id", u.ID, "platform_admin", u.PlatformAdmin)
	return u, nil
}

// UpdateUser changes a user's email or platform admin flag. Platform admins
// only; the last platform admin cannot lose the flag.
func (s *Service) UpdateUser(ctx context.Context, p *auth.Principal, id uuid.UUID, in UserUpdate) (
	*platform.User, error) {
	if err := auth.CheckPlatformAdmin(p); err != nil {
		return nil, err
	}
	u, err := s.store.UserByID(ctx, id)
	if err != nil {
		return nil, err
	}
	var columns []string
	if in.Email != nil {
		email, err := validateEmail("email", *in.Email)
		if err != nil {
			return nil, err
		}
		u.Email = email
		columns = append(columns, "email")
	}
	if in.PlatformAdmin != nil && *in.PlatformAdmin != u.PlatformAdmin {
		if !*in.PlatformAdmin {
			if err := s.keepOnePlatformAdmin(ctx); err != nil {
				return nil, err
			}
		}
		u.PlatformAdmin = *in.PlatformAdmin
		columns = append(columns, "platform_admin")
	}
	if len(columns) == 0 {
		return u, nil
	}
	if err := s.store.UpdateUserFields(ctx, u, columns...); err != nil {
		return nil, err
	}
	s.audit(ctx, p.Actor(), "user.update", nil, u.ID.String(), map[string]any{"fields": columns})
	return u, nil
}

// keepOnePlatformAdmin rejects a change that would leave no platform admin,
// so the platform cannot be locked out of its own administration.
func (s *Service) keepOnePlatformAdmin(ctx context.Context) error {
	n, err := s.store.CountPlatformAdmins(ctx)
	if err != nil {
		return err
	}
	if n <= 1 {
		return apperr.New(apperr.Conflict, "this is the last platform admin; make another "+
			"user a platform admin first")
	}
	return nil
}

// DeleteUser removes a user with its memberships and sessions. Platform
// admins only; the last platform admin cannot be deleted.
func (s *Service) DeleteUser(ctx context.Context, p *auth.Principal, id uuid.UUID) error {
	if err := auth.CheckPlatformAdmin(p); err != nil {
		return err
	}
	u, err := s.store.UserByID(ctx, id)
	if err != nil {
		return err
	}
	if u.PlatformAdmin {
		if err := s.keepOnePlatformAdmin(ctx); err != nil {
			return err
		}
	}
	if err := s.store.DeleteUser(ctx, id); err != nil {
		return err
	}
	s.audit(ctx, p.Actor(), "user.delete", nil, id.String(), map[string]any{"email": u.Email})
	return nil
}

// SetPassword sets a user's password and ends all of the user's sessions.
// Platform admins only.
func (s *Service) SetPassword(ctx context.Context, p *auth.Principal, id uuid.UUID,
	password string) (*platform.User, error) {
	if err := auth.CheckPlatformAdmin(p); err != nil {
		return nil, err
	}
	if err := auth.ValidatePassword("password", password); err != nil {
		return nil, err
	}
	hash, err := auth.HashPassword(password)
	if err != nil {
		return nil, err
	}
	ended, err := s.store.SetPasswordHash(ctx, id, hash, uuid.Nil)
	if err != nil {
		return nil, err
	}
	s.audit(ctx, p.Actor(), "user.set_password", nil, id.String(),
		map[string]any{"sessions_ended": ended})
	return s.store.UserByID(ctx, id)
}

// ChangePassword changes the caller's own password after checking the
// current one, and ends the caller's other sessions.
func (s *Service) ChangePassword(ctx context.Context, p *auth.Principal, current, next string) error {
	if p == nil {
		return auth.ErrUnauthenticated()
	}
	if !p.IsUser() {
		return apperr.New(apperr.Forbidden, "only a signed-in user has a password to change")
	}
	if ok, wait := s.passwordChecks.Allow(p.UserID.String()); !ok {
		secs := auth.RetryAfterSeconds(wait)
		return &apperr.Error{Code: apperr.RateLimited, Details: map[string]any{"retryAfter": secs},
			Message: "too many password change attempts; retry in " + strconv.Itoa(secs) + " seconds"}
	}
	if err := auth.ValidatePassword("newPassword", next); err != nil {
		return err
	}
	u, err := s.store.UserByID(ctx, p.UserID)
	if err != nil {
		return err
	}
	ok, err := auth.VerifyPassword(u.PasswordHash, current)
	if err != nil {
		return err
	}
	if !ok {
		return apperr.Invalid("currentPassword", "is not your current password")
	}
	hash, err := auth.HashPassword(next)
	if err != nil {
		return err
	}
	ended, err := s.store.SetPasswordHash(ctx, u.ID, hash, p.SessionID)
	if err != nil {
		return err
	}
	s.audit(ctx, p.Actor(), "user.change_password", nil, u.ID.String(),
		map[string]any{"sessions_ended": ended})
	return nil
}

// RevokeUserSessions ends every session of a user. Platform admins only.
func (s *Service) RevokeUserSessions(ctx context.Context, p *auth.Principal, id uuid.UUID) (
	int, error) {
	if err := auth.CheckPlatformAdmin(p); err != nil {
		return 0, err
	}
	if _, err := s.store.UserByID(ctx, id); err != nil {
		return 0, err
	}
	n, err := s.store.RevokeUserSessions(ctx, id, uuid.Nil)
	if err != nil {
		return 0, err
	}
	s.audit(ctx, p.Actor(), "user.revoke_sessions", nil, id.String(),
		map[string]any{"sessions_ended": n})
	return n, nil
}

func (s *Service) audit(ctx context.Context, actor, action string, clientID *uuid.UUID,
	target string, details map[string]any) {
	if err := s.store.Audit(context.WithoutCancel(ctx), actor, action, clientID, target,
		details); err != nil {
		s.log.Error("write audit entry", "action", action, "error", err)
	}
}
