// Package pgtest creates throwaway PostgreSQL databases for tests that need a
// real server. The server is SIDEKICK_TEST_DATABASE_URL, by default the local
// PostgreSQL on 127.0.0.1:5432 with trust authentication.
package pgtest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/uptrace/bun/driver/pgdriver"
)

// DefaultServerURL is the PostgreSQL server used when SIDEKICK_TEST_DATABASE_URL
// is unset.
const DefaultServerURL = "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"

// ServerURL returns the DSN of the maintenance database on the test server.
func ServerURL() string {
	if v := os.Getenv("SIDEKICK_TEST_DATABASE_URL"); v != "" {
		return v
	}
	return DefaultServerURL
}

// NewDatabase creates an empty database with a random name, drops it when the
// test ends and returns its DSN. The test fails at once when the server is
// unreachable: these tests exist to run against a real PostgreSQL.
func NewDatabase(t testing.TB) string {
	t.Helper()

	name := RandomName("sftest")
	admin := openAdmin(t)
	defer admin.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()

	if _, err := admin.ExecContext(ctx, "CREATE DATABASE "+name); err != nil {
		t.Fatalf("create test database %s: %v", name, err)
	}
	t.Cleanup(func() { DropDatabase(t, name) })

	return DatabaseURL(name)
}

// DatabaseURL returns the DSN of database name on the test server.
func DatabaseURL(name string) string {
	u, err := url.Parse(ServerURL())
	if err != nil {
		panic(fmt.Sprintf("parse SIDEKICK_TEST_DATABASE_URL: %v", err))
	}
	u.Path = "/" + name
	return u.String()
}

// DropDatabase drops name, ending any session still connected to it.
func DropDatabase(t testing.TB, name string) {
	t.Helper()

	admin := openAdmin(t)
	defer admin.Close()
	// DROP DATABASE waits for a checkpoint, which takes seconds on a busy
	// server.
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()

	if _, err := admin.ExecContext(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
		t.Errorf("drop test database %s: %v", name, err)
	}
}

// RandomName returns prefix followed by an underscore and 12 random hex
// characters, a valid unquoted PostgreSQL identifier.
func RandomName(prefix string) string {
	var b [6]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(err)
	}
	return strings.ToLower(prefix) + "_" + hex.EncodeToString(b[:])
}

func openAdmin(t testing.TB) *sql.DB {
	t.Helper()

	db := sql.OpenDB(pgdriver.NewConnector(pgdriver.WithDSN(ServerURL()),
		pgdriver.WithReadTimeout(2*time.Minute)))
	db.SetMaxOpenConns(1)

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		t.Fatalf("PostgreSQL test server %s is unreachable (set SIDEKICK_TEST_DATABASE_URL): %v",
			redact(ServerURL()), err)
	}
	return db
}

func redact(dsn string) string {
	u, err := url.Parse(dsn)
	if err != nil {
		return "(unparsable DSN)"
	}
	return u.Redacted()
}
