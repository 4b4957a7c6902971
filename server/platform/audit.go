package platform

import (
	"context"
	"fmt"
	"sync/atomic"

	"github.com/google/uuid"
)

// Audit records that actor did action to target of client. Details must not
// hold secrets: callers pass ids, names and field lists, never values of keys.
// When ctx carries a mark from WithAuditMark, Audit sets it.
func (s *Store) Audit(ctx context.Context, actor, action string, clientID *uuid.UUID,
	target string, details map[string]any) error {
	if details == nil {
		details = map[string]any{}
	}
	e := &AuditEntry{Actor: actor, Action: action, ClientID: clientID, Target: target,
		Details: details}
	if _, err := s.db.NewInsert().Model(e).Exec(ctx); err != nil {
		return fmt.Errorf("write audit entry %s: %w", action, err)
	}
	if mark, ok := ctx.Value(auditMarkKey{}).(*atomic.Bool); ok {
		mark.Store(true)
	}
	return nil
}

type auditMarkKey struct{}

// WithAuditMark returns ctx with a fresh mark that Audit sets, so that the
// GraphQL layer can tell whether a mutation wrote an audit entry of its own.
func WithAuditMark(ctx context.Context) context.Context {
	return context.WithValue(ctx, auditMarkKey{}, new(atomic.Bool))
}

// Audited reports whether Audit ran with ctx's mark since WithAuditMark.
func Audited(ctx context.Context) bool {
	mark, ok := ctx.Value(auditMarkKey{}).(*atomic.Bool)
	return ok && mark.Load()
}

// AuditFilter selects a page of audit entries, newest first.
type AuditFilter struct {
	// ClientID restricts the entries to one client; nil means every entry.
	ClientID *uuid.UUID
	// BeforeID is the id of the last entry of the previous page; 0 starts at
	// the newest.
	BeforeID int64
	Limit    int
}

// ListAudit returns a page of audit entries, newest first, and the total
// count matching the filter.
func (s *Store) ListAudit(ctx context.Context, f AuditFilter) ([]*AuditEntry, int, error) {
	var entries []*AuditEntry
	q := s.db.NewSelect().Model(&entries)
	if f.ClientID != nil {
		q = q.Where("client_id = ?", *f.ClientID)
	}
	total, err := q.Count(ctx)
	if err != nil {
		return nil, 0, fmt.Errorf("count audit entries: %w", err)
	}
	if f.BeforeID > 0 {
		q = q.Where("id < ?", f.BeforeID)
	}
	if err := q.Order("id DESC").Limit(int64(f.Limit)).Scan(ctx); err != nil {
		return nil, 0, fmt.Errorf("list audit entries: %w", err)
	}
	return entries, int(total), nil
}
