package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"sync"

	"github.com/sidekick-forge/sidekick-forge/server/app"
	"github.com/sidekick-forge/sidekick-forge/server/platform"
	"github.com/sidekick-forge/sidekick-forge/server/tenancy"
)

// migrateConcurrency bounds how many tenant databases migrate at once.
const migrateConcurrency = 4

func migrate(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var allTenants bool
	cfg, err := loadConfig("migrate", args, stderr, func(fs *flag.FlagSet) {
		fs.BoolVar(&allTenants, "all-tenants", false, "also migrate every ready tenant database")
	})
	if err != nil {
		return err
	}
	db, err := app.OpenPlatform(ctx, cfg.DatabaseURL)
	if err != nil {
		return err
	}
	defer db.Close()
	fmt.Fprintln(stdout, "platform database: migrated")
	if !allTenants {
		return nil
	}

	log, err := newLogger(cfg.LogFormat, cfg.LogLevel, cfg.Production(), io.Discard)
	if err != nil {
		return err
	}
	keyring, err := app.Keyring(cfg, log)
	if err != nil {
		return err
	}
	store := platform.NewStore(db, keyring, cfg.TenantDatabaseURL)
	list, _, err := store.ListClients(ctx, platform.ClientFilter{Status: platform.StatusReady, Limit: 100000})
	if err != nil {
		return err
	}
	return migrateTenants(ctx, store, list, stdout)
}

func migrateTenants(ctx context.Context, store *platform.Store, list []*platform.Client, stdout io.Writer) error {
	var (
		mu     sync.Mutex
		failed int
		wg     sync.WaitGroup
		slots  = make(chan struct{}, migrateConcurrency)
	)
	for i, c := range list {
		wg.Add(1)
		slots <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-slots }()
			version, err := migrateOne(ctx, store, c)
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				failed++
				fmt.Fprintf(stdout, "[%d/%d] %s (%s): failed: %v\n", i+1, len(list), c.Slug, c.ID, err)
				return
			}
			fmt.Fprintf(stdout, "[%d/%d] %s (%s): schema version %d\n", i+1, len(list), c.Slug, c.ID, version)
		}()
	}
	wg.Wait()
	if failed > 0 {
		return fmt.Errorf("%d of %d tenant databases failed to migrate", failed, len(list))
	}
	return nil
}

func migrateOne(ctx context.Context, store *platform.Store, c *platform.Client) (int64, error) {
	dsn, err := store.TenantDSN(c)
	if err != nil {
		return 0, err
	}
	version, err := tenancy.MigrateTenant(ctx, dsn)
	if err != nil {
		return 0, err
	}
	return version, store.SetStatus(ctx, c.ID, platform.StatusReady, nil, version)
}
