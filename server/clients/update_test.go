package clients_test

import (
	"context"
	"testing"

	"github.com/google/uuid"

	"github.com/sidekick-forge/sidekick-forge/server/apperr"
	"github.com/sidekick-forge/sidekick-forge/server/apptest"
	"github.com/sidekick-forge/sidekick-forge/server/clients"
	"github.com/sidekick-forge/sidekick-forge/server/platform"
)

const otherKey = "gsk-Zx9Cv8Bn7Mq6Wr5Et4Yu3Io2Pa1Sd0Fg"

func storedKeys(t *testing.T, env *apptest.Env, id uuid.UUID) map[string]string {
	t.Helper()
	secrets, err := env.App.Store.ProviderSecrets(context.Background(), id, platform.Providers...)
	if err != nil {
		t.Fatal(err)
	}
	out := make(map[string]string, len(secrets))
	for provider, s := range secrets {
		out[provider] = s.Key
	}
	return out
}

func change(provider string, key *string) platform.CredentialChange {
	return platform.CredentialChange{Provider: provider, Key: key, Field: "providerKeys[0]"}
}

func TestUpdate_providerKeysAllOrNothing(t *testing.T) {
	env := apptest.Start(t, apptest.Options{})
	svc := env.App.Clients
	ctx := context.Background()
	id := env.CreateClient(t, "Atomic Keys")
	openai, groq := validKey, otherKey

	if _, err := svc.Update(ctx, platformAdmin, id, clients.UpdateInput{
		ProviderKeys: []platform.CredentialChange{change("openai", &openai), change("groq", &groq)},
	}); err != nil {
		t.Fatalf("set two keys: %v", err)
	}

	t.Run("keys not named are kept", func(t *testing.T) {
		name := "Atomic Keys Renamed"
		if _, err := svc.Update(ctx, platformAdmin, id, clients.UpdateInput{Name: &name}); err != nil {
			t.Fatal(err)
		}
		keys := storedKeys(t, env, id)
		if keys["openai"] != openai || keys["groq"] != groq {
			t.Errorf("keys after a rename = %v, want both kept", keys)
		}
	})

	t.Run("nil key removes only that provider", func(t *testing.T) {
		if _, err := svc.Update(ctx, platformAdmin, id, clients.UpdateInput{
			ProviderKeys: []platform.CredentialChange{change("groq", nil)},
		}); err != nil {
			t.Fatal(err)
		}
		keys := storedKeys(t, env, id)
		if _, ok := keys["groq"]; ok {
			t.Error("groq key is still stored")
		}
		if keys["openai"] != openai {
			t.Errorf("openai key = %q, want it kept", keys["openai"])
		}
	})

	invalid := []struct {
		name    string
		changes []platform.CredentialChange
		field   string
	}{
		{"placeholder key", []platform.CredentialChange{change("groq", &groq),
			{Provider: "cohere", Key: ptr("your-api-key-here"), Field: "providerKeys[1]"}},
			"providerKeys[1].key"},
		{"unknown provider", []platform.CredentialChange{change("groq", &groq),
			{Provider: "acme", Key: &groq, Field: "providerKeys[1]"}}, "providerKeys[1].provider"},
		{"provider named twice", []platform.CredentialChange{change("groq", &groq),
			{Provider: "groq", Key: nil, Field: "providerKeys[1]"}}, "providerKeys[1].provider"},
		{"base URL on a removal", []platform.CredentialChange{
			{Provider: "openai", BaseURL: "https://proxy.example", Field: "providerKeys[0]"}},
			"providerKeys[0].baseUrl"},
	}
	for _, c := range invalid {
		t.Run("rejects "+c.name, func(t *testing.T) {
			name := "Must Not Change"
			_, err := svc.Update(ctx, platformAdmin, id, clients.UpdateInput{
				Name: &name, ProviderKeys: c.changes,
			})
			e := wantCode(t, err, apperr.InvalidInput)
			if e.Field != c.field {
				t.Errorf("field = %q, want %q", e.Field, c.field)
			}
			got, err := svc.Get(ctx, platformAdmin, id)
			if err != nil {
				t.Fatal(err)
			}
			if got.Name == name {
				t.Error("the name changed in a rejected update")
			}
			keys := storedKeys(t, env, id)
			if _, ok := keys["groq"]; ok {
				t.Error("a rejected update stored the groq key")
			}
			if keys["openai"] != openai {
				t.Errorf("openai key = %q after a rejected update, want it kept", keys["openai"])
			}
		})
	}

	t.Run("failed write rolls back the keys", func(t *testing.T) {
		// The slug check runs in the database, inside the transaction, so
		// this proves the key changes roll back with it.
		env.CreateClient(t, "Taken Slug")
		taken := "taken-slug"
		_, err := svc.Update(ctx, platformAdmin, id, clients.UpdateInput{
			Slug: &taken, ProviderKeys: []platform.CredentialChange{change("groq", &groq)},
		})
		wantCode(t, err, apperr.Conflict)
		if _, ok := storedKeys(t, env, id)["groq"]; ok {
			t.Error("the groq key was stored although the client update failed")
		}
	})

	t.Run("LiveKit settings in the same update", func(t *testing.T) {
		url, apiKey, secret := "wss://lk.atomic.example", "APIatomic0001", "atomic-livekit-secret-value"
		got, err := svc.Update(ctx, platformAdmin, id, clients.UpdateInput{
			ProviderKeys: []platform.CredentialChange{change("groq", &groq)},
			LiveKit:      &platform.LiveKitUpdate{URL: &url, APIKey: &apiKey, APISecret: &secret},
		})
		if err != nil {
			t.Fatal(err)
		}
		if !got.LiveKitConfigured() {
			t.Error("client has no complete LiveKit settings after the update")
		}
		settings, err := env.App.Store.LiveKit(got)
		if err != nil {
			t.Fatal(err)
		}
		if settings.APISecret != secret {
			t.Error("stored LiveKit secret differs from the one sent")
		}
		if storedKeys(t, env, id)["groq"] != groq {
			t.Error("groq key sent with the LiveKit settings was not stored")
		}
	})

	t.Run("invalid LiveKit URL changes no key", func(t *testing.T) {
		bad := "ftp://lk.example"
		_, err := svc.Update(ctx, platformAdmin, id, clients.UpdateInput{
			ProviderKeys: []platform.CredentialChange{change("groq", nil)},
			LiveKit:      &platform.LiveKitUpdate{URL: &bad},
		})
		e := wantCode(t, err, apperr.InvalidInput)
		if e.Field != "livekit.url" {
			t.Errorf("field = %q, want livekit.url", e.Field)
		}
		if storedKeys(t, env, id)["groq"] != groq {
			t.Error("the groq key was removed by a rejected update")
		}
	})

	t.Run("unknown client", func(t *testing.T) {
		_, err := svc.Update(ctx, platformAdmin, uuid.New(), clients.UpdateInput{
			ProviderKeys: []platform.CredentialChange{change("groq", &groq)},
		})
		wantCode(t, err, apperr.NotFound)
	})
}

func ptr(s string) *string { return &s }
