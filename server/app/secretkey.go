package app

import (
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"

	"github.com/sidekick-forge/sidekick-forge/server/secrets"
)

// Keyring builds the secrets keyring. Outside production a missing key is
// generated once into <data dir>/secret.key (mode 0600), with a warning,
// so local runs work without setup and keep their data readable.
func Keyring(cfg *Config, log *slog.Logger) (*secrets.Keyring, error) {
	encoded := cfg.SecretKey
	if encoded == "" {
		if cfg.Production() {
			return nil, errors.New("SIDEKICK_SECRET_KEY is required when SIDEKICK_ENV=production; " +
				"generate one with: head -c 32 /dev/urandom | base64")
		}
		var err error
		if encoded, err = localSecretKey(cfg.DataDir, log); err != nil {
			return nil, err
		}
	}
	primary, err := secrets.ParseKey(encoded)
	if err != nil {
		return nil, fmt.Errorf("SIDEKICK_SECRET_KEY: %w", err)
	}
	var previous [][]byte
	for _, p := range strings.Split(cfg.SecretKeyPrevious, ",") {
		if strings.TrimSpace(p) == "" {
			continue
		}
		key, err := secrets.ParseKey(p)
		if err != nil {
			return nil, fmt.Errorf("SIDEKICK_SECRET_KEY_PREVIOUS: %w", err)
		}
		previous = append(previous, key)
	}
	return secrets.NewKeyring(primary, previous...)
}

func localSecretKey(dataDir string, log *slog.Logger) (string, error) {
	path := filepath.Join(dataDir, "secret.key")
	if b, err := os.ReadFile(path); err == nil {
		log.Warn("using the development secret key from the data folder; set SIDEKICK_SECRET_KEY in production",
			"path", path)
		return strings.TrimSpace(string(b)), nil
	} else if !errors.Is(err, os.ErrNotExist) {
		return "", fmt.Errorf("read development secret key: %w", err)
	}
	if err := os.MkdirAll(dataDir, 0o700); err != nil {
		return "", fmt.Errorf("create data folder %s: %w", dataDir, err)
	}
	key, err := secrets.GenerateKey()
	if err != nil {
		return "", err
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return "", fmt.Errorf("write development secret key: %w", err)
	}
	if _, err := f.WriteString(key + "\n"); err != nil {
		f.Close()
		return "", fmt.Errorf("write development secret key: %w", err)
	}
	if err := f.Close(); err != nil {
		return "", fmt.Errorf("write development secret key: %w", err)
	}
	log.Warn("SIDEKICK_SECRET_KEY is unset: generated a development key; back it up, or secrets stored with it become unreadable",
		"path", path)
	return key, nil
}
