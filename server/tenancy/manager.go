package tenancy

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect/pgdialect"
	"github.com/uptrace/bun/driver/pgdriver"
	"golang.org/x/sync/singleflight"
)

// Defaults that NewManager applies to zero Config fields, and DefaultIdleTimeout,
// which DefaultConfig sets.
const (
	DefaultPoolSize    = 4
	DefaultMaxConns    = 60
	DefaultOpenTimeout = 5 * time.Second
	DefaultIdleTimeout = 10 * time.Minute
)

// maxConnIdleTime closes single idle connections inside a pool that stays open,
// so a tenant whose traffic dropped gives connections back to the server.
const maxConnIdleTime = 5 * time.Minute

// failureLogInterval is the minimum gap between two logged open failures of one
// client, so a broken tenant database under load does not flood the log.
const failureLogInterval = time.Minute

// Target is the location and status of a client's tenant database.
type Target struct {
	ClientID uuid.UUID
	// Status is one of the Status constants. Only StatusReady is served.
	Status string
	// DSN is the tenant database URL. It may contain a password, so the Manager
	// logs only the database name.
	DSN string
}

// Directory looks up tenant targets, usually in the platform database.
type Directory interface {
	// LookupTenant returns the target of clientID, or an error matching
	// ErrClientNotFound (errors.Is) when no such client exists.
	LookupTenant(ctx context.Context, clientID uuid.UUID) (Target, error)
}

// Config sizes the tenant pools. NewManager replaces a zero PoolSize, MaxConns
// or OpenTimeout with its default. A zero IdleTimeout disables the idle janitor,
// so start from DefaultConfig to get the 10-minute default.
type Config struct {
	// PoolSize is the maximum number of connections of one tenant pool
	// (default 4). A PoolSize above MaxConns is lowered to MaxConns.
	PoolSize int
	// MaxConns is the connection budget across all tenant pools (default 60).
	// At most MaxConns/PoolSize pools are open at once. The default stays under
	// PostgreSQL's default max_connections of 100 with room for the platform pool.
	MaxConns int
	// OpenTimeout bounds the first ping of a new pool (default 5s).
	OpenTimeout time.Duration
	// IdleTimeout is how long a pool may go without a lease before the janitor
	// closes it. Zero disables the janitor.
	IdleTimeout time.Duration
}

// DefaultConfig returns the documented defaults, idle janitor included.
func DefaultConfig() Config {
	return Config{
		PoolSize:    DefaultPoolSize,
		MaxConns:    DefaultMaxConns,
		OpenTimeout: DefaultOpenTimeout,
		IdleTimeout: DefaultIdleTimeout,
	}
}

// Stats is a snapshot of the Manager for metrics and health pages.
type Stats struct {
	OpenPools     int `json:"open_pools"`
	DrainingPools int `json:"draining_pools"` // dropped, waiting for their leases
	MaxPools      int `json:"max_pools"`
	PoolSize      int `json:"pool_size"`
	MaxConns      int `json:"max_conns"`
	LeasesInUse   int `json:"leases_in_use"`

	Opens         uint64 `json:"opens"`
	Evictions     uint64 `json:"evictions"`   // least recently used pools closed to make room
	IdleCloses    uint64 `json:"idle_closes"` // pools closed by the idle janitor
	Invalidations uint64 `json:"invalidations"`
	Waits         uint64 `json:"waits"` // opens that waited because every pool was busy
	OpenErrors    uint64 `json:"open_errors"`

	Listening        bool   `json:"listening"`         // ListenInvalidations is connected
	ListenerConnects uint64 `json:"listener_connects"` // times it became connected
}

