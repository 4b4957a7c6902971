package graph

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/sidekick-forge/sidekick-forge/graph/model"
	"github.com/sidekick-forge/sidekick-forge/server/auth"
	"github.com/sidekick-forge/sidekick-forge/server/platform"
)

// Limits of the dashboard's trigger counts, which read tenant databases.
// NOTE: counting in every tenant does not scale, and it churns the pool cache
// once more clients are counted than pools fit. A per-client counter in the
// platform database, written by the trigger service, would replace this.
const (
	dashboardCountLimit   = 12
	dashboardParallelism  = 4
	dashboardTenantBudget = 3 * time.Second
)

func (r *queryResolver) dashboardClientCounts(ctx context.Context, p *auth.Principal) (
	*model.ClientStatusCounts, error) {
	counts := map[string]int{}
	if p.PlatformAdmin() {
		all, err := r.Store.CountByStatus(ctx)
		if err != nil {
			return nil, err
		}
		counts = all
	} else {
		statuses := []string{platform.StatusPending, platform.StatusProvisioning,
			platform.StatusReady, platform.StatusFailed}
		for _, status := range statuses {
			_, total, err := r.ClientService.List(ctx, p, platform.ClientFilter{Status: status, Limit: 1})
			if err != nil {
				return nil, err
			}
			counts[status] = total
		}
	}
	return &model.ClientStatusCounts{
		Pending: counts[platform.StatusPending], Provisioning: counts[platform.StatusProvisioning],
		Ready: counts[platform.StatusReady], Failed: counts[platform.StatusFailed],
	}, nil
}

// dashboardAgentCount counts the agent slug index rows of the visible
// clients, which the agent service keeps in step with every agent write.
func (r *queryResolver) dashboardAgentCount(ctx context.Context, p *auth.Principal) (int, error) {
	q := r.Store.DB().NewSelect().Table("agent_slugs")
	if only := p.VisibleClients(); only != nil {
		if len(only) == 0 {
			return 0, nil
		}
		q = q.Where("client_id IN (?)", bun.List(only))
	}
	n, err := q.Count(ctx)
	if err != nil {
		return 0, fmt.Errorf("count agents: %w", err)
	}
	return int(n), nil
}

func (r *queryResolver) dashboardTriggerCounts(ctx context.Context, p *auth.Principal) (
	*model.TriggerCounts, error) {
	ready, total, err := r.ClientService.List(ctx, p, platform.ClientFilter{
		Status: platform.StatusReady, Limit: dashboardCountLimit,
	})
	if err != nil {
		return nil, err
	}
	out := &model.TriggerCounts{
		CountedClients: len(ready), ReadyClients: total, CountLimit: dashboardCountLimit,
	}
	since := time.Now().Add(-24 * time.Hour)
	ctx, cancel := context.WithTimeout(ctx, dashboardTenantBudget)
	defer cancel()

	var mu sync.Mutex
	var wg sync.WaitGroup
	slots := make(chan struct{}, dashboardParallelism)
	for _, c := range ready {
		wg.Add(1)
		slots <- struct{}{}
		go func(id uuid.UUID) {
			defer wg.Done()
			defer func() { <-slots }()
			counts, err := r.countTenantTriggers(ctx, id, since)
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				r.Log.Warn("count dashboard triggers", "client_id", id, "error", err)
				out.UnavailableClients++
				return
			}
			out.Voice += counts.voice
			out.Video += counts.video
			out.Text += counts.text
		}(c.ID)
	}
	wg.Wait()
	return out, nil
}

type triggerCounts struct{ voice, video, text int }

// countTenantTriggers counts, in one tenant database, the voice and video
// conversations started since since, and the user messages of text
// conversations sent since then (one per text trigger).
func (r *queryResolver) countTenantTriggers(ctx context.Context, clientID uuid.UUID,
	since time.Time) (triggerCounts, error) {
	lease, err := r.Tenants.Acquire(ctx, clientID)
	if err != nil {
		return triggerCounts{}, err
	}
	defer lease.Release()
	db := lease.DB()

	var rows []struct {
		Mode string `bun:"mode"`
		N    int    `bun:"n"`
	}
	err = db.NewSelect().Table("conversations").Column("mode").ColumnExpr("count(*) AS n").
		Where("mode IN ('voice', 'video')").Where("created_at >= ?", since).
		Group("mode").Scan(ctx, &rows)
	if err != nil {
		return triggerCounts{}, fmt.Errorf("count voice and video conversations: %w", err)
	}
	var out triggerCounts
	for _, row := range rows {
		if row.Mode == "voice" {
			out.voice = row.N
		} else {
			out.video = row.N
		}
	}
	text, err := db.NewSelect().TableExpr("messages AS m").
		Join("JOIN conversations AS c ON c.id = m.conversation_id").
		Where("m.role = 'user'").Where("c.mode = 'text'").Where("m.created_at >= ?", since).
		Count(ctx)
	if err != nil {
		return triggerCounts{}, fmt.Errorf("count text messages: %w", err)
	}
	out.text = int(text)
	return out, nil
}
