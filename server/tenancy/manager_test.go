package tenancy_test

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect/pgdialect"
	"github.com/uptrace/bun/driver/pgdriver"

	"github.com/sidekick-forge/sidekick-forge/server/apperr"
	"github.com/sidekick-forge/sidekick-forge/server/pgtest"
	"github.com/sidekick-forge/sidekick-forge/server/tenancy"
)

// memDirectory is an in-memory tenancy.Directory that counts lookups.
type memDirectory struct {
	mu      sync.Mutex
	targets map[uuid.UUID]tenancy.Target
	delay   time.Duration
	fail    error
	// hold, when set, blocks the next lookup after it read its target, until
	// the channel is closed.
	hold chan struct{}
	// held is closed when a lookup starts waiting on hold.
	held    chan struct{}
	lookups atomic.Int64
}

func newMemDirectory() *memDirectory {
	return &memDirectory{targets: make(map[uuid.UUID]tenancy.Target)}
}

func (d *memDirectory) set(clientID uuid.UUID, status, dsn string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.targets[clientID] = tenancy.Target{ClientID: clientID, Status: status, DSN: dsn}
}

func (d *memDirectory) add(status, dsn string) uuid.UUID {
	id := uuid.New()
	d.set(id, status, dsn)
	return id
}

// holdNextLookup makes the next lookup block after it read its target. The
// lookup closes held when it starts waiting and returns once hold is closed.
func (d *memDirectory) holdNextLookup() (hold, held chan struct{}) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.hold, d.held = make(chan struct{}), make(chan struct{})
	return d.hold, d.held
}

func (d *memDirectory) setFail(err error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.fail = err
}

func (d *memDirectory) LookupTenant(
	ctx context.Context, clientID uuid.UUID,
) (tenancy.Target, error) {
	d.lookups.Add(1)
	if d.delay > 0 {
		select {
		case <-time.After(d.delay):
		case <-ctx.Done():
			return tenancy.Target{}, ctx.Err()
		}
	}

	d.mu.Lock()
	target, ok := d.targets[clientID]
	fail := d.fail
	hold, held := d.hold, d.held
	d.hold = nil
	d.mu.Unlock()

	if hold != nil {
		close(held)
		<-hold
	}
	if fail != nil {
		return tenancy.Target{}, fail
	}
	if !ok {
		return tenancy.Target{}, tenancy.ErrClientNotFound
	}
	return target, nil
}

// syncBuffer is a bytes.Buffer that log handlers on several goroutines may share.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func testLogger(t testing.TB) *slog.Logger {
	return slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelDebug}))
}

func newManager(t testing.TB, dir tenancy.Directory, cfg tenancy.Config) *tenancy.Manager {
	t.Helper()
	return newManagerWithLog(t, dir, cfg, testLogger(t))
}

func newManagerWithLog(
	t testing.TB, dir tenancy.Directory, cfg tenancy.Config, log *slog.Logger,
) *tenancy.Manager {
	t.Helper()
	m := tenancy.NewManager(dir, cfg, log)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := m.Shutdown(ctx); err != nil {
			t.Errorf("shut down manager: %v", err)
		}
	})
	return m
}

func databaseName(t testing.TB, dsn string) string {
	t.Helper()
	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatalf("parse test DSN: %v", err)
	}
	return strings.TrimPrefix(u.Path, "/")
}

func currentDatabase(t testing.TB, db *bun.DB) string {
	t.Helper()
	var name string
	row := db.QueryRowContext(context.Background(), "SELECT current_database()")
	if err := row.Scan(&name); err != nil {
		t.Fatalf("query current_database(): %v", err)
	}
	return name
}

func mustAcquire(t testing.TB, m *tenancy.Manager, clientID uuid.UUID) *tenancy.Lease {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	lease, err := m.Acquire(ctx, clientID)
	if err != nil {
		t.Fatalf("Acquire(%s): %v", clientID, err)
	}
	return lease
}

// openServer opens the maintenance database of the test server with one
// connection, for creating databases and reading pg_stat_activity. Its read
// timeout allows for slow DROP DATABASE statements on a busy server.
func openServer(t testing.TB) *bun.DB {
	t.Helper()
	sqldb := sql.OpenDB(pgdriver.NewConnector(
		pgdriver.WithDSN(pgtest.ServerURL()), pgdriver.WithReadTimeout(2*time.Minute)))
	sqldb.SetMaxOpenConns(1)
	db := bun.NewDB(sqldb, pgdialect.New())
	t.Cleanup(func() { _ = db.Close() })
	return db
}

func openDatabase(t testing.TB, dsn string) *bun.DB {
	t.Helper()
	db := bun.NewDB(sql.OpenDB(pgdriver.NewConnector(pgdriver.WithDSN(dsn))), pgdialect.New())
	t.Cleanup(func() { _ = db.Close() })
	return db
}

// createDatabases creates n throwaway databases and drops them when the test
// ends. pgtest.NewDatabase would keep one idle admin connection per database
// until then, n more connections on the shared server. The drops run in
// parallel because each DROP DATABASE waits for a checkpoint, which takes
// most of a second on a busy server, and concurrent drops share checkpoints.
func createDatabases(t testing.TB, n int) []string {
	t.Helper()
	const parallelDrops = 8
	server := openServer(t)
	server.SetMaxOpenConns(parallelDrops)

	names := make([]string, n)
	for i := range names {
		names[i] = pgtest.RandomName("sftest")
		if _, err := server.ExecContext(context.Background(), "CREATE DATABASE "+names[i]); err != nil {
			dropDatabases(t, server, names[:i])
			t.Fatalf("create test database %s: %v", names[i], err)
		}
	}
	t.Cleanup(func() { dropDatabases(t, server, names) })
	return names
}

func dropDatabases(t testing.TB, server *bun.DB, names []string) {
	var wg sync.WaitGroup
	for _, name := range names {
		wg.Go(func() {
			query := "DROP DATABASE IF EXISTS " + name + " WITH (FORCE)"
			if _, err := server.ExecContext(context.Background(), query); err != nil {
				t.Errorf("drop test database %s: %v", name, err)
			}
		})
	}
	wg.Wait()
}

