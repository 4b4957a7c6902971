package main

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/sidekick-forge/sidekick-forge/server/app"
	"github.com/sidekick-forge/sidekick-forge/server/auth"
	"github.com/sidekick-forge/sidekick-forge/server/pgtest"
	"github.com/sidekick-forge/sidekick-forge/server/platform"
)

func TestUsersCreate_firstPlatformAdminFromStdin(t *testing.T) {
	dsn := pgtest.NewDatabase(t)
	t.Setenv("SIDEKICK_DATABASE_URL", dsn)
	var stdout, stderr bytes.Buffer

	code := run(context.Background(), []string{"users", "create", "--email", "Root@Example.com",
		"--platform-admin"}, strings.NewReader("first admin password\n"), &stdout, &stderr)
	if code != 0 {
		t.Fatalf("users create exited %d: %s", code, stderr.String())
	}
	if strings.Contains(stdout.String()+stderr.String(), "first admin password") {
		t.Error("the command printed the password")
	}

	db, err := app.OpenPlatform(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	store := platform.NewStore(db, nil, "")
	u, err := store.UserByEmail(context.Background(), "root@example.com")
	if err != nil {
		t.Fatal(err)
	}
	if !u.PlatformAdmin {
		t.Error("the user is not a platform admin")
	}
	if strings.TrimSpace(stdout.String()) != u.ID.String() {
		t.Errorf("stdout = %q, want the user id %s", stdout.String(), u.ID)
	}
	if ok, err := auth.VerifyPassword(u.PasswordHash, "first admin password"); err != nil || !ok {
		t.Errorf("the stored hash does not verify the password: %v %v", ok, err)
	}
	entries, _, err := store.ListAudit(context.Background(), platform.AuditFilter{Limit: 10})
	if err != nil || len(entries) != 1 || entries[0].Actor != "cli" || entries[0].Action != "user.create" {
		t.Errorf("audit = %+v, %v; want one user.create by cli", entries, err)
	}
}

func TestUsersCreate_rejectsBadInput(t *testing.T) {
	t.Setenv("SIDEKICK_DATABASE_URL", pgtest.NewDatabase(t))
	cases := map[string]struct {
		args  []string
		stdin string
		want  string
	}{
		"no email":       {[]string{"users", "create"}, "long enough password\n", "--email is required"},
		"no password":    {[]string{"users", "create", "--email", "a@example.com"}, "", "no password"},
		"short password": {[]string{"users", "create", "--email", "a@example.com"}, "short\n", "at least 12"},
		"bad email":      {[]string{"users", "create", "--email", "not-an-email"}, "long enough password\n", "email address"},
		"unknown verb":   {[]string{"users", "delete"}, "", "usage"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := run(context.Background(), tc.args, strings.NewReader(tc.stdin), &stdout, &stderr)
			if code == 0 {
				t.Fatalf("exit 0, want failure")
			}
			if !strings.Contains(stderr.String(), tc.want) {
				t.Errorf("stderr = %q, want it to mention %q", stderr.String(), tc.want)
			}
		})
	}
}
