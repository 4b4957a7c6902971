// Package migrations embeds the SQL migrations of the platform database and of
// every tenant database, for bun/migrate.
package migrations

import (
	"context"
	"embed"
	"fmt"
	"io/fs"
	"strconv"

	"github.com/uptrace/bun"

	"github.com/uptrace/bun/migrate"
)

//go:embed platform/*.sql
var platformFS embed.FS

//go:embed tenant/*.sql
var tenantFS embed.FS

// Platform returns the migrations of the platform database.
func Platform() *migrate.Migrations { return discover(platformFS, "platform") }

// Tenant returns the migrations of a tenant database.
func Tenant() *migrate.Migrations { return discover(tenantFS, "tenant") }

func discover(fsys embed.FS, dir string) *migrate.Migrations {
	m := migrate.NewMigrations()
	sub, err := fs.Sub(fsys, dir)
	if err != nil {
		panic(err)
	}
	if err := m.Discover(sub); err != nil {
		panic(fmt.Sprintf("discover %s migrations: %v", dir, err))
	}
	return m
}

// Run applies every pending migration of ms to db and returns the id of the
// newest applied migration, which is the schema version.
func Run(ctx context.Context, db *bun.DB, ms *migrate.Migrations) (int64, error) {
	m := migrate.NewMigrator(db, ms)
	if err := m.Init(ctx); err != nil {
		return 0, fmt.Errorf("init migrations table: %w", err)
	}
	if err := m.Lock(ctx); err != nil {
		return 0, fmt.Errorf("lock migrations: %w", err)
	}
	defer func() { _ = m.Unlock(ctx) }()

	if _, err := m.Migrate(ctx); err != nil {
		return 0, fmt.Errorf("migrate: %w", err)
	}
	applied, err := m.AppliedMigrations(ctx)
	if err != nil {
		return 0, fmt.Errorf("list applied migrations: %w", err)
	}
	var version int64
	for _, a := range applied {
		if v, err := strconv.ParseInt(a.Name, 10, 64); err == nil && v > version {
			version = v
		}
	}
	return version, nil
}
