package agents

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"testing"

	"github.com/google/uuid"
	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect/pgdialect"
	"github.com/uptrace/bun/driver/pgdriver"

	"github.com/sidekick-forge/sidekick-forge/migrations"
	"github.com/sidekick-forge/sidekick-forge/server/apperr"
	"github.com/sidekick-forge/sidekick-forge/server/pgtest"
)

// tenantDB returns a migrated throwaway tenant database.
func tenantDB(t *testing.T) *bun.DB {
	t.Helper()
	sqldb := sql.OpenDB(pgdriver.NewConnector(pgdriver.WithDSN(pgtest.NewDatabase(t))))
	db := bun.NewDB(sqldb, pgdialect.New())
	// Registered after NewDatabase's cleanup, so it runs first and the
	// database has no open session when it is dropped.
	t.Cleanup(func() { db.Close() })
	if _, err := migrations.Run(context.Background(), db, migrations.Tenant()); err != nil {
		t.Fatalf("migrate tenant database: %v", err)
	}
	return db
}

func codeOf(err error) apperr.Code { return apperr.CodeOf(err) }

func TestList_pagesBySlug(t *testing.T) {
	ctx := context.Background()
	db := tenantDB(t)
	client := uuid.New()
	for _, slug := range []string{"delta", "alpha", "charlie", "bravo", "echo"} {
		if err := Create(ctx, db, New(slug, "Agent "+slug)); err != nil {
			t.Fatal(err)
		}
	}

	cases := []struct {
		after   string
		limit   int
		want    string
		hasNext bool
	}{
		{"", 2, "[alpha bravo]", true},
		{"bravo", 2, "[charlie delta]", true},
		{"delta", 2, "[echo]", false},
		{"echo", 2, "[]", false},
		{"", 5, "[alpha bravo charlie delta echo]", false},
		{"b", 1, "[bravo]", true},
	}
	for _, tc := range cases {
		t.Run(fmt.Sprintf("after %q limit %d", tc.after, tc.limit), func(t *testing.T) {
			page, err := List(ctx, db, client, tc.after, tc.limit)
			if err != nil {
				t.Fatal(err)
			}
			var slugs []string
			for _, a := range page.Agents {
				slugs = append(slugs, a.Slug)
				if a.ClientID != client {
					t.Errorf("agent %s has client %s, want %s", a.Slug, a.ClientID, client)
				}
			}
			if got := fmt.Sprint(slugs); got != tc.want {
				t.Errorf("slugs = %v, want %s", slugs, tc.want)
			}
			if page.HasNext != tc.hasNext {
				t.Errorf("HasNext = %v, want %v", page.HasNext, tc.hasNext)
			}
			if page.TotalCount != 5 {
				t.Errorf("TotalCount = %d, want 5 (every agent, not the rest after the cursor)",
					page.TotalCount)
			}
		})
	}
}

func TestStore_createGetSaveDelete(t *testing.T) {
	ctx := context.Background()
	db := tenantDB(t)
	client := uuid.New()

	a := New("helper", "Helper")
	a.SystemPrompt = "Be brief."
	a.VoiceSettings = map[string]any{"voice_id": "v1", "temperature": 0.5}
	a.Webhooks.TextContextWebhookURL = "https://example.com/ctx"
	if err := Create(ctx, db, a); err != nil {
		t.Fatal(err)
	}

	t.Run("get returns every field", func(t *testing.T) {
		got, err := Get(ctx, db, client, "helper")
		if err != nil {
			t.Fatal(err)
		}
		if got.ID != a.ID || got.SystemPrompt != "Be brief." || got.ClientID != client ||
			got.VoiceSettings["voice_id"] != "v1" || got.VoiceSettings["temperature"] != 0.5 ||
			got.Webhooks.TextContextWebhookURL != "https://example.com/ctx" || !got.Enabled {
			t.Errorf("Get = %+v", got)
		}
	})
	t.Run("duplicate slug is CONFLICT on slug", func(t *testing.T) {
		err := Create(ctx, db, New("helper", "Other"))
		e, ok := apperr.As(err)
		if !ok || e.Code != apperr.Conflict || e.Field != "slug" {
			t.Errorf("Create duplicate = %v, want CONFLICT on slug", err)
		}
	})
	t.Run("invalid agent is not stored", func(t *testing.T) {
		err := Create(ctx, db, New("bad_slug", "Bad"))
		if codeOf(err) != apperr.InvalidInput {
			t.Errorf("Create = %v, want INVALID_INPUT", err)
		}
		if _, err := Get(ctx, db, client, "bad_slug"); codeOf(err) != apperr.NotFound {
			t.Errorf("Get after rejected create = %v, want NOT_FOUND", err)
		}
	})
	t.Run("save renames", func(t *testing.T) {
		got, err := Get(ctx, db, client, "helper")
		if err != nil {
			t.Fatal(err)
		}
		got.Slug, got.Name = "assistant", "Assistant"
		if err := Save(ctx, db, "helper", got); err != nil {
			t.Fatal(err)
		}
		if _, err := Get(ctx, db, client, "helper"); codeOf(err) != apperr.NotFound {
			t.Errorf("old slug after rename: %v, want NOT_FOUND", err)
		}
		renamed, err := Get(ctx, db, client, "assistant")
		if err != nil {
			t.Fatal(err)
		}
		if renamed.ID != a.ID || renamed.Name != "Assistant" || !renamed.CreatedAt.Equal(got.CreatedAt) {
			t.Errorf("renamed agent = %+v, want the same id and created_at", renamed)
		}
	})
	t.Run("save of a missing agent is NOT_FOUND", func(t *testing.T) {
		if err := Save(ctx, db, "ghost", New("ghost", "Ghost")); codeOf(err) != apperr.NotFound {
			t.Errorf("Save = %v, want NOT_FOUND", err)
		}
	})
	t.Run("delete", func(t *testing.T) {
		if err := Delete(ctx, db, "assistant"); err != nil {
			t.Fatal(err)
		}
		if err := Delete(ctx, db, "assistant"); codeOf(err) != apperr.NotFound {
			t.Errorf("second Delete = %v, want NOT_FOUND", err)
		}
	})
}

