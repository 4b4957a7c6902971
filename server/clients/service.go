// Package clients manages the lifecycle of client organisations: creation
// and provisioning of their tenant databases, their provider keys, LiveKit
// settings and WordPress site keys. Every method checks the caller's
// principal and writes an audit entry for each change.
package clients

import (
	"context"
	"fmt"
	"log/slog"
	"net/url"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/sidekick-forge/sidekick-forge/server/agents"
	"github.com/sidekick-forge/sidekick-forge/server/apperr"
	"github.com/sidekick-forge/sidekick-forge/server/auth"
	"github.com/sidekick-forge/sidekick-forge/server/platform"
	"github.com/sidekick-forge/sidekick-forge/server/tenancy"
)

// Service implements client management.
type Service struct {
	store       *platform.Store
	provisioner *tenancy.Provisioner
	tenants     *tenancy.Manager
	log         *slog.Logger
	// ProvisionWait is how long Create and Retry wait for provisioning to
	// finish before returning a client that is still provisioning.
	ProvisionWait time.Duration
}

// NewService returns a client service.
func NewService(store *platform.Store, provisioner *tenancy.Provisioner,
	tenants *tenancy.Manager, log *slog.Logger) *Service {
	return &Service{store: store, provisioner: provisioner, tenants: tenants, log: log,
		ProvisionWait: 10 * time.Second}
}

// Store returns the platform store.
func (s *Service) Store() *platform.Store { return s.store }

// authorize checks that p may use scope on client id. A client outside p's
// reach is NOT_FOUND, the same error as for a client that does not exist.
func authorize(p *auth.Principal, id uuid.UUID, scope string) error {
	return auth.CheckClient(p, id, scope)
}

func requirePlatformAdmin(p *auth.Principal) error { return auth.CheckPlatformAdmin(p) }

// Get returns a client visible to p.
func (s *Service) Get(ctx context.Context, p *auth.Principal, id uuid.UUID) (*platform.Client, error) {
	if err := authorize(p, id, auth.ScopeRead); err != nil {
		return nil, err
	}
	c, err := s.store.ClientByID(ctx, id)
	if err != nil {
		return nil, err
	}
	return c, nil
}

// List returns a page of the clients visible to p.
func (s *Service) List(ctx context.Context, p *auth.Principal, f platform.ClientFilter) (
	[]*platform.Client, int, error) {
	if p == nil {
		return nil, 0, apperr.New(apperr.Unauthenticated, "authentication required")
	}
	f.Only = p.VisibleClients()
	return s.store.ListClients(ctx, f)
}

// CreateInput describes a new client.
type CreateInput struct {
	Name        string
	Slug        string
	Mode        string
	ExternalDSN string
}

const maxNameLength = 200

func validateName(field, name string) error {
	if strings.TrimSpace(name) == "" {
		return apperr.Invalid(field, "is required")
	}
	if len([]rune(name)) > maxNameLength {
		return apperr.Invalid(field, "is %d characters; the maximum is %d", len([]rune(name)),
			maxNameLength)
	}
	return nil
}

// ValidateDSN checks that dsn is a PostgreSQL URL. Its errors never repeat
// the DSN, which may hold a password.
func ValidateDSN(field, dsn string) error {
	if len(dsn) > 2048 {
		return apperr.Invalid(field, "is longer than 2048 characters")
	}
	u, err := url.Parse(dsn)
	if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") || u.Host == "" {
		return apperr.Invalid(field, "must be a URL like postgres://user:password@host:5432/dbname")
	}
	if strings.Trim(u.Path, "/") == "" {
		return apperr.Invalid(field, "must name a database in its path")
	}
	return nil
}

// Create stores a client and provisions its tenant database. It waits up to
// ProvisionWait for provisioning; a slower one goes on in the background and
// the returned client is still provisioning.
func (s *Service) Create(ctx context.Context, p *auth.Principal, in CreateInput) (*platform.Client, error) {
	if err := requirePlatformAdmin(p); err != nil {
		return nil, err
	}
	c, err := s.newClient(in)
	if err != nil {
		return nil, err
	}
	if err := s.store.InsertClient(ctx, c); err != nil {
		return nil, err
	}
	s.audit(ctx, p, "client.create", c.ID, c.Slug, map[string]any{"database_mode": c.DatabaseMode})
	s.log.Info("client created", "client_id", c.ID, "slug", c.Slug, "database_mode", c.DatabaseMode)

	return s.provisionAndWait(ctx, c.ID)
}

