package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/sidekick-forge/sidekick-forge/server/app"
	"github.com/sidekick-forge/sidekick-forge/server/platform"
)

func keys(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "create" {
		return errors.New(`usage: sidekick-forge keys create --name NAME`)
	}
	var name string
	cfg, err := loadConfig("keys create", args[1:], stderr, func(fs *flag.FlagSet) {
		fs.StringVar(&name, "name", "", "name of the key, for example the person or system that holds it (required)")
	})
	if err != nil {
		return err
	}
	if strings.TrimSpace(name) == "" {
		return errors.New("--name is required")
	}
	db, err := app.OpenPlatform(ctx, cfg.DatabaseURL)
	if err != nil {
		return err
	}
	defer db.Close()

	key, raw, err := platform.NewAccessKey(platform.KeyPlatform, strings.TrimSpace(name), nil)
	if err != nil {
		return err
	}
	store := platform.NewStore(db, nil, cfg.TenantDatabaseURL)
	if err := store.InsertAccessKey(ctx, key); err != nil {
		return err
	}
	if err := store.Audit(ctx, "cli", "key.create", nil, key.Prefix, map[string]any{"name": key.Name}); err != nil {
		return err
	}
	fmt.Fprintf(stderr, "Created platform key %q (id %s). It is shown once; store it now.\n", key.Name, key.ID)
	fmt.Fprintln(stdout, raw)
	return nil
}
