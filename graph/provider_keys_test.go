package graph_test

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"

	"github.com/sidekick-forge/sidekick-forge/server/apptest"
	"github.com/sidekick-forge/sidekick-forge/server/platform"
)

// Realistic-looking keys whose middles appear nowhere else in a response.
const (
	openAIKey    = "sk-proj-Qw3rTyUiOpAsDfGhJkLzXcVbNm9876"
	openAIKey2   = "sk-proj-Mn8bVcXzLkJhGfDsApOiUyTrEw5432"
	anthropicKey = "sk-ant-api03-ZxCvBnMaSdFgHjKlQwErTy1357"
)

func setKey(t *testing.T, env *apptest.Env, clientID uuid.UUID, provider, key string) *apptest.Response {
	t.Helper()
	return env.GraphQL(t, env.PlatformKey, `mutation($c: UUID!, $p: String!, $k: String!) {
		setProviderKey(clientId: $c, provider: $p, key: $k) {
			provider configured last4 updatedAt } }`,
		map[string]any{"c": clientID, "p": provider, "k": key})
}

func credential(t *testing.T, env *apptest.Env, clientID uuid.UUID, provider string) *platform.Credential {
	t.Helper()
	c := new(platform.Credential)
	err := env.App.DB.NewSelect().Model(c).
		Where("client_id = ? AND provider = ?", clientID, provider).Scan(context.Background())
	if err != nil {
		t.Fatalf("load %s credential of %s: %v", provider, clientID, err)
	}
	return c
}

// revealed returns the characters of a mask other than its bullets.
func revealed(mask string) string { return strings.ReplaceAll(mask, "•", "") }

func TestProviderKeys_masksRevealAtMostFourCharacters(t *testing.T) {
	t.Parallel()
	env := apptest.Start(t, apptest.Options{})
	id := env.CreateClient(t, "Masked")

	res := setKey(t, env, id, "openai", openAIKey)
	var set struct {
		SetProviderKey struct {
			Provider   string
			Configured bool
			Last4      *string
			UpdatedAt  *time.Time
		}
	}
	res.Decode(t, &set)
	if set.SetProviderKey.Last4 == nil || *set.SetProviderKey.Last4 != "9876" {
		t.Errorf("setProviderKey last4 = %v, want 9876", set.SetProviderKey.Last4)
	}
	if !set.SetProviderKey.Configured || set.SetProviderKey.UpdatedAt == nil {
		t.Errorf("setProviderKey = %+v, want configured with updatedAt", set.SetProviderKey)
	}
	if strings.Contains(res.Raw, openAIKey[:len(openAIKey)-4]) {
		t.Errorf("setProviderKey response contains the key: %s", res.Raw)
	}

	lkKey := "APIlivekitKeyAbCdEf4321"
	res = env.GraphQL(t, env.PlatformKey, `mutation($c: UUID!, $k: String!) {
		setLiveKitConfig(clientId: $c, input: {url: "wss://lk.example.com", apiKey: $k,
			apiSecret: "livekit-secret-value-0123456789"}) { id } }`,
		map[string]any{"c": id, "k": lkKey})
	var lk map[string]any
	res.Decode(t, &lk)

	res = env.GraphQL(t, env.PlatformKey, `query($c: UUID!) { client(id: $c) {
		providerKeys { provider configured last4 baseUrl updatedAt }
		livekit { apiKey configured } } }`, map[string]any{"c": id})
	var out struct {
		Client struct {
			ProviderKeys []struct {
				Provider   string
				Configured bool
				Last4      *string
			}
			Livekit struct {
				APIKey     *string
				Configured bool
			}
		}
	}
	res.Decode(t, &out)

	if len(out.Client.ProviderKeys) != len(platform.Providers) {
		t.Errorf("providerKeys has %d entries, want one per provider (%d)",
			len(out.Client.ProviderKeys), len(platform.Providers))
	}
	for _, k := range out.Client.ProviderKeys {
		if k.Last4 != nil && utf8.RuneCountInString(*k.Last4) > 4 {
			t.Errorf("%s last4 = %q reveals more than 4 characters", k.Provider, *k.Last4)
		}
		switch k.Provider {
		case "openai":
			if !k.Configured || k.Last4 == nil || *k.Last4 != "9876" {
				t.Errorf("openai = %+v, want configured with last4 9876", k)
			}
		default:
			if k.Configured || k.Last4 != nil {
				t.Errorf("%s = %+v, want unconfigured without last4", k.Provider, k)
			}
		}
	}
	if out.Client.Livekit.APIKey == nil || revealed(*out.Client.Livekit.APIKey) != "4321" {
		t.Errorf("livekit apiKey = %v, want a mask ending in 4321", out.Client.Livekit.APIKey)
	}
	for _, secret := range []string{openAIKey[len(openAIKey)-5:], lkKey[:len(lkKey)-4],
		"livekit-secret-value"} {
		if strings.Contains(res.Raw, secret) {
			t.Errorf("client response contains %q: %s", secret, res.Raw)
		}
	}
}

