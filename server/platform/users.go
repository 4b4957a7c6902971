package platform

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/sidekick-forge/sidekick-forge/server/apperr"
)

// Membership roles: admins manage a client, members only read it.
const (
	RoleAdmin  = "admin"
	RoleMember = "member"
)

// User is a person who signs in to the admin SPA.
type User struct {
	bun.BaseModel `bun:"table:users,alias:u"`

	ID                uuid.UUID `bun:"id,pk,type:uuid"`
	Email             string    `bun:"email,notnull"`
	PasswordHash      string    `bun:"password_hash,notnull"`
	PlatformAdmin     bool      `bun:"platform_admin,notnull"`
	CreatedAt         time.Time `bun:"created_at,notnull,default:current_timestamp"`
	UpdatedAt         time.Time `bun:"updated_at,notnull,default:current_timestamp"`
	PasswordChangedAt time.Time `bun:"password_changed_at,notnull,default:current_timestamp"`

	Memberships []*Membership `bun:"rel:has-many,join:id=user_id"`
}

// Membership is a user's role in one client.
type Membership struct {
	bun.BaseModel `bun:"table:memberships"`

	UserID    uuid.UUID `bun:"user_id,pk,type:uuid"`
	ClientID  uuid.UUID `bun:"client_id,pk,type:uuid"`
	Role      string    `bun:"role,notnull"`
	CreatedAt time.Time `bun:"created_at,notnull,default:current_timestamp"`
}

// ClientMember is a membership of one client with the member's email.
type ClientMember struct {
	UserID    uuid.UUID `bun:"user_id"`
	Email     string    `bun:"email"`
	Role      string    `bun:"role"`
	CreatedAt time.Time `bun:"created_at"`
}

// NormalizeEmail returns the stored form of an email address: trimmed and
// lowercase, so that sign-in does not depend on how it was typed.
func NormalizeEmail(email string) string { return strings.ToLower(strings.TrimSpace(email)) }

func userNotFound(id uuid.UUID) error { return apperr.New(apperr.NotFound, "user %s not found", id) }

// InsertUser stores a new user. A taken email is CONFLICT.
func (s *Store) InsertUser(ctx context.Context, u *User) error {
	_, err := s.db.NewInsert().Model(u).Exec(ctx)
	if isUniqueViolation(err) {
		return &apperr.Error{Code: apperr.Conflict, Field: "email",
			Message: "email: a user with this email already exists"}
	}
	if err != nil {
		return fmt.Errorf("insert user: %w", err)
	}
	return nil
}

// UserByID loads a user with its memberships.
func (s *Store) UserByID(ctx context.Context, id uuid.UUID) (*User, error) {
	u := new(User)
	err := s.db.NewSelect().Model(u).Relation("Memberships").Where("u.id = ?", id).Scan(ctx)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, userNotFound(id)
	}
	if err != nil {
		return nil, fmt.Errorf("load user %s: %w", id, err)
	}
	return u, nil
}

// UserByEmail loads a user by email, in any letter case.
func (s *Store) UserByEmail(ctx context.Context, email string) (*User, error) {
	u := new(User)
	err := s.db.NewSelect().Model(u).Relation("Memberships").
		Where("u.email = ?", NormalizeEmail(email)).Scan(ctx)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, apperr.New(apperr.NotFound, "user not found")
	}
	if err != nil {
		return nil, fmt.Errorf("load user by email: %w", err)
	}
	return u, nil
}

// UserFilter selects a page of users, ordered by email.
type UserFilter struct {
	Search     string
	AfterEmail string
	Limit      int
}

// ListUsers returns a page of users with their memberships and the total
// count matching the filter.
func (s *Store) ListUsers(ctx context.Context, f UserFilter) ([]*User, int, error) {
	var users []*User
	q := s.db.NewSelect().Model(&users).Relation("Memberships")
	if f.Search != "" {
		q = q.Where("u.email ILIKE ?", "%"+escapeLike(f.Search)+"%")
	}
	total, err := q.Count(ctx)
	if err != nil {
		return nil, 0, fmt.Errorf("count users: %w", err)
	}
	if f.AfterEmail != "" {
		q = q.Where("u.email > ?", f.AfterEmail)
	}
	if err := q.Order("u.email").Limit(int64(f.Limit)).Scan(ctx); err != nil {
		return nil, 0, fmt.Errorf("list users: %w", err)
	}
	return users, int(total), nil
}