// Manager opens and caches one small pool per tenant database. It is the only
// code that opens a tenant database. Its methods are safe for concurrent use.
//
// The number of pools that hold connections (open, opening or draining) never
// exceeds MaxConns/PoolSize, so tenant connections never exceed MaxConns.
type Manager struct {
	dir      Directory
	cfg      Config
	log      *slog.Logger
	maxPools int
	flights  singleflight.Group
	done     chan struct{} // closed when shutdown begins; stops the janitor
	janitor  sync.WaitGroup

	mu       sync.Mutex
	pools    map[uuid.UUID]*pool // cached pools that serve new leases
	opening  map[uuid.UUID]*openState
	failures map[uuid.UUID]*failureLog
	slots    int // pools that count against the budget
	draining int
	leases   int
	waiters  int
	changed  chan struct{} // closed and replaced when a slot or an idle pool appears
	closed   bool
	counts   counters
	listener listenerState
}

type counters struct {
	opens, evictions, idleCloses, invalidations, waits, openErrors uint64
}

type listenerState struct {
	connected bool
	connects  uint64
}

// pool is one tenant's database handle. All fields but the constant ones are
// guarded by Manager.mu.
type pool struct {
	clientID uuid.UUID
	database string
	db       *bun.DB

	leases   int
	lastUsed time.Time // last release, or the open
	draining bool      // dropped from the cache; closes at the last release
}

// openState tracks the opens in flight for one client. Invalidate bumps gen so
// an open that looked up the old target does not cache its pool.
type openState struct {
	gen     uint64
	flights int
}

type failureLog struct {
	last       time.Time
	suppressed int
}

// NewManager returns a Manager that looks tenants up in dir. With a positive
// cfg.IdleTimeout it starts a janitor goroutine that Close stops.
func NewManager(dir Directory, cfg Config, log *slog.Logger) *Manager {
	if log == nil {
		log = slog.Default()
	}
	cfg = withDefaults(cfg, log)

	m := &Manager{
		dir:      dir,
		cfg:      cfg,
		log:      log,
		maxPools: cfg.MaxConns / cfg.PoolSize,
		done:     make(chan struct{}),
		pools:    make(map[uuid.UUID]*pool),
		opening:  make(map[uuid.UUID]*openState),
		failures: make(map[uuid.UUID]*failureLog),
		changed:  make(chan struct{}),
	}

	if cfg.IdleTimeout > 0 {
		m.janitor.Add(1)
		go m.runJanitor()
	}
	return m
}

func withDefaults(cfg Config, log *slog.Logger) Config {
	if cfg.PoolSize <= 0 {
		cfg.PoolSize = DefaultPoolSize
	}
	if cfg.MaxConns <= 0 {
		cfg.MaxConns = DefaultMaxConns
	}
	if cfg.OpenTimeout <= 0 {
		cfg.OpenTimeout = DefaultOpenTimeout
	}
	if cfg.PoolSize > cfg.MaxConns {
		log.Warn("tenant pool size exceeds the connection budget; lowering it",
			"pool_size", cfg.PoolSize, "max_conns", cfg.MaxConns)
		cfg.PoolSize = cfg.MaxConns
	}
	return cfg
}

// Lease is one caller's use of a tenant pool. The pool stays open until every
// lease on it is released: eviction and the janitor skip leased pools, and
// Invalidate and Shutdown close them at their last Release.
type Lease struct {
	m        *Manager
	pool     *pool
	released atomic.Bool
}

// DB returns the tenant database. It must not be used after Release, because
// the pool may be closed by then.
func (l *Lease) DB() *bun.DB { return l.pool.db }

// ClientID returns the client whose database the lease is on.
func (l *Lease) ClientID() uuid.UUID { return l.pool.clientID }

// Release ends the lease. Calls after the first do nothing.
func (l *Lease) Release() {
	if l == nil || !l.released.CompareAndSwap(false, true) {
		return
	}
	l.m.release(l.pool)
}

func (m *Manager) release(p *pool) {
	m.mu.Lock()
	p.leases--
	m.leases--
	p.lastUsed = time.Now()
	if p.leases > 0 {
		m.mu.Unlock()
		return
	}

	if p.draining {
		p.draining = false
		m.draining--
		m.mu.Unlock()
		_ = m.closePool(p, "last lease released after drop")
		m.freeSlot()
		return
	}

	// The pool became idle, so a waiting open may evict it.
	if m.waiters > 0 {
		m.broadcastLocked()
	}
	m.mu.Unlock()
}

