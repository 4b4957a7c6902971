package graph_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/sidekick-forge/sidekick-forge/server/apptest"
)

// gqlError is the first error of a GraphQL response, flattened for checks.
type gqlError struct {
	Code, Field, Message string
	Extensions           map[string]any
}

// firstError returns the first error of res, failing the test when the
// response has none.
func firstError(t *testing.T, res *apptest.Response) gqlError {
	t.Helper()
	if len(res.Errors) == 0 {
		t.Fatalf("expected a GraphQL error, got none: %s", res.Raw)
	}
	e := res.Errors[0]
	code, _ := e.Extensions["code"].(string)
	field, _ := e.Extensions["field"].(string)
	return gqlError{Code: code, Field: field, Message: e.Message, Extensions: e.Extensions}
}

// expectError checks that res failed with code and, when field is not empty,
// that extensions.field is field.
func expectError(t *testing.T, res *apptest.Response, code, field string) gqlError {
	t.Helper()
	e := firstError(t, res)
	if e.Code != code {
		t.Errorf("extensions.code = %q, want %q (response %s)", e.Code, code, res.Raw)
	}
	if field != "" && e.Field != field {
		t.Errorf("extensions.field = %q, want %q (response %s)", e.Field, field, res.Raw)
	}
	return e
}

// tenantCount counts the rows of table in the tenant database of client.
func tenantCount(t *testing.T, env *apptest.Env, clientID uuid.UUID, table string) int {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	lease, err := env.App.Tenants.Acquire(ctx, clientID)
	if err != nil {
		t.Fatalf("acquire tenant database of %s: %v", clientID, err)
	}
	defer lease.Release()
	n, err := lease.DB().NewSelect().Table(table).Count(ctx)
	if err != nil {
		t.Fatalf("count %s of client %s: %v", table, clientID, err)
	}
	return int(n)
}

// platformCount runs a SELECT count(*) query on the platform database.
func platformCount(t *testing.T, env *apptest.Env, query string, args ...any) int {
	t.Helper()
	var n int
	if err := env.App.DB.NewRaw(query, args...).Scan(context.Background(), &n); err != nil {
		t.Fatalf("platform query %q: %v", query, err)
	}
	return n
}

// decodeData unmarshals res.Data into v without failing on errors, for
// responses that carry both data and errors.
func decodeData(t *testing.T, res *apptest.Response, v any) {
	t.Helper()
	if len(res.Data) == 0 || string(res.Data) == "null" {
		return
	}
	if err := json.Unmarshal(res.Data, v); err != nil {
		t.Fatalf("decode data %s: %v", res.Data, err)
	}
}

// mustContain fails unless s contains every one of parts.
func mustContain(t *testing.T, label, s string, parts ...string) {
	t.Helper()
	for _, p := range parts {
		if !strings.Contains(s, p) {
			t.Errorf("%s %q does not contain %q", label, s, p)
		}
	}
}
