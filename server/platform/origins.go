package platform

import (
	"context"
	"fmt"
	"strings"
)

// SiteOriginAllowed reports whether origin is among the allowed origins of a
// live site key. CORS preflight requests carry no key, so this is how the
// server decides whether to allow them.
//
// NOTE: allowed_origins has no index, so this scans the live site keys; add
// a GIN index on access_keys (allowed_origins) when there are many sites.
func (s *Store) SiteOriginAllowed(ctx context.Context, origin string) (bool, error) {
	origin = strings.ToLower(origin)
	found, err := s.db.NewSelect().Model((*AccessKey)(nil)).
		Where("kind = ? AND revoked_at IS NULL", KeySite).
		Where("? = ANY (allowed_origins)", origin).
		Exists(ctx)
	if err != nil {
		return false, fmt.Errorf("look up site origin %s: %w", origin, err)
	}
	return found, nil
}
