// Package app wires the platform together: configuration, the platform
// database, services, and the HTTP routes of the server binary.
package app

import (
	"flag"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/sidekick-forge/sidekick-forge/server/auth"
	"github.com/sidekick-forge/sidekick-forge/server/llm"
	"github.com/sidekick-forge/sidekick-forge/server/tenancy"
)

// Config is the server's configuration. Every field has a flag and a
// SIDEKICK_* environment variable; the flag wins when both are set.
type Config struct {
	Env               string
	Listen            string
	PublicURL         string
	DatabaseURL       string
	TenantDatabaseURL string
	DataDir           string
	SecretKey         string
	SecretKeyPrevious string
	LogFormat         string
	LogLevel          string

	TenantMaxConns int
	TenantPoolSize int

	LiveKitURL       string
	LiveKitAPIKey    string
	LiveKitAPISecret string
	LiveKitAgentName string
	UserTokenTTL     time.Duration
	WorkerTokenTTL   time.Duration
	RoomMaxPeople    int

	LLMTimeout       time.Duration
	LLMBaseURLs      map[string]string
	MaxMessageLength int

	SessionTTL       time.Duration
	LoginRateLimit   int
	TriggerRateLimit int
	EmbedTokenTTL    time.Duration
	// AllowedOrigins is comma-separated; BrowserOrigins parses it.
	AllowedOrigins string
}

// Defaults of the local configuration.
const (
	DefaultListen      = "127.0.0.1:8080"
	DefaultDatabaseURL = "postgres://postgres@127.0.0.1:5432/sidekick_platform?sslmode=disable"
)

// Production reports whether the server runs with SIDEKICK_ENV=production.
func (c *Config) Production() bool { return c.Env == "production" }

// Option describes one setting for flags, environment and the README table.
type Option struct {
	Flag, Env, Default, Help string
	set                      func(string) error
}

