package app

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect/pgdialect"
	"github.com/uptrace/bun/driver/pgdriver"

	"github.com/sidekick-forge/sidekick-forge/migrations"
)

// platformPoolSize is the connection limit of the platform database pool.
const platformPoolSize = 20

// OpenPlatform connects to the platform database, creating it when missing,
// and applies its migrations.
func OpenPlatform(ctx context.Context, dsn string) (*bun.DB, error) {
	if err := ensureDatabase(ctx, dsn); err != nil {
		return nil, err
	}
	db, err := openDB(dsn, platformPoolSize)
	if err != nil {
		return nil, err
	}
	if _, err := migrations.Run(ctx, db, migrations.Platform()); err != nil {
		db.Close()
		return nil, fmt.Errorf("migrate platform database: %w", err)
	}
	return db, nil
}

func openDB(dsn string, maxConns int) (db *bun.DB, err error) {
	defer func() {
		// pgdriver panics on a DSN it cannot parse, quoting the DSN.
		if recover() != nil {
			db, err = nil, errors.New("SIDEKICK_DATABASE_URL is not a valid PostgreSQL URL")
		}
	}()
	sqldb := sql.OpenDB(pgdriver.NewConnector(pgdriver.WithDSN(dsn),
		pgdriver.WithTimeout(10*time.Second)))
	sqldb.SetMaxOpenConns(maxConns)
	sqldb.SetMaxIdleConns(maxConns)
	sqldb.SetConnMaxIdleTime(5 * time.Minute)
	return bun.NewDB(sqldb, pgdialect.New()), nil
}

// ensureDatabase creates the database named in dsn when it does not exist,
// connecting to the server's postgres database to do so.
func ensureDatabase(ctx context.Context, dsn string) error {
	u, err := url.Parse(dsn)
	if err != nil {
		return errors.New("SIDEKICK_DATABASE_URL is not a valid URL")
	}
	name := strings.TrimPrefix(u.Path, "/")
	if name == "" {
		return errors.New("SIDEKICK_DATABASE_URL must name a database")
	}
	admin := *u
	admin.Path = "/postgres"
	db, err := openDB(admin.String(), 1)
	if err != nil {
		return err
	}
	defer db.Close()

	var exists bool
	err = db.NewRaw("SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = ?)", name).Scan(ctx, &exists)
	if err != nil {
		return fmt.Errorf("connect to PostgreSQL at %s: %w", u.Redacted(), err)
	}
	if exists {
		return nil
	}
	_, err = db.ExecContext(ctx, "CREATE DATABASE "+quoteIdent(name))
	var pgErr pgdriver.Error
	if errors.As(err, &pgErr) && pgErr.Field('C') == "42P04" {
		return nil
	}
	if err != nil {
		return fmt.Errorf("create platform database %s: %w", name, err)
	}
	return nil
}

func quoteIdent(name string) string {
	return `"` + strings.ReplaceAll(name, `"`, `""`) + `"`
}