// Acquire returns a lease on the tenant database of clientID. A cached pool is
// served without calling the Directory. Otherwise Acquire looks the client up,
// serves only a ready client, and opens a pool, evicting the least recently
// used idle pool when the budget is full, or waiting while every pool is busy.
// Concurrent Acquires of one client share a single open.
//
// Errors carry an apperr code: NOT_FOUND (ErrClientNotFound), CLIENT_NOT_READY
// (ErrClientNotReady) or TENANT_UNAVAILABLE (ErrTenantUnavailable, also when
// ctx's deadline passes first). A cancelled ctx and Directory errors other
// than not found come back wrapped, without a code. A failed open is not cached.
func (m *Manager) Acquire(ctx context.Context, clientID uuid.UUID) (*Lease, error) {
	for {
		if lease := m.acquireCached(clientID); lease != nil {
			return lease, nil
		}
		if err := ctx.Err(); err != nil {
			return nil, contextError(clientID, err)
		}

		lease, err := m.acquireNew(ctx, clientID)
		if !errors.Is(err, errRetry) {
			return lease, err
		}
	}
}

// errRetry makes Acquire look in the cache again, because another caller's
// open succeeded or an open was abandoned or outdated by Invalidate.
var errRetry = errors.New("tenancy: retry acquire")

// errLeaderGone reports that the caller who ran a shared open left before the
// pool was open. Callers whose own context is alive retry with a fresh open.
var errLeaderGone = errors.New("tenancy: opening caller left")

func (m *Manager) acquireCached(clientID uuid.UUID) *Lease {
	m.mu.Lock()
	p := m.pools[clientID]
	if p == nil {
		m.mu.Unlock()
		return nil
	}
	p.leases++
	m.leases++
	m.mu.Unlock()

	return &Lease{m: m, pool: p}
}

// flightToken identifies the caller whose function singleflight runs. It is
// not zero-sized, because distinct pointers to zero-sized values may be equal.
type flightToken struct{ _ byte }

// flightResult hands the pool's first lease to the caller that opened it, so
// that caller is served even if the idle pool is evicted before it looks again.
type flightResult struct {
	leader *flightToken
	lease  *Lease
}

func (m *Manager) acquireNew(ctx context.Context, clientID uuid.UUID) (*Lease, error) {
	token := &flightToken{}
	results := m.flights.DoChan(clientID.String(), func() (any, error) {
		return m.openShared(ctx, clientID, token)
	})

	select {
	case res := <-results:
		return m.takeResult(ctx, clientID, res, token)
	case <-ctx.Done():
		go dropLeaderLease(results, token)
		return nil, contextError(clientID, ctx.Err())
	}
}

func (m *Manager) takeResult(
	ctx context.Context, clientID uuid.UUID, res singleflight.Result, token *flightToken,
) (*Lease, error) {
	if errors.Is(res.Err, errLeaderGone) {
		if err := ctx.Err(); err != nil {
			return nil, contextError(clientID, err)
		}
		return nil, errRetry
	}
	if res.Err != nil {
		return nil, res.Err
	}

	r := res.Val.(*flightResult)
	if r.leader == token {
		return r.lease, nil
	}
	return nil, errRetry
}

// dropLeaderLease releases the first lease of an open whose leader stopped
// waiting for it. Followers that stop waiting hold no lease.
func dropLeaderLease(results <-chan singleflight.Result, token *flightToken) {
	res := <-results
	if r, ok := res.Val.(*flightResult); ok && r.leader == token {
		r.lease.Release()
	}
}

