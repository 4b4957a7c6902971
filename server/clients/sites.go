package clients

import (
	"context"
	"errors"
	"net/url"
	"strings"

	"github.com/google/uuid"

	"github.com/sidekick-forge/sidekick-forge/server/apperr"
	"github.com/sidekick-forge/sidekick-forge/server/auth"
	"github.com/sidekick-forge/sidekick-forge/server/platform"
)

// SiteInput describes a new WordPress site.
type SiteInput struct {
	Name           string
	Domain         string
	AllowedOrigins []string
}

// siteScopes are what a WordPress site key may do: read its client's agents
// and trigger them.
var siteScopes = []string{auth.ScopeRead, auth.ScopeTrigger}

// CreateSite creates a site key for a client and returns it with the raw
// key, which is not stored and cannot be shown again.
func (s *Service) CreateSite(ctx context.Context, p *auth.Principal, clientID uuid.UUID,
	in SiteInput) (*platform.AccessKey, string, error) {
	if err := authorize(p, clientID, auth.ScopeManage); err != nil {
		return nil, "", err
	}
	if err := validateName("name", in.Name); err != nil {
		return nil, "", err
	}
	domain, err := normalizeDomain(in.Domain)
	if err != nil {
		return nil, "", err
	}
	origins, err := normalizeOrigins(in.AllowedOrigins)
	if err != nil {
		return nil, "", err
	}
	if _, err := s.store.ClientByID(ctx, clientID); err != nil {
		return nil, "", err
	}
	key, raw, err := platform.NewAccessKey(platform.KeySite, strings.TrimSpace(in.Name), &clientID)
	if err != nil {
		return nil, "", err
	}
	key.Scopes, key.Domain, key.AllowedOrigins = siteScopes, domain, origins
	if err := s.store.InsertAccessKey(ctx, key); err != nil {
		return nil, "", err
	}
	s.audit(ctx, p, "site.create", clientID, key.Prefix, map[string]any{"domain": domain})
	return key, raw, nil
}

func normalizeDomain(raw string) (string, error) {
	d := strings.ToLower(strings.TrimSpace(raw))
	if strings.Contains(d, "://") {
		u, err := url.Parse(d)
		if err != nil || u.Host == "" {
			return "", apperr.Invalid("domain", "must be a host name like example.com")
		}
		d = u.Host
	}
	d = strings.TrimSuffix(d, "/")
	if d == "" || len(d) > 253 || strings.ContainsAny(d, " /?#@") {
		return "", apperr.Invalid("domain", "must be a host name like example.com")
	}
	return d, nil
}

// normalizeOrigins checks each origin is scheme://host[:port] with nothing
// after it, the exact form browsers send in the Origin header.
func normalizeOrigins(raw []string) ([]string, error) {
	out := make([]string, 0, len(raw))
	for _, o := range raw {
		o = strings.TrimSuffix(strings.TrimSpace(o), "/")
		u, err := url.Parse(o)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" ||
			u.Path != "" || u.RawQuery != "" || u.Fragment != "" {
			return nil, apperr.Invalid("allowedOrigins",
				"%q is not an origin; write it as https://example.com", o)
		}
		out = append(out, strings.ToLower(u.Scheme+"://"+u.Host))
	}
	return out, nil
}

// Sites lists the site keys of a client.
func (s *Service) Sites(ctx context.Context, p *auth.Principal, clientID uuid.UUID) (
	[]*platform.AccessKey, error) {
	if err := authorize(p, clientID, auth.ScopeRead); err != nil {
		return nil, err
	}
	return s.store.AccessKeys(ctx, platform.KeySite, &clientID)
}

// RevokeSite revokes a site key of a client.
func (s *Service) RevokeSite(ctx context.Context, p *auth.Principal, clientID, id uuid.UUID) error {
	if err := authorize(p, clientID, auth.ScopeManage); err != nil {
		return err
	}
	key, err := s.store.AccessKeyByID(ctx, id)
	if errors.Is(err, platform.ErrKeyNotFound) || (err == nil &&
		(key.ClientID == nil || *key.ClientID != clientID || key.Kind != platform.KeySite)) {
		return apperr.New(apperr.NotFound, "site %s not found", id)
	}
	if err != nil {
		return err
	}
	if err := s.store.RevokeAccessKey(ctx, id); err != nil {
		return err
	}
	s.audit(ctx, p, "site.revoke", clientID, key.Prefix, nil)
	return nil
}

// ValidateSiteKey reports whether raw is a live site key. A wrong key is
// UNAUTHENTICATED, so REST responds with 401.
func (s *Service) ValidateSiteKey(ctx context.Context, raw string) (*platform.AccessKey, error) {
	if raw == "" || len(raw) > 256 {
		return nil, apperr.New(apperr.Unauthenticated, "invalid site key")
	}
	key, err := s.store.AccessKeyByRaw(ctx, raw)
	if errors.Is(err, platform.ErrKeyNotFound) || (err == nil && key.Kind != platform.KeySite) {
		return nil, apperr.New(apperr.Unauthenticated, "invalid site key")
	}
	if err != nil {
		return nil, err
	}
	return key, nil
}