// CountUsers returns the number of users; a fresh install has none.
func (s *Store) CountUsers(ctx context.Context) (int, error) {
	n, err := s.db.NewSelect().Model((*User)(nil)).Count(ctx)
	if err != nil {
		return 0, fmt.Errorf("count users: %w", err)
	}
	return int(n), nil
}

// CountPlatformAdmins returns the number of platform admin users.
func (s *Store) CountPlatformAdmins(ctx context.Context) (int, error) {
	n, err := s.db.NewSelect().Model((*User)(nil)).Where("platform_admin").Count(ctx)
	if err != nil {
		return 0, fmt.Errorf("count platform admins: %w", err)
	}
	return int(n), nil
}

// UpdateUserFields writes the named columns of u and its updated_at.
func (s *Store) UpdateUserFields(ctx context.Context, u *User, columns ...string) error {
	u.UpdatedAt = time.Now()
	columns = append(columns, "updated_at")
	res, err := s.db.NewUpdate().Model(u).Column(columns...).WherePK().Exec(ctx)
	if isUniqueViolation(err) {
		return &apperr.Error{Code: apperr.Conflict, Field: "email",
			Message: "email: a user with this email already exists"}
	}
	if err != nil {
		return fmt.Errorf("update user %s: %w", u.ID, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return userNotFound(u.ID)
	}
	return nil
}

// SetPasswordHash stores a new password hash and revokes the user's
// sessions except keep (uuid.Nil revokes all), in one transaction, so that
// no session opened with the old password outlives the change.
func (s *Store) SetPasswordHash(ctx context.Context, id uuid.UUID, hash string, keep uuid.UUID) (
	int, error) {
	var revoked int
	err := s.db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		res, err := tx.NewUpdate().Model((*User)(nil)).Where("id = ?", id).
			Set("password_hash = ?", hash).Set("password_changed_at = now()").
			Set("updated_at = now()").Exec(ctx)
		if err != nil {
			return fmt.Errorf("set password of user %s: %w", id, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return userNotFound(id)
		}
		revoked, err = revokeSessions(ctx, tx, id, keep)
		return err
	})
	return revoked, err
}

// DeleteUser removes a user with its memberships and sessions.
func (s *Store) DeleteUser(ctx context.Context, id uuid.UUID) error {
	res, err := s.db.NewDelete().Model((*User)(nil)).Where("id = ?", id).Exec(ctx)
	if err != nil {
		return fmt.Errorf("delete user %s: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return userNotFound(id)
	}
	return nil
}

// SetMembership gives a user a role in a client, replacing any role it had.
func (s *Store) SetMembership(ctx context.Context, m *Membership) error {
	_, err := s.db.NewInsert().Model(m).On("CONFLICT (user_id, client_id) DO UPDATE").
		Set("role = EXCLUDED.role").Exec(ctx)
	if err != nil {
		return fmt.Errorf("set membership of user %s in client %s: %w", m.UserID, m.ClientID, err)
	}
	return nil
}

// RemoveMembership removes a user's role in a client. A user without one is
// NOT_FOUND.
func (s *Store) RemoveMembership(ctx context.Context, userID, clientID uuid.UUID) error {
	res, err := s.db.NewDelete().Model((*Membership)(nil)).
		Where("user_id = ? AND client_id = ?", userID, clientID).Exec(ctx)
	if err != nil {
		return fmt.Errorf("remove membership of user %s in client %s: %w", userID, clientID, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return apperr.New(apperr.NotFound, "user %s is not a member of client %s", userID, clientID)
	}
	return nil
}

// ClientMembers lists the members of a client by email.
func (s *Store) ClientMembers(ctx context.Context, clientID uuid.UUID) ([]*ClientMember, error) {
	var out []*ClientMember
	err := s.db.NewSelect().TableExpr("memberships AS m").
		Join("JOIN users AS u ON u.id = m.user_id").
		ColumnExpr("m.user_id, u.email, m.role, m.created_at").
		Where("m.client_id = ?", clientID).OrderExpr("u.email").Scan(ctx, &out)
	if err != nil {
		return nil, fmt.Errorf("list members of client %s: %w", clientID, err)
	}
	return out, nil
}
