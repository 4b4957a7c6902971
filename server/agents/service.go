package agents

import (
	"context"
	"log/slog"

	"github.com/google/uuid"
	"github.com/uptrace/bun"
)

// SlugIndex is the platform's agent slug index, used for auto-detection.
type SlugIndex interface {
	IndexAgent(ctx context.Context, db bun.IDB, clientID uuid.UUID, slug, name string) error
	UnindexAgent(ctx context.Context, clientID uuid.UUID, slug string) error
}

// Service writes agents and keeps the slug index in step.
type Service struct {
	index SlugIndex
	log   *slog.Logger
}

// NewService returns an agent service that maintains index.
func NewService(index SlugIndex, log *slog.Logger) *Service {
	return &Service{index: index, log: log}
}

// Create stores a new agent of client in db and indexes its slug.
func (s *Service) Create(ctx context.Context, db bun.IDB, clientID uuid.UUID, a *Agent) error {
	if err := Create(ctx, db, a); err != nil {
		return err
	}
	a.ClientID = clientID
	if err := s.index.IndexAgent(ctx, nil, clientID, a.Slug, a.Name); err != nil {
		// The agent exists; only auto-detection misses it until the next
		// write or reindex. Roll the agent back so both stay in step.
		if derr := Delete(context.WithoutCancel(ctx), db, a.Slug); derr != nil {
			s.log.Error("roll back agent after index failure", "client_id", clientID,
				"agent_slug", a.Slug, "error", derr)
		}
		return err
	}
	return nil
}

// Update applies patch to the agent with slug and stores every field.
func (s *Service) Update(ctx context.Context, db bun.IDB, clientID uuid.UUID, slug string,
	patch func(*Agent)) (*Agent, error) {
	a, err := Get(ctx, db, clientID, slug)
	if err != nil {
		return nil, err
	}
	patch(a)
	if err := Save(ctx, db, slug, a); err != nil {
		return nil, err
	}
	if a.Slug != slug {
		if err := s.index.UnindexAgent(ctx, clientID, slug); err != nil {
			return nil, err
		}
	}
	if err := s.index.IndexAgent(ctx, nil, clientID, a.Slug, a.Name); err != nil {
		return nil, err
	}
	return a, nil
}

// Delete removes the agent with slug and its index row.
func (s *Service) Delete(ctx context.Context, db bun.IDB, clientID uuid.UUID, slug string) error {
	if err := Delete(ctx, db, slug); err != nil {
		return err
	}
	return s.index.UnindexAgent(ctx, clientID, slug)
}
