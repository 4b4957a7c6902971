package platform

import (
	"context"
	"fmt"

	"github.com/google/uuid"
	"github.com/uptrace/bun"
)

// IndexAgent records that client has an agent with slug. It runs after the
// tenant write commits, so a crash between the two leaves the index behind.
// NOTE: nothing rebuilds the index from the tenant databases yet
// (agents.All exists for that), so such a gap stays until the agent's next write.
func (s *Store) IndexAgent(ctx context.Context, db bun.IDB, clientID uuid.UUID, slug,
	name string) error {
	if db == nil {
		db = s.db
	}
	row := &AgentSlug{Slug: slug, ClientID: clientID, AgentName: name}
	_, err := db.NewInsert().Model(row).
		On("CONFLICT (slug, client_id) DO UPDATE").Set("agent_name = EXCLUDED.agent_name").
		Exec(ctx)
	if err != nil {
		return fmt.Errorf("index agent %s of client %s: %w", slug, clientID, err)
	}
	return nil
}

// UnindexAgent removes slug of client from the index.
func (s *Store) UnindexAgent(ctx context.Context, clientID uuid.UUID, slug string) error {
	_, err := s.db.NewDelete().Model((*AgentSlug)(nil)).
		Where("slug = ? AND client_id = ?", slug, clientID).Exec(ctx)
	if err != nil {
		return fmt.Errorf("unindex agent %s of client %s: %w", slug, clientID, err)
	}
	return nil
}

// SlugMatch is a client that has an agent with the looked-up slug.
type SlugMatch struct {
	ClientID   uuid.UUID `bun:"client_id"`
	ClientName string    `bun:"client_name"`
	Status     string    `bun:"status"`
}

// FindSlug returns the clients with an agent named slug. When only is non-nil
// the result is restricted to those clients, so a caller never learns of a
// match outside its scope.
func (s *Store) FindSlug(ctx context.Context, slug string, only []uuid.UUID) ([]SlugMatch, error) {
	if only != nil && len(only) == 0 {
		return nil, nil
	}
	var out []SlugMatch
	q := s.db.NewSelect().TableExpr("agent_slugs AS s").
		Join("JOIN clients AS c ON c.id = s.client_id").
		ColumnExpr("s.client_id, c.name AS client_name, c.provisioning_status AS status").
		Where("s.slug = ?", slug).OrderExpr("c.name, s.client_id")
	if only != nil {
		q = q.Where("s.client_id IN (?)", bun.List(only))
	}
	if err := q.Scan(ctx, &out); err != nil {
		return nil, fmt.Errorf("find agent slug %s: %w", slug, err)
	}
	return out, nil
}

func bunList(v []string) any { return bun.List(v) }
