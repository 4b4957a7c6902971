package app

import (
	"bytes"
	"context"
	"flag"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sidekick-forge/sidekick-forge/server/secrets"
)

// load runs Load with env as the environment and args as the command line.
func load(t *testing.T, env map[string]string, args ...string) (*Config, error) {
	t.Helper()
	fs := flag.NewFlagSet("test", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	return Load(fs, args, func(name string) string { return env[name] })
}

func mustLoad(t *testing.T, env map[string]string, args ...string) *Config {
	t.Helper()
	cfg, err := load(t, env, args...)
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	return cfg
}

func discardLog() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

func TestLoad_defaults(t *testing.T) {
	cfg := mustLoad(t, nil)
	checks := []struct {
		name      string
		got, want any
	}{
		{"Env", cfg.Env, "development"},
		{"Listen", cfg.Listen, DefaultListen},
		{"PublicURL", cfg.PublicURL, "http://" + DefaultListen},
		{"DatabaseURL", cfg.DatabaseURL, DefaultDatabaseURL},
		{"TenantDatabaseURL", cfg.TenantDatabaseURL,
			"postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"},
		{"DataDir", cfg.DataDir, ".sidekick"},
		{"SecretKey", cfg.SecretKey, ""},
		{"LogFormat", cfg.LogFormat, "auto"},
		{"LogLevel", cfg.LogLevel, "info"},
		{"TenantMaxConns", cfg.TenantMaxConns, 60},
		{"TenantPoolSize", cfg.TenantPoolSize, 4},
		{"LiveKitAgentName", cfg.LiveKitAgentName, "sidekick-agent"},
		{"UserTokenTTL", cfg.UserTokenTTL, 15 * time.Minute},
		{"WorkerTokenTTL", cfg.WorkerTokenTTL, 10 * time.Minute},
		{"RoomMaxPeople", cfg.RoomMaxPeople, 10},
		{"LLMTimeout", cfg.LLMTimeout, 60 * time.Second},
		{"MaxMessageLength", cfg.MaxMessageLength, 10000},
		{"LLMBaseURLs", len(cfg.LLMBaseURLs), 0},
		{"Production", cfg.Production(), false},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s = %v, want %v", c.name, c.got, c.want)
		}
	}
}

func TestLoad_environmentOverridesDefaults(t *testing.T) {
	cfg := mustLoad(t, map[string]string{
		"SIDEKICK_LISTEN":             "0.0.0.0:9000",
		"SIDEKICK_PUBLIC_URL":         "https://sidekick.example.com/",
		"SIDEKICK_DATABASE_URL":       "postgres://app:pw@db.internal:6432/platform?sslmode=require",
		"SIDEKICK_TENANT_POOL_SIZE":   "2",
		"SIDEKICK_TENANT_MAX_CONNS":   "20",
		"SIDEKICK_USER_TOKEN_TTL":     "5m",
		"SIDEKICK_LIVEKIT_AGENT_NAME": "custom-agent",
		"SIDEKICK_OPENAI_BASE_URL":    "http://127.0.0.1:9999/v1",
		"SIDEKICK_ENV":                "production",
		"SIDEKICK_SECRET_KEY":         "from-env",
	})
	checks := []struct {
		name      string
		got, want any
	}{
		{"Listen", cfg.Listen, "0.0.0.0:9000"},
		{"PublicURL without trailing slash", cfg.PublicURL, "https://sidekick.example.com"},
		{"TenantDatabaseURL from the platform server", cfg.TenantDatabaseURL,
			"postgres://app:pw@db.internal:6432/postgres?sslmode=require"},
		{"TenantPoolSize", cfg.TenantPoolSize, 2},
		{"TenantMaxConns", cfg.TenantMaxConns, 20},
		{"UserTokenTTL", cfg.UserTokenTTL, 5 * time.Minute},
		{"LiveKitAgentName", cfg.LiveKitAgentName, "custom-agent"},
		{"openai base URL", cfg.LLMBaseURLs["openai"], "http://127.0.0.1:9999/v1"},
		{"Production", cfg.Production(), true},
		{"SecretKey", cfg.SecretKey, "from-env"},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s = %v, want %v", c.name, c.got, c.want)
		}
	}
}

