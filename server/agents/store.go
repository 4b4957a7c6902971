package agents

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"
	"github.com/uptrace/bun/driver/pgdriver"

	"github.com/sidekick-forge/sidekick-forge/server/apperr"
)

// Page is one page of agents in slug order.
type Page struct {
	Agents     []*Agent
	TotalCount int
	HasNext    bool
}

// List returns up to limit agents whose slug sorts after after.
func List(ctx context.Context, db bun.IDB, clientID uuid.UUID, after string, limit int) (Page, error) {
	var list []*Agent
	q := db.NewSelect().Model(&list)
	total, err := q.Count(ctx)
	if err != nil {
		return Page{}, fmt.Errorf("count agents: %w", err)
	}
	if after != "" {
		q = q.Where("slug > ?", after)
	}
	if err := q.Order("slug").Limit(int64(limit + 1)).Scan(ctx); err != nil {
		return Page{}, fmt.Errorf("list agents: %w", err)
	}
	page := Page{TotalCount: int(total)}
	if len(list) > limit {
		page.HasNext = true
		list = list[:limit]
	}
	for _, a := range list {
		a.ClientID = clientID
	}
	page.Agents = list
	return page, nil
}

// Get loads the agent with slug.
func Get(ctx context.Context, db bun.IDB, clientID uuid.UUID, slug string) (*Agent, error) {
	a := new(Agent)
	err := db.NewSelect().Model(a).Where("slug = ?", slug).Scan(ctx)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, apperr.New(apperr.NotFound, "agent %q not found", slug)
	}
	if err != nil {
		return nil, fmt.Errorf("load agent %s: %w", slug, err)
	}
	a.ClientID = clientID
	return a, nil
}

// Create validates and stores a. An existing slug is CONFLICT.
func Create(ctx context.Context, db bun.IDB, a *Agent) error {
	if err := a.Validate(); err != nil {
		return err
	}
	_, err := db.NewInsert().Model(a).Exec(ctx)
	if isUniqueViolation(err) {
		return &apperr.Error{Code: apperr.Conflict, Field: "slug",
			Message: fmt.Sprintf("slug: an agent with slug %q already exists", a.Slug)}
	}
	if err != nil {
		return fmt.Errorf("insert agent %s: %w", a.Slug, err)
	}
	return nil
}

// Save validates and stores every field of a, which must exist. The slug
// may change; oldSlug names the row.
func Save(ctx context.Context, db bun.IDB, oldSlug string, a *Agent) error {
	if err := a.Validate(); err != nil {
		return err
	}
	a.UpdatedAt = time.Now()
	res, err := db.NewUpdate().Model(a).ExcludeColumn("id", "created_at").
		Where("slug = ?", oldSlug).Exec(ctx)
	if isUniqueViolation(err) {
		return &apperr.Error{Code: apperr.Conflict, Field: "slug",
			Message: fmt.Sprintf("slug: an agent with slug %q already exists", a.Slug)}
	}
	if err != nil {
		return fmt.Errorf("update agent %s: %w", oldSlug, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return apperr.New(apperr.NotFound, "agent %q not found", oldSlug)
	}
	return nil
}

// Delete removes the agent with slug.
func Delete(ctx context.Context, db bun.IDB, slug string) error {
	res, err := db.NewDelete().Model((*Agent)(nil)).Where("slug = ?", slug).Exec(ctx)
	if err != nil {
		return fmt.Errorf("delete agent %s: %w", slug, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return apperr.New(apperr.NotFound, "agent %q not found", slug)
	}
	return nil
}

// All returns every agent, for rebuilding the slug index.
func All(ctx context.Context, db bun.IDB) ([]*Agent, error) {
	var list []*Agent
	if err := db.NewSelect().Model(&list).Column("slug", "name").Scan(ctx); err != nil {
		return nil, fmt.Errorf("list agents: %w", err)
	}
	return list, nil
}

func isUniqueViolation(err error) bool {
	var pgErr pgdriver.Error
	return errors.As(err, &pgErr) && pgErr.Field('C') == "23505"
}