// closedPort returns a TCP port on 127.0.0.1 that nothing listens on.
func closedPort(t testing.TB) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("listen: %v", err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	_ = ln.Close()
	return port
}

// silentServer accepts TCP connections on 127.0.0.1 and never responds, like
// a database host behind a firewall that drops packets. It returns its address.
func silentServer(t testing.TB) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("listen: %v", err)
	}
	var mu sync.Mutex
	var conns []net.Conn
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
		}
	}()
	t.Cleanup(func() {
		_ = ln.Close()
		mu.Lock()
		defer mu.Unlock()
		for _, c := range conns {
			_ = c.Close()
		}
	})
	return ln.Addr().String()
}

func waitFor(t testing.TB, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting for %s", timeout, what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestManager_isolatesTenants(t *testing.T) {
	dsnA, dsnB := pgtest.NewDatabase(t), pgtest.NewDatabase(t)
	dir := newMemDirectory()
	idA := dir.add(tenancy.StatusReady, dsnA)
	idB := dir.add(tenancy.StatusReady, dsnB)
	m := newManager(t, dir, tenancy.Config{})
	ctx := context.Background()

	leaseA := mustAcquire(t, m, idA)
	defer leaseA.Release()
	leaseB := mustAcquire(t, m, idB)
	defer leaseB.Release()

	if _, err := leaseA.DB().ExecContext(ctx, "CREATE TABLE notes (body text)"); err != nil {
		t.Fatalf("create table in tenant A: %v", err)
	}
	if _, err := leaseA.DB().ExecContext(ctx, "INSERT INTO notes VALUES ('only in A')"); err != nil {
		t.Fatalf("insert in tenant A: %v", err)
	}

	if got, want := currentDatabase(t, leaseA.DB()), databaseName(t, dsnA); got != want {
		t.Errorf("tenant A database = %s, want %s", got, want)
	}
	if got, want := currentDatabase(t, leaseB.DB()), databaseName(t, dsnB); got != want {
		t.Errorf("tenant B database = %s, want %s", got, want)
	}

	var rows int
	if err := leaseA.DB().QueryRowContext(ctx, "SELECT count(*) FROM notes").Scan(&rows); err != nil {
		t.Fatalf("count notes in tenant A: %v", err)
	}
	if rows != 1 {
		t.Errorf("tenant A has %d notes, want 1", rows)
	}

	var missing bool
	err := leaseB.DB().QueryRowContext(ctx, "SELECT to_regclass('notes') IS NULL").Scan(&missing)
	if err != nil {
		t.Fatalf("look for notes in tenant B: %v", err)
	}
	if !missing {
		t.Error("table notes of tenant A is visible in tenant B")
	}

	if leaseA.ClientID() != idA {
		t.Errorf("lease A ClientID = %s, want %s", leaseA.ClientID(), idA)
	}
	if leaseB.ClientID() != idB {
		t.Errorf("lease B ClientID = %s, want %s", leaseB.ClientID(), idB)
	}
}

func TestManager_poolSettings(t *testing.T) {
	dir := newMemDirectory()
	id := dir.add(tenancy.StatusReady, pgtest.NewDatabase(t))
	m := newManager(t, dir, tenancy.Config{PoolSize: 3, MaxConns: 10})

	lease := mustAcquire(t, m, id)
	defer lease.Release()

	if got := lease.DB().Stats().MaxOpenConnections; got != 3 {
		t.Errorf("MaxOpenConnections = %d, want 3", got)
	}
	stats := m.Stats()
	if stats.MaxPools != 3 {
		t.Errorf("MaxPools = %d, want 10/3 = 3", stats.MaxPools)
	}
	if stats.PoolSize != 3 {
		t.Errorf("PoolSize = %d, want 3", stats.PoolSize)
	}
	if stats.MaxConns != 10 {
		t.Errorf("MaxConns = %d, want 10", stats.MaxConns)
	}
}

func TestManager_defaultConfig(t *testing.T) {
	cases := []struct {
		name         string
		cfg          tenancy.Config
		wantPoolSize int
		wantMaxConns int
		wantMaxPools int
	}{
		{"zero config", tenancy.Config{}, 4, 60, 15},
		{"DefaultConfig", tenancy.DefaultConfig(), 4, 60, 15},
		{"pool larger than budget", tenancy.Config{PoolSize: 8, MaxConns: 5}, 5, 5, 1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			stats := newManager(t, newMemDirectory(), tc.cfg).Stats()
			if stats.PoolSize != tc.wantPoolSize {
				t.Errorf("PoolSize = %d, want %d", stats.PoolSize, tc.wantPoolSize)
			}
			if stats.MaxConns != tc.wantMaxConns {
				t.Errorf("MaxConns = %d, want %d", stats.MaxConns, tc.wantMaxConns)
			}
			if stats.MaxPools != tc.wantMaxPools {
				t.Errorf("MaxPools = %d, want %d", stats.MaxPools, tc.wantMaxPools)
			}
		})
	}
}

