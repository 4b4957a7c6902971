package platform

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/sidekick-forge/sidekick-forge/server/apperr"
	"github.com/sidekick-forge/sidekick-forge/server/secrets"
)

// KeyStatus is the write-only view of a provider key: whether it is set and
// at most its last four characters.
type KeyStatus struct {
	Provider   string
	Configured bool
	Last4      string
	BaseURL    string
	UpdatedAt  *time.Time
}

// KeyStatuses returns a status for every known provider, configured or not.
func KeyStatuses(creds []*Credential) []KeyStatus {
	byProvider := make(map[string]*Credential, len(creds))
	for _, c := range creds {
		byProvider[c.Provider] = c
	}
	out := make([]KeyStatus, 0, len(Providers))
	for _, p := range Providers {
		st := KeyStatus{Provider: p}
		if c, ok := byProvider[p]; ok {
			updated := c.UpdatedAt
			st.Configured, st.Last4, st.BaseURL, st.UpdatedAt = true, c.Last4, c.BaseURL, &updated
		}
		out = append(out, st)
	}
	return out
}

// ValidateProviderKey rejects an unknown provider and placeholder keys.
func ValidateProviderKey(provider, key string) error {
	if !KnownProvider(provider) {
		return apperr.Invalid("provider", "unknown provider %q; known providers: %s",
			provider, ProviderList())
	}
	if err := secrets.CheckPlaceholder(key); err != nil {
		return apperr.Invalid("key", "%s", err)
	}
	return nil
}

// SetCredential encrypts and stores one provider key of a client, leaving its
// other keys untouched.
func (s *Store) SetCredential(ctx context.Context, clientID uuid.UUID, provider, key,
	baseURL string) (*Credential, error) {
	if err := ValidateProviderKey(provider, key); err != nil {
		return nil, err
	}
	sealed, keyID, err := s.keyring.Seal(key, credentialAAD(clientID, provider))
	if err != nil {
		return nil, err
	}
	c := &Credential{
		ClientID: clientID, Provider: provider, Ciphertext: sealed, KeyID: keyID,
		Last4: secrets.Last4(key), BaseURL: baseURL, UpdatedAt: time.Now(),
	}
	_, err = s.db.NewInsert().Model(c).
		On("CONFLICT (client_id, provider) DO UPDATE").
		Set("ciphertext = EXCLUDED.ciphertext, key_id = EXCLUDED.key_id").
		Set("last4 = EXCLUDED.last4, base_url = EXCLUDED.base_url").
		Set("updated_at = EXCLUDED.updated_at").
		Exec(ctx)
	if err != nil {
		return nil, fmt.Errorf("store %s key of client %s: %w", provider, clientID, err)
	}
	return c, nil
}

// RemoveCredential deletes one provider key of a client.
func (s *Store) RemoveCredential(ctx context.Context, clientID uuid.UUID, provider string) error {
	if !KnownProvider(provider) {
		return apperr.Invalid("provider", "unknown provider %q; known providers: %s",
			provider, ProviderList())
	}
	_, err := s.db.NewDelete().Model((*Credential)(nil)).
		Where("client_id = ? AND provider = ?", clientID, provider).Exec(ctx)
	if err != nil {
		return fmt.Errorf("remove %s key of client %s: %w", provider, clientID, err)
	}
	return nil
}

// ProviderSecret is a decrypted provider key and its per-client base URL.
type ProviderSecret struct {
	Key     string
	BaseURL string
}

// ProviderSecrets decrypts the keys of a client for the named providers.
// Providers without a key are absent from the result. Only the trigger flow
// and the worker configuration endpoint call this.
func (s *Store) ProviderSecrets(ctx context.Context, clientID uuid.UUID,
	providers ...string) (map[string]ProviderSecret, error) {
	if len(providers) == 0 {
		return map[string]ProviderSecret{}, nil
	}
	var creds []*Credential
	err := s.db.NewSelect().Model(&creds).
		Where("client_id = ? AND provider IN (?)", clientID, bunList(providers)).Scan(ctx)
	if err != nil {
		return nil, fmt.Errorf("load keys of client %s: %w", clientID, err)
	}
	out := make(map[string]ProviderSecret, len(creds))
	for _, c := range creds {
		key, err := s.keyring.Open(c.Ciphertext, c.KeyID, credentialAAD(clientID, c.Provider))
		if err != nil {
			return nil, fmt.Errorf("decrypt %s key of client %s: %w", c.Provider, clientID, err)
		}
		out[c.Provider] = ProviderSecret{Key: key, BaseURL: c.BaseURL}
	}
	return out, nil
}

func credentialAAD(clientID uuid.UUID, provider string) string {
	return "client/" + clientID.String() + "/provider/" + provider
}
