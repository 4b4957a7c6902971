package platform

import (
	"context"
	"fmt"
	"slices"

	"github.com/google/uuid"
	"github.com/uptrace/bun"
)

// RotateAccessKey replaces old with a new key of the same kind, name,
// client, scopes, domain and allowed origins, and revokes old, in one
// transaction. It returns the new key and its raw value, which the caller
// shows once.
func (s *Store) RotateAccessKey(ctx context.Context, old *AccessKey) (*AccessKey, string, error) {
	next, raw, err := NewAccessKey(old.Kind, old.Name, old.ClientID)
	if err != nil {
		return nil, "", err
	}
	next.Scopes = slices.Clone(old.Scopes)
	next.Domain = old.Domain
	next.AllowedOrigins = slices.Clone(old.AllowedOrigins)
	err = s.db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		if _, err := tx.NewInsert().Model(next).Exec(ctx); err != nil {
			return fmt.Errorf("insert rotated access key: %w", err)
		}
		res, err := tx.NewUpdate().Model((*AccessKey)(nil)).
			Set("revoked_at = now()").Set("replaced_by = ?", next.ID).
			Where("id = ? AND revoked_at IS NULL", old.ID).Exec(ctx)
		if err != nil {
			return fmt.Errorf("revoke access key %s: %w", old.ID, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return ErrKeyNotFound
		}
		return nil
	})
	if err != nil {
		return nil, "", err
	}
	return next, raw, nil
}

// ClientAccessKeys lists every key of a client (client and site keys), or
// the platform keys when clientID is nil, oldest first.
func (s *Store) ClientAccessKeys(ctx context.Context, clientID *uuid.UUID) ([]*AccessKey, error) {
	var keys []*AccessKey
	q := s.db.NewSelect().Model(&keys).Order("created_at", "id")
	if clientID == nil {
		q = q.Where("kind = ?", KeyPlatform)
	} else {
		q = q.Where("client_id = ?", *clientID)
	}
	if err := q.Scan(ctx); err != nil {
		return nil, fmt.Errorf("list access keys: %w", err)
	}
	return keys, nil
}
