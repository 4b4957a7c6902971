package graph_test

import (
	"bytes"
	"context"
	"database/sql"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/google/uuid"
	"github.com/uptrace/bun/driver/pgdriver"

	"github.com/sidekick-forge/sidekick-forge/server/apptest"
	"github.com/sidekick-forge/sidekick-forge/server/pgtest"
	"github.com/sidekick-forge/sidekick-forge/server/platform"
)

// dsnPassword is put into external DSNs to check that it never leaks.
const dsnPassword = "Pr0visionS3cretPw"

// lockedBuffer collects the platform's logs. It is safe for concurrent use
// because provisioning goroutines log while the test reads.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

type clientView struct {
	ID                 uuid.UUID
	Name               string
	DatabaseMode       string
	ProvisioningStatus string
	ProvisioningError  *string
	SchemaVersion      int
}

const clientFields = `id name databaseMode provisioningStatus provisioningError schemaVersion`

// withPassword returns dsn with user postgres and dsnPassword. The test
// server uses trust authentication, so the password is accepted and ignored.
func withPassword(t *testing.T, dsn string) string {
	t.Helper()
	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatal(err)
	}
	u.User = url.UserPassword("postgres", dsnPassword)
	return u.String()
}

// createDatabase creates database name on the test server and drops it when
// the test ends.
func createDatabase(t *testing.T, name string) {
	t.Helper()
	db := sql.OpenDB(pgdriver.NewConnector(pgdriver.WithDSN(pgtest.ServerURL())))
	defer db.Close()
	if _, err := db.Exec("CREATE DATABASE " + name); err != nil {
		t.Fatalf("create database %s: %v", name, err)
	}
	t.Cleanup(func() { pgtest.DropDatabase(t, name) })
}

func databaseExists(t *testing.T, env *apptest.Env, name string) bool {
	t.Helper()
	return platformCount(t, env, "SELECT count(*) FROM pg_database WHERE datname = ?", name) == 1
}

func createExternal(t *testing.T, env *apptest.Env, name, dsn string) (clientView, *apptest.Response) {
	t.Helper()
	res := env.GraphQL(t, env.PlatformKey, `mutation($name: String!, $dsn: String!) {
		createClient(input: {name: $name, databaseMode: EXTERNAL, externalDsn: $dsn}) {
			`+clientFields+` } }`, map[string]any{"name": name, "dsn": dsn})
	var out struct{ CreateClient clientView }
	res.Decode(t, &out)
	return out.CreateClient, res
}

func checkNoPassword(t *testing.T, label, s string) {
	t.Helper()
	if strings.Contains(s, dsnPassword) {
		t.Errorf("%s contains the DSN's password: %s", label, s)
	}
}

