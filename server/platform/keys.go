package platform

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
)

// keyPrefixes start raw keys of each kind, so a leaked key is recognisable.
var keyPrefixes = map[string]string{
	KeyPlatform: "sfp_",
	KeyClient:   "sfc_",
	KeySite:     "sfs_",
}

// visiblePrefixLen is how many leading characters of a key are stored and
// shown, enough to tell keys apart and far too few to guess the rest.
const visiblePrefixLen = 12

// HashKey returns the stored form of a raw key. Keys carry 256 random bits,
// so a fast hash is enough: there is nothing to brute-force.
func HashKey(raw string) []byte {
	sum := sha256.Sum256([]byte(raw))
	return sum[:]
}

// NewAccessKey builds a key of kind and returns it with the raw key, which
// exists nowhere else: the caller shows it once.
func NewAccessKey(kind, name string, clientID *uuid.UUID) (*AccessKey, string, error) {
	prefix, ok := keyPrefixes[kind]
	if !ok {
		return nil, "", fmt.Errorf("unknown access key kind %q", kind)
	}
	random := make([]byte, 32)
	if _, err := rand.Read(random); err != nil {
		return nil, "", fmt.Errorf("generate access key: %w", err)
	}
	raw := prefix + base64.RawURLEncoding.EncodeToString(random)
	k := &AccessKey{
		ID: uuid.New(), Kind: kind, Name: name, Prefix: raw[:visiblePrefixLen],
		KeyHash: HashKey(raw), ClientID: clientID, Scopes: []string{},
		AllowedOrigins: []string{}, CreatedAt: time.Now(),
	}
	return k, raw, nil
}

// InsertAccessKey stores k.
func (s *Store) InsertAccessKey(ctx context.Context, k *AccessKey) error {
	if _, err := s.db.NewInsert().Model(k).Exec(ctx); err != nil {
		return fmt.Errorf("insert access key: %w", err)
	}
	return nil
}

// ErrKeyNotFound reports a raw key that matches no live access key.
var ErrKeyNotFound = errors.New("access key not found or revoked")

// AccessKeyByRaw finds the live key whose hash matches raw.
func (s *Store) AccessKeyByRaw(ctx context.Context, raw string) (*AccessKey, error) {
	k := new(AccessKey)
	err := s.db.NewSelect().Model(k).
		Where("key_hash = ? AND revoked_at IS NULL", HashKey(raw)).Scan(ctx)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrKeyNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("look up access key: %w", err)
	}
	return k, nil
}

// TouchAccessKey records that k was used now.
func (s *Store) TouchAccessKey(ctx context.Context, id uuid.UUID) error {
	_, err := s.db.NewUpdate().Model((*AccessKey)(nil)).Set("last_used_at = now()").
		Where("id = ?", id).Exec(ctx)
	return err
}

// AccessKeys lists the keys of kind for a client (nil client: platform keys).
func (s *Store) AccessKeys(ctx context.Context, kind string, clientID *uuid.UUID) ([]*AccessKey, error) {
	var keys []*AccessKey
	q := s.db.NewSelect().Model(&keys).Where("kind = ?", kind).Order("created_at")
	if clientID != nil {
		q = q.Where("client_id = ?", *clientID)
	}
	if err := q.Scan(ctx); err != nil {
		return nil, fmt.Errorf("list %s keys: %w", kind, err)
	}
	return keys, nil
}

// AccessKeyByID loads one key.
func (s *Store) AccessKeyByID(ctx context.Context, id uuid.UUID) (*AccessKey, error) {
	k := new(AccessKey)
	err := s.db.NewSelect().Model(k).Where("id = ?", id).Scan(ctx)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrKeyNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("load access key %s: %w", id, err)
	}
	return k, nil
}

// RevokeAccessKey marks k revoked; it stops authenticating at once.
func (s *Store) RevokeAccessKey(ctx context.Context, id uuid.UUID) error {
	_, err := s.db.NewUpdate().Model((*AccessKey)(nil)).Set("revoked_at = now()").
		Where("id = ? AND revoked_at IS NULL", id).Exec(ctx)
	if err != nil {
		return fmt.Errorf("revoke access key %s: %w", id, err)
	}
	return nil
}
