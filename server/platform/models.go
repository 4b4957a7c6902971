// Package platform is the platform database: clients, their encrypted
// credentials and LiveKit settings, the agent slug index, access keys, the
// audit log and webhook deduplication.
package platform

import (
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/sidekick-forge/sidekick-forge/server/tenancy"
)

// Provisioning statuses. A client serves requests only when StatusReady.
const (
	StatusPending      = tenancy.StatusPending
	StatusProvisioning = tenancy.StatusProvisioning
	StatusReady        = tenancy.StatusReady
	StatusFailed       = tenancy.StatusFailed
)

// Database modes.
const (
	ModeManaged  = "managed"
	ModeExternal = "external"
)

// Client is one client organisation and where its tenant database lives.
type Client struct {
	bun.BaseModel `bun:"table:clients"`

	ID                  uuid.UUID `bun:"id,pk,type:uuid"`
	Name                string    `bun:"name,notnull"`
	Slug                string    `bun:"slug,notnull"`
	DatabaseMode        string    `bun:"database_mode,notnull"`
	DatabaseName        string    `bun:"database_name,notnull"`
	ExternalDSNCipher   []byte    `bun:"external_dsn_cipher"`
	ExternalDSNKeyID    string    `bun:"external_dsn_key_id,nullzero"`
	ProvisioningStatus  string    `bun:"provisioning_status,notnull"`
	ProvisioningError   *string   `bun:"provisioning_error"`
	SchemaVersion       int64     `bun:"schema_version,notnull"`
	LiveKitURL          string    `bun:"livekit_url,notnull"`
	LiveKitAPIKey       string    `bun:"livekit_api_key,notnull"`
	LiveKitSecretCipher []byte    `bun:"livekit_secret_cipher"`
	LiveKitSecretKeyID  string    `bun:"livekit_secret_key_id,nullzero"`
	LiveKitAgentName    string    `bun:"livekit_agent_name,notnull"`
	CreatedAt           time.Time `bun:"created_at,notnull,default:current_timestamp"`
	UpdatedAt           time.Time `bun:"updated_at,notnull,default:current_timestamp"`

	Credentials []*Credential `bun:"rel:has-many,join:id=client_id"`
}

// LiveKitConfigured reports whether the client has complete LiveKit settings
// of its own.
func (c *Client) LiveKitConfigured() bool {
	return c.LiveKitURL != "" && c.LiveKitAPIKey != "" && len(c.LiveKitSecretCipher) > 0
}

// Credential is one provider key of a client, encrypted.
type Credential struct {
	bun.BaseModel `bun:"table:credentials"`

	ClientID   uuid.UUID `bun:"client_id,pk,type:uuid"`
	Provider   string    `bun:"provider,pk"`
	Ciphertext []byte    `bun:"ciphertext,notnull"`
	KeyID      string    `bun:"key_id,notnull"`
	Last4      string    `bun:"last4,notnull"`
	BaseURL    string    `bun:"base_url,notnull"`
	UpdatedAt  time.Time `bun:"updated_at,notnull,default:current_timestamp"`
}

// AgentSlug is one row of the auto-detection index.
type AgentSlug struct {
	bun.BaseModel `bun:"table:agent_slugs"`

	Slug      string    `bun:"slug,pk"`
	ClientID  uuid.UUID `bun:"client_id,pk,type:uuid"`
	AgentName string    `bun:"agent_name,notnull"`
}

// Access key kinds.
const (
	KeyPlatform = "platform"
	KeyClient   = "client"
	KeySite     = "site"
)

// AccessKey is an API key, stored as the SHA-256 of the raw key.
type AccessKey struct {
	bun.BaseModel `bun:"table:access_keys"`

	ID             uuid.UUID  `bun:"id,pk,type:uuid"`
	Kind           string     `bun:"kind,notnull"`
	Name           string     `bun:"name,notnull"`
	Prefix         string     `bun:"prefix,notnull"`
	KeyHash        []byte     `bun:"key_hash,notnull"`
	ClientID       *uuid.UUID `bun:"client_id,type:uuid"`
	Scopes         []string   `bun:"scopes,array"`
	Domain         string     `bun:"domain,notnull"`
	AllowedOrigins []string   `bun:"allowed_origins,array"`
	CreatedAt      time.Time  `bun:"created_at,notnull,default:current_timestamp"`
	LastUsedAt     *time.Time `bun:"last_used_at"`
	RevokedAt      *time.Time `bun:"revoked_at"`
	// ReplacedBy is the key that replaced this one when it was rotated.
	ReplacedBy *uuid.UUID `bun:"replaced_by,type:uuid"`
}

// AuditEntry is one row of the audit log. Details never hold a secret.
type AuditEntry struct {
	bun.BaseModel `bun:"table:audit_log"`

	ID       int64          `bun:"id,pk,autoincrement"`
	At       time.Time      `bun:"at,notnull,default:current_timestamp"`
	Actor    string         `bun:"actor,notnull"`
	Action   string         `bun:"action,notnull"`
	ClientID *uuid.UUID     `bun:"client_id,type:uuid"`
	Target   string         `bun:"target,notnull"`
	Details  map[string]any `bun:"details,type:jsonb,notnull"`
}