func TestExternalClient_unreachableFailsThenUpdateSucceeds(t *testing.T) {
	t.Parallel()
	logs := &lockedBuffer{}
	env := apptest.Start(t, apptest.Options{Log: logs})
	unreachable := "postgres://postgres:" + dsnPassword + "@127.0.0.1:1/x?sslmode=disable"

	c, res := createExternal(t, env, "Outside Co", unreachable)
	if c.ProvisioningStatus != "FAILED" {
		t.Fatalf("provisioningStatus = %s, want FAILED", c.ProvisioningStatus)
	}
	if c.DatabaseMode != "EXTERNAL" {
		t.Errorf("databaseMode = %s, want EXTERNAL", c.DatabaseMode)
	}
	if c.ProvisioningError == nil {
		t.Fatal("provisioningError is null")
	}
	mustContain(t, "provisioningError", *c.ProvisioningError, "connect", "127.0.0.1:1")
	checkNoPassword(t, "createClient response", res.Raw)

	var stored string
	err := env.App.DB.NewRaw("SELECT provisioning_error FROM clients WHERE id = ?", c.ID).
		Scan(context.Background(), &stored)
	if err != nil {
		t.Fatal(err)
	}
	checkNoPassword(t, "stored provisioning_error", stored)
	if n := platformCount(t, env, "SELECT count(*) FROM audit_log WHERE details::text LIKE ?",
		"%"+dsnPassword+"%"); n != 0 {
		t.Errorf("%d audit entries contain the DSN's password", n)
	}

	t.Run("not usable while failed", func(t *testing.T) {
		res := env.GraphQL(t, env.PlatformKey, `query($c: UUID!) { agents(clientId: $c) {
			totalCount } }`, map[string]any{"c": c.ID})
		expectError(t, res, "CLIENT_NOT_READY", "")
		checkNoPassword(t, "agents response", res.Raw)
	})

	t.Run("update to a reachable database", func(t *testing.T) {
		target := withPassword(t, pgtest.NewDatabase(t))
		res := env.GraphQL(t, env.PlatformKey, `mutation($id: UUID!, $dsn: String!) {
			updateClient(id: $id, input: {externalDsn: $dsn}) { `+clientFields+` } }`,
			map[string]any{"id": c.ID, "dsn": target})
		var out struct{ UpdateClient clientView }
		res.Decode(t, &out)
		if out.UpdateClient.ProvisioningStatus != "READY" {
			t.Fatalf("after update: provisioningStatus = %s (%v), want READY",
				out.UpdateClient.ProvisioningStatus, out.UpdateClient.ProvisioningError)
		}
		if out.UpdateClient.ProvisioningError != nil {
			t.Errorf("provisioningError = %q after success, want null",
				*out.UpdateClient.ProvisioningError)
		}
		if out.UpdateClient.SchemaVersion == 0 {
			t.Error("schemaVersion is 0 after a successful migration")
		}
		checkNoPassword(t, "updateClient response", res.Raw)

		env.CreateAgent(t, c.ID, "outsider", nil)
		if n := tenantCount(t, env, c.ID, "agents"); n != 1 {
			t.Errorf("external tenant database holds %d agents, want 1", n)
		}
	})

	checkNoPassword(t, "platform logs", logs.String())
}

func TestExternalClient_retryAfterTargetIsFixed(t *testing.T) {
	t.Parallel()
	env := apptest.Start(t, apptest.Options{})
	name := pgtest.RandomName("sftest_late")
	dsn := withPassword(t, pgtest.DatabaseURL(name))

	c, _ := createExternal(t, env, "Late Co", dsn)
	if c.ProvisioningStatus != "FAILED" {
		t.Fatalf("provisioningStatus = %s before the database exists, want FAILED",
			c.ProvisioningStatus)
	}
	if c.ProvisioningError == nil || !strings.Contains(*c.ProvisioningError, "does not exist") {
		t.Errorf("provisioningError = %v, want it to say the database does not exist",
			c.ProvisioningError)
	}

	createDatabase(t, name)
	res := env.GraphQL(t, env.PlatformKey, `mutation($id: UUID!) {
		retryProvisioning(id: $id) { `+clientFields+` } }`, map[string]any{"id": c.ID})
	var out struct{ RetryProvisioning clientView }
	res.Decode(t, &out)
	if out.RetryProvisioning.ProvisioningStatus != "READY" {
		t.Fatalf("after retry: provisioningStatus = %s (%v), want READY",
			out.RetryProvisioning.ProvisioningStatus, out.RetryProvisioning.ProvisioningError)
	}
	checkNoPassword(t, "retryProvisioning response", res.Raw)

	t.Run("ready client cannot be retried", func(t *testing.T) {
		res := env.GraphQL(t, env.PlatformKey, `mutation($id: UUID!) {
			retryProvisioning(id: $id) { id } }`, map[string]any{"id": c.ID})
		expectError(t, res, "CONFLICT", "")
	})
	t.Run("external database is never dropped", func(t *testing.T) {
		res := env.GraphQL(t, env.PlatformKey, `mutation($id: UUID!) {
			deleteClient(id: $id, dropDatabase: true) { databaseDropped } }`,
			map[string]any{"id": c.ID})
		expectError(t, res, "INVALID_INPUT", "dropDatabase")
		if n := platformCount(t, env, "SELECT count(*) FROM clients WHERE id = ?", c.ID); n != 1 {
			t.Errorf("client rows after rejected delete = %d, want 1", n)
		}
	})
}