func (s *Service) newClient(in CreateInput) (*platform.Client, error) {
	if err := validateName("name", in.Name); err != nil {
		return nil, err
	}
	slug := in.Slug
	if slug == "" {
		slug = agents.SuggestSlug(in.Name)
	}
	if err := agents.ValidateSlug("slug", slug); err != nil {
		return nil, err
	}
	now := time.Now()
	c := &platform.Client{
		ID: uuid.New(), Name: strings.TrimSpace(in.Name), Slug: slug,
		ProvisioningStatus: platform.StatusPending, CreatedAt: now, UpdatedAt: now,
	}
	switch in.Mode {
	case platform.ModeManaged, "":
		if in.ExternalDSN != "" {
			return nil, apperr.Invalid("externalDsn", "is only allowed with databaseMode EXTERNAL")
		}
		c.DatabaseMode = platform.ModeManaged
		c.DatabaseName = platform.ManagedDatabaseName(c.ID)
	case platform.ModeExternal:
		if in.ExternalDSN == "" {
			return nil, apperr.Invalid("externalDsn", "is required with databaseMode EXTERNAL")
		}
		if err := ValidateDSN("externalDsn", in.ExternalDSN); err != nil {
			return nil, err
		}
		c.DatabaseMode = platform.ModeExternal
		if err := s.store.SealExternalDSN(c, in.ExternalDSN); err != nil {
			return nil, err
		}
	default:
		return nil, apperr.Invalid("databaseMode", "must be MANAGED or EXTERNAL")
	}
	return c, nil
}

func (s *Service) provisionAndWait(ctx context.Context, id uuid.UUID) (*platform.Client, error) {
	done := s.provisioner.Start(id)
	timer := time.NewTimer(s.ProvisionWait)
	defer timer.Stop()
	select {
	case <-done:
	case <-timer.C:
	case <-ctx.Done():
	}
	return s.store.ClientByID(context.WithoutCancel(ctx), id)
}

// Retry provisions a client again. Only a failed client, or one stuck in
// pending, may be retried.
func (s *Service) Retry(ctx context.Context, p *auth.Principal, id uuid.UUID) (*platform.Client, error) {
	if err := authorize(p, id, auth.ScopeManage); err != nil {
		return nil, err
	}
	c, err := s.store.ClientByID(ctx, id)
	if err != nil {
		return nil, err
	}
	if c.ProvisioningStatus == platform.StatusReady || c.ProvisioningStatus == platform.StatusProvisioning {
		return nil, apperr.New(apperr.Conflict, "client %s is %s; only a failed or pending client can be retried",
			id, c.ProvisioningStatus)
	}
	s.audit(ctx, p, "client.retry_provisioning", id, c.Slug, nil)
	return s.provisionAndWait(ctx, id)
}

// UpdateInput changes a client; nil fields are kept.
type UpdateInput struct {
	Name, Slug, ExternalDSN *string
	// ProviderKeys sets or removes the named provider keys; the others are
	// kept.
	ProviderKeys []platform.CredentialChange
	// LiveKit changes the client's LiveKit settings when not nil.
	LiveKit *platform.LiveKitUpdate
}

