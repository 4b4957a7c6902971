package platform

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect/pgdialect"
	"github.com/uptrace/bun/driver/pgdriver"

	"github.com/sidekick-forge/sidekick-forge/migrations"
	"github.com/sidekick-forge/sidekick-forge/server/apperr"
	"github.com/sidekick-forge/sidekick-forge/server/pgtest"
	"github.com/sidekick-forge/sidekick-forge/server/secrets"
	"github.com/sidekick-forge/sidekick-forge/server/tenancy"
)

const (
	openAIKey    = "sk-proj-Qw3rTyUiOpAsDfGhJkLzXcVbNm9876"
	anthropicKey = "sk-ant-api03-ZxCvBnMaSdFgHjKlQwErTy1357"
)

func newSecretKey(t *testing.T) []byte {
	t.Helper()
	encoded, err := secrets.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	key, err := secrets.ParseKey(encoded)
	if err != nil {
		t.Fatal(err)
	}
	return key
}

func keyring(t *testing.T, primary []byte, previous ...[]byte) *secrets.Keyring {
	t.Helper()
	k, err := secrets.NewKeyring(primary, previous...)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// platformDB returns a migrated throwaway platform database.
func platformDB(t *testing.T) *bun.DB {
	t.Helper()
	sqldb := sql.OpenDB(pgdriver.NewConnector(pgdriver.WithDSN(pgtest.NewDatabase(t))))
	db := bun.NewDB(sqldb, pgdialect.New())
	t.Cleanup(func() { db.Close() })
	if _, err := migrations.Run(context.Background(), db, migrations.Platform()); err != nil {
		t.Fatalf("migrate platform database: %v", err)
	}
	return db
}

func newStore(t *testing.T) *Store {
	t.Helper()
	return NewStore(platformDB(t), keyring(t, newSecretKey(t)), pgtest.ServerURL())
}

func insertClient(t *testing.T, s *Store, name string) *Client {
	t.Helper()
	id := uuid.New()
	now := time.Now()
	c := &Client{ID: id, Name: name, Slug: strings.ToLower(strings.ReplaceAll(name, " ", "-")),
		DatabaseMode: ModeManaged, DatabaseName: ManagedDatabaseName(id),
		ProvisioningStatus: StatusReady, CreatedAt: now, UpdatedAt: now}
	if err := s.InsertClient(context.Background(), c); err != nil {
		t.Fatal(err)
	}
	return c
}

func loadCredential(t *testing.T, s *Store, clientID uuid.UUID, provider string) *Credential {
	t.Helper()
	c := new(Credential)
	err := s.DB().NewSelect().Model(c).Where("client_id = ? AND provider = ?", clientID, provider).
		Scan(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestProviders_sortedForBinarySearch(t *testing.T) {
	if !slices.IsSorted(Providers) {
		t.Fatalf("Providers is not sorted, so KnownProvider misses entries: %v", Providers)
	}
	for _, p := range Providers {
		if !KnownProvider(p) {
			t.Errorf("KnownProvider(%q) = false", p)
		}
	}
	for _, p := range []string{"", "OpenAI", "openia", "openai "} {
		if KnownProvider(p) {
			t.Errorf("KnownProvider(%q) = true", p)
		}
	}
}

func TestSetCredential_storesOnlyCiphertext(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	c := insertClient(t, s, "Vault")

	cred, err := s.SetCredential(ctx, c.ID, "openai", openAIKey, "")
	if err != nil {
		t.Fatal(err)
	}
	if cred.Last4 != "9876" {
		t.Errorf("Last4 = %q, want 9876", cred.Last4)
	}
	row := loadCredential(t, s, c.ID, "openai")
	for i := 0; i+8 <= len(openAIKey); i++ {
		if bytes.Contains(row.Ciphertext, []byte(openAIKey[i:i+8])) {
			t.Fatalf("ciphertext contains %q of the key", openAIKey[i:i+8])
		}
	}
	got, err := s.ProviderSecrets(ctx, c.ID, "openai", "anthropic")
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got["openai"].Key != openAIKey {
		t.Errorf("ProviderSecrets = %d entries, want only openai with the key", len(got))
	}

	t.Run("invalid keys are not stored", func(t *testing.T) {
		for _, key := range []string{"test", "sk-abcdefghijklmnop", strings.Repeat("a", 24)} {
			_, err := s.SetCredential(ctx, c.ID, "anthropic", key, "")
			if e, ok := apperr.As(err); !ok || e.Code != apperr.InvalidInput || e.Field != "key" {
				t.Errorf("SetCredential(%q) = %v, want INVALID_INPUT on key", key, err)
			}
		}
		_, err := s.SetCredential(ctx, c.ID, "openia", openAIKey, "")
		if e, ok := apperr.As(err); !ok || e.Field != "provider" {
			t.Errorf("unknown provider = %v, want INVALID_INPUT on provider", err)
		}
		var n int
		if err := s.DB().NewRaw("SELECT count(*) FROM credentials WHERE client_id = ?", c.ID).
			Scan(ctx, &n); err != nil {
			t.Fatal(err)
		}
		if n != 1 {
			t.Errorf("credentials rows = %d, want 1", n)
		}
	})
}

func TestCredentials_ciphertextBoundToRow(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	acme, globex := insertClient(t, s, "Acme"), insertClient(t, s, "Globex")
	if _, err := s.SetCredential(ctx, acme.ID, "openai", openAIKey, ""); err != nil {
		t.Fatal(err)
	}
	if _, err := s.SetCredential(ctx, globex.ID, "openai", "sk-proj-GlobexOwnKey00000000001", ""); err != nil {
		t.Fatal(err)
	}
	stolen := loadCredential(t, s, acme.ID, "openai")

	copyTo := func(t *testing.T, clientID uuid.UUID, provider string) {
		t.Helper()
		_, err := s.DB().NewRaw(`INSERT INTO credentials (client_id, provider, ciphertext, key_id,
				last4, base_url, updated_at) VALUES (?, ?, ?, ?, '', '', now())
			ON CONFLICT (client_id, provider) DO UPDATE
			SET ciphertext = EXCLUDED.ciphertext, key_id = EXCLUDED.key_id`,
			clientID, provider, stolen.Ciphertext, stolen.KeyID).Exec(ctx)
		if err != nil {
			t.Fatal(err)
		}
	}

	t.Run("another client's row", func(t *testing.T) {
		copyTo(t, globex.ID, "openai")
		got, err := s.ProviderSecrets(ctx, globex.ID, "openai")
		if err == nil {
			t.Fatalf("Globex decrypted Acme's ciphertext: %q", got["openai"].Key)
		}
		if strings.Contains(err.Error(), openAIKey) {
			t.Errorf("error contains the key: %v", err)
		}
	})
	t.Run("another provider's row", func(t *testing.T) {
		copyTo(t, acme.ID, "anthropic")
		if _, err := s.ProviderSecrets(ctx, acme.ID, "anthropic"); err == nil {
			t.Error("openai ciphertext opened as the anthropic key")
		}
	})
	t.Run("the original still opens", func(t *testing.T) {
		got, err := s.ProviderSecrets(ctx, acme.ID, "openai")
		if err != nil || got["openai"].Key != openAIKey {
			t.Errorf("ProviderSecrets(acme, openai) = %v, %v", got, err)
		}
	})
}

func TestExternalDSN_sealedAndBound(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	dsn := "postgres://owner:Ext3rnalPw@db.example.com:5432/tenant?sslmode=require"
	id := uuid.New()
	c := &Client{ID: id, Name: "External", Slug: "external", DatabaseMode: ModeExternal,
		ProvisioningStatus: StatusPending}
	if err := s.SealExternalDSN(c, dsn); err != nil {
		t.Fatal(err)
	}
	if err := s.InsertClient(ctx, c); err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(c.ExternalDSNCipher, []byte("Ext3rnalPw")) {
		t.Error("sealed DSN contains the password")
	}
	target, err := s.LookupTenant(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if target.DSN != dsn || target.Status != StatusPending {
		t.Errorf("LookupTenant = %+v", target)
	}

	other := insertClient(t, s, "Borrower")
	_, err = s.DB().NewRaw(`UPDATE clients SET database_mode = 'external',
		external_dsn_cipher = ?, external_dsn_key_id = ? WHERE id = ?`,
		c.ExternalDSNCipher, c.ExternalDSNKeyID, other.ID).Exec(ctx)
	if err != nil {
		t.Fatal(err)
	}
	_, err = s.LookupTenant(ctx, other.ID)
	if err == nil {
		t.Fatal("another client's row opened the copied DSN")
	}
	if strings.Contains(err.Error(), "Ext3rnalPw") {
		t.Errorf("error contains the DSN's password: %v", err)
	}

	if _, err := s.LookupTenant(ctx, uuid.New()); !errors.Is(err, tenancy.ErrClientNotFound) {
		t.Errorf("LookupTenant(unknown) = %v, want ErrClientNotFound", err)
	}
}

func TestStore_keyRotation(t *testing.T) {
	ctx := context.Background()
	db := platformDB(t)
	oldKey, newKey := newSecretKey(t), newSecretKey(t)
	before := NewStore(db, keyring(t, oldKey), pgtest.ServerURL())
	c := insertClient(t, before, "Rotating")
	if _, err := before.SetCredential(ctx, c.ID, "anthropic", anthropicKey, ""); err != nil {
		t.Fatal(err)
	}
	apiSecret := "livekit-secret-value-0123456789"
	if err := before.SetLiveKit(ctx, c, LiveKitUpdate{APISecret: &apiSecret}); err != nil {
		t.Fatal(err)
	}

	t.Run("previous key opens old rows", func(t *testing.T) {
		rotated := NewStore(db, keyring(t, newKey, oldKey), pgtest.ServerURL())
		got, err := rotated.ProviderSecrets(ctx, c.ID, "anthropic")
		if err != nil || got["anthropic"].Key != anthropicKey {
			t.Errorf("ProviderSecrets after rotation = %v, %v", got, err)
		}
		loaded, err := rotated.ClientByID(ctx, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		lk, err := rotated.LiveKit(loaded)
		if err != nil || lk.APISecret != apiSecret {
			t.Errorf("LiveKit secret after rotation = %q, %v", lk.APISecret, err)
		}

		if _, err := rotated.SetCredential(ctx, c.ID, "openai", openAIKey, ""); err != nil {
			t.Fatal(err)
		}
		if id := loadCredential(t, rotated, c.ID, "openai").KeyID; id != secrets.KeyID(newKey) {
			t.Errorf("new row sealed under key %s, want the new primary", id)
		}
		if id := loadCredential(t, rotated, c.ID, "anthropic").KeyID; id != secrets.KeyID(oldKey) {
			t.Errorf("old row's key id changed to %s", id)
		}
	})
	t.Run("without the previous key old rows fail", func(t *testing.T) {
		forgot := NewStore(db, keyring(t, newKey), pgtest.ServerURL())
		_, err := forgot.ProviderSecrets(ctx, c.ID, "anthropic")
		if !errors.Is(err, secrets.ErrUnknownKey) {
			t.Errorf("ProviderSecrets = %v, want ErrUnknownKey", err)
		}
	})
}

func TestSetCredential_leavesOtherProviders(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	c := insertClient(t, s, "Pair")
	for p, k := range map[string]string{"openai": openAIKey, "anthropic": anthropicKey} {
		if _, err := s.SetCredential(ctx, c.ID, p, k, ""); err != nil {
			t.Fatal(err)
		}
	}
	before := loadCredential(t, s, c.ID, "anthropic")
	if _, err := s.SetCredential(ctx, c.ID, "openai", "sk-proj-Mn8bVcXzLkJhGfDsApOiUyTrEw5432",
		"https://proxy.example.com/v1"); err != nil {
		t.Fatal(err)
	}
	after := loadCredential(t, s, c.ID, "anthropic")
	if !bytes.Equal(before.Ciphertext, after.Ciphertext) || before.Last4 != after.Last4 ||
		!before.UpdatedAt.Equal(after.UpdatedAt) || before.KeyID != after.KeyID {
		t.Errorf("anthropic row changed: %+v -> %+v", before, after)
	}
	openai := loadCredential(t, s, c.ID, "openai")
	if openai.Last4 != "5432" || openai.BaseURL != "https://proxy.example.com/v1" {
		t.Errorf("openai row = last4 %q base %q", openai.Last4, openai.BaseURL)
	}

	if err := s.RemoveCredential(ctx, c.ID, "openai"); err != nil {
		t.Fatal(err)
	}
	if got := loadCredential(t, s, c.ID, "anthropic"); !bytes.Equal(got.Ciphertext, before.Ciphertext) {
		t.Error("anthropic row changed when openai was removed")
	}
	if err := s.RemoveCredential(ctx, c.ID, "openia"); apperr.CodeOf(err) != apperr.InvalidInput {
		t.Errorf("RemoveCredential(unknown provider) = %v, want INVALID_INPUT", err)
	}
}

func TestKeyStatuses_oneEntryPerProvider(t *testing.T) {
	now := time.Now()
	statuses := KeyStatuses([]*Credential{
		{Provider: "openai", Last4: "9876", UpdatedAt: now},
		{Provider: "groq", Last4: "", UpdatedAt: now},
	})
	if len(statuses) != len(Providers) {
		t.Fatalf("%d statuses, want %d", len(statuses), len(Providers))
	}
	for _, st := range statuses {
		configured := st.Provider == "openai" || st.Provider == "groq"
		if st.Configured != configured || (configured && st.UpdatedAt == nil) {
			t.Errorf("%s = %+v, want configured %v", st.Provider, st, configured)
		}
		if len([]rune(st.Last4)) > 4 {
			t.Errorf("%s last4 %q is longer than 4", st.Provider, st.Last4)
		}
	}
}

func TestFindSlug_restrictedToVisibleClients(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	acme, globex := insertClient(t, s, "Acme"), insertClient(t, s, "Globex")
	for _, c := range []*Client{acme, globex} {
		if err := s.IndexAgent(ctx, nil, c.ID, "clarence", "Clarence"); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.IndexAgent(ctx, nil, acme.ID, "clarence", "Clarence Renamed"); err != nil {
		t.Fatalf("re-indexing a slug: %v", err)
	}

	cases := []struct {
		name string
		only []uuid.UUID
		want []uuid.UUID
	}{
		{"every client", nil, []uuid.UUID{acme.ID, globex.ID}},
		{"one client", []uuid.UUID{globex.ID}, []uuid.UUID{globex.ID}},
		{"no client", []uuid.UUID{}, nil},
		{"unrelated client", []uuid.UUID{uuid.New()}, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			matches, err := s.FindSlug(ctx, "clarence", tc.only)
			if err != nil {
				t.Fatal(err)
			}
			var got []uuid.UUID
			for _, m := range matches {
				got = append(got, m.ClientID)
			}
			if fmt.Sprint(got) != fmt.Sprint(tc.want) {
				t.Errorf("matches = %v, want %v", got, tc.want)
			}
		})
	}

	if err := s.UnindexAgent(ctx, acme.ID, "clarence"); err != nil {
		t.Fatal(err)
	}
	matches, err := s.FindSlug(ctx, "clarence", nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(matches) != 1 || matches[0].ClientID != globex.ID || matches[0].ClientName != "Globex" {
		t.Errorf("after unindex: %+v, want only Globex", matches)
	}
}

func TestListClients_filtersAndPages(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	var all []*Client
	for _, name := range []string{"Alpha Corp", "Beta Corp", "Gamma Ltd", "100% Real"} {
		all = append(all, insertClient(t, s, name))
	}
	if err := s.SetStatus(ctx, all[2].ID, StatusFailed, errors.New("boom"), 0); err != nil {
		t.Fatal(err)
	}

	names := func(list []*Client) string {
		var out []string
		for _, c := range list {
			out = append(out, c.Name)
		}
		return strings.Join(out, ",")
	}
	cases := []struct {
		name   string
		filter ClientFilter
		want   string
		total  int
	}{
		{"all", ClientFilter{Limit: 10}, "Alpha Corp,Beta Corp,Gamma Ltd,100% Real", 4},
		{"limited", ClientFilter{Limit: 2}, "Alpha Corp,Beta Corp", 4},
		{"search", ClientFilter{Limit: 10, Search: "corp"}, "Alpha Corp,Beta Corp", 2},
		{"search escapes LIKE", ClientFilter{Limit: 10, Search: "%"}, "100% Real", 1},
		{"status", ClientFilter{Limit: 10, Status: StatusFailed}, "Gamma Ltd", 1},
		{"only", ClientFilter{Limit: 10, Only: []uuid.UUID{all[1].ID}}, "Beta Corp", 1},
		{"only none", ClientFilter{Limit: 10, Only: []uuid.UUID{}}, "", 0},
		{"after", ClientFilter{Limit: 10, AfterTime: all[1].CreatedAt, AfterID: all[1].ID},
			"Gamma Ltd,100% Real", 4},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			list, total, err := s.ListClients(ctx, tc.filter)
			if err != nil {
				t.Fatal(err)
			}
			if got := names(list); got != tc.want {
				t.Errorf("clients = %q, want %q", got, tc.want)
			}
			if total != tc.total {
				t.Errorf("total = %d, want %d", total, tc.total)
			}
		})
	}

	failed, err := s.ClientByID(ctx, all[2].ID)
	if err != nil {
		t.Fatal(err)
	}
	if failed.ProvisioningError == nil || *failed.ProvisioningError != "boom" {
		t.Errorf("provisioning error = %v, want boom", failed.ProvisioningError)
	}
	counts, err := s.CountByStatus(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if counts[StatusReady] != 3 || counts[StatusFailed] != 1 || counts[StatusPending] != 0 {
		t.Errorf("CountByStatus = %v", counts)
	}
}

func TestInsertClient_duplicateSlugIsConflict(t *testing.T) {
	s := newStore(t)
	insertClient(t, s, "Twin")
	c := &Client{ID: uuid.New(), Name: "Twin", Slug: "twin", DatabaseMode: ModeManaged,
		ProvisioningStatus: StatusPending}
	err := s.InsertClient(context.Background(), c)
	if e, ok := apperr.As(err); !ok || e.Code != apperr.Conflict || e.Field != "slug" {
		t.Errorf("InsertClient = %v, want CONFLICT on slug", err)
	}
	if _, err := s.ClientByID(context.Background(), c.ID); apperr.CodeOf(err) != apperr.NotFound {
		t.Errorf("ClientByID of the rejected client = %v, want NOT_FOUND", err)
	}
}

func TestAccessKeys_storedAsHashAndRevocable(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	c := insertClient(t, s, "Keyed")
	key, raw, err := NewAccessKey(KeySite, "site", &c.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(raw, "sfs_") || key.Prefix != raw[:12] {
		t.Errorf("raw key %q with prefix %q", raw[:4], key.Prefix)
	}
	if err := s.InsertAccessKey(ctx, key); err != nil {
		t.Fatal(err)
	}
	var n int
	if err := s.DB().NewRaw("SELECT count(*) FROM access_keys WHERE position(? in "+
		"encode(key_hash, 'escape')) > 0 OR position(? in prefix || name) > 0", raw, raw).
		Scan(ctx, &n); err != nil {
		t.Fatal(err)
	}
	if n != 0 {
		t.Error("the raw key is stored")
	}

	found, err := s.AccessKeyByRaw(ctx, raw)
	if err != nil || found.ID != key.ID {
		t.Fatalf("AccessKeyByRaw = %v, %v", found, err)
	}
	if _, err := s.AccessKeyByRaw(ctx, raw+"x"); !errors.Is(err, ErrKeyNotFound) {
		t.Errorf("wrong key: %v, want ErrKeyNotFound", err)
	}
	if err := s.RevokeAccessKey(ctx, key.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := s.AccessKeyByRaw(ctx, raw); !errors.Is(err, ErrKeyNotFound) {
		t.Errorf("revoked key: %v, want ErrKeyNotFound", err)
	}
	if _, _, err := NewAccessKey("root", "x", nil); err == nil {
		t.Error("NewAccessKey accepted an unknown kind")
	}
}

func TestManagedDSN_replacesOnlyTheDatabase(t *testing.T) {
	s := NewStore(nil, nil, "postgres://admin:pw@tenants.internal:6432/postgres?sslmode=require")
	got, err := s.ManagedDSN("sidekick_tenant_abc")
	if err != nil {
		t.Fatal(err)
	}
	want := "postgres://admin:pw@tenants.internal:6432/sidekick_tenant_abc?sslmode=require"
	if got != want {
		t.Errorf("ManagedDSN = %q, want %q", got, want)
	}
	id := uuid.MustParse("0f8fad5b-d9cb-469f-a165-70867728950e")
	if name := ManagedDatabaseName(id); name != "sidekick_tenant_0f8fad5bd9cb469fa16570867728950e" {
		t.Errorf("ManagedDatabaseName = %q", name)
	}
}
