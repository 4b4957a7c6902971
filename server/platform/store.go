package platform

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"
	"github.com/uptrace/bun/driver/pgdriver"

	"github.com/sidekick-forge/sidekick-forge/server/apperr"
	"github.com/sidekick-forge/sidekick-forge/server/secrets"
	"github.com/sidekick-forge/sidekick-forge/server/tenancy"
)

// Store reads and writes the platform database.
type Store struct {
	db      *bun.DB
	keyring *secrets.Keyring
	// tenantServer is the DSN of the server on which managed tenant databases
	// live; its path is replaced by each client's database name.
	tenantServer string
}

// NewStore returns a store over db. Secrets are sealed with keyring.
func NewStore(db *bun.DB, keyring *secrets.Keyring, tenantServerURL string) *Store {
	return &Store{db: db, keyring: keyring, tenantServer: tenantServerURL}
}

// DB returns the platform database.
func (s *Store) DB() *bun.DB { return s.db }

// TenantServerURL returns the DSN of the managed tenant server.
func (s *Store) TenantServerURL() string { return s.tenantServer }

// ManagedDSN returns the DSN of managed database name on the tenant server.
func (s *Store) ManagedDSN(name string) (string, error) {
	u, err := url.Parse(s.tenantServer)
	if err != nil {
		return "", fmt.Errorf("parse tenant server URL: %w", err)
	}
	u.Path = "/" + name
	return u.String(), nil
}

// ClientByID loads a client and its credentials.
func (s *Store) ClientByID(ctx context.Context, id uuid.UUID) (*Client, error) {
	c := new(Client)
	err := s.db.NewSelect().Model(c).Relation("Credentials").Where("client.id = ?", id).Scan(ctx)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, apperr.New(apperr.NotFound, "client %s not found", id)
	}
	if err != nil {
		return nil, fmt.Errorf("load client %s: %w", id, err)
	}
	return c, nil
}

// ClientFilter selects a page of clients.
type ClientFilter struct {
	// Only restricts the result to these ids; nil means every client.
	Only   []uuid.UUID
	Search string
	Status string
	// After is the (created_at, id) of the last client of the previous page.
	AfterTime time.Time
	AfterID   uuid.UUID
	Limit     int
}

// ListClients returns a page of clients ordered by creation, with
// credentials, and the total count matching the filter.
func (s *Store) ListClients(ctx context.Context, f ClientFilter) ([]*Client, int, error) {
	var clients []*Client
	q := s.db.NewSelect().Model(&clients).Relation("Credentials")
	if f.Only != nil {
		if len(f.Only) == 0 {
			return nil, 0, nil
		}
		q = q.Where("client.id IN (?)", bun.List(f.Only))
	}
	if f.Search != "" {
		pattern := "%" + escapeLike(f.Search) + "%"
		q = q.Where("(client.name ILIKE ? OR client.slug ILIKE ?)", pattern, pattern)
	}
	if f.Status != "" {
		q = q.Where("client.provisioning_status = ?", f.Status)
	}
	total, err := q.Count(ctx)
	if err != nil {
		return nil, 0, fmt.Errorf("count clients: %w", err)
	}
	if f.AfterID != uuid.Nil {
		q = q.Where("(client.created_at, client.id) > (?, ?)", f.AfterTime, f.AfterID)
	}
	err = q.OrderExpr("client.created_at, client.id").Limit(int64(f.Limit)).Scan(ctx)
	if err != nil {
		return nil, 0, fmt.Errorf("list clients: %w", err)
	}
	return clients, int(total), nil
}