// Update changes a client's name, slug, external DSN, provider keys and
// LiveKit settings. Every field is checked first and all are stored in one
// transaction, so an invalid field changes nothing. A new DSN re-provisions
// the client against the new database.
func (s *Service) Update(ctx context.Context, p *auth.Principal, id uuid.UUID, in UpdateInput) (
	*platform.Client, error) {
	if err := authorize(p, id, auth.ScopeManage); err != nil {
		return nil, err
	}
	if err := validateUpdate(in); err != nil {
		return nil, err
	}
	c, err := s.store.ClientByID(ctx, id)
	if err != nil {
		return nil, err
	}
	var columns, changed []string
	if in.Name != nil {
		if err := validateName("name", *in.Name); err != nil {
			return nil, err
		}
		c.Name = strings.TrimSpace(*in.Name)
		columns, changed = append(columns, "name"), append(changed, "name")
	}
	if in.Slug != nil {
		if err := agents.ValidateSlug("slug", *in.Slug); err != nil {
			return nil, err
		}
		c.Slug = *in.Slug
		columns, changed = append(columns, "slug"), append(changed, "slug")
	}
	reprovision := false
	if in.ExternalDSN != nil {
		// A DSN decides which database a tenant's data goes to, so only the
		// platform may change it: a client admin could otherwise point its
		// tenant at another tenant's database, or probe hosts and ports.
		if err := requirePlatformAdmin(p); err != nil {
			return nil, err
		}
		if c.DatabaseMode != platform.ModeExternal {
			return nil, apperr.Invalid("externalDsn", "only an EXTERNAL client has an external DSN")
		}
		if err := ValidateDSN("externalDsn", *in.ExternalDSN); err != nil {
			return nil, err
		}
		if err := s.store.SealExternalDSN(c, *in.ExternalDSN); err != nil {
			return nil, err
		}
		c.ProvisioningStatus = platform.StatusPending
		columns = append(columns, "external_dsn_cipher", "external_dsn_key_id", "provisioning_status")
		changed = append(changed, "external_dsn")
		reprovision = true
	}
	tenantChanged := len(columns) > 0
	if in.LiveKit != nil {
		staged, err := s.store.StageLiveKit(c, *in.LiveKit)
		if err != nil {
			return nil, err
		}
		columns = append(columns, staged...)
		changed = append(changed, "livekit")
	}
	if len(columns) == 0 && len(in.ProviderKeys) == 0 {
		return c, nil
	}
	if err := s.store.UpdateClientTx(ctx, c, columns, in.ProviderKeys); err != nil {
		return nil, err
	}
	if tenantChanged {
		s.tenants.Invalidate(id)
		s.notifyInvalidation(ctx, id)
	}
	details := map[string]any{"fields": changed}
	if len(in.ProviderKeys) > 0 {
		details["provider_keys"] = changedProviders(in.ProviderKeys)
	}
	s.audit(ctx, p, "client.update", id, c.Slug, details)
	if reprovision {
		return s.provisionAndWait(ctx, id)
	}
	return s.store.ClientByID(ctx, id)
}

// validateUpdate checks the parts of in that need no stored state, so that
// an invalid key or URL is rejected before anything is written.
func validateUpdate(in UpdateInput) error {
	if err := platform.ValidateCredentialChanges(in.ProviderKeys); err != nil {
		return err
	}
	for _, ch := range in.ProviderKeys {
		if ch.BaseURL == "" {
			continue
		}
		if err := validateBaseURL(ch.BaseURL); err != nil {
			return apperr.Invalid(ch.Field+".baseUrl", "must be an absolute http or https URL")
		}
	}
	if in.LiveKit != nil {
		return validateLiveKitURL("livekit.url", in.LiveKit.URL)
	}
	return nil
}

// changedProviders lists the providers of changes for the audit log; key
// values never go there.
func changedProviders(changes []platform.CredentialChange) map[string]string {
	out := make(map[string]string, len(changes))
	for _, ch := range changes {
		out[ch.Provider] = "set"
		if ch.Key == nil {
			out[ch.Provider] = "removed"
		}
	}
	return out
}

// Delete removes a client. Its managed database is dropped only when
// dropDatabase is true; otherwise it stays on the tenant server.
func (s *Service) Delete(ctx context.Context, p *auth.Principal, id uuid.UUID, dropDatabase bool) (
	bool, error) {
	if err := requirePlatformAdmin(p); err != nil {
		return false, err
	}
	c, err := s.store.ClientByID(ctx, id)
	if err != nil {
		return false, err
	}
	if dropDatabase && c.DatabaseMode != platform.ModeManaged {
		return false, apperr.Invalid("dropDatabase",
			"client %s uses an external database, which the platform never drops", id)
	}
	if err := s.store.DeleteClient(ctx, id); err != nil {
		return false, err
	}
	s.tenants.Invalidate(id)
	s.notifyInvalidation(ctx, id)
	dropped := false
	if dropDatabase {
		if err := s.provisioner.DropDatabase(ctx, c.DatabaseName); err != nil {
			s.log.Error("drop tenant database after client delete", "client_id", id,
				"database", c.DatabaseName, "error", err)
			return false, fmt.Errorf("client deleted, but dropping its database failed: %w", err)
		}
		dropped = true
	}
	s.audit(ctx, p, "client.delete", id, c.Slug, map[string]any{"database_dropped": dropped})
	s.log.Info("client deleted", "client_id", id, "database_dropped", dropped)
	return dropped, nil
}

