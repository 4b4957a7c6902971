package platform

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"
)

// Session is a login session of the admin SPA, stored as the SHA-256 of the
// token in its cookie.
type Session struct {
	bun.BaseModel `bun:"table:sessions"`

	ID         uuid.UUID  `bun:"id,pk,type:uuid"`
	UserID     uuid.UUID  `bun:"user_id,notnull,type:uuid"`
	TokenHash  []byte     `bun:"token_hash,notnull"`
	CreatedAt  time.Time  `bun:"created_at,notnull,default:current_timestamp"`
	ExpiresAt  time.Time  `bun:"expires_at,notnull"`
	LastSeenAt time.Time  `bun:"last_seen_at,notnull,default:current_timestamp"`
	RevokedAt  *time.Time `bun:"revoked_at"`
	RemoteAddr string     `bun:"remote_addr,notnull"`
	UserAgent  string     `bun:"user_agent,notnull"`
}

// ErrSessionNotFound reports a session token that matches no live session:
// unknown, expired or revoked.
var ErrSessionNotFound = errors.New("session not found, expired or revoked")

// InsertSession stores a new session.
//
// NOTE: ended sessions stay in the table; nothing deletes expired or
// revoked rows yet.
func (s *Store) InsertSession(ctx context.Context, sess *Session) error {
	if _, err := s.db.NewInsert().Model(sess).Exec(ctx); err != nil {
		return fmt.Errorf("insert session: %w", err)
	}
	return nil
}

// LiveSession finds the unexpired, unrevoked session whose token hashes to
// hash, with its user and the user's memberships.
func (s *Store) LiveSession(ctx context.Context, hash []byte) (*Session, *User, error) {
	sess := new(Session)
	err := s.db.NewSelect().Model(sess).
		Where("token_hash = ? AND revoked_at IS NULL AND expires_at > now()", hash).Scan(ctx)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil, ErrSessionNotFound
	}
	if err != nil {
		return nil, nil, fmt.Errorf("look up session: %w", err)
	}
	u, err := s.UserByID(ctx, sess.UserID)
	if err != nil {
		return nil, nil, fmt.Errorf("load user of session %s: %w", sess.ID, err)
	}
	return sess, u, nil
}

// TouchSession records that a session was used now.
func (s *Store) TouchSession(ctx context.Context, id uuid.UUID) error {
	_, err := s.db.NewUpdate().Model((*Session)(nil)).Set("last_seen_at = now()").
		Where("id = ?", id).Exec(ctx)
	if err != nil {
		return fmt.Errorf("touch session %s: %w", id, err)
	}
	return nil
}

// RevokeSession ends one session. Revoking an ended session does nothing.
func (s *Store) RevokeSession(ctx context.Context, id uuid.UUID) error {
	_, err := s.db.NewUpdate().Model((*Session)(nil)).Set("revoked_at = now()").
		Where("id = ? AND revoked_at IS NULL", id).Exec(ctx)
	if err != nil {
		return fmt.Errorf("revoke session %s: %w", id, err)
	}
	return nil
}

// RevokeUserSessions ends every live session of a user except keep
// (uuid.Nil ends all) and returns how many it ended.
func (s *Store) RevokeUserSessions(ctx context.Context, userID, keep uuid.UUID) (int, error) {
	return revokeSessions(ctx, s.db, userID, keep)
}

func revokeSessions(ctx context.Context, db bun.IDB, userID, keep uuid.UUID) (int, error) {
	res, err := db.NewUpdate().Model((*Session)(nil)).Set("revoked_at = now()").
		Where("user_id = ? AND id <> ? AND revoked_at IS NULL AND expires_at > now()",
			userID, keep).Exec(ctx)
	if err != nil {
		return 0, fmt.Errorf("revoke sessions of user %s: %w", userID, err)
	}
	n, _ := res.RowsAffected()
	return int(n), nil
}