func TestLoad_flagsOverrideEnvironment(t *testing.T) {
	env := map[string]string{
		"SIDEKICK_LISTEN":           "0.0.0.0:9000",
		"SIDEKICK_TENANT_POOL_SIZE": "2",
		"SIDEKICK_LLM_TIMEOUT":      "10s",
		"SIDEKICK_GROQ_BASE_URL":    "http://env.example/v1",
	}
	cfg := mustLoad(t, env, "--listen", "127.0.0.1:7000", "--tenant-pool-size=3",
		"--llm-timeout", "90s", "--groq-base-url", "http://flag.example/v1",
		"--openai-compatible-base-url", "http://local.example/v1")
	if cfg.Listen != "127.0.0.1:7000" {
		t.Errorf("Listen = %q, want the flag's value", cfg.Listen)
	}
	if cfg.PublicURL != "http://127.0.0.1:7000" {
		t.Errorf("PublicURL = %q, want it derived from the flag's listen address", cfg.PublicURL)
	}
	if cfg.TenantPoolSize != 3 {
		t.Errorf("TenantPoolSize = %d, want 3", cfg.TenantPoolSize)
	}
	if cfg.LLMTimeout != 90*time.Second {
		t.Errorf("LLMTimeout = %v, want 90s", cfg.LLMTimeout)
	}
	if cfg.LLMBaseURLs["groq"] != "http://flag.example/v1" {
		t.Errorf("groq base URL = %q, want the flag's value", cfg.LLMBaseURLs["groq"])
	}
	if cfg.LLMBaseURLs["openai_compatible"] != "http://local.example/v1" {
		t.Errorf("openai_compatible base URL = %q", cfg.LLMBaseURLs["openai_compatible"])
	}
}

func TestLoad_rejectsInvalidValues(t *testing.T) {
	cases := []struct {
		name    string
		env     map[string]string
		args    []string
		message string
	}{
		{"unknown environment", map[string]string{"SIDEKICK_ENV": "staging"}, nil, "SIDEKICK_ENV"},
		{"integer from env", map[string]string{"SIDEKICK_TENANT_POOL_SIZE": "four"}, nil,
			"SIDEKICK_TENANT_POOL_SIZE"},
		{"integer from flag", nil, []string{"--tenant-max-conns", "many"},
			"SIDEKICK_TENANT_MAX_CONNS"},
		{"duration", map[string]string{"SIDEKICK_LLM_TIMEOUT": "60"}, nil, "duration such as 30s"},
		{"pool over budget", map[string]string{"SIDEKICK_TENANT_POOL_SIZE": "10",
			"SIDEKICK_TENANT_MAX_CONNS": "5"}, nil, "SIDEKICK_TENANT_MAX_CONNS"},
		{"zero pool", map[string]string{"SIDEKICK_TENANT_POOL_SIZE": "0"}, nil,
			"SIDEKICK_TENANT_POOL_SIZE"},
		{"message length", map[string]string{"SIDEKICK_MAX_MESSAGE_LENGTH": "0"}, nil,
			"SIDEKICK_MAX_MESSAGE_LENGTH"},
		{"unknown flag", nil, []string{"--no-such-flag"}, "no-such-flag"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := load(t, tc.env, tc.args...)
			if err == nil {
				t.Fatal("Load succeeded")
			}
			if !strings.Contains(err.Error(), tc.message) {
				t.Errorf("error %q does not mention %q", err, tc.message)
			}
		})
	}
}

