package platform

import (
	"context"
	"fmt"

	"github.com/google/uuid"
)

// Audit records that actor did action to target of client. Details must not
// hold secrets: callers pass ids, names and field lists, never values of keys.
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
	return nil
}