// recordingIndex is an in-memory slug index that fails while failing is set.
type recordingIndex struct {
	mu      sync.Mutex
	rows    map[string]string // slug -> agent name
	failing bool
}

var errIndexDown = errors.New("slug index unavailable")

func (r *recordingIndex) IndexAgent(_ context.Context, _ bun.IDB, _ uuid.UUID, slug, name string) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.failing {
		return errIndexDown
	}
	r.rows[slug] = name
	return nil
}

func (r *recordingIndex) UnindexAgent(_ context.Context, _ uuid.UUID, slug string) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.failing {
		return errIndexDown
	}
	delete(r.rows, slug)
	return nil
}

func (r *recordingIndex) snapshot() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return fmt.Sprint(r.rows)
}

func TestService_keepsSlugIndexInStep(t *testing.T) {
	ctx := context.Background()
	db := tenantDB(t)
	client := uuid.New()
	index := &recordingIndex{rows: map[string]string{}}
	svc := NewService(index, slog.New(slog.NewTextHandler(io.Discard, nil)))

	if err := svc.Create(ctx, db, client, New("first", "First")); err != nil {
		t.Fatal(err)
	}
	if got := index.snapshot(); got != "map[first:First]" {
		t.Errorf("index after create = %s", got)
	}

	_, err := svc.Update(ctx, db, client, "first", func(a *Agent) { a.Slug, a.Name = "second", "Second" })
	if err != nil {
		t.Fatal(err)
	}
	if got := index.snapshot(); got != "map[second:Second]" {
		t.Errorf("index after rename = %s, want only the new slug", got)
	}

	t.Run("failed index rolls the create back", func(t *testing.T) {
		index.failing = true
		defer func() { index.failing = false }()
		err := svc.Create(ctx, db, client, New("orphan", "Orphan"))
		if !errors.Is(err, errIndexDown) {
			t.Errorf("Create = %v, want the index error", err)
		}
		if _, err := Get(ctx, db, client, "orphan"); codeOf(err) != apperr.NotFound {
			t.Errorf("agent after failed index: %v, want NOT_FOUND (rolled back)", err)
		}
	})

	t.Run("invalid update writes nothing", func(t *testing.T) {
		_, err := svc.Update(ctx, db, client, "second", func(a *Agent) { a.Slug = "Bad Slug" })
		if codeOf(err) != apperr.InvalidInput {
			t.Errorf("Update = %v, want INVALID_INPUT", err)
		}
		if got := index.snapshot(); got != "map[second:Second]" {
			t.Errorf("index after rejected update = %s", got)
		}
		if _, err := Get(ctx, db, client, "second"); err != nil {
			t.Errorf("agent after rejected update: %v", err)
		}
	})

	if err := svc.Delete(ctx, db, client, "second"); err != nil {
		t.Fatal(err)
	}
	if got := index.snapshot(); got != "map[]" {
		t.Errorf("index after delete = %s, want empty", got)
	}
}