func TestKeyring_productionRequiresSecretKey(t *testing.T) {
	dir := t.TempDir()
	cfg := mustLoad(t, map[string]string{"SIDEKICK_ENV": "production",
		"SIDEKICK_DATA_DIR": dir})

	_, err := Keyring(cfg, discardLog())
	if err == nil || !strings.Contains(err.Error(), "SIDEKICK_SECRET_KEY is required") {
		t.Errorf("Keyring in production without a key = %v, want an error naming "+
			"SIDEKICK_SECRET_KEY", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "secret.key")); !os.IsNotExist(err) {
		t.Errorf("production generated a local key file (stat: %v)", err)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	a, err := New(ctx, cfg, discardLog())
	if err == nil {
		a.Close()
		t.Fatal("app.New started in production without SIDEKICK_SECRET_KEY")
	}
	if !strings.Contains(err.Error(), "SIDEKICK_SECRET_KEY") {
		t.Errorf("app.New error = %q, want it to name SIDEKICK_SECRET_KEY", err)
	}

	t.Run("with a key", func(t *testing.T) {
		key, err := secrets.GenerateKey()
		if err != nil {
			t.Fatal(err)
		}
		cfg.SecretKey = key
		k, err := Keyring(cfg, discardLog())
		if err != nil {
			t.Fatalf("Keyring with a key: %v", err)
		}
		raw, _ := secrets.ParseKey(key)
		if k.PrimaryKeyID() != secrets.KeyID(raw) {
			t.Error("keyring does not use SIDEKICK_SECRET_KEY")
		}
	})
	t.Run("with an invalid key", func(t *testing.T) {
		cfg.SecretKey = "c2hvcnQ="
		_, err := Keyring(cfg, discardLog())
		if err == nil || !strings.Contains(err.Error(), "SIDEKICK_SECRET_KEY") {
			t.Errorf("Keyring with a 5-byte key = %v", err)
		}
		if err != nil && strings.Contains(err.Error(), "c2hvcnQ=") {
			t.Errorf("error repeats the key: %v", err)
		}
	})
}

func TestKeyring_generatesLocalKeyOnce(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "state")
	cfg := mustLoad(t, map[string]string{"SIDEKICK_DATA_DIR": dir})
	var logs bytes.Buffer
	log := slog.New(slog.NewTextHandler(&logs, nil))

	first, err := Keyring(cfg, log)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "secret.key")
	info, err := os.Stat(path)
	if err != nil {
		t.Fatalf("key file: %v", err)
	}
	if mode := info.Mode().Perm(); mode != 0o600 {
		t.Errorf("key file mode = %o, want 600", mode)
	}
	if dirInfo, err := os.Stat(dir); err != nil || dirInfo.Mode().Perm() != 0o700 {
		t.Errorf("data folder mode = %v (%v), want 700", dirInfo.Mode().Perm(), err)
	}
	content, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	raw, err := secrets.ParseKey(string(content))
	if err != nil {
		t.Fatalf("key file holds no valid key: %v", err)
	}
	if first.PrimaryKeyID() != secrets.KeyID(raw) {
		t.Error("keyring does not use the generated file's key")
	}
	if strings.Contains(logs.String(), strings.TrimSpace(string(content))) {
		t.Error("the generated key was logged")
	}

	second, err := Keyring(cfg, log)
	if err != nil {
		t.Fatal(err)
	}
	if second.PrimaryKeyID() != first.PrimaryKeyID() {
		t.Error("second start generated a new key instead of reusing the file")
	}
	sealed, id, err := first.Seal("sk-proj-local", "aad")
	if err != nil {
		t.Fatal(err)
	}
	if got, err := second.Open(sealed, id, "aad"); err != nil || got != "sk-proj-local" {
		t.Errorf("second keyring cannot open the first's secrets: %q, %v", got, err)
	}

	t.Run("corrupt file is an error", func(t *testing.T) {
		if err := os.WriteFile(path, []byte("garbage\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		if _, err := Keyring(cfg, log); err == nil {
			t.Error("Keyring accepted a corrupt key file")
		}
	})
}

func TestKeyring_previousKeysOpenOldSecrets(t *testing.T) {
	oldKey, err := secrets.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	newKey, err := secrets.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	before, err := Keyring(mustLoad(t, map[string]string{"SIDEKICK_SECRET_KEY": oldKey}), discardLog())
	if err != nil {
		t.Fatal(err)
	}
	sealed, id, err := before.Seal("livekit-secret", "client/x/livekit_secret")
	if err != nil {
		t.Fatal(err)
	}

	after, err := Keyring(mustLoad(t, map[string]string{"SIDEKICK_SECRET_KEY": newKey,
		"SIDEKICK_SECRET_KEY_PREVIOUS": " , " + oldKey + " ,"}), discardLog())
	if err != nil {
		t.Fatal(err)
	}
	if got, err := after.Open(sealed, id, "client/x/livekit_secret"); err != nil ||
		got != "livekit-secret" {
		t.Errorf("rotated keyring: %q, %v", got, err)
	}

	_, err = Keyring(mustLoad(t, map[string]string{"SIDEKICK_SECRET_KEY": newKey,
		"SIDEKICK_SECRET_KEY_PREVIOUS": "not-a-key"}), discardLog())
	if err == nil || !strings.Contains(err.Error(), "SIDEKICK_SECRET_KEY_PREVIOUS") {
		t.Errorf("invalid previous key = %v, want an error naming SIDEKICK_SECRET_KEY_PREVIOUS", err)
	}
}
