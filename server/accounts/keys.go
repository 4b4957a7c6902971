package accounts

import (
	"context"
	"errors"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/google/uuid"

	"github.com/sidekick-forge/sidekick-forge/server/apperr"
	"github.com/sidekick-forge/sidekick-forge/server/auth"
	"github.com/sidekick-forge/sidekick-forge/server/platform"
)

// KeyInput describes a new access key. A nil ClientID makes a platform key,
// which holds every scope; a client key holds Scopes on its client.
type KeyInput struct {
	Name     string
	ClientID *uuid.UUID
	Scopes   []string
}

var knownScopes = []string{auth.ScopeRead, auth.ScopeTrigger, auth.ScopeManage}

// normalizeScopes checks scopes and returns them deduplicated in a fixed
// order.
func normalizeScopes(scopes []string) ([]string, error) {
	if len(scopes) == 0 {
		return nil, apperr.Invalid("scopes", "must name at least one of READ, TRIGGER, MANAGE")
	}
	out := []string{}
	for _, known := range knownScopes {
		if slices.Contains(scopes, known) {
			out = append(out, known)
		}
	}
	for _, s := range scopes {
		if !slices.Contains(knownScopes, s) {
			return nil, apperr.Invalid("scopes", "%q is not READ, TRIGGER or MANAGE", s)
		}
	}
	return out, nil
}

// AccessKeys lists the keys of a client (client and site keys), which needs
// manage on it, or the platform keys (clientID nil), which needs platform
// admin.
func (s *Service) AccessKeys(ctx context.Context, p *auth.Principal, clientID *uuid.UUID) (
	[]*platform.AccessKey, error) {
	if err := checkKeyOwner(p, clientID); err != nil {
		return nil, err
	}
	return s.store.ClientAccessKeys(ctx, clientID)
}

func checkKeyOwner(p *auth.Principal, clientID *uuid.UUID) error {
	if clientID == nil {
		return auth.CheckPlatformAdmin(p)
	}
	return auth.CheckClient(p, *clientID, auth.ScopeManage)
}

// CreateAccessKey creates a key and returns it with the raw key, which is
// not stored and cannot be shown again.
func (s *Service) CreateAccessKey(ctx context.Context, p *auth.Principal, in KeyInput) (
	*platform.AccessKey, string, error) {
	if err := checkKeyOwner(p, in.ClientID); err != nil {
		return nil, "", err
	}
	name := strings.TrimSpace(in.Name)
	if name == "" || utf8.RuneCountInString(name) > 200 {
		return nil, "", apperr.Invalid("name", "is required and at most 200 characters")
	}
	kind, scopes := platform.KeyPlatform, knownScopes
	if in.ClientID != nil {
		var err error
		if scopes, err = normalizeScopes(in.Scopes); err != nil {
			return nil, "", err
		}
		if err := s.clientExists(ctx, *in.ClientID); err != nil {
			return nil, "", err
		}
		kind = platform.KeyClient
	} else if len(in.Scopes) > 0 && len(in.Scopes) != len(knownScopes) {
		return nil, "", apperr.Invalid("scopes", "platform keys hold every scope; leave scopes out")
	}
	key, raw, err := platform.NewAccessKey(kind, name, in.ClientID)
	if err != nil {
		return nil, "", err
	}
	key.Scopes = slices.Clone(scopes)
	if err := s.store.InsertAccessKey(ctx, key); err != nil {
		return nil, "", err
	}
	s.audit(ctx, p.Actor(), "key.create", in.ClientID, key.Prefix,
		map[string]any{"name": key.Name, "kind": key.Kind, "scopes": key.Scopes})
	return key, raw, nil
}

// RevokeAccessKey revokes a key; it stops authenticating at once, and so do
// the embed tokens it minted.
func (s *Service) RevokeAccessKey(ctx context.Context, p *auth.Principal, id uuid.UUID) error {
	k, err := s.keyFor(ctx, p, id)
	if err != nil {
		return err
	}
	if k.RevokedAt != nil {
		return nil
	}
	if err := s.store.RevokeAccessKey(ctx, id); err != nil {
		return err
	}
	s.audit(ctx, p.Actor(), "key.revoke", k.ClientID, k.Prefix, map[string]any{"name": k.Name})
	return nil
}

// RotateAccessKey replaces a live key with a new one of the same kind and
// scopes and revokes the old one. It returns the new key and its raw value.
func (s *Service) RotateAccessKey(ctx context.Context, p *auth.Principal, id uuid.UUID) (
	*platform.AccessKey, string, error) {
	k, err := s.keyFor(ctx, p, id)
	if err != nil {
		return nil, "", err
	}
	if k.RevokedAt != nil {
		return nil, "", apperr.New(apperr.Conflict, "access key %s is revoked; create a new key", id)
	}
	next, raw, err := s.store.RotateAccessKey(ctx, k)
	if err != nil {
		if errors.Is(err, platform.ErrKeyNotFound) {
			return nil, "", apperr.New(apperr.Conflict, "access key %s was revoked meanwhile", id)
		}
		return nil, "", err
	}
	s.audit(ctx, p.Actor(), "key.rotate", k.ClientID, k.Prefix,
		map[string]any{"name": k.Name, "replaced_by": next.Prefix})
	return next, raw, nil
}

// AuditLog returns a page of audit entries of a client, which needs manage
// on it, or of the whole platform (ClientID nil), which needs platform
// admin.
func (s *Service) AuditLog(ctx context.Context, p *auth.Principal, f platform.AuditFilter) (
	[]*platform.AuditEntry, int, error) {
	if err := checkKeyOwner(p, f.ClientID); err != nil {
		return nil, 0, err
	}
	return s.store.ListAudit(ctx, f)
}

// CreateEmbedToken mints an embed token for one agent of a client and
// optionally one end user. Only access keys with the trigger scope on the
// client mint tokens, because a token is handed to a browser on the key
// holder's behalf. The caller has checked that the agent exists.
func (s *Service) CreateEmbedToken(ctx context.Context, p *auth.Principal, clientID uuid.UUID,
	agentSlug, endUserID string) (*auth.Minted, error) {
	if err := auth.CheckClient(p, clientID, auth.ScopeTrigger); err != nil {
		return nil, err
	}
	if !p.IsKey() {
		return nil, apperr.New(apperr.Forbidden,
			"embed tokens are minted with an access key that has the trigger scope")
	}
	if err := auth.ValidateEndUserID("userId", endUserID); err != nil {
		return nil, err
	}
	minted, err := s.embeds.Mint(p.KeyID, clientID, agentSlug, endUserID)
	if err != nil {
		return nil, err
	}
	s.audit(ctx, p.Actor(), "embed_token.create", &clientID, agentSlug,
		map[string]any{"anonymous": minted.Anonymous, "expires_at": minted.ExpiresAt})
	return minted, nil
}
