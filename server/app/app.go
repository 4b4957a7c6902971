package app

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/executor"
	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/sidekick-forge/sidekick-forge/graph"
	"github.com/sidekick-forge/sidekick-forge/server/accounts"
	"github.com/sidekick-forge/sidekick-forge/server/agents"
	"github.com/sidekick-forge/sidekick-forge/server/auth"
	"github.com/sidekick-forge/sidekick-forge/server/clients"
	"github.com/sidekick-forge/sidekick-forge/server/livekit"
	"github.com/sidekick-forge/sidekick-forge/server/llm"
	"github.com/sidekick-forge/sidekick-forge/server/platform"
	"github.com/sidekick-forge/sidekick-forge/server/tenancy"
	"github.com/sidekick-forge/sidekick-forge/server/trigger"
)

// App is a running platform: its database, services and HTTP handler.
type App struct {
	Config      *Config
	Log         *slog.Logger
	DB          *bun.DB
	Store       *platform.Store
	Tenants     *tenancy.Manager
	Provisioner *tenancy.Provisioner
	Clients     *clients.Service
	Trigger     *trigger.Service
	Auth        *auth.Authenticator
	Sessions    *auth.Sessions
	Accounts    *accounts.Service
	LiveKit     *livekit.Service
	Schema      graphql.ExecutableSchema
	// Executor runs operations for the REST shims, with the same
	// extensions and policies as the /graphql handler.
	Executor *executor.Executor

	handler       http.Handler
	routePatterns []string
	stopListen    context.CancelFunc
}

// New opens the platform database, migrates it and builds every service.
func New(ctx context.Context, cfg *Config, log *slog.Logger) (*App, error) {
	keys, err := Keyring(cfg, log)
	if err != nil {
		return nil, err
	}
	db, err := OpenPlatform(ctx, cfg.DatabaseURL)
	if err != nil {
		return nil, err
	}
	a := &App{Config: cfg, Log: log, DB: db}
	a.Store = platform.NewStore(db, keys, cfg.TenantDatabaseURL)
	a.Tenants = tenancy.NewManager(a.Store, tenancy.Config{
		PoolSize: cfg.TenantPoolSize, MaxConns: cfg.TenantMaxConns,
		OpenTimeout: tenancy.DefaultOpenTimeout, IdleTimeout: tenancy.DefaultIdleTimeout,
	}, log)
	a.Provisioner = tenancy.NewProvisioner(a.Store, cfg.TenantDatabaseURL, a.Tenants, log)
	a.Clients = clients.NewService(a.Store, a.Provisioner, a.Tenants, log)
	origins := auth.NewOrigins(cfg.BrowserOrigins())
	a.Sessions = auth.NewSessions(a.Store, auth.SessionConfig{
		TTL: cfg.SessionTTL, CSRFKey: keys.DeriveKey("csrf"), LoginRateLimit: cfg.LoginRateLimit,
		SecureCookie: strings.HasPrefix(cfg.PublicURL, "https://"), Origins: origins,
	}, log)
	embeds := auth.NewEmbedTokens(keys.DeriveKey("embed-token"), cfg.EmbedTokenTTL)
	a.Auth = auth.NewAuthenticator(a.Store, log, auth.Options{
		Sessions: a.Sessions, Embeds: embeds, Origins: origins,
	})
	a.Accounts = accounts.NewService(a.Store, embeds, cfg.LoginRateLimit, log)
	a.LiveKit = livekit.NewService(log)

	platformLiveKit := livekit.Settings{URL: cfg.LiveKitURL, APIKey: cfg.LiveKitAPIKey,
		APISecret: cfg.LiveKitAPISecret, AgentName: cfg.LiveKitAgentName}
	registry := llm.NewRegistry(llm.Config{BaseURLs: cfg.LLMBaseURLs, Timeout: cfg.LLMTimeout})
	tokens := trigger.NewWorkerTokens(keys.DeriveKey("worker-token"), cfg.WorkerTokenTTL)
	a.Trigger = trigger.NewService(a.Store, a.Tenants, a.LiveKit, registry, tokens, trigger.Config{
		PlatformLiveKit: platformLiveKit, AgentName: cfg.LiveKitAgentName, PublicURL: cfg.PublicURL,
		UserTokenTTL: cfg.UserTokenTTL, MaxParticipants: uint32(cfg.RoomMaxPeople),
		MaxMessageLength: cfg.MaxMessageLength,
	}, log)

	a.Schema = graph.NewSchema(&graph.Resolver{
		Store: a.Store, ClientService: a.Clients, AgentService: agents.NewService(a.Store, log),
		Accounts: a.Accounts, Tenants: a.Tenants, Triggers: a.Trigger,
		HealthCheck: healthReporter{a}, Log: log,
		PlatformLiveKit: len(platformLiveKit.Missing()) == 0,
		TriggerLimit:    auth.NewLimiter(cfg.TriggerRateLimit),
	})
	a.Executor = executor.New(a.Schema)
	graph.Configure(a.Executor, log, graph.WithAudit(a.auditMutation))
	a.handler = a.routes()

	listenCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	a.stopListen = cancel
	go func() {
		if err := a.Tenants.ListenInvalidations(listenCtx, db); err != nil &&
			!errors.Is(err, context.Canceled) {
			log.Error("tenant invalidation listener stopped", "error", err)
		}
	}()
	a.resumeProvisioning(ctx)
	a.warnWithoutUsers(ctx)
	return a, nil
}

