// Command sidekick-forge runs the Sidekick Forge platform.
//
// Usage:
//
//	sidekick-forge serve [flags]                 run the HTTP server
//	sidekick-forge keys create --name NAME       create a platform API key
//	sidekick-forge users create --email EMAIL    create a user (--platform-admin for the first admin)
//	sidekick-forge migrate [--all-tenants]       migrate the platform (and tenant) databases
//
// Every flag also reads a SIDEKICK_* environment variable; run a command
// with --help to list them.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

const usage = `sidekick-forge: multi-tenant host for voice, video and text AI agents

Commands:
  serve                      run the HTTP server (GraphQL, REST, webhooks)
  keys create --name NAME    create a platform API key; it is printed once
  users create --email EMAIL [--platform-admin]
                             create a user; the password is prompted, or read from stdin
  migrate [--all-tenants]    apply database migrations and exit

Run "sidekick-forge COMMAND --help" for the flags of a command.
`

func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	var err error
	switch args[0] {
	case "serve":
		err = serve(ctx, args[1:], stderr)
	case "keys":
		err = keys(ctx, args[1:], stdout, stderr)
	case "users":
		err = users(ctx, args[1:], stdin, stdout, stderr)
	case "migrate":
		err = migrate(ctx, args[1:], stdout, stderr)
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return 0
	default:
		fmt.Fprintf(stderr, "unknown command %q\n\n%s", args[0], usage)
		return 2
	}
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err != nil {
		fmt.Fprintf(stderr, "sidekick-forge %s: %v\n", args[0], err)
		return 1
	}
	return 0
}

// newLogger returns a JSON logger in production or when asked, and a text
// logger otherwise.
func newLogger(format, level string, production bool, w io.Writer) (*slog.Logger, error) {
	var lvl slog.Level
	if err := lvl.UnmarshalText([]byte(level)); err != nil {
		return nil, fmt.Errorf("SIDEKICK_LOG_LEVEL: %q is not debug, info, warn or error", level)
	}
	opts := &slog.HandlerOptions{Level: lvl}
	switch {
	case format == "json" || (format == "auto" && production):
		return slog.New(slog.NewJSONHandler(w, opts)), nil
	case format == "text" || format == "auto":
		return slog.New(slog.NewTextHandler(w, opts)), nil
	}
	return nil, fmt.Errorf("SIDEKICK_LOG_FORMAT: %q is not text, json or auto", format)
}
