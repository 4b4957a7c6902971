package app

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/executor"
	"github.com/uptrace/bun"

	"github.com/sidekick-forge/sidekick-forge/graph"
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
	LiveKit     *livekit.Service
	Schema      graphql.ExecutableSchema
	// Executor runs operations for the REST shims, with the same
	// extensions and policies as the /graphql handler.
	Executor *executor.Executor

	handler    http.Handler
	stopListen context.CancelFunc
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
	a.Auth = auth.NewAuthenticator(a.Store, log)
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
		Tenants: a.Tenants, Triggers: a.Trigger, HealthCheck: healthReporter{a}, Log: log,
		PlatformLiveKit: len(platformLiveKit.Missing()) == 0,
	})
	a.Executor = executor.New(a.Schema)
	graph.Configure(a.Executor, log)
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
	return a, nil
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
