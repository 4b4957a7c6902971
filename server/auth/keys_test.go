package auth_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/sidekick-forge/sidekick-forge/server/apptest"
)

type listedKey struct {
	ID         uuid.UUID
	Kind       string
	Prefix     string
	Scopes     []string
	LastUsedAt *time.Time
	Revoked    bool
	ReplacedBy *uuid.UUID
}

func listKeys(t *testing.T, env *apptest.Env, client uuid.UUID) ([]listedKey, string) {
	t.Helper()
	res := env.GraphQL(t, env.PlatformKey, `query($c: UUID) { accessKeys(clientId: $c) {
		id kind prefix scopes lastUsedAt revoked replacedBy } }`, map[string]any{"c": client})
	var out struct{ AccessKeys []listedKey }
	res.Decode(t, &out)
	return out.AccessKeys, res.Raw
}

func TestAccessKeys_shownOnceUsedRotatedRevoked(t *testing.T) {
	t.Parallel()
	env := apptest.Start(t, apptest.Options{})
	client := env.CreateClient(t, "Keys Co")
	res := env.GraphQL(t, env.PlatformKey, `mutation($c: UUID!) { createAccessKey(input: {
		name: "reporting", clientId: $c, scopes: [READ, READ, TRIGGER]}) {
		key { id kind prefix scopes } secret } }`, map[string]any{"c": client})
	var created struct {
		CreateAccessKey struct {
			Key    listedKey
			Secret string
		}
	}
	res.Decode(t, &created)
	raw, key := created.CreateAccessKey.Secret, created.CreateAccessKey.Key
	if !strings.HasPrefix(raw, "sfc_") || key.Prefix != raw[:12] || key.Kind != "CLIENT" {
		t.Errorf("created %+v with secret %q..., want a client key whose prefix starts it", key,
			raw[:6])
	}
	if strings.Join(key.Scopes, ",") != "READ,TRIGGER" {
		t.Errorf("scopes = %v, want READ,TRIGGER once each", key.Scopes)
	}

	listed, body := listKeys(t, env, client)
	if strings.Contains(body, raw) {
		t.Error("the key list shows the raw key")
	}
	if len(listed) != 1 || listed[0].LastUsedAt != nil {
		t.Fatalf("keys = %+v, want one never-used key", listed)
	}
	if got := env.GraphQL(t, raw, `{ clients { totalCount } }`, nil); len(got.Errors) > 0 {
		t.Fatalf("the new key does not work: %s", got.Raw)
	}
	deadline := time.Now().Add(5 * time.Second)
	for listed[0].LastUsedAt == nil && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
		listed, _ = listKeys(t, env, client)
	}
	if listed[0].LastUsedAt == nil {
		t.Error("last_used_at is not recorded after the key was used")
	}

	res = env.GraphQL(t, env.PlatformKey, `mutation($id: UUID!) { rotateAccessKey(id: $id) {
		key { id prefix scopes } secret } }`, map[string]any{"id": key.ID})
	var rotated struct {
		RotateAccessKey struct {
			Key    listedKey
			Secret string
		}
	}
	res.Decode(t, &rotated)
	next := rotated.RotateAccessKey.Secret
	if next == raw || strings.Join(rotated.RotateAccessKey.Key.Scopes, ",") != "READ,TRIGGER" {
		t.Errorf("rotated key = %+v, want a new secret with the same scopes", rotated.RotateAccessKey.Key)
	}
	if got := status(t, env, raw); got != http.StatusUnauthorized {
		t.Errorf("the rotated-out key = %d, want 401", got)
	}
	if got := status(t, env, next); got != http.StatusOK {
		t.Errorf("the new key = %d, want 200", got)
	}
	listed, _ = listKeys(t, env, client)
	for _, k := range listed {
		if k.ID == key.ID && (!k.Revoked || k.ReplacedBy == nil ||
			*k.ReplacedBy != rotated.RotateAccessKey.Key.ID) {
			t.Errorf("old key = %+v, want revoked and replaced by the new one", k)
		}
	}

	res = env.GraphQL(t, env.PlatformKey, `mutation($id: UUID!) { revokeAccessKey(id: $id) }`,
		map[string]any{"id": rotated.RotateAccessKey.Key.ID})
	if string(res.Data) != `{"revokeAccessKey":true}` {
		t.Fatalf("revoke = %s", res.Raw)
	}
	if got := status(t, env, next); got != http.StatusUnauthorized {
		t.Errorf("a revoked key = %d, want 401", got)
	}
	res = env.GraphQL(t, env.PlatformKey, `mutation($id: UUID!) { rotateAccessKey(id: $id) { secret } }`,
		map[string]any{"id": rotated.RotateAccessKey.Key.ID})
	if res.Code() != "CONFLICT" {
		t.Errorf("rotating a revoked key = %s, want CONFLICT", res.Raw)
	}
}

// status sends a GraphQL query with key and returns the HTTP status.
func status(t *testing.T, env *apptest.Env, key string) int {
	t.Helper()
	resp := env.Do(t, http.MethodPost, "/graphql", key, jsonBody(`{"query":"{ me { id } }"}`))
	resp.Body.Close()
	return resp.StatusCode
}

func TestAccessKeys_siteKeyKeepsReadAndTrigger(t *testing.T) {
	t.Parallel()
	env := apptest.Start(t, apptest.Options{})
	client := env.CreateClient(t, "Site Scopes")
	env.CreateSite(t, client, "scopes.example", nil)
	listed, _ := listKeys(t, env, client)
	if len(listed) != 1 || listed[0].Kind != "SITE" ||
		strings.Join(listed[0].Scopes, ",") != "READ,TRIGGER" {
		t.Errorf("site key = %+v, want kind SITE with READ,TRIGGER", listed)
	}
	res := env.GraphQL(t, env.PlatformKey, `mutation($c: UUID!) { createAccessKey(input: {
		name: "no scopes", clientId: $c, scopes: []}) { secret } }`, map[string]any{"c": client})
	if res.Code() != "INVALID_INPUT" {
		t.Errorf("a client key without scopes = %s, want INVALID_INPUT", res.Raw)
	}
}
