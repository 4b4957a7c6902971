package clients_test

import (
	"context"
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/sidekick-forge/sidekick-forge/server/apperr"
	"github.com/sidekick-forge/sidekick-forge/server/apptest"
	"github.com/sidekick-forge/sidekick-forge/server/auth"
	"github.com/sidekick-forge/sidekick-forge/server/clients"
	"github.com/sidekick-forge/sidekick-forge/server/platform"
)

const validKey = "sk-proj-Qw3rTyUiOpAsDfGhJkLzXcVbNm9876"

var platformAdmin = &auth.Principal{Kind: auth.KindPlatformKey, Prefix: "sfp_test"}

func siteOf(id uuid.UUID) *auth.Principal {
	return &auth.Principal{Kind: auth.KindSiteKey, Prefix: "sfs_test", ClientID: id,
		Scopes: []string{auth.ScopeRead, auth.ScopeTrigger}}
}

func managerOf(id uuid.UUID) *auth.Principal {
	return &auth.Principal{Kind: auth.KindClientKey, Prefix: "sfc_test", ClientID: id,
		Scopes: []string{auth.ScopeRead, auth.ScopeManage}}
}

func wantCode(t *testing.T, err error, code apperr.Code) *apperr.Error {
	t.Helper()
	e, ok := apperr.As(err)
	if !ok || e.Code != code {
		t.Fatalf("error = %v, want %s", err, code)
	}
	return e
}

func TestService_authorizesEveryMethod(t *testing.T) {
	env := apptest.Start(t, apptest.Options{})
	svc := env.App.Clients
	ctx := context.Background()
	acme := env.CreateClient(t, "Acme")
	globex := env.CreateClient(t, "Globex")

	name := "Renamed"
	calls := map[string]func(p *auth.Principal, id uuid.UUID) error{
		"Get": func(p *auth.Principal, id uuid.UUID) error {
			_, err := svc.Get(ctx, p, id)
			return err
		},
		"Update": func(p *auth.Principal, id uuid.UUID) error {
			_, err := svc.Update(ctx, p, id, clients.UpdateInput{Name: &name})
			return err
		},
		"Retry": func(p *auth.Principal, id uuid.UUID) error {
			_, err := svc.Retry(ctx, p, id)
			return err
		},
		"SetProviderKey": func(p *auth.Principal, id uuid.UUID) error {
			_, err := svc.SetProviderKey(ctx, p, id, "openai", validKey, "")
			return err
		},
		"RemoveProviderKey": func(p *auth.Principal, id uuid.UUID) error {
			_, err := svc.RemoveProviderKey(ctx, p, id, "openai")
			return err
		},
		"SetLiveKit": func(p *auth.Principal, id uuid.UUID) error {
			_, err := svc.SetLiveKit(ctx, p, id, platform.LiveKitUpdate{AgentName: &name})
			return err
		},
		"CreateSite": func(p *auth.Principal, id uuid.UUID) error {
			_, _, err := svc.CreateSite(ctx, p, id, clients.SiteInput{Name: "s", Domain: "s.example"})
			return err
		},
		"Sites": func(p *auth.Principal, id uuid.UUID) error {
			_, err := svc.Sites(ctx, p, id)
			return err
		},
		"RevokeSite": func(p *auth.Principal, id uuid.UUID) error {
			return svc.RevokeSite(ctx, p, id, uuid.New())
		},
		"Delete": func(p *auth.Principal, id uuid.UUID) error {
			_, err := svc.Delete(ctx, p, id, false)
			return err
		},
	}
	// Read-only methods a site key may call on its own client.
	siteAllowed := map[string]bool{"Get": true, "Sites": true}
	// Methods only platform keys may call.
	platformOnly := map[string]bool{"Delete": true}

	for name, call := range calls {
		t.Run(name+" anonymous", func(t *testing.T) {
			wantCode(t, call(nil, acme), apperr.Unauthenticated)
		})
		t.Run(name+" other client", func(t *testing.T) {
			if platformOnly[name] {
				wantCode(t, call(siteOf(acme), globex), apperr.Forbidden)
				return
			}
			denied := wantCode(t, call(siteOf(acme), globex), apperr.NotFound)
			missing := uuid.New()
			absent := wantCode(t, call(siteOf(acme), missing), apperr.NotFound)
			if strings.ReplaceAll(denied.Message, globex.String(), "<id>") !=
				strings.ReplaceAll(absent.Message, missing.String(), "<id>") {
				t.Errorf("denial %q differs from a missing client %q", denied.Message, absent.Message)
			}
		})
		if !siteAllowed[name] {
			t.Run(name+" site key on own client", func(t *testing.T) {
				wantCode(t, call(siteOf(acme), acme), apperr.Forbidden)
			})
		}
	}

	t.Run("client key with manage scope", func(t *testing.T) {
		if _, err := svc.SetProviderKey(ctx, managerOf(acme), acme, "openai", validKey, ""); err != nil {
			t.Errorf("SetProviderKey with manage scope: %v", err)
		}
		wantCode(t, func() error {
			_, err := svc.Create(ctx, managerOf(acme), clients.CreateInput{Name: "Sneaky"})
			return err
		}(), apperr.Forbidden)
	})

	t.Run("list shows only visible clients", func(t *testing.T) {
		list, total, err := svc.List(ctx, siteOf(acme), platform.ClientFilter{Limit: 10})
		if err != nil {
			t.Fatal(err)
		}
		if total != 1 || len(list) != 1 || list[0].ID != acme {
			t.Errorf("List for Acme's site = %d clients (total %d)", len(list), total)
		}
		list, total, err = svc.List(ctx, platformAdmin, platform.ClientFilter{Limit: 10})
		if err != nil || total != 2 || len(list) != 2 {
			t.Errorf("List for the platform = %d clients (total %d), %v", len(list), total, err)
		}
	})

	// Every denial left both clients as they were.
	for _, id := range []uuid.UUID{acme, globex} {
		c, err := svc.Get(ctx, platformAdmin, id)
		if err != nil {
			t.Fatal(err)
		}
		if c.Name == "Renamed" || c.LiveKitAgentName == "Renamed" {
			t.Errorf("client %s was changed by a denied call: %+v", id, c)
		}
	}
}