func TestManager_acquireErrors(t *testing.T) {
	refused := fmt.Sprintf("postgres://postgres@127.0.0.1:%d/gone?sslmode=disable", closedPort(t))
	cases := []struct {
		name     string
		register bool // add the client to the directory
		status   string
		dsn      string
		sentinel error
		code     apperr.Code
		message  []string // besides the client id
	}{
		{"unknown client", false, "", "", tenancy.ErrClientNotFound, apperr.NotFound, nil},
		{"pending", true, tenancy.StatusPending, refused, tenancy.ErrClientNotReady,
			apperr.ClientNotReady, []string{`"pending"`}},
		{"provisioning", true, tenancy.StatusProvisioning, refused, tenancy.ErrClientNotReady,
			apperr.ClientNotReady, []string{`"provisioning"`}},
		{"failed", true, tenancy.StatusFailed, refused, tenancy.ErrClientNotReady,
			apperr.ClientNotReady, []string{`"failed"`}},
		{"empty status", true, "", refused, tenancy.ErrClientNotReady,
			apperr.ClientNotReady, []string{`""`}},
		{"refused connection", true, tenancy.StatusReady, refused, tenancy.ErrTenantUnavailable,
			apperr.TenantUnavailable, []string{"unavailable"}},
		{"invalid DSN", true, tenancy.StatusReady, "postgres://u:p%zz@127.0.0.1/x",
			tenancy.ErrTenantUnavailable, apperr.TenantUnavailable, []string{"unavailable"}},
		{"unsupported scheme", true, tenancy.StatusReady, "mysql://u@127.0.0.1/x",
			tenancy.ErrTenantUnavailable, apperr.TenantUnavailable, []string{"unavailable"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := newMemDirectory()
			id := uuid.New()
			if tc.register {
				dir.set(id, tc.status, tc.dsn)
			}
			m := newManager(t, dir, tenancy.Config{OpenTimeout: 2 * time.Second})

			lease, err := m.Acquire(context.Background(), id)
			if err == nil {
				lease.Release()
				t.Fatal("Acquire succeeded, want an error")
			}
			if !errors.Is(err, tc.sentinel) {
				t.Errorf("errors.Is(%v, %v) = false", err, tc.sentinel)
			}
			if got := apperr.CodeOf(err); got != tc.code {
				t.Errorf("CodeOf = %s, want %s", got, tc.code)
			}
			appErr, ok := apperr.As(err)
			if !ok {
				t.Fatalf("error %v is no *apperr.Error", err)
			}
			for _, want := range append([]string{id.String()}, tc.message...) {
				if !strings.Contains(appErr.Message, want) {
					t.Errorf("message %q does not contain %q", appErr.Message, want)
				}
			}
			if got := m.Stats().OpenPools; got != 0 {
				t.Errorf("OpenPools = %d after a failed Acquire, want 0", got)
			}
		})
	}
}

func TestManager_notReadyDetails(t *testing.T) {
	dir := newMemDirectory()
	id := dir.add(tenancy.StatusFailed, "")
	m := newManager(t, dir, tenancy.Config{})

	_, err := m.Acquire(context.Background(), id)
	appErr, ok := apperr.As(err)
	if !ok {
		t.Fatalf("error %v is no *apperr.Error", err)
	}
	if got := appErr.Details["status"]; got != tenancy.StatusFailed {
		t.Errorf(`Details["status"] = %v, want %q`, got, tenancy.StatusFailed)
	}
}

func TestManager_directoryError(t *testing.T) {
	dir := newMemDirectory()
	id := dir.add(tenancy.StatusReady, pgtest.NewDatabase(t))
	lookupErr := errors.New("platform database down")
	dir.setFail(lookupErr)
	m := newManager(t, dir, tenancy.Config{})

	_, err := m.Acquire(context.Background(), id)
	if !errors.Is(err, lookupErr) {
		t.Errorf("Acquire error %v does not wrap the directory error", err)
	}
	if err != nil && !strings.Contains(err.Error(), id.String()) {
		t.Errorf("error %q does not name client %s", err, id)
	}
}

func TestManager_unreachableIsNotCached(t *testing.T) {
	dir := newMemDirectory()
	refused := fmt.Sprintf("postgres://postgres@127.0.0.1:%d/gone?sslmode=disable", closedPort(t))
	id := dir.add(tenancy.StatusReady, refused)
	m := newManager(t, dir, tenancy.Config{})
	ctx := context.Background()

	for attempt := 1; attempt <= 2; attempt++ {
		if _, err := m.Acquire(ctx, id); apperr.CodeOf(err) != apperr.TenantUnavailable {
			t.Fatalf("attempt %d: CodeOf(%v) = %s, want TENANT_UNAVAILABLE",
				attempt, err, apperr.CodeOf(err))
		}
	}
	if got := dir.lookups.Load(); got != 2 {
		t.Errorf("directory lookups = %d after two failed opens, want 2", got)
	}
	if got := m.Stats().OpenErrors; got != 2 {
		t.Errorf("OpenErrors = %d, want 2", got)
	}

	// The tenant database becomes reachable: no Invalidate is needed.
	dsn := pgtest.NewDatabase(t)
	dir.set(id, tenancy.StatusReady, dsn)
	lease := mustAcquire(t, m, id)
	defer lease.Release()
	if got, want := currentDatabase(t, lease.DB()), databaseName(t, dsn); got != want {
		t.Errorf("database = %s, want %s", got, want)
	}
}

func TestManager_openTimeout(t *testing.T) {
	dir := newMemDirectory()
	id := dir.add(tenancy.StatusReady, "postgres://postgres@"+silentServer(t)+"/x?sslmode=disable")
	const openTimeout = 300 * time.Millisecond
	m := newManager(t, dir, tenancy.Config{OpenTimeout: openTimeout})

	start := time.Now()
	_, err := m.Acquire(context.Background(), id)
	elapsed := time.Since(start)

	if !errors.Is(err, tenancy.ErrTenantUnavailable) {
		t.Errorf("errors.Is(%v, ErrTenantUnavailable) = false", err)
	}
	if got := apperr.CodeOf(err); got != apperr.TenantUnavailable {
		t.Errorf("CodeOf = %s, want TENANT_UNAVAILABLE", got)
	}
	if elapsed < openTimeout {
		t.Errorf("Acquire failed after %s, before OpenTimeout %s", elapsed, openTimeout)
	}
	if elapsed > openTimeout+time.Second {
		t.Errorf("Acquire took %s, want about OpenTimeout %s", elapsed, openTimeout)
	}
}

func TestManager_logsNoPassword(t *testing.T) {
	const password = "s3cret-Passw0rd"
	cases := []struct {
		name string
		dsn  string
	}{
		{"refused connection", fmt.Sprintf(
			"postgres://postgres:%s@127.0.0.1:%d/secretdb?sslmode=disable", password, closedPort(t))},
		{"unparsable DSN", "postgres://postgres:" + password + "%zz@127.0.0.1/secretdb"},
		{"unsupported sslmode", "postgres://postgres:" + password + "@127.0.0.1/secretdb?sslmode=bogus"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var logs syncBuffer
			dir := newMemDirectory()
			id := dir.add(tenancy.StatusReady, tc.dsn)
			m := newManagerWithLog(t, dir, tenancy.Config{}, slog.New(slog.NewTextHandler(&logs, nil)))

			_, err := m.Acquire(context.Background(), id)
			if err == nil {
				t.Fatal("Acquire succeeded, want an error")
			}
			if strings.Contains(err.Error(), password) {
				t.Errorf("error contains the password: %v", err)
			}
			if strings.Contains(logs.String(), password) {
				t.Errorf("log contains the password:\n%s", logs.String())
			}
			if !strings.Contains(logs.String(), "tenant database open failed") {
				t.Errorf("log does not report the open failure:\n%s", logs.String())
			}
			if !strings.Contains(logs.String(), id.String()) {
				t.Errorf("log does not name client %s:\n%s", id, logs.String())
			}
		})
	}
}