// openShared runs once per client for all concurrent Acquires. The Directory
// lookup and the wait for a slot follow the leader's ctx. The ping does not,
// so a pool whose leader left can still serve the followers.
func (m *Manager) openShared(
	ctx context.Context, clientID uuid.UUID, token *flightToken,
) (any, error) {
	gen, err := m.beginOpen(clientID)
	if err != nil {
		return nil, err
	}
	defer m.endOpen(clientID)

	target, err := m.lookup(ctx, clientID)
	if err != nil {
		return nil, err
	}

	if err := m.reserveSlot(ctx); err != nil {
		return nil, err
	}

	p, err := m.openPool(ctx, clientID, target.DSN)
	if err != nil {
		m.freeSlot()
		return nil, err
	}

	lease, err := m.cachePool(p, gen)
	if err != nil {
		return nil, err
	}
	return &flightResult{leader: token, lease: lease}, nil
}

func (m *Manager) beginOpen(clientID uuid.UUID) (uint64, error) {
	m.mu.Lock()
	defer m.mu.Unlock()

	if m.closed {
		return 0, closedError()
	}
	st := m.opening[clientID]
	if st == nil {
		st = &openState{}
		m.opening[clientID] = st
	}
	st.flights++
	return st.gen, nil
}

func (m *Manager) endOpen(clientID uuid.UUID) {
	m.mu.Lock()
	defer m.mu.Unlock()

	st := m.opening[clientID]
	st.flights--
	if st.flights == 0 {
		delete(m.opening, clientID)
	}
}

func (m *Manager) lookup(ctx context.Context, clientID uuid.UUID) (Target, error) {
	target, err := m.dir.LookupTenant(ctx, clientID)
	switch {
	case err == nil:
	case ctx.Err() != nil:
		return Target{}, errLeaderGone
	case errors.Is(err, ErrClientNotFound):
		return Target{}, notFoundError(clientID, err)
	default:
		return Target{}, fmt.Errorf("look up tenant database of client %s: %w", clientID, err)
	}

	if target.Status != StatusReady {
		return Target{}, notReadyError(clientID, target.Status)
	}
	return target, nil
}

// reserveSlot takes one pool's share of the connection budget. When the budget
// is full it closes the least recently used idle pool and takes over its share,
// so the new pool opens only after the old one is closed. While every pool is
// busy it waits for a release.
func (m *Manager) reserveSlot(ctx context.Context) error {
	m.mu.Lock()
	waited := false
	for {
		if m.closed {
			m.mu.Unlock()
			return closedError()
		}
		if m.slots < m.maxPools {
			m.slots++
			m.mu.Unlock()
			return nil
		}

		if victim := m.leastRecentlyUsedIdleLocked(); victim != nil {
			delete(m.pools, victim.clientID)
			m.counts.evictions++
			m.mu.Unlock()

			m.log.Info("tenant pool evicted",
				"client_id", victim.clientID, "database", victim.database,
				"idle", time.Since(victim.lastUsed).Round(time.Millisecond))
			_ = m.closePool(victim, "evicted")
			return nil
		}

		if !waited {
			waited = true
			m.counts.waits++
		}
		if err := m.waitLocked(ctx); err != nil {
			m.mu.Unlock()
			return errLeaderGone
		}
	}
}

// waitLocked waits, with m.mu released, until a slot or an idle pool may have
// appeared or ctx ends. It returns with m.mu held.
func (m *Manager) waitLocked(ctx context.Context) error {
	changed := m.changed
	m.waiters++
	m.mu.Unlock()

	var err error
	select {
	case <-changed:
	case <-ctx.Done():
		err = ctx.Err()
	}

	m.mu.Lock()
	m.waiters--
	return err
}

func (m *Manager) leastRecentlyUsedIdleLocked() *pool {
	var victim *pool
	for _, p := range m.pools {
		if p.leases > 0 {
			continue
		}
		if victim == nil || p.lastUsed.Before(victim.lastUsed) {
			victim = p
		}
	}
	return victim
}

func (m *Manager) broadcastLocked() {
	close(m.changed)
	m.changed = make(chan struct{})
}

func (m *Manager) freeSlot() {
	m.mu.Lock()
	m.slots--
	m.broadcastLocked()
	m.mu.Unlock()
}

