package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"github.com/uptrace/bun/driver/pgdriver"
)

// databaseName matches the names the demo creates and the managed tenant
// database names it reads back before dropping them.
var databaseName = regexp.MustCompile(`^[a-z_][a-z0-9_]*$`)

// newDatabaseName returns sidekick_demo_ and 12 random hex characters.
func newDatabaseName() string {
	var b [6]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(fmt.Sprintf("read random bytes: %v", err))
	}
	return "sidekick_demo_" + hex.EncodeToString(b[:])
}

// databaseURL returns adminURL with its database replaced by name.
func databaseURL(adminURL, name string) (string, error) {
	u, err := url.Parse(adminURL)
	if err != nil {
		return "", errors.New("the PostgreSQL URL is not a valid URL")
	}
	u.Path = "/" + name
	return u.String(), nil
}

// checkPostgresURL rejects a PostgreSQL server that is not on loopback.
func checkPostgresURL(adminURL string) error {
	u, err := url.Parse(adminURL)
	if err != nil {
		return errors.New("the PostgreSQL URL is not a valid URL")
	}
	host := u.Host
	if u.Port() == "" {
		host = net.JoinHostPort(u.Hostname(), "5432")
	}
	return requireLoopback("PostgreSQL server", host)
}

func openDatabase(dsn string) *sql.DB {
	db := sql.OpenDB(pgdriver.NewConnector(pgdriver.WithDSN(dsn),
		pgdriver.WithTimeout(10*time.Second)))
	db.SetMaxOpenConns(1)
	return db
}

// createDatabase creates the empty database name on the server of adminURL.
func createDatabase(ctx context.Context, adminURL, name string) error {
	if !databaseName.MatchString(name) {
		return fmt.Errorf("create database: %q is not a plain identifier", name)
	}
	admin := openDatabase(adminURL)
	defer admin.Close()
	if _, err := admin.ExecContext(ctx, "CREATE DATABASE "+name); err != nil {
		return fmt.Errorf("create database %s: %w", name, err)
	}
	return nil
}

// dropDatabases drops the managed tenant databases recorded in the platform
// database name, then name itself, ending any session still connected. It
// returns the tenant databases it dropped.
func dropDatabases(ctx context.Context, adminURL, name string) ([]string, error) {
	dsn, err := databaseURL(adminURL, name)
	if err != nil {
		return nil, err
	}
	platformDB := openDatabase(dsn)
	var tenants []string
	rows, err := platformDB.QueryContext(ctx,
		"SELECT database_name FROM clients WHERE database_mode = 'managed' ORDER BY 1")
	if err == nil {
		for rows.Next() {
			var n string
			if err := rows.Scan(&n); err == nil {
				tenants = append(tenants, n)
			}
		}
		err = errors.Join(rows.Err(), rows.Close())
	}
	_ = platformDB.Close()
	// A platform that never started has no clients table (42P01), or no
	// database at all (3D000), and then there is nothing to read. Any other
	// error leaves tenant databases behind, so it is reported.
	var missing error
	var pgErr pgdriver.Error
	if errors.As(err, &pgErr) && (pgErr.Field('C') == "42P01" || pgErr.Field('C') == "3D000") {
		err = nil
	}
	if err != nil {
		missing = fmt.Errorf("list tenant databases of %s: %w", name, err)
	}

	admin := openDatabase(adminURL)
	defer admin.Close()
	var errs []error
	var dropped []string
	for _, n := range append(tenants, name) {
		if !databaseName.MatchString(n) {
			errs = append(errs, fmt.Errorf("drop database: %q is not a plain identifier", n))
			continue
		}
		if _, err := admin.ExecContext(ctx, "DROP DATABASE IF EXISTS "+n+" WITH (FORCE)"); err != nil {
			errs = append(errs, fmt.Errorf("drop database %s: %w", n, err))
			continue
		}
		if n != name {
			dropped = append(dropped, n)
		}
	}
	return dropped, errors.Join(append([]error{missing}, errs...)...)
}

// databaseExists reports whether name exists on the server of adminURL.
func databaseExists(ctx context.Context, adminURL, name string) (bool, error) {
	admin := openDatabase(adminURL)
	defer admin.Close()
	var n int
	err := admin.QueryRowContext(ctx,
		"SELECT count(*) FROM pg_database WHERE datname = $1", name).Scan(&n)
	return n > 0, err
}

// buildPlatform compiles the server binary into dir.
func buildPlatform(ctx context.Context, repoRoot, dir string) (string, error) {
	bin := filepath.Join(dir, "sidekick-forge")
	cmd := exec.CommandContext(ctx, "go", "build", "-o", bin, "./server")
	cmd.Dir = repoRoot
	out, err := cmd.CombinedOutput()
	if err != nil {
		if out = bytes.TrimSpace(out); len(out) > 0 {
			return "", fmt.Errorf("go build ./server: %w\n%s", err, out)
		}
		return "", fmt.Errorf("go build ./server: %w", err)
	}
	return bin, nil
}

// platformEnv returns the environment of the platform commands: the demo's
// own environment without any SIDEKICK_ setting or provider SDK variable,
// so that the local defaults apply, plus the settings of this run.
func platformEnv(settings map[string]string) []string {
	var env []string
	for _, kv := range os.Environ() {
		name, _, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(name, "SIDEKICK_") || strings.HasPrefix(name, "OPENAI_") ||
			strings.HasPrefix(name, "ANTHROPIC_") {
			continue
		}
		env = append(env, kv)
	}
	for name, value := range settings {
		env = append(env, name+"="+value)
	}
	return env
}

// startPlatform runs "sidekick-forge serve" and waits for GET /health.
func startPlatform(bin string, env []string, baseURL, logPath string) (*process, error) {
	cmd := exec.Command(bin, "serve")
	cmd.Env = env
	p, err := startProcess("sidekick-forge", logPath, cmd)
	if err != nil {
		return nil, err
	}
	if err := p.waitHTTP(baseURL+"/health", platformReadyTimeout); err != nil {
		_ = p.stop(stopTimeout)
		return nil, err
	}
	return p, nil
}

// createPlatformKey runs "sidekick-forge keys create --name NAME" and returns
// the raw key it prints on stdout.
func createPlatformKey(ctx context.Context, bin string, env []string, name string) (string, error) {
	cmd := exec.CommandContext(ctx, bin, "keys", "create", "--name", name)
	cmd.Env = env
	var stdout, stderr bytes.Buffer
	cmd.Stdout = &stdout
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("sidekick-forge keys create: %w: %s", err,
			bytes.TrimSpace(stderr.Bytes()))
	}
	key := strings.TrimSpace(stdout.String())
	if key == "" || strings.ContainsAny(key, " \n") {
		return "", errors.New("sidekick-forge keys create printed no key on stdout")
	}
	return key, nil
}

// keyPrefix returns the first 12 characters of an access key, the part the
// platform stores and shows, followed by an ellipsis.
func keyPrefix(key string) string {
	const visible = 12
	if len(key) <= visible {
		return "…"
	}
	return key[:visible] + "…"
}