func TestManager_singleflightOpensOnce(t *testing.T) {
	const callers = 100
	cases := []struct {
		name        string
		dsn         func(t *testing.T) string
		wantOpens   uint64
		wantErrors  uint64
		wantSuccess bool
	}{
		{"reachable tenant", func(t *testing.T) string { return pgtest.NewDatabase(t) }, 1, 0, true},
		{"unreachable tenant", func(t *testing.T) string {
			return fmt.Sprintf("postgres://postgres@127.0.0.1:%d/x?sslmode=disable", closedPort(t))
		}, 0, 1, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := newMemDirectory()
			dir.delay = 50 * time.Millisecond // keeps all callers inside one open
			id := dir.add(tenancy.StatusReady, tc.dsn(t))
			m := newManager(t, dir, tenancy.Config{})

			start := make(chan struct{})
			leases := make([]*tenancy.Lease, callers)
			errs := make([]error, callers)
			var wg sync.WaitGroup
			for i := range callers {
				wg.Go(func() {
					<-start
					leases[i], errs[i] = m.Acquire(context.Background(), id)
				})
			}
			close(start)
			wg.Wait()

			failed := 0
			for i := range callers {
				if errs[i] != nil {
					failed++
					continue
				}
				if leases[i].DB() != leases[0].DB() {
					t.Errorf("caller %d got another pool than caller 0", i)
				}
			}
			if tc.wantSuccess && failed > 0 {
				t.Errorf("%d of %d Acquires failed, first error: %v", failed, callers, firstError(errs))
			}
			if !tc.wantSuccess && failed != callers {
				t.Errorf("%d of %d Acquires failed, want all", failed, callers)
			}

			stats := m.Stats()
			if stats.Opens != tc.wantOpens {
				t.Errorf("Opens = %d, want %d", stats.Opens, tc.wantOpens)
			}
			if stats.OpenErrors != tc.wantErrors {
				t.Errorf("OpenErrors = %d, want %d", stats.OpenErrors, tc.wantErrors)
			}
			if got := dir.lookups.Load(); got != 1 {
				t.Errorf("directory lookups = %d, want 1", got)
			}
			if tc.wantSuccess && stats.LeasesInUse != callers {
				t.Errorf("LeasesInUse = %d, want %d", stats.LeasesInUse, callers)
			}

			for _, l := range leases {
				l.Release()
			}
			if got := m.Stats().LeasesInUse; got != 0 {
				t.Errorf("LeasesInUse = %d after every Release, want 0", got)
			}
		})
	}
}