func TestManagedClient_provisionsAndDeletes(t *testing.T) {
	t.Parallel()
	env := apptest.Start(t, apptest.Options{})

	create := func(t *testing.T, name string) clientView {
		t.Helper()
		res := env.GraphQL(t, env.PlatformKey, `mutation($name: String!) {
			createClient(input: {name: $name}) { `+clientFields+` } }`, map[string]any{"name": name})
		var out struct{ CreateClient clientView }
		res.Decode(t, &out)
		c := out.CreateClient
		if c.ProvisioningStatus != "READY" || c.DatabaseMode != "MANAGED" || c.SchemaVersion == 0 {
			t.Fatalf("managed client = %+v, want READY, MANAGED, schemaVersion > 0", c)
		}
		if !databaseExists(t, env, platform.ManagedDatabaseName(c.ID)) {
			t.Fatalf("database %s is missing after provisioning", platform.ManagedDatabaseName(c.ID))
		}
		return c
	}
	remove := func(t *testing.T, id uuid.UUID, drop bool) bool {
		t.Helper()
		res := env.GraphQL(t, env.PlatformKey, `mutation($id: UUID!, $drop: Boolean) {
			deleteClient(id: $id, dropDatabase: $drop) { id databaseDropped } }`,
			map[string]any{"id": id, "drop": drop})
		var out struct {
			DeleteClient struct {
				ID              uuid.UUID
				DatabaseDropped bool
			}
		}
		res.Decode(t, &out)
		if out.DeleteClient.ID != id {
			t.Errorf("deleteClient id = %s, want %s", out.DeleteClient.ID, id)
		}
		return out.DeleteClient.DatabaseDropped
	}
	expectDeleted := func(t *testing.T, id uuid.UUID) {
		t.Helper()
		res := env.GraphQL(t, env.PlatformKey, `query($id: UUID!) { client(id: $id) { id } }`,
			map[string]any{"id": id})
		expectError(t, res, "NOT_FOUND", "")
		res = env.GraphQL(t, env.PlatformKey, `query($id: UUID!) { agents(clientId: $id) {
			totalCount } }`, map[string]any{"id": id})
		expectError(t, res, "NOT_FOUND", "")
	}

	t.Run("delete keeps the database", func(t *testing.T) {
		c := create(t, "Keeper")
		dbName := platform.ManagedDatabaseName(c.ID)
		// The platform no longer tracks the database, so the test drops it.
		t.Cleanup(func() { pgtest.DropDatabase(t, dbName) })
		env.CreateAgent(t, c.ID, "kept", nil)

		if remove(t, c.ID, false) {
			t.Error("databaseDropped = true without dropDatabase")
		}
		expectDeleted(t, c.ID)
		if !databaseExists(t, env, dbName) {
			t.Errorf("database %s was dropped without dropDatabase", dbName)
		}
		if n := platformCount(t, env, "SELECT count(*) FROM agent_slugs WHERE client_id = ?",
			c.ID); n != 0 {
			t.Errorf("%d slug index rows left for the deleted client", n)
		}
	})

	t.Run("delete drops the database", func(t *testing.T) {
		c := create(t, "Dropper")
		dbName := platform.ManagedDatabaseName(c.ID)
		env.CreateAgent(t, c.ID, "dropped", nil)
		// A cached pool must not keep the database alive.
		if n := tenantCount(t, env, c.ID, "agents"); n != 1 {
			t.Fatalf("agents = %d, want 1", n)
		}

		if !remove(t, c.ID, true) {
			t.Error("databaseDropped = false with dropDatabase")
		}
		expectDeleted(t, c.ID)
		if databaseExists(t, env, dbName) {
			t.Errorf("database %s exists after deleteClient(dropDatabase: true)", dbName)
		}
	})
}