// warnWithoutUsers tells the operator of a fresh install how to create the
// first admin. Nothing is open by default, so no one can sign in until then.
func (a *App) warnWithoutUsers(ctx context.Context) {
	n, err := a.Store.CountUsers(ctx)
	if err != nil {
		a.Log.Error("count users", "error", err)
		return
	}
	if n == 0 {
		a.Log.Warn("no users yet: create the first admin with " +
			"sidekick-forge users create --email EMAIL --platform-admin")
	}
}

// auditMutation writes the generic audit entry of a mutation that wrote
// none of its own.
func (a *App) auditMutation(ctx context.Context, field string, clientID *uuid.UUID) {
	actor := auth.FromContext(ctx).Actor()
	if err := a.Store.Audit(context.WithoutCancel(ctx), actor, "graphql."+field, clientID, "",
		nil); err != nil {
		a.Log.Error("write audit entry", "action", "graphql."+field, "error", err)
	}
}

// resumeProvisioning restarts provisioning of clients left pending or
// provisioning by an earlier process.
func (a *App) resumeProvisioning(ctx context.Context) {
	for _, status := range []string{platform.StatusPending, platform.StatusProvisioning} {
		list, _, err := a.Store.ListClients(ctx, platform.ClientFilter{Status: status, Limit: 1000})
		if err != nil {
			a.Log.Error("list clients to resume provisioning", "error", err)
			return
		}
		for _, c := range list {
			a.Log.Info("resuming provisioning", "client_id", c.ID, "status", status)
			a.Provisioner.Start(c.ID)
		}
	}
}

// Handler returns the HTTP handler of every route.
func (a *App) Handler() http.Handler { return a.handler }

// Close waits for background provisioning, then closes tenant pools and the
// platform database.
func (a *App) Close() error {
	a.stopListen()
	a.Provisioner.Wait()
	err := a.Tenants.Close()
	return errors.Join(err, a.DB.Close())
}

// WriteError writes {"detail", "code"} with status, the error shape of every
// REST route.
func WriteError(w http.ResponseWriter, _ *http.Request, status int, code, detail string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]string{"detail": detail, "code": code})
}

type healthReporter struct{ a *App }

func (h healthReporter) PingDatabase(ctx context.Context) bool {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	return h.a.DB.PingContext(ctx) == nil
}

func (h healthReporter) ClientCounts(ctx context.Context) (map[string]int, error) {
	return h.a.Store.CountByStatus(ctx)
}

func (h healthReporter) PoolStats() tenancy.Stats { return h.a.Tenants.Stats() }