func firstError(errs []error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

func TestManager_warmAcquireSkipsDirectory(t *testing.T) {
	dir := newMemDirectory()
	id := dir.add(tenancy.StatusReady, pgtest.NewDatabase(t))
	m := newManager(t, dir, tenancy.Config{})
	mustAcquire(t, m, id).Release()

	// A directory failure shows that warm Acquires do not call it.
	dir.setFail(errors.New("directory must not be called on the warm path"))
	for range 100 {
		lease, err := m.Acquire(context.Background(), id)
		if err != nil {
			t.Fatalf("warm Acquire: %v", err)
		}
		lease.Release()
	}
	if got := dir.lookups.Load(); got != 1 {
		t.Errorf("directory lookups = %d, want 1", got)
	}
	if got := m.Stats().Opens; got != 1 {
		t.Errorf("Opens = %d, want 1", got)
	}
}

func TestManager_releaseIsIdempotent(t *testing.T) {
	dir := newMemDirectory()
	id := dir.add(tenancy.StatusReady, pgtest.NewDatabase(t))
	m := newManager(t, dir, tenancy.Config{})

	held := mustAcquire(t, m, id)
	defer held.Release()
	lease := mustAcquire(t, m, id)
	lease.Release()
	lease.Release()

	if got := m.Stats().LeasesInUse; got != 1 {
		t.Errorf("LeasesInUse = %d after a double Release, want 1", got)
	}
	if err := held.DB().PingContext(context.Background()); err != nil {
		t.Errorf("ping through the remaining lease: %v", err)
	}
}

// request does what a typical request does with a tenant database: queries
// that take a few milliseconds, run on parallel connections of the lease, and
// a read that proves the right database.
func request(
	ctx context.Context, m *tenancy.Manager, clientID uuid.UUID, database string, parallel int,
) error {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()

	lease, err := m.Acquire(ctx, clientID)
	if err != nil {
		return err
	}
	defer lease.Release()

	errs := make(chan error, parallel)
	for range parallel {
		go func() {
			_, err := lease.DB().ExecContext(ctx, "SELECT pg_sleep(0.005)")
			errs <- err
		}()
	}
	for range parallel {
		if err := <-errs; err != nil {
			return fmt.Errorf("sleep in %s: %w", database, err)
		}
	}

	var got string
	if err := lease.DB().QueryRowContext(ctx, "SELECT current_database()").Scan(&got); err != nil {
		return fmt.Errorf("read in %s: %w", database, err)
	}
	if got != database {
		return fmt.Errorf("client %s reached database %s, want %s", clientID, got, database)
	}
	return nil
}

// connectionSampler polls pg_stat_activity for client sessions on databases
// and records the maximum count. It samples every few milliseconds, so a
// shorter overshoot can slip between two samples.
type connectionSampler struct {
	max     atomic.Int64
	samples atomic.Int64
	err     error
	done    chan struct{}
}

func sampleConnections(
	ctx context.Context, server *bun.DB, databases []string,
) *connectionSampler {
	s := &connectionSampler{done: make(chan struct{})}
	go func() {
		defer close(s.done)
		for ctx.Err() == nil {
			var n int64
			// Autovacuum workers also show up with a datname, but they do not
			// take max_connections slots.
			err := server.NewRaw(
				"SELECT count(*) FROM pg_stat_activity "+
					"WHERE backend_type = 'client backend' AND datname IN (?)",
				bun.In(databases),
			).Scan(ctx, &n)
			if err != nil {
				if ctx.Err() == nil {
					s.err = err
				}
				return
			}
			s.samples.Add(1)
			if n > s.max.Load() {
				s.max.Store(n)
			}
		}
	}()
	return s
}

func TestManager_evictionStaysUnderBudget(t *testing.T) {
	cases := []struct {
		name       string
		tenants    int
		hotTenants int // receive three in four requests
		workers    int
		requests   int // per worker
		parallel   int // queries at once per request
		poolSize   int
		maxConns   int
	}{
		// Hot pools fill up to PoolSize; the other requests spread over all
		// tenants and force evictions.
		{"50 tenants, room for 10 pools", 50, 8, 64, 25, 1, 2, 20},
		// Every request fills its pool, so each eviction happens at the full
		// budget and a new pool opened too early would show.
		{"6 tenants, full pools", 6, 0, 4, 150, 2, 2, 4},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			created := time.Now()
			names := createDatabases(t, tc.tenants)
			t.Logf("created %d databases in %s",
				tc.tenants, time.Since(created).Round(time.Millisecond))
			dir := newMemDirectory()
			ids := make([]uuid.UUID, tc.tenants)
			for i, name := range names {
				ids[i] = dir.add(tenancy.StatusReady, pgtest.DatabaseURL(name))
			}
			m := newManager(t, dir, tenancy.Config{PoolSize: tc.poolSize, MaxConns: tc.maxConns})

			sampleCtx, stopSampling := context.WithCancel(context.Background())
			sampler := sampleConnections(sampleCtx, openServer(t), names)

			started := time.Now()
			var failures atomic.Int64
			var firstFailure sync.Once
			var wg sync.WaitGroup
			for w := range tc.workers {
				wg.Go(func() {
					rng := rand.New(rand.NewPCG(uint64(w), 42))
					for range tc.requests {
						i := rng.IntN(tc.tenants)
						if tc.hotTenants > 0 && rng.IntN(4) != 0 {
							i = rng.IntN(tc.hotTenants)
						}
						err := request(context.Background(), m, ids[i], names[i], tc.parallel)
						if err != nil {
							failures.Add(1)
							firstFailure.Do(func() { t.Errorf("request failed: %v", err) })
						}
					}
				})
			}
			wg.Wait()
			stopSampling()
			<-sampler.done

			total := tc.workers * tc.requests
			stats := m.Stats()
			t.Logf("%d requests in %s, %d samples, max tenant connections seen %d, stats %+v",
				total, time.Since(started).Round(time.Millisecond),
				sampler.samples.Load(), sampler.max.Load(), stats)

			if sampler.err != nil {
				t.Fatalf("sample pg_stat_activity: %v", sampler.err)
			}
			if got := failures.Load(); got != 0 {
				t.Errorf("%d of %d requests failed", got, total)
			}
			if got := sampler.max.Load(); got > int64(tc.maxConns) {
				t.Errorf("max tenant connections seen = %d, want at most %d", got, tc.maxConns)
			}
			if got := sampler.max.Load(); got == 0 {
				t.Errorf("the sampler saw no tenant connection in %d samples",
					sampler.samples.Load())
			}
			if stats.Evictions == 0 {
				t.Errorf("Evictions = 0, want evictions with %d tenants and room for %d pools",
					tc.tenants, stats.MaxPools)
			}
			if stats.Opens <= uint64(stats.MaxPools) {
				t.Errorf("Opens = %d, want more than MaxPools %d", stats.Opens, stats.MaxPools)
			}
			if stats.OpenPools > stats.MaxPools {
				t.Errorf("OpenPools = %d, want at most MaxPools %d", stats.OpenPools, stats.MaxPools)
			}
			if stats.LeasesInUse != 0 {
				t.Errorf("LeasesInUse = %d after all requests, want 0", stats.LeasesInUse)
			}
			if stats.OpenErrors != 0 {
				t.Errorf("OpenErrors = %d, want 0", stats.OpenErrors)
			}
		})
	}
}

func TestManager_evictsLeastRecentlyUsed(t *testing.T) {
	dir := newMemDirectory()
	a := dir.add(tenancy.StatusReady, pgtest.NewDatabase(t))
	b := dir.add(tenancy.StatusReady, pgtest.NewDatabase(t))
	c := dir.add(tenancy.StatusReady, pgtest.NewDatabase(t))
	m := newManager(t, dir, tenancy.Config{PoolSize: 1, MaxConns: 2})

	mustAcquire(t, m, a).Release()
	mustAcquire(t, m, b).Release()
	mustAcquire(t, m, a).Release() // b is now the least recently used
	mustAcquire(t, m, c).Release() // evicts b

	stats := m.Stats()
	if stats.Evictions != 1 {
		t.Errorf("Evictions = %d, want 1", stats.Evictions)
	}
	if stats.Opens != 3 {
		t.Errorf("Opens = %d, want 3", stats.Opens)
	}

	mustAcquire(t, m, a).Release()
	if got := m.Stats().Opens; got != 3 {
		t.Errorf("Opens = %d after acquiring a, want 3: a was evicted instead of b", got)
	}
	mustAcquire(t, m, b).Release()
	if got := m.Stats().Opens; got != 4 {
		t.Errorf("Opens = %d after acquiring b, want 4: b was not evicted", got)
	}
}