func TestValidateDSN_neverRepeatsTheDSN(t *testing.T) {
	cases := []struct{ name, dsn, message string }{
		{"other scheme", "mysql://root:S3cretPw@db:3306/app", "postgres://"},
		{"no host", "postgres:///app?password=S3cretPw", "postgres://"},
		{"no database", "postgres://u:S3cretPw@db:5432/", "must name a database"},
		{"unparsable", "postgres://u:S3cretPw@db:port/x", "postgres://"},
		{"oversized", "postgres://u:S3cretPw@db/" + strings.Repeat("d", 2100), "2048"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := clients.ValidateDSN("externalDsn", tc.dsn)
			e := wantCode(t, err, apperr.InvalidInput)
			if e.Field != "externalDsn" {
				t.Errorf("field = %q, want externalDsn", e.Field)
			}
			if !strings.Contains(e.Message, tc.message) {
				t.Errorf("message %q does not contain %q", e.Message, tc.message)
			}
			if strings.Contains(err.Error(), "S3cretPw") {
				t.Errorf("error %q contains the password", err)
			}
		})
	}
	for _, ok := range []string{
		"postgres://u:pw@db.example.com:5432/app?sslmode=require",
		"postgresql://db/app",
	} {
		if err := clients.ValidateDSN("externalDsn", ok); err != nil {
			t.Errorf("ValidateDSN(%q) = %v", ok, err)
		}
	}
}

func TestCreate_validatesModeAndSlug(t *testing.T) {
	env := apptest.Start(t, apptest.Options{})
	svc := env.App.Clients
	ctx := context.Background()

	c, err := svc.Create(ctx, platformAdmin, clients.CreateInput{Name: "  Acme Corp.  "})
	if err != nil {
		t.Fatal(err)
	}
	if c.Name != "Acme Corp." || c.Slug != "acme-corp" || c.ProvisioningStatus != platform.StatusReady {
		t.Errorf("created client = name %q slug %q status %s", c.Name, c.Slug, c.ProvisioningStatus)
	}

	cases := []struct {
		name  string
		in    clients.CreateInput
		code  apperr.Code
		field string
	}{
		{"taken slug", clients.CreateInput{Name: "Acme Corp"}, apperr.Conflict, "slug"},
		{"DSN with managed mode", clients.CreateInput{Name: "Mixed", Mode: platform.ModeManaged,
			ExternalDSN: "postgres://db/x"}, apperr.InvalidInput, "externalDsn"},
		{"unknown mode", clients.CreateInput{Name: "Odd", Mode: "sharded"}, apperr.InvalidInput,
			"databaseMode"},
		{"name without slug characters", clients.CreateInput{Name: "!!!"}, apperr.InvalidInput,
			"slug"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			before := countClients(t, env)
			_, err := svc.Create(ctx, platformAdmin, tc.in)
			e := wantCode(t, err, tc.code)
			if e.Field != tc.field {
				t.Errorf("field = %q, want %q (%v)", e.Field, tc.field, err)
			}
			if n := countClients(t, env); n != before {
				t.Errorf("clients = %d after a rejected create, were %d", n, before)
			}
		})
	}

	t.Run("external DSN on a managed client", func(t *testing.T) {
		dsn := "postgres://db/x"
		_, err := svc.Update(ctx, platformAdmin, c.ID, clients.UpdateInput{ExternalDSN: &dsn})
		e := wantCode(t, err, apperr.InvalidInput)
		if e.Field != "externalDsn" {
			t.Errorf("field = %q", e.Field)
		}
	})
}