func TestSetProviderKey_rejectsPlaceholdersAndUnknownProviders(t *testing.T) {
	t.Parallel()
	env := apptest.Start(t, apptest.Options{})
	id := env.CreateClient(t, "Careful")

	cases := []struct {
		name, provider, key, field, reason string
	}{
		{"test", "openai", "test", "key", "placeholder"},
		{"dummy", "openai", "dummy", "key", "placeholder"},
		{"your-api-key-here", "anthropic", "your-api-key-here", "key", "placeholder"},
		{"19 characters", "openai", "sk-abcdefghijklmnop", "key", "19 characters"},
		{"one character repeated", "openai", "aaaaaaaaaaaaaaaaaaaaaaaa", "key", "repeated"},
		{"unknown provider", "openia", openAIKey, "provider", `"openia"`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			res := setKey(t, env, id, tc.provider, tc.key)
			e := expectError(t, res, "INVALID_INPUT", tc.field)
			mustContain(t, "message", e.Message, tc.field, tc.reason)
			if n := platformCount(t, env, "SELECT count(*) FROM credentials WHERE client_id = ?",
				id); n != 0 {
				t.Errorf("credentials rows after rejected key = %d, want 0", n)
			}
		})
	}
}

func TestSetProviderKey_replacingOneLeavesOthers(t *testing.T) {
	t.Parallel()
	env := apptest.Start(t, apptest.Options{})
	id := env.CreateClient(t, "Two Keys")
	for provider, key := range map[string]string{"openai": openAIKey, "anthropic": anthropicKey} {
		var out map[string]any
		setKey(t, env, id, provider, key).Decode(t, &out)
	}
	anthropicBefore := credential(t, env, id, "anthropic")
	openAIBefore := credential(t, env, id, "openai")

	var out map[string]any
	setKey(t, env, id, "openai", openAIKey2).Decode(t, &out)

	anthropicAfter := credential(t, env, id, "anthropic")
	if !bytes.Equal(anthropicAfter.Ciphertext, anthropicBefore.Ciphertext) {
		t.Error("anthropic ciphertext changed when openai was replaced")
	}
	if anthropicAfter.Last4 != anthropicBefore.Last4 || anthropicAfter.Last4 != "1357" {
		t.Errorf("anthropic last4 = %q, was %q", anthropicAfter.Last4, anthropicBefore.Last4)
	}
	if !anthropicAfter.UpdatedAt.Equal(anthropicBefore.UpdatedAt) {
		t.Errorf("anthropic updated_at moved from %v to %v", anthropicBefore.UpdatedAt,
			anthropicAfter.UpdatedAt)
	}
	if anthropicAfter.KeyID != anthropicBefore.KeyID {
		t.Errorf("anthropic key_id changed from %s to %s", anthropicBefore.KeyID, anthropicAfter.KeyID)
	}

	openAIAfter := credential(t, env, id, "openai")
	if bytes.Equal(openAIAfter.Ciphertext, openAIBefore.Ciphertext) || openAIAfter.Last4 != "5432" {
		t.Errorf("openai was not replaced: last4 %q", openAIAfter.Last4)
	}
	secrets, err := env.App.Store.ProviderSecrets(context.Background(), id, "openai", "anthropic")
	if err != nil {
		t.Fatal(err)
	}
	if secrets["openai"].Key != openAIKey2 || secrets["anthropic"].Key != anthropicKey {
		t.Error("decrypted keys are not the latest openai key and the original anthropic key")
	}

	t.Run("remove one leaves the other", func(t *testing.T) {
		res := env.GraphQL(t, env.PlatformKey, `mutation($c: UUID!) {
			removeProviderKey(clientId: $c, provider: "openai") { configured last4 } }`,
			map[string]any{"c": id})
		var out map[string]any
		res.Decode(t, &out)
		if n := platformCount(t, env, "SELECT count(*) FROM credentials WHERE client_id = ?",
			id); n != 1 {
			t.Errorf("credentials rows after removing openai = %d, want 1", n)
		}
		after := credential(t, env, id, "anthropic")
		if !bytes.Equal(after.Ciphertext, anthropicBefore.Ciphertext) {
			t.Error("anthropic ciphertext changed when openai was removed")
		}
	})
}

func TestCredentials_storeNoPlaintext(t *testing.T) {
	t.Parallel()
	env := apptest.Start(t, apptest.Options{})
	id := env.CreateClient(t, "At Rest")
	env.SetProviderKey(t, id, "openai", openAIKey)
	env.SetProviderKey(t, id, "anthropic", anthropicKey)

	var rows []*platform.Credential
	if err := env.App.DB.NewSelect().Model(&rows).Where("client_id = ?", id).
		Scan(context.Background()); err != nil {
		t.Fatal(err)
	}
	if len(rows) != 2 {
		t.Fatalf("credentials rows = %d, want 2", len(rows))
	}
	for _, r := range rows {
		for _, key := range []string{openAIKey, anthropicKey} {
			// Any 8 consecutive characters of the key would be a partial leak.
			for i := 0; i+8 <= len(key); i++ {
				part := key[i : i+8]
				if bytes.Contains(r.Ciphertext, []byte(part)) || strings.Contains(r.Last4, part) ||
					strings.Contains(r.BaseURL, part) {
					t.Errorf("%s row contains %q of a key in plaintext", r.Provider, part)
				}
			}
		}
	}
	// Text search over every column, as a database dump would show them.
	if n := platformCount(t, env, `SELECT count(*) FROM credentials c
		WHERE c::text LIKE ? OR c::text LIKE ? OR encode(c.ciphertext, 'escape') LIKE ?`,
		"%"+openAIKey+"%", "%"+anthropicKey+"%", "%"+openAIKey[8:20]+"%"); n != 0 {
		t.Errorf("%d credentials rows show a key in their text form", n)
	}
}