func TestManager_leaseSurvivesEviction(t *testing.T) {
	dsnA, dsnB := pgtest.NewDatabase(t), pgtest.NewDatabase(t)
	dir := newMemDirectory()
	a := dir.add(tenancy.StatusReady, dsnA)
	b := dir.add(tenancy.StatusReady, dsnB)
	m := newManager(t, dir, tenancy.Config{PoolSize: 1, MaxConns: 1})

	leaseA := mustAcquire(t, m, a)
	defer leaseA.Release()

	// The only pool is busy, so an Acquire of b waits until its deadline.
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	_, err := m.Acquire(ctx, b)
	cancel()
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("errors.Is(%v, context.DeadlineExceeded) = false", err)
	}
	if got := apperr.CodeOf(err); got != apperr.TenantUnavailable {
		t.Errorf("CodeOf = %s, want TENANT_UNAVAILABLE", got)
	}
	if got := m.Stats().Waits; got != 1 {
		t.Errorf("Waits = %d, want 1", got)
	}

	results := make(chan acquireResult, 1)
	go func() { results <- acquire(m, b) }()
	waitFor(t, 5*time.Second, "the second Acquire of b to wait", func() bool {
		return m.Stats().Waits == 2
	})

	if got, want := currentDatabase(t, leaseA.DB()), databaseName(t, dsnA); got != want {
		t.Errorf("leased database = %s while b waits, want %s", got, want)
	}
	if got := m.Stats().Evictions; got != 0 {
		t.Errorf("Evictions = %d while a is leased, want 0", got)
	}

	leaseA.Release()
	res := <-results
	if res.err != nil {
		t.Fatalf("Acquire of b after a's release: %v", res.err)
	}
	defer res.lease.Release()

	if got, want := currentDatabase(t, res.lease.DB()), databaseName(t, dsnB); got != want {
		t.Errorf("database of b = %s, want %s", got, want)
	}
	if got := m.Stats().Evictions; got != 1 {
		t.Errorf("Evictions = %d, want 1", got)
	}
	if err := leaseA.DB().PingContext(context.Background()); err == nil {
		t.Error("pool of a still open after its eviction")
	}
}

func TestManager_leaseSurvivesInvalidate(t *testing.T) {
	dsnOld, dsnNew := pgtest.NewDatabase(t), pgtest.NewDatabase(t)
	dir := newMemDirectory()
	id := dir.add(tenancy.StatusReady, dsnOld)
	m := newManager(t, dir, tenancy.Config{})

	oldLease := mustAcquire(t, m, id)
	defer oldLease.Release()

	dir.set(id, tenancy.StatusReady, dsnNew)
	m.Invalidate(id)

	if got, want := currentDatabase(t, oldLease.DB()), databaseName(t, dsnOld); got != want {
		t.Errorf("leased database after Invalidate = %s, want %s", got, want)
	}
	stats := m.Stats()
	if stats.OpenPools != 0 {
		t.Errorf("OpenPools = %d after Invalidate, want 0", stats.OpenPools)
	}
	if stats.DrainingPools != 1 {
		t.Errorf("DrainingPools = %d after Invalidate, want 1", stats.DrainingPools)
	}
	if stats.Invalidations != 1 {
		t.Errorf("Invalidations = %d, want 1", stats.Invalidations)
	}

	newLease := mustAcquire(t, m, id)
	defer newLease.Release()
	if got, want := currentDatabase(t, newLease.DB()), databaseName(t, dsnNew); got != want {
		t.Errorf("database after Invalidate = %s, want %s", got, want)
	}

	oldLease.Release()
	if got := m.Stats().DrainingPools; got != 0 {
		t.Errorf("DrainingPools = %d after the last old lease, want 0", got)
	}
	if err := oldLease.DB().PingContext(context.Background()); err == nil {
		t.Error("invalidated pool still open after its last lease")
	}
	if got, want := currentDatabase(t, newLease.DB()), databaseName(t, dsnNew); got != want {
		t.Errorf("new lease database = %s, want %s", got, want)
	}
}

func TestManager_invalidateDuringOpen(t *testing.T) {
	dsnOld, dsnNew := pgtest.NewDatabase(t), pgtest.NewDatabase(t)
	dir := newMemDirectory()
	id := dir.add(tenancy.StatusReady, dsnOld)
	hold, held := dir.holdNextLookup()
	m := newManager(t, dir, tenancy.Config{})

	results := make(chan acquireResult, 1)
	go func() { results <- acquire(m, id) }()

	// The open has read the old target; the DSN changes before it finishes.
	<-held
	dir.set(id, tenancy.StatusReady, dsnNew)
	m.Invalidate(id)
	close(hold)

	res := <-results
	if res.err != nil {
		t.Fatalf("Acquire: %v", res.err)
	}
	defer res.lease.Release()

	if got, want := currentDatabase(t, res.lease.DB()), databaseName(t, dsnNew); got != want {
		t.Errorf("database = %s, want %s: an outdated open was cached", got, want)
	}
	if got := dir.lookups.Load(); got != 2 {
		t.Errorf("directory lookups = %d, want 2", got)
	}
	if got := m.Stats().OpenPools; got != 1 {
		t.Errorf("OpenPools = %d, want 1", got)
	}
}

func TestManager_idleJanitor(t *testing.T) {
	dir := newMemDirectory()
	idle := dir.add(tenancy.StatusReady, pgtest.NewDatabase(t))
	busy := dir.add(tenancy.StatusReady, pgtest.NewDatabase(t))
	m := newManager(t, dir, tenancy.Config{IdleTimeout: 100 * time.Millisecond})

	held := mustAcquire(t, m, busy)
	defer held.Release()
	lease := mustAcquire(t, m, idle)
	lease.Release()

	waitFor(t, 5*time.Second, "the janitor to close the idle pool", func() bool {
		return m.Stats().IdleCloses == 1
	})
	time.Sleep(300 * time.Millisecond) // three more janitor rounds

	stats := m.Stats()
	if stats.IdleCloses != 1 {
		t.Errorf("IdleCloses = %d, want 1: the leased pool was closed", stats.IdleCloses)
	}
	if stats.OpenPools != 1 {
		t.Errorf("OpenPools = %d, want 1", stats.OpenPools)
	}
	if err := held.DB().PingContext(context.Background()); err != nil {
		t.Errorf("ping leased pool: %v", err)
	}
	if err := lease.DB().PingContext(context.Background()); err == nil {
		t.Error("idle pool still open")
	}
}