func countClients(t *testing.T, env *apptest.Env) int {
	t.Helper()
	n, err := env.App.DB.NewSelect().Table("clients").Count(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return int(n)
}

func TestSites_normalizeAndScope(t *testing.T) {
	env := apptest.Start(t, apptest.Options{})
	svc := env.App.Clients
	ctx := context.Background()
	acme := env.CreateClient(t, "Acme Sites")
	globex := env.CreateClient(t, "Globex Sites")

	key, raw, err := svc.CreateSite(ctx, platformAdmin, acme, clients.SiteInput{
		Name: "Main site", Domain: "https://WWW.Acme.Example/",
		AllowedOrigins: []string{"https://www.acme.example/", "HTTP://localhost:8080"},
	})
	if err != nil {
		t.Fatal(err)
	}
	if key.Domain != "www.acme.example" {
		t.Errorf("domain = %q, want www.acme.example", key.Domain)
	}
	if strings.Join(key.AllowedOrigins, " ") != "https://www.acme.example http://localhost:8080" {
		t.Errorf("allowed origins = %v", key.AllowedOrigins)
	}
	if !strings.HasPrefix(raw, "sfs_") {
		t.Errorf("raw site key starts with %q, want sfs_", raw[:4])
	}
	if strings.Join(key.Scopes, ",") != "read,trigger" {
		t.Errorf("site scopes = %v, want read and trigger", key.Scopes)
	}

	for name, in := range map[string]clients.SiteInput{
		"origin with a path": {Name: "x", Domain: "x.example",
			AllowedOrigins: []string{"https://x.example/wp"}},
		"origin without scheme": {Name: "x", Domain: "x.example",
			AllowedOrigins: []string{"x.example"}},
		"domain with a path": {Name: "x", Domain: "x.example/blog"},
		"blank name":         {Name: " ", Domain: "x.example"},
	} {
		t.Run("rejects "+name, func(t *testing.T) {
			_, _, err := svc.CreateSite(ctx, platformAdmin, acme, in)
			wantCode(t, err, apperr.InvalidInput)
		})
	}

	t.Run("validate", func(t *testing.T) {
		got, err := svc.ValidateSiteKey(ctx, raw)
		if err != nil || got.ID != key.ID {
			t.Fatalf("ValidateSiteKey = %v, %v", got, err)
		}
		_, err = svc.ValidateSiteKey(ctx, env.PlatformKey)
		wantCode(t, err, apperr.Unauthenticated)
		_, err = svc.ValidateSiteKey(ctx, strings.Repeat("k", 300))
		wantCode(t, err, apperr.Unauthenticated)
	})

	t.Run("revoke through another client is NOT_FOUND", func(t *testing.T) {
		wantCode(t, svc.RevokeSite(ctx, platformAdmin, globex, key.ID), apperr.NotFound)
		if _, err := svc.ValidateSiteKey(ctx, raw); err != nil {
			t.Errorf("site key stopped working after a rejected revoke: %v", err)
		}
	})

	t.Run("revoke", func(t *testing.T) {
		if err := svc.RevokeSite(ctx, platformAdmin, acme, key.ID); err != nil {
			t.Fatal(err)
		}
		_, err := svc.ValidateSiteKey(ctx, raw)
		wantCode(t, err, apperr.Unauthenticated)
		sites, err := svc.Sites(ctx, platformAdmin, acme)
		if err != nil || len(sites) != 1 || sites[0].RevokedAt == nil {
			t.Errorf("Sites after revoke = %v, %v, want one revoked site", sites, err)
		}
	})
}

func TestSetLiveKit_validatesURLScheme(t *testing.T) {
	env := apptest.Start(t, apptest.Options{})
	svc := env.App.Clients
	ctx := context.Background()
	id := env.CreateClient(t, "LiveKit URLs")

	for _, url := range []string{"ws://127.0.0.1:7880", "wss://lk.example.com", "http://lk:7880",
		"https://lk.example.com", ""} {
		t.Run("accepts "+url, func(t *testing.T) {
			if _, err := svc.SetLiveKit(ctx, platformAdmin, id,
				platform.LiveKitUpdate{URL: &url}); err != nil {
				t.Errorf("SetLiveKit(%q) = %v", url, err)
			}
		})
	}
	// Each of these schemes is a substring of "ws wss http https".
	for _, url := range []string{"s://lk.example.com", "tp://lk.example.com", "ws ws://lk",
		"ftp://lk.example.com", "lk.example.com:7880", "wss://"} {
		t.Run("rejects "+url, func(t *testing.T) {
			_, err := svc.SetLiveKit(ctx, platformAdmin, id, platform.LiveKitUpdate{URL: &url})
			e := wantCode(t, err, apperr.InvalidInput)
			if e.Field != "url" {
				t.Errorf("field = %q, want url", e.Field)
			}
			c, err := svc.Get(ctx, platformAdmin, id)
			if err != nil {
				t.Fatal(err)
			}
			if c.LiveKitURL == url {
				t.Errorf("rejected URL %q was stored", url)
			}
		})
	}
}