// openPool opens and pings a pool for dsn. The ping is bounded by OpenTimeout
// and ignores the cancellation of ctx, whose caller may be gone while others
// still wait for the pool.
func (m *Manager) openPool(ctx context.Context, clientID uuid.UUID, dsn string) (*pool, error) {
	database, connector, err := newConnector(dsn)
	if err != nil {
		m.openFailed(clientID, database, err)
		return nil, unavailableError(
			fmt.Sprintf("tenant database of client %s is unavailable", clientID), err)
	}

	sqldb := sql.OpenDB(connector)
	sqldb.SetMaxOpenConns(m.cfg.PoolSize)
	sqldb.SetMaxIdleConns(m.cfg.PoolSize)
	sqldb.SetConnMaxIdleTime(m.connMaxIdleTime())
	db := bun.NewDB(sqldb, pgdialect.New())

	pingCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), m.cfg.OpenTimeout)
	defer cancel()
	if err := db.PingContext(pingCtx); err != nil {
		_ = db.Close()
		err = fmt.Errorf("ping tenant database %s: %w", database, err)
		m.openFailed(clientID, database, err)
		return nil, unavailableError(
			fmt.Sprintf("tenant database of client %s is unavailable", clientID), err)
	}

	return &pool{clientID: clientID, database: database, db: db}, nil
}

func (m *Manager) connMaxIdleTime() time.Duration {
	if m.cfg.IdleTimeout > 0 && m.cfg.IdleTimeout < maxConnIdleTime {
		return m.cfg.IdleTimeout
	}
	return maxConnIdleTime
}

// newConnector returns the database name and a connector for dsn. Its errors
// never contain the DSN.
func newConnector(dsn string) (database string, connector *pgdriver.Connector, err error) {
	u, err := url.Parse(dsn)
	if err != nil {
		return "", nil, errInvalidDSN
	}
	switch u.Scheme {
	case "postgres", "postgresql":
		database = strings.TrimPrefix(u.Path, "/")
	case "unix":
		database = u.Host
	default:
		return "", nil, fmt.Errorf("%w (unsupported scheme %q)", errInvalidDSN, u.Scheme)
	}

	// pgdriver.WithDSN panics on a DSN it cannot use, with the DSN in the value.
	defer func() {
		if recover() != nil {
			connector, err = nil, errInvalidDSN
		}
	}()
	return database, pgdriver.NewConnector(pgdriver.WithDSN(dsn), waitForSessionEnd), nil
}

// waitForSessionEnd makes closing a tenant connection wait until the server
// has ended the session, so a pool that takes over a budget share never runs
// beside the sessions of the pool it replaced. PostgreSQL releases a session's
// max_connections slot and pg_stat_activity row before it closes its end of
// the socket: proc_exit_prepare (src/backend/storage/ipc/ipc.c) runs the
// shared-memory exit callbacks before the socket_close callback of pq_init.
// pgdriver alone only closes the socket, and on a busy test machine the old
// session outlived that close by several milliseconds.
func waitForSessionEnd(conf *pgdriver.Config) {
	dial := conf.Dialer
	conf.Dialer = func(ctx context.Context, network, addr string) (net.Conn, error) {
		conn, err := dial(ctx, network, addr)
		if err != nil {
			return nil, err
		}
		return &sessionConn{Conn: conn}, nil
	}
}

// sessionCloseWait bounds how long closing one connection waits for the
// server. A server that does not respond in time is left to end the session
// on its own, which may briefly put that session beside the next pool's.
const sessionCloseWait = time.Second

// sessionConn is a connection whose Close half-closes the socket and waits for
// the server's end of file before it closes. End of input ends the session
// like a Terminate message does (PostgresMain in src/backend/tcop/postgres.c).
type sessionConn struct {
	net.Conn
}

func (c *sessionConn) Close() error {
	if cw, ok := c.Conn.(interface{ CloseWrite() error }); ok && cw.CloseWrite() == nil {
		_ = c.Conn.SetReadDeadline(time.Now().Add(sessionCloseWait))
		_, _ = io.Copy(io.Discard, c.Conn)
	}
	return c.Conn.Close()
}

