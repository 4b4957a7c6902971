package tenancy_test

import (
	"context"
	"log/slog"
	"testing"

	"github.com/google/uuid"

	"github.com/sidekick-forge/sidekick-forge/server/pgtest"
	"github.com/sidekick-forge/sidekick-forge/server/tenancy"
)

// warmManager returns a Manager whose pool for the returned client is open.
func warmManager(b *testing.B) (*tenancy.Manager, uuid.UUID, *memDirectory) {
	b.Helper()
	dir := newMemDirectory()
	id := dir.add(tenancy.StatusReady, pgtest.NewDatabase(b))
	m := newManagerWithLog(b, dir, tenancy.Config{}, slog.New(slog.DiscardHandler))
	mustAcquire(b, m, id).Release()
	return m, id, dir
}

// checkWarmPath fails the benchmark when the loop reached the Directory or
// opened another pool, which would make the numbers meaningless.
func checkWarmPath(b *testing.B, m *tenancy.Manager, dir *memDirectory) {
	b.Helper()
	if got := dir.lookups.Load(); got != 1 {
		b.Errorf("directory lookups = %d, want 1", got)
	}
	if got := m.Stats().Opens; got != 1 {
		b.Errorf("Opens = %d, want 1", got)
	}
}

func BenchmarkManager_warmAcquire(b *testing.B) {
	m, id, dir := warmManager(b)
	ctx := context.Background()

	b.ReportAllocs()
	for b.Loop() {
		lease, err := m.Acquire(ctx, id)
		if err != nil {
			b.Fatal(err)
		}
		lease.Release()
	}
	checkWarmPath(b, m, dir)
}

func BenchmarkManager_warmAcquireParallel(b *testing.B) {
	m, id, dir := warmManager(b)
	ctx := context.Background()

	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			lease, err := m.Acquire(ctx, id)
			if err != nil {
				b.Error(err)
				return
			}
			lease.Release()
		}
	})
	checkWarmPath(b, m, dir)
}
