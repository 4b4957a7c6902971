package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"

	"github.com/sidekick-forge/sidekick-forge/server/accounts"
	"github.com/sidekick-forge/sidekick-forge/server/app"
	"github.com/sidekick-forge/sidekick-forge/server/platform"
)

// users runs "users create": it adds a user, typically the first platform
// admin of a fresh install, straight to the platform database.
func users(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "create" {
		return errors.New("usage: sidekick-forge users create --email EMAIL [--platform-admin]")
	}
	var email string
	var platformAdmin bool
	cfg, err := loadConfig("users create", args[1:], stderr, func(fs *flag.FlagSet) {
		fs.StringVar(&email, "email", "", "email address the user signs in with (required)")
		fs.BoolVar(&platformAdmin, "platform-admin", false,
			"make the user a platform admin, who manages every client and user")
	})
	if err != nil {
		return err
	}
	if strings.TrimSpace(email) == "" {
		return errors.New("--email is required")
	}
	password, err := readPassword(stdin, stderr)
	if err != nil {
		return err
	}

	db, err := app.OpenPlatform(ctx, cfg.DatabaseURL)
	if err != nil {
		return err
	}
	defer db.Close()
	store := platform.NewStore(db, nil, cfg.TenantDatabaseURL)
	svc := accounts.NewService(store, nil, 0, slog.New(slog.DiscardHandler))
	u, err := svc.Bootstrap(ctx, accounts.UserInput{Email: email, Password: password,
		PlatformAdmin: platformAdmin})
	if err != nil {
		return err
	}
	role := "user"
	if u.PlatformAdmin {
		role = "platform admin"
	}
	fmt.Fprintf(stderr, "Created %s %s (id %s). Sign in at %s%s.\n", role, u.Email, u.ID,
		cfg.PublicURL, "/admin/")
	fmt.Fprintln(stdout, u.ID)
	return nil
}

// readPassword prompts for the password twice, without echo, when stdin is
// a terminal; otherwise it reads the first line of stdin, for scripts.
func readPassword(stdin io.Reader, stderr io.Writer) (string, error) {
	if f, ok := stdin.(*os.File); ok && isTerminal(f) {
		first, err := promptHidden(f, stderr, "Password: ")
		if err != nil {
			return "", err
		}
		second, err := promptHidden(f, stderr, "Repeat password: ")
		if err != nil {
			return "", err
		}
		if first != second {
			return "", errors.New("the passwords differ")
		}
		return first, nil
	}
	line, err := bufio.NewReader(stdin).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", fmt.Errorf("read password from stdin: %w", err)
	}
	password := strings.TrimRight(line, "\r\n")
	if password == "" {
		return "", errors.New("no password on stdin: pipe it in, or run in a terminal to be asked")
	}
	return password, nil
}