func TestManager_shutdownWaitsForLeases(t *testing.T) {
	dir := newMemDirectory()
	id := dir.add(tenancy.StatusReady, pgtest.NewDatabase(t))
	m := newManager(t, dir, tenancy.Config{})
	lease := mustAcquire(t, m, id)

	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	err := m.Shutdown(ctx)
	cancel()
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Shutdown with a lease out = %v, want context.DeadlineExceeded", err)
	}
	if err := lease.DB().PingContext(context.Background()); err != nil {
		t.Errorf("ping leased pool during shutdown: %v", err)
	}

	_, err = m.Acquire(context.Background(), id)
	if !errors.Is(err, tenancy.ErrManagerClosed) {
		t.Errorf("errors.Is(%v, ErrManagerClosed) = false", err)
	}
	if got := apperr.CodeOf(err); got != apperr.TenantUnavailable {
		t.Errorf("CodeOf = %s, want TENANT_UNAVAILABLE", got)
	}

	lease.Release()
	if err := m.Close(); err != nil {
		t.Errorf("Close after the last Release: %v", err)
	}
	if err := lease.DB().PingContext(context.Background()); err == nil {
		t.Error("pool still open after Close")
	}
}

func TestManager_shutdownWakesWaiters(t *testing.T) {
	dir := newMemDirectory()
	a := dir.add(tenancy.StatusReady, pgtest.NewDatabase(t))
	b := dir.add(tenancy.StatusReady, pgtest.NewDatabase(t))
	m := newManager(t, dir, tenancy.Config{PoolSize: 1, MaxConns: 1})
	lease := mustAcquire(t, m, a)

	errs := make(chan error, 1)
	go func() {
		_, err := m.Acquire(context.Background(), b)
		errs <- err
	}()
	waitFor(t, 5*time.Second, "the Acquire of b to wait", func() bool {
		return m.Stats().Waits == 1
	})

	closed := make(chan error, 1)
	go func() { closed <- m.Close() }()

	if err := <-errs; !errors.Is(err, tenancy.ErrManagerClosed) {
		t.Errorf("waiting Acquire returned %v, want ErrManagerClosed", err)
	}
	lease.Release()
	if err := <-closed; err != nil {
		t.Errorf("Close: %v", err)
	}
}

func TestManager_cancelledAcquire(t *testing.T) {
	dir := newMemDirectory()
	dir.delay = time.Second
	id := dir.add(tenancy.StatusReady, pgtest.NewDatabase(t))
	m := newManager(t, dir, tenancy.Config{})

	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(50*time.Millisecond, cancel)
	_, err := m.Acquire(ctx, id)

	if !errors.Is(err, context.Canceled) {
		t.Errorf("errors.Is(%v, context.Canceled) = false", err)
	}
	if _, ok := apperr.As(err); ok {
		t.Errorf("cancelled Acquire returned an API error %v, want the plain context error", err)
	}
	if got := m.Stats().LeasesInUse; got != 0 {
		t.Errorf("LeasesInUse = %d after a cancelled Acquire, want 0", got)
	}
}

func TestManager_followerRetriesAfterLeaderCancel(t *testing.T) {
	dir := newMemDirectory()
	dir.delay = 200 * time.Millisecond
	id := dir.add(tenancy.StatusReady, pgtest.NewDatabase(t))
	m := newManager(t, dir, tenancy.Config{})

	leaderCtx, cancelLeader := context.WithCancel(context.Background())
	leaderErr := make(chan error, 1)
	go func() {
		_, err := m.Acquire(leaderCtx, id)
		leaderErr <- err
	}()
	waitFor(t, 5*time.Second, "the leader's lookup", func() bool { return dir.lookups.Load() == 1 })

	follower := make(chan acquireResult, 1)
	go func() { follower <- acquire(m, id) }()
	time.Sleep(50 * time.Millisecond) // the follower joins the leader's open
	cancelLeader()

	if err := <-leaderErr; !errors.Is(err, context.Canceled) {
		t.Errorf("leader Acquire = %v, want context.Canceled", err)
	}
	res := <-follower
	if res.err != nil {
		t.Fatalf("follower Acquire after the leader left: %v", res.err)
	}
	defer res.lease.Release()

	if err := res.lease.DB().PingContext(context.Background()); err != nil {
		t.Errorf("ping follower's pool: %v", err)
	}
	if got := dir.lookups.Load(); got != 2 {
		t.Errorf("directory lookups = %d, want 2: the follower did not open again", got)
	}
	if got := m.Stats().LeasesInUse; got != 1 {
		t.Errorf("LeasesInUse = %d, want 1 (the follower's)", got)
	}
}

func TestManager_leaderCancelDuringOpen(t *testing.T) {
	dir := newMemDirectory()
	id := dir.add(tenancy.StatusReady, pgtest.NewDatabase(t))
	hold, held := dir.holdNextLookup()
	m := newManager(t, dir, tenancy.Config{})

	leaderCtx, cancelLeader := context.WithCancel(context.Background())
	leaderErr := make(chan error, 1)
	go func() {
		_, err := m.Acquire(leaderCtx, id)
		leaderErr <- err
	}()
	<-held

	follower := make(chan acquireResult, 1)
	go func() { follower <- acquire(m, id) }()
	time.Sleep(50 * time.Millisecond) // the follower joins the leader's open
	cancelLeader()
	if err := <-leaderErr; !errors.Is(err, context.Canceled) {
		t.Errorf("leader Acquire = %v, want context.Canceled", err)
	}
	close(hold) // the open goes on without its leader

	res := <-follower
	if res.err != nil {
		t.Fatalf("follower Acquire: %v", res.err)
	}
	defer res.lease.Release()

	// The leader's first lease is released for it in the background.
	waitFor(t, 5*time.Second, "the abandoned lease to be released", func() bool {
		return m.Stats().LeasesInUse == 1
	})
	stats := m.Stats()
	if stats.Opens != 1 {
		t.Errorf("Opens = %d, want 1: the follower did not reuse the leader's pool", stats.Opens)
	}
	if got := dir.lookups.Load(); got != 1 {
		t.Errorf("directory lookups = %d, want 1", got)
	}
}

type acquireResult struct {
	lease *tenancy.Lease
	err   error
}

func acquire(m *tenancy.Manager, clientID uuid.UUID) acquireResult {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	lease, err := m.Acquire(ctx, clientID)
	return acquireResult{lease, err}
}