// cachePool publishes p with one lease for the opening caller. An open that
// Invalidate outdated, or that finished after Close began, is discarded.
func (m *Manager) cachePool(p *pool, gen uint64) (*Lease, error) {
	m.mu.Lock()
	stale := m.opening[p.clientID].gen != gen
	if m.closed || stale || m.pools[p.clientID] != nil {
		closed := m.closed
		m.mu.Unlock()

		_ = m.closePool(p, "discarded")
		m.freeSlot()
		if closed {
			return nil, closedError()
		}
		return nil, errRetry
	}

	p.leases = 1
	p.lastUsed = time.Now()
	m.leases++
	m.pools[p.clientID] = p
	m.counts.opens++
	delete(m.failures, p.clientID)
	m.mu.Unlock()

	m.log.Info("tenant pool opened",
		"client_id", p.clientID, "database", p.database, "pool_size", m.cfg.PoolSize)
	return &Lease{m: m, pool: p}, nil
}

// openFailed counts a failed open and logs it, at most once per
// failureLogInterval and client. Each log line reports how many failures were
// not logged since the previous one.
func (m *Manager) openFailed(clientID uuid.UUID, database string, err error) {
	now := time.Now()

	m.mu.Lock()
	m.counts.openErrors++
	f := m.failures[clientID]
	if f != nil && now.Sub(f.last) < failureLogInterval {
		f.suppressed++
		m.mu.Unlock()
		return
	}
	suppressed := 0
	if f != nil {
		suppressed = f.suppressed
	}
	m.failures[clientID] = &failureLog{last: now}
	m.mu.Unlock()

	m.log.Warn("tenant database open failed",
		"client_id", clientID, "database", database,
		"suppressed_since_last_log", suppressed, "error", err)
}

// closePool closes p's database. The caller still owns p's slot and frees it
// unless it hands the slot to a new pool.
func (m *Manager) closePool(p *pool, reason string) error {
	err := p.db.Close()
	if err != nil {
		m.log.Warn("tenant pool close failed",
			"client_id", p.clientID, "database", p.database, "reason", reason, "error", err)
		return fmt.Errorf("close tenant database %s: %w", p.database, err)
	}
	m.log.Debug("tenant pool closed",
		"client_id", p.clientID, "database", p.database, "reason", reason)
	return nil
}

// Invalidate drops the cached pool of clientID, so the next Acquire looks the
// client up again. An idle pool closes at once and a leased one at its last
// Release. An open in flight for clientID is not cached. Call it when a
// client's DSN or status changes or the client is deleted, and use
// NotifyInvalidation to reach other instances.
func (m *Manager) Invalidate(clientID uuid.UUID) {
	m.mu.Lock()
	m.invalidateLocked(clientID)
	p := m.pools[clientID]
	if p == nil {
		m.mu.Unlock()
		return
	}

	delete(m.pools, clientID)
	m.counts.invalidations++
	leases := p.leases
	if leases > 0 {
		p.draining = true
		m.draining++
	}
	m.mu.Unlock()

	m.log.Info("tenant pool invalidated",
		"client_id", clientID, "database", p.database, "leases_in_use", leases)
	if leases == 0 {
		_ = m.closePool(p, "invalidated")
		m.freeSlot()
	}
}

// invalidateLocked outdates the opens in flight for clientID. Forgetting the
// singleflight key makes later Acquires start a fresh open instead of joining
// the outdated one.
func (m *Manager) invalidateLocked(clientID uuid.UUID) {
	if st := m.opening[clientID]; st != nil {
		st.gen++
	}
	m.flights.Forget(clientID.String())
}

// invalidateAll drops every cached pool and returns how many were dropped.
func (m *Manager) invalidateAll() int {
	m.mu.Lock()
	ids := make([]uuid.UUID, 0, len(m.pools)+len(m.opening))
	for id := range m.pools {
		ids = append(ids, id)
	}
	for id := range m.opening {
		if m.pools[id] == nil {
			ids = append(ids, id)
		}
	}
	cached := len(m.pools)
	m.mu.Unlock()

	for _, id := range ids {
		m.Invalidate(id)
	}
	return cached
}