// Options returns every setting of c, bound to its fields.
func (c *Config) Options() []Option {
	opts := []Option{
		str(&c.Env, "env", "SIDEKICK_ENV", "development",
			"deployment environment: development or production (production requires SIDEKICK_SECRET_KEY)"),
		str(&c.Listen, "listen", "SIDEKICK_LISTEN", DefaultListen, "address the HTTP server listens on"),
		str(&c.PublicURL, "public-url", "SIDEKICK_PUBLIC_URL", "",
			"externally reachable base URL of the platform, used in links given to agent workers (default: http://<listen>)"),
		str(&c.DatabaseURL, "database-url", "SIDEKICK_DATABASE_URL", DefaultDatabaseURL,
			"platform database DSN; the database is created if missing and migrated at start"),
		str(&c.TenantDatabaseURL, "tenant-database-url", "SIDEKICK_TENANT_DATABASE_URL", "",
			"DSN of a maintenance database on the server where managed tenant databases are created (default: the platform's server, database postgres)"),
		str(&c.DataDir, "data-dir", "SIDEKICK_DATA_DIR", ".sidekick",
			"folder for local state, such as the generated development secret key"),
		str(&c.SecretKey, "secret-key", "SIDEKICK_SECRET_KEY", "",
			"base64 32-byte key that encrypts secrets at rest; generated into the data folder when unset outside production"),
		str(&c.SecretKeyPrevious, "secret-key-previous", "SIDEKICK_SECRET_KEY_PREVIOUS", "",
			"comma-separated earlier secret keys, still accepted for decryption during a key rotation"),
		str(&c.LogFormat, "log-format", "SIDEKICK_LOG_FORMAT", "auto",
			"log format: text, json, or auto (json in production, text otherwise)"),
		str(&c.LogLevel, "log-level", "SIDEKICK_LOG_LEVEL", "info", "log level: debug, info, warn or error"),
		integer(&c.TenantMaxConns, "tenant-max-conns", "SIDEKICK_TENANT_MAX_CONNS", tenancy.DefaultMaxConns,
			"total connections across all tenant pools; keep it under the server's max_connections minus the platform pool"),
		integer(&c.TenantPoolSize, "tenant-pool-size", "SIDEKICK_TENANT_POOL_SIZE", tenancy.DefaultPoolSize,
			"connections per tenant pool"),
		str(&c.LiveKitURL, "livekit-url", "SIDEKICK_LIVEKIT_URL", "",
			"platform default LiveKit server URL (ws://, wss://, http:// or https://) for clients without their own"),
		str(&c.LiveKitAPIKey, "livekit-api-key", "SIDEKICK_LIVEKIT_API_KEY", "", "platform default LiveKit API key"),
		str(&c.LiveKitAPISecret, "livekit-api-secret", "SIDEKICK_LIVEKIT_API_SECRET", "",
			"platform default LiveKit API secret"),
		str(&c.LiveKitAgentName, "livekit-agent-name", "SIDEKICK_LIVEKIT_AGENT_NAME", "sidekick-agent",
			"agent name that explicit dispatches target, unless a client sets its own"),
		duration(&c.UserTokenTTL, "user-token-ttl", "SIDEKICK_USER_TOKEN_TTL", 15*time.Minute,
			"lifetime of LiveKit user tokens returned by voice and video triggers"),
		duration(&c.WorkerTokenTTL, "worker-token-ttl", "SIDEKICK_WORKER_TOKEN_TTL", 10*time.Minute,
			"lifetime of the token an agent worker uses to fetch its configuration"),
		integer(&c.RoomMaxPeople, "room-max-participants", "SIDEKICK_ROOM_MAX_PARTICIPANTS", 10,
			"participant limit of rooms created by triggers"),
		duration(&c.LLMTimeout, "llm-timeout", "SIDEKICK_LLM_TIMEOUT", 60*time.Second,
			"time limit of one LLM call; past it a trigger fails with 504"),
		integer(&c.MaxMessageLength, "max-message-length", "SIDEKICK_MAX_MESSAGE_LENGTH", 10000,
			"longest text message a trigger accepts, in characters"),
		duration(&c.SessionTTL, "session-ttl", "SIDEKICK_SESSION_TTL", 12*time.Hour,
			"lifetime of an admin SPA session after login"),
		integer(&c.LoginRateLimit, "login-rate-limit", "SIDEKICK_LOGIN_RATE_LIMIT", 10,
			"login attempts allowed per minute for one account; one client address may make four times as many"),
		integer(&c.TriggerRateLimit, "trigger-rate-limit", "SIDEKICK_TRIGGER_RATE_LIMIT", 60,
			"triggers allowed per minute for one access key (embed tokens count against the key that minted them) or user; 0 turns the limit off"),
		duration(&c.EmbedTokenTTL, "embed-token-ttl", "SIDEKICK_EMBED_TOKEN_TTL", 10*time.Minute,
			"lifetime of embed tokens minted for browsers"),
		str(&c.AllowedOrigins, "allowed-origins", "SIDEKICK_ALLOWED_ORIGINS", "",
			"comma-separated browser origins that may use the session cookie and open GraphQL websockets (default: the origin of the public URL)"),
	}
	c.LLMBaseURLs = map[string]string{}
	for _, p := range llm.Providers() {
		provider := p
		envName := "SIDEKICK_" + strings.ToUpper(provider) + "_BASE_URL"
		opts = append(opts, Option{
			Flag: strings.ReplaceAll(provider, "_", "-") + "-base-url", Env: envName,
			Help: "override of the " + provider + " API base URL, for proxies, regional endpoints and tests",
			set: func(v string) error {
				if v != "" {
					c.LLMBaseURLs[provider] = v
				}
				return nil
			},
		})
	}
	return opts
}

func str(dst *string, flagName, env, def, help string) Option {
	*dst = def
	return Option{Flag: flagName, Env: env, Default: def, Help: help,
		set: func(v string) error { *dst = v; return nil }}
}

func integer(dst *int, flagName, env string, def int, help string) Option {
	*dst = def
	return Option{Flag: flagName, Env: env, Default: strconv.Itoa(def), Help: help,
		set: func(v string) error {
			n, err := strconv.Atoi(v)
			if err != nil {
				return fmt.Errorf("%s: %q is not an integer", env, v)
			}
			*dst = n
			return nil
		}}
}