func escapeLike(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

// InsertClient stores a new client. A taken slug is CONFLICT.
func (s *Store) InsertClient(ctx context.Context, c *Client) error {
	_, err := s.db.NewInsert().Model(c).Exec(ctx)
	if isUniqueViolation(err) {
		return &apperr.Error{Code: apperr.Conflict, Field: "slug",
			Message: fmt.Sprintf("slug: a client with slug %q already exists", c.Slug)}
	}
	if err != nil {
		return fmt.Errorf("insert client: %w", err)
	}
	return nil
}

// UpdateClientFields writes the named columns of c.
func (s *Store) UpdateClientFields(ctx context.Context, c *Client, columns ...string) error {
	c.UpdatedAt = time.Now()
	columns = append(columns, "updated_at")
	res, err := s.db.NewUpdate().Model(c).Column(columns...).WherePK().Exec(ctx)
	if isUniqueViolation(err) {
		return &apperr.Error{Code: apperr.Conflict, Field: "slug",
			Message: fmt.Sprintf("slug: a client with slug %q already exists", c.Slug)}
	}
	if err != nil {
		return fmt.Errorf("update client %s: %w", c.ID, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return apperr.New(apperr.NotFound, "client %s not found", c.ID)
	}
	return nil
}

// SetStatus records a provisioning status, its error and the schema version.
func (s *Store) SetStatus(ctx context.Context, id uuid.UUID, status string, failure error,
	schemaVersion int64) error {
	var msg *string
	if failure != nil {
		m := failure.Error()
		msg = &m
	}
	q := s.db.NewUpdate().Table("clients").Where("id = ?", id).
		Set("provisioning_status = ?", status).
		Set("provisioning_error = ?", msg).
		Set("updated_at = now()")
	if schemaVersion > 0 {
		q = q.Set("schema_version = ?", schemaVersion)
	}
	if _, err := q.Exec(ctx); err != nil {
		return fmt.Errorf("set client %s status %s: %w", id, status, err)
	}
	return nil
}

// DeleteClient removes a client and, by cascade, its credentials, slug index
// rows and keys.
func (s *Store) DeleteClient(ctx context.Context, id uuid.UUID) error {
	res, err := s.db.NewDelete().Model((*Client)(nil)).Where("id = ?", id).Exec(ctx)
	if err != nil {
		return fmt.Errorf("delete client %s: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return apperr.New(apperr.NotFound, "client %s not found", id)
	}
	return nil
}

// CountByStatus returns the number of clients in each provisioning status.
func (s *Store) CountByStatus(ctx context.Context) (map[string]int, error) {
	var rows []struct {
		Status string `bun:"provisioning_status"`
		N      int    `bun:"n"`
	}
	err := s.db.NewSelect().Table("clients").Column("provisioning_status").
		ColumnExpr("count(*) AS n").Group("provisioning_status").Scan(ctx, &rows)
	if err != nil {
		return nil, fmt.Errorf("count clients by status: %w", err)
	}
	counts := map[string]int{
		StatusPending: 0, StatusProvisioning: 0, StatusReady: 0, StatusFailed: 0,
	}
	for _, r := range rows {
		counts[r.Status] = r.N
	}
	return counts, nil
}

// LookupTenant implements tenancy.Directory.
func (s *Store) LookupTenant(ctx context.Context, id uuid.UUID) (tenancy.Target, error) {
	c := new(Client)
	err := s.db.NewSelect().Model(c).Where("id = ?", id).Scan(ctx)
	if errors.Is(err, sql.ErrNoRows) {
		return tenancy.Target{}, tenancy.ErrClientNotFound
	}
	if err != nil {
		return tenancy.Target{}, fmt.Errorf("look up tenant %s: %w", id, err)
	}
	dsn, err := s.TenantDSN(c)
	if err != nil {
		return tenancy.Target{}, err
	}
	return tenancy.Target{ClientID: c.ID, Status: c.ProvisioningStatus, DSN: dsn}, nil
}

// TenantDSN returns the DSN of c's tenant database.
func (s *Store) TenantDSN(c *Client) (string, error) {
	if c.DatabaseMode == ModeExternal {
		dsn, err := s.keyring.Open(c.ExternalDSNCipher, c.ExternalDSNKeyID, dsnAAD(c.ID))
		if err != nil {
			return "", fmt.Errorf("decrypt external DSN of client %s: %w", c.ID, err)
		}
		return dsn, nil
	}
	return s.ManagedDSN(c.DatabaseName)
}

// SealExternalDSN encrypts dsn into c.
func (s *Store) SealExternalDSN(c *Client, dsn string) error {
	sealed, keyID, err := s.keyring.Seal(dsn, dsnAAD(c.ID))
	if err != nil {
		return err
	}
	c.ExternalDSNCipher, c.ExternalDSNKeyID = sealed, keyID
	return nil
}

func dsnAAD(id uuid.UUID) string { return "client/" + id.String() + "/external_dsn" }

func isUniqueViolation(err error) bool {
	var pgErr pgdriver.Error
	return errors.As(err, &pgErr) && pgErr.Field('C') == "23505"
}

// ProvisionSpec implements tenancy.ProvisionStore.
func (s *Store) ProvisionSpec(ctx context.Context, id uuid.UUID) (tenancy.ProvisionSpec, error) {
	c := new(Client)
	err := s.db.NewSelect().Model(c).Where("id = ?", id).Scan(ctx)
	if errors.Is(err, sql.ErrNoRows) {
		return tenancy.ProvisionSpec{}, apperr.New(apperr.NotFound, "client %s not found", id)
	}
	if err != nil {
		return tenancy.ProvisionSpec{}, fmt.Errorf("load client %s: %w", id, err)
	}
	dsn, err := s.TenantDSN(c)
	if err != nil {
		return tenancy.ProvisionSpec{}, err
	}
	return tenancy.ProvisionSpec{
		ClientID: c.ID, Managed: c.DatabaseMode == ModeManaged,
		DatabaseName: c.DatabaseName, DSN: dsn,
	}, nil
}

// ManagedDatabaseName returns the database name of a managed client: fixed
// by the client id, so it never collides and never needs quoting.
func ManagedDatabaseName(id uuid.UUID) string {
	return "sidekick_tenant_" + strings.ReplaceAll(id.String(), "-", "")
}