// Stats returns a snapshot of the pools and counters.
func (m *Manager) Stats() Stats {
	m.mu.Lock()
	defer m.mu.Unlock()

	return Stats{
		OpenPools:        len(m.pools),
		DrainingPools:    m.draining,
		MaxPools:         m.maxPools,
		PoolSize:         m.cfg.PoolSize,
		MaxConns:         m.cfg.MaxConns,
		LeasesInUse:      m.leases,
		Opens:            m.counts.opens,
		Evictions:        m.counts.evictions,
		IdleCloses:       m.counts.idleCloses,
		Invalidations:    m.counts.invalidations,
		Waits:            m.counts.waits,
		OpenErrors:       m.counts.openErrors,
		Listening:        m.listener.connected,
		ListenerConnects: m.listener.connects,
	}
}

// Close stops new Acquires and closes every pool once its leases are released.
// It waits as long as that takes; Shutdown bounds the wait.
func (m *Manager) Close() error {
	return m.Shutdown(context.Background())
}

// Shutdown stops new Acquires, wakes waiting ones with ErrManagerClosed, closes
// idle pools at once and waits until leased pools and opens in flight are
// closed. When ctx ends first it returns an error; the remaining pools still
// close at their last Release, never under a caller.
func (m *Manager) Shutdown(ctx context.Context) error {
	idle := m.beginShutdown()

	var errs []error
	for _, p := range idle {
		errs = append(errs, m.closePool(p, "shutdown"))
		m.freeSlot()
	}
	m.janitor.Wait()

	m.mu.Lock()
	for m.slots > 0 {
		if err := m.waitLocked(ctx); err != nil {
			leased := m.draining
			m.mu.Unlock()
			errs = append(errs, fmt.Errorf(
				"shut down tenant connection manager: %d pools still leased: %w", leased, err))
			return errors.Join(errs...)
		}
	}
	m.mu.Unlock()

	m.log.Info("tenant connection manager closed")
	return errors.Join(errs...)
}

// beginShutdown marks the Manager closed, turns leased pools into draining ones
// and returns the idle pools for the caller to close.
func (m *Manager) beginShutdown() []*pool {
	m.mu.Lock()
	defer m.mu.Unlock()

	if m.closed {
		return nil
	}
	m.closed = true
	close(m.done)

	var idle []*pool
	for id, p := range m.pools {
		delete(m.pools, id)
		if p.leases == 0 {
			idle = append(idle, p)
			continue
		}
		p.draining = true
		m.draining++
	}
	m.broadcastLocked()
	return idle
}

// runJanitor closes pools that had no lease for IdleTimeout. It checks twice
// per IdleTimeout, so an idle pool lives up to 1.5 × IdleTimeout.
func (m *Manager) runJanitor() {
	defer m.janitor.Done()

	ticker := time.NewTicker(max(m.cfg.IdleTimeout/2, 10*time.Millisecond))
	defer ticker.Stop()
	for {
		select {
		case <-m.done:
			return
		case now := <-ticker.C:
			m.closeIdle(now)
		}
	}
}

func (m *Manager) closeIdle(now time.Time) {
	m.mu.Lock()
	var idle []*pool
	for id, p := range m.pools {
		if p.leases == 0 && now.Sub(p.lastUsed) >= m.cfg.IdleTimeout {
			delete(m.pools, id)
			idle = append(idle, p)
		}
	}
	m.counts.idleCloses += uint64(len(idle))
	m.mu.Unlock()

	for _, p := range idle {
		m.log.Info("tenant pool closed after idle timeout",
			"client_id", p.clientID, "database", p.database, "idle_timeout", m.cfg.IdleTimeout)
		_ = m.closePool(p, "idle")
		m.freeSlot()
	}
}