func duration(dst *time.Duration, flagName, env string, def time.Duration, help string) Option {
	*dst = def
	return Option{Flag: flagName, Env: env, Default: def.String(), Help: help,
		set: func(v string) error {
			d, err := time.ParseDuration(v)
			if err != nil {
				return fmt.Errorf("%s: %q is not a duration such as 30s or 15m", env, v)
			}
			*dst = d
			return nil
		}}
}

// flagValue adapts an Option to flag.Value.
type flagValue struct{ opt Option }

func (f flagValue) String() string     { return f.opt.Default }
func (f flagValue) Set(v string) error { return f.opt.set(v) }

// Load fills a Config from the environment, then from args.
func Load(fs *flag.FlagSet, args []string, getenv func(string) string) (*Config, error) {
	c := &Config{}
	opts := c.Options()
	for _, o := range opts {
		if v := getenv(o.Env); v != "" {
			if err := o.set(v); err != nil {
				return nil, err
			}
		}
		fs.Var(flagValue{o}, o.Flag, o.Help+" ("+o.Env+")")
	}
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	return c, c.finish()
}

// finish derives the defaults that depend on other settings and checks them.
func (c *Config) finish() error {
	if c.Env != "development" && c.Env != "production" {
		return fmt.Errorf("SIDEKICK_ENV: %q is not development or production", c.Env)
	}
	if c.PublicURL == "" {
		c.PublicURL = "http://" + c.Listen
	}
	c.PublicURL = strings.TrimSuffix(c.PublicURL, "/")
	if c.TenantDatabaseURL == "" {
		u, err := url.Parse(c.DatabaseURL)
		if err != nil {
			return fmt.Errorf("SIDEKICK_DATABASE_URL is not a valid URL")
		}
		u.Path = "/postgres"
		c.TenantDatabaseURL = u.String()
	}
	if c.TenantPoolSize < 1 || c.TenantMaxConns < c.TenantPoolSize {
		return fmt.Errorf("SIDEKICK_TENANT_MAX_CONNS (%d) must be at least SIDEKICK_TENANT_POOL_SIZE (%d), which must be at least 1",
			c.TenantMaxConns, c.TenantPoolSize)
	}
	if c.MaxMessageLength < 1 {
		return fmt.Errorf("SIDEKICK_MAX_MESSAGE_LENGTH must be positive")
	}
	return c.finishAccess()
}

// finishAccess checks the session, rate limit and origin settings and
// derives the allowed origins.
func (c *Config) finishAccess() error {
	if c.SessionTTL <= 0 || c.EmbedTokenTTL <= 0 {
		return fmt.Errorf("SIDEKICK_SESSION_TTL and SIDEKICK_EMBED_TOKEN_TTL must be positive")
	}
	if c.LoginRateLimit < 1 {
		return fmt.Errorf("SIDEKICK_LOGIN_RATE_LIMIT must be at least 1")
	}
	if c.TriggerRateLimit < 0 {
		return fmt.Errorf("SIDEKICK_TRIGGER_RATE_LIMIT must be 0 (off) or positive")
	}
	for _, o := range strings.Split(c.AllowedOrigins, ",") {
		if o = strings.TrimSpace(o); o != "" && auth.OriginOf(o) != strings.ToLower(o) {
			return fmt.Errorf("SIDEKICK_ALLOWED_ORIGINS: %q is not an origin like https://admin.example.com", o)
		}
	}
	return nil
}

// BrowserOrigins returns the origins that may use the session cookie and
// open GraphQL websockets: SIDEKICK_ALLOWED_ORIGINS, or the origin of the
// public URL when it is empty.
func (c *Config) BrowserOrigins() []string {
	var out []string
	for _, o := range strings.Split(c.AllowedOrigins, ",") {
		if o = strings.TrimSpace(o); o != "" {
			out = append(out, auth.OriginOf(o))
		}
	}
	if len(out) == 0 {
		out = append(out, auth.OriginOf(c.PublicURL))
	}
	return out
}