// SetProviderKey stores one provider key; the other keys are untouched.
func (s *Service) SetProviderKey(ctx context.Context, p *auth.Principal, id uuid.UUID,
	provider, key, baseURL string) (platform.KeyStatus, error) {
	if err := authorize(p, id, auth.ScopeManage); err != nil {
		return platform.KeyStatus{}, err
	}
	if baseURL != "" {
		if err := validateBaseURL(baseURL); err != nil {
			return platform.KeyStatus{}, err
		}
	}
	if _, err := s.store.ClientByID(ctx, id); err != nil {
		return platform.KeyStatus{}, err
	}
	cred, err := s.store.SetCredential(ctx, id, provider, key, baseURL)
	if err != nil {
		return platform.KeyStatus{}, err
	}
	s.audit(ctx, p, "client.set_provider_key", id, provider, nil)
	updated := cred.UpdatedAt
	return platform.KeyStatus{Provider: provider, Configured: true, Last4: cred.Last4,
		BaseURL: cred.BaseURL, UpdatedAt: &updated}, nil
}

func validateBaseURL(raw string) error {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return apperr.Invalid("baseUrl", "must be an absolute http or https URL")
	}
	return nil
}

// RemoveProviderKey deletes one provider key.
func (s *Service) RemoveProviderKey(ctx context.Context, p *auth.Principal, id uuid.UUID,
	provider string) (platform.KeyStatus, error) {
	if err := authorize(p, id, auth.ScopeManage); err != nil {
		return platform.KeyStatus{}, err
	}
	if _, err := s.store.ClientByID(ctx, id); err != nil {
		return platform.KeyStatus{}, err
	}
	if err := s.store.RemoveCredential(ctx, id, provider); err != nil {
		return platform.KeyStatus{}, err
	}
	s.audit(ctx, p, "client.remove_provider_key", id, provider, nil)
	return platform.KeyStatus{Provider: provider}, nil
}

// SetLiveKit changes a client's LiveKit settings.
func (s *Service) SetLiveKit(ctx context.Context, p *auth.Principal, id uuid.UUID,
	u platform.LiveKitUpdate) (*platform.Client, error) {
	if err := authorize(p, id, auth.ScopeManage); err != nil {
		return nil, err
	}
	if err := validateLiveKitURL("url", u.URL); err != nil {
		return nil, err
	}
	c, err := s.store.ClientByID(ctx, id)
	if err != nil {
		return nil, err
	}
	if err := s.store.SetLiveKit(ctx, c, u); err != nil {
		return nil, err
	}
	s.audit(ctx, p, "client.set_livekit", id, c.Slug, map[string]any{"fields": liveKitFields(u)})
	return s.store.ClientByID(ctx, id)
}

// validateLiveKitURL accepts an absent or empty URL (which clears it) and
// ws, wss, http and https URLs.
func validateLiveKitURL(field string, raw *string) error {
	if raw == nil || *raw == "" {
		return nil
	}
	parsed, err := url.Parse(*raw)
	if err == nil && parsed.Host != "" {
		switch parsed.Scheme {
		case "ws", "wss", "http", "https":
			return nil
		}
	}
	return apperr.Invalid(field, "must be a ws://, wss://, http:// or https:// URL")
}

func liveKitFields(u platform.LiveKitUpdate) []string {
	var out []string
	for name, v := range map[string]*string{"url": u.URL, "api_key": u.APIKey,
		"api_secret": u.APISecret, "agent_name": u.AgentName} {
		if v != nil {
			out = append(out, name)
		}
	}
	return out
}

func (s *Service) notifyInvalidation(ctx context.Context, id uuid.UUID) {
	if err := tenancy.NotifyInvalidation(ctx, s.store.DB(), id); err != nil {
		s.log.Warn("notify other instances of tenant change", "client_id", id, "error", err)
	}
}

func (s *Service) audit(ctx context.Context, p *auth.Principal, action string, clientID uuid.UUID,
	target string, details map[string]any) {
	id := clientID
	if err := s.store.Audit(context.WithoutCancel(ctx), p.Actor(), action, &id, target, details); err != nil {
		s.log.Error("write audit entry", "action", action, "client_id", clientID, "error", err)
	}
}
