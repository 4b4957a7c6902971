package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"time"

	"github.com/sidekick-forge/sidekick-forge/server/app"
)

// loadConfig parses the flags of a command on top of the environment.
func loadConfig(name string, args []string, stderr io.Writer, extra func(*flag.FlagSet)) (*app.Config, error) {
	fs := flag.NewFlagSet("sidekick-forge "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	if extra != nil {
		extra(fs)
	}
	return app.Load(fs, args, os.Getenv)
}

func serve(ctx context.Context, args []string, stderr io.Writer) error {
	cfg, err := loadConfig("serve", args, stderr, nil)
	if err != nil {
		return err
	}
	log, err := newLogger(cfg.LogFormat, cfg.LogLevel, cfg.Production(), stderr)
	if err != nil {
		return err
	}
	a, err := app.New(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer func() {
		if err := a.Close(); err != nil {
			log.Error("close platform", "error", err)
		}
	}()

	ln, err := net.Listen("tcp", cfg.Listen)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", cfg.Listen, err)
	}
	srv := &http.Server{
		Handler:           a.Handler(),
		ReadHeaderTimeout: 10 * time.Second,
		MaxHeaderBytes:    64 << 10,
	}
	log.Info("sidekick-forge listening", "address", ln.Addr().String(), "public_url", cfg.PublicURL,
		"env", cfg.Env)

	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}

	log.Info("shutting down: draining requests")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("shut down HTTP server: %w", err)
	}
	log.Info("stopped")
	return nil
}