// startListening runs m.ListenInvalidations until the test ends and waits
// until it is connected.
func startListening(t *testing.T, m *tenancy.Manager, platform *bun.DB) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- m.ListenInvalidations(ctx, platform) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("ListenInvalidations: %v", err)
		}
	})
	waitFor(t, 10*time.Second, "the invalidation listener to connect", func() bool {
		return m.Stats().Listening
	})
}

func TestListenInvalidations_reachesOtherManager(t *testing.T) {
	platform := openDatabase(t, pgtest.NewDatabase(t))
	dsnOld, dsnNew := pgtest.NewDatabase(t), pgtest.NewDatabase(t)
	dir := newMemDirectory()
	id := dir.add(tenancy.StatusReady, dsnOld)
	sender := newManager(t, dir, tenancy.Config{})
	receiver := newManager(t, dir, tenancy.Config{})
	startListening(t, sender, platform)
	startListening(t, receiver, platform)

	mustAcquire(t, sender, id).Release()
	mustAcquire(t, receiver, id).Release()

	dir.set(id, tenancy.StatusReady, dsnNew)
	if err := tenancy.NotifyInvalidation(context.Background(), platform, id); err != nil {
		t.Fatalf("NotifyInvalidation: %v", err)
	}

	for name, m := range map[string]*tenancy.Manager{"sender": sender, "receiver": receiver} {
		waitFor(t, 5*time.Second, name+" to drop the pool", func() bool {
			return m.Stats().Invalidations == 1
		})
		if got := m.Stats().OpenPools; got != 0 {
			t.Errorf("%s OpenPools = %d after the notification, want 0", name, got)
		}
	}

	lease := mustAcquire(t, receiver, id)
	defer lease.Release()
	if got, want := currentDatabase(t, lease.DB()), databaseName(t, dsnNew); got != want {
		t.Errorf("receiver database after the notification = %s, want %s", got, want)
	}
}

func TestListenInvalidations_deliversAtCommit(t *testing.T) {
	platform := openDatabase(t, pgtest.NewDatabase(t))
	dir := newMemDirectory()
	id := dir.add(tenancy.StatusReady, pgtest.NewDatabase(t))
	m := newManager(t, dir, tenancy.Config{})
	startListening(t, m, platform)
	mustAcquire(t, m, id).Release()
	ctx := context.Background()

	tx, err := platform.BeginTx(ctx, nil)
	if err != nil {
		t.Fatalf("begin: %v", err)
	}
	if err := tenancy.NotifyInvalidation(ctx, tx, id); err != nil {
		t.Fatalf("NotifyInvalidation in a transaction: %v", err)
	}
	time.Sleep(300 * time.Millisecond)
	if got := m.Stats().Invalidations; got != 0 {
		t.Errorf("Invalidations = %d before commit, want 0", got)
	}

	if err := tx.Commit(); err != nil {
		t.Fatalf("commit: %v", err)
	}
	waitFor(t, 5*time.Second, "the invalidation after commit", func() bool {
		return m.Stats().Invalidations == 1
	})
}

func TestListenInvalidations_ignoresInvalidPayload(t *testing.T) {
	platform := openDatabase(t, pgtest.NewDatabase(t))
	dir := newMemDirectory()
	id := dir.add(tenancy.StatusReady, pgtest.NewDatabase(t))
	m := newManager(t, dir, tenancy.Config{})
	startListening(t, m, platform)
	mustAcquire(t, m, id).Release()
	ctx := context.Background()

	_, err := platform.ExecContext(ctx, "SELECT pg_notify(?, 'not-a-client-id')",
		tenancy.InvalidationChannel)
	if err != nil {
		t.Fatalf("notify an invalid payload: %v", err)
	}
	if err := tenancy.NotifyInvalidation(ctx, platform, id); err != nil {
		t.Fatalf("NotifyInvalidation: %v", err)
	}

	waitFor(t, 5*time.Second, "the valid invalidation", func() bool {
		return m.Stats().Invalidations == 1
	})
	stats := m.Stats()
	if stats.ListenerConnects != 1 {
		t.Errorf("ListenerConnects = %d, want 1: the invalid payload broke the listener",
			stats.ListenerConnects)
	}
	if !stats.Listening {
		t.Error("Listening = false after an invalid payload")
	}
}

func TestListenInvalidations_reconnects(t *testing.T) {
	platformDSN := pgtest.NewDatabase(t)
	platform := openDatabase(t, platformDSN)
	dir := newMemDirectory()
	id := dir.add(tenancy.StatusReady, pgtest.NewDatabase(t))
	var logs syncBuffer
	log := slog.New(slog.NewTextHandler(&logs, nil))
	m := newManagerWithLog(t, dir, tenancy.Config{}, log)
	startListening(t, m, platform)
	mustAcquire(t, m, id).Release()

	var terminated int
	err := openServer(t).NewRaw(
		"SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "+
			"WHERE datname = ? AND query LIKE 'LISTEN %'",
		databaseName(t, platformDSN),
	).Scan(context.Background(), &terminated)
	if err != nil {
		t.Fatalf("terminate the listener's session: %v", err)
	}
	if terminated != 1 {
		t.Fatalf("terminated %d listener sessions, want 1", terminated)
	}

	waitFor(t, 10*time.Second, "the listener to reconnect", func() bool {
		stats := m.Stats()
		return stats.ListenerConnects == 2 && stats.Listening
	})
	if !strings.Contains(logs.String(), "tenant invalidation listener disconnected; reconnecting") {
		t.Errorf("log does not report the reconnect:\n%s", logs.String())
	}
	// Notifications sent while disconnected are lost, so the reconnect drops
	// every cached pool.
	if got := m.Stats().OpenPools; got != 0 {
		t.Errorf("OpenPools = %d after the reconnect, want 0", got)
	}

	mustAcquire(t, m, id).Release()
	before := m.Stats().Invalidations
	if err := tenancy.NotifyInvalidation(context.Background(), platform, id); err != nil {
		t.Fatalf("NotifyInvalidation: %v", err)
	}
	waitFor(t, 5*time.Second, "an invalidation through the new connection", func() bool {
		return m.Stats().Invalidations == before+1
	})
}
