package tenancy

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect/pgdialect"
	"github.com/uptrace/bun/driver/pgdriver"

	"github.com/sidekick-forge/sidekick-forge/migrations"
)

// Provisioning statuses, as stored in the platform database.
const (
	StatusPending      = "pending"
	StatusProvisioning = "provisioning"
	StatusReady        = "ready"
	StatusFailed       = "failed"
)

// ProvisionSpec says how to provision one client's tenant database.
type ProvisionSpec struct {
	ClientID uuid.UUID
	// Managed databases are created by the platform on the tenant server;
	// external ones exist already and are only checked and migrated.
	Managed      bool
	DatabaseName string
	DSN          string
}

// ProvisionStore is the part of the platform store that provisioning uses.
type ProvisionStore interface {
	ProvisionSpec(ctx context.Context, clientID uuid.UUID) (ProvisionSpec, error)
	SetStatus(ctx context.Context, clientID uuid.UUID, status string, failure error,
		schemaVersion int64) error
}

// Provisioner creates and migrates tenant databases and records the outcome
// as the client's provisioning status.
type Provisioner struct {
	store ProvisionStore
	// serverURL is a DSN of a maintenance database on the managed tenant
	// server, used for CREATE DATABASE and DROP DATABASE.
	serverURL string
	manager   *Manager
	log       *slog.Logger
	timeout   time.Duration

	mu       sync.Mutex
	inFlight map[uuid.UUID]chan struct{}
	wg       sync.WaitGroup
	// OnStatus, when set, is called after every status change.
	OnStatus func(clientID uuid.UUID, status string)
}

// NewProvisioner returns a provisioner that creates managed databases on
// serverURL and invalidates manager's pool of a client after each change.
func NewProvisioner(store ProvisionStore, serverURL string, manager *Manager,
	log *slog.Logger) *Provisioner {
	return &Provisioner{
		store: store, serverURL: serverURL, manager: manager, log: log,
		timeout: 2 * time.Minute, inFlight: make(map[uuid.UUID]chan struct{}),
	}
}

// Start provisions a client in the background and returns a channel closed
// when it is done. A client already being provisioned is not started twice.
func (p *Provisioner) Start(clientID uuid.UUID) <-chan struct{} {
	p.mu.Lock()
	defer p.mu.Unlock()
	if done, ok := p.inFlight[clientID]; ok {
		return done
	}
	done := make(chan struct{})
	p.inFlight[clientID] = done
	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		defer func() {
			p.mu.Lock()
			delete(p.inFlight, clientID)
			p.mu.Unlock()
			close(done)
		}()
		ctx, cancel := context.WithTimeout(context.Background(), p.timeout)
		defer cancel()
		_ = p.Provision(ctx, clientID)
	}()
	return done
}

// Wait blocks until every background provisioning has finished.
func (p *Provisioner) Wait() { p.wg.Wait() }

// Provision moves a client through provisioning → ready | failed. The error
// it returns is also stored as the client's provisioning error.
func (p *Provisioner) Provision(ctx context.Context, clientID uuid.UUID) error {
	log := p.log.With("client_id", clientID)
	if err := p.setStatus(ctx, clientID, StatusProvisioning, nil, 0); err != nil {
		return err
	}
	log.Info("provisioning tenant database")
	started := time.Now()

	version, err := p.provision(ctx, clientID)
	if err != nil {
		log.Warn("provisioning failed", "error", err)
		if serr := p.setStatus(context.WithoutCancel(ctx), clientID, StatusFailed, err, 0); serr != nil {
			return errors.Join(err, serr)
		}
		return err
	}
	if err := p.setStatus(ctx, clientID, StatusReady, nil, version); err != nil {
		return err
	}
	log.Info("tenant database ready", "schema_version", version,
		"duration_ms", time.Since(started).Milliseconds())
	return nil
}

func (p *Provisioner) setStatus(ctx context.Context, clientID uuid.UUID, status string,
	failure error, version int64) error {
	if err := p.store.SetStatus(ctx, clientID, status, failure, version); err != nil {
		return err
	}
	if p.manager != nil {
		p.manager.Invalidate(clientID)
	}
	if p.OnStatus != nil {
		p.OnStatus(clientID, status)
	}
	return nil
}

func (p *Provisioner) provision(ctx context.Context, clientID uuid.UUID) (int64, error) {
	spec, err := p.store.ProvisionSpec(ctx, clientID)
	if err != nil {
		return 0, err
	}
	if spec.Managed {
		if err := p.createDatabase(ctx, spec.DatabaseName); err != nil {
			return 0, err
		}
	}
	return MigrateTenant(ctx, spec.DSN)
}

// MigrateTenant connects to a tenant database and applies its migrations.
// Errors never contain the DSN, which may hold a password.
func MigrateTenant(ctx context.Context, dsn string) (int64, error) {
	db, err := openMaintenance(dsn)
	if err != nil {
		return 0, err
	}
	defer db.Close()

	pingCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := db.PingContext(pingCtx); err != nil {
		return 0, fmt.Errorf("connect to tenant database: %w", err)
	}
	version, err := migrations.Run(ctx, db, migrations.Tenant())
	if err != nil {
		return 0, fmt.Errorf("migrate tenant database: %w", err)
	}
	return version, nil
}

func (p *Provisioner) createDatabase(ctx context.Context, name string) error {
	db, err := openMaintenance(p.serverURL)
	if err != nil {
		return err
	}
	defer db.Close()

	_, err = db.ExecContext(ctx, "CREATE DATABASE "+quoteIdent(name))
	var pgErr pgdriver.Error
	if errors.As(err, &pgErr) && pgErr.Field('C') == "42P04" {
		// Left by an earlier attempt that failed after creating it: migrating
		// it again is safe.
		return nil
	}
	if err != nil {
		return fmt.Errorf("create database %s on the tenant server: %w", name, err)
	}
	return nil
}

// DropDatabase drops a managed tenant database, ending its sessions.
func (p *Provisioner) DropDatabase(ctx context.Context, name string) error {
	db, err := openMaintenance(p.serverURL)
	if err != nil {
		return err
	}
	defer db.Close()

	if _, err := db.ExecContext(ctx, "DROP DATABASE IF EXISTS "+quoteIdent(name)+" WITH (FORCE)"); err != nil {
		return fmt.Errorf("drop database %s: %w", name, err)
	}
	return nil
}

func openMaintenance(dsn string) (*bun.DB, error) {
	connector, err := provisionConnector(dsn)
	if err != nil {
		return nil, err
	}
	sqldb := sql.OpenDB(connector)
	sqldb.SetMaxOpenConns(1)
	return bun.NewDB(sqldb, pgdialect.New()), nil
}

func provisionConnector(dsn string) (c *pgdriver.Connector, err error) {
	// pgdriver panics on a DSN it cannot parse, quoting the DSN.
	defer func() {
		if recover() != nil {
			c, err = nil, errInvalidDSN
		}
	}()
	return pgdriver.NewConnector(pgdriver.WithDSN(dsn), pgdriver.WithTimeout(10*time.Second)), nil
}

func quoteIdent(name string) string {
	return `"` + strings.ReplaceAll(name, `"`, `""`) + `"`
}
