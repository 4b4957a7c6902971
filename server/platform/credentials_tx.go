package platform

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/uptrace/bun"

	"github.com/sidekick-forge/sidekick-forge/server/apperr"
	"github.com/sidekick-forge/sidekick-forge/server/secrets"
)

// CredentialChange sets one provider key of a client, or removes it when Key
// is nil.
type CredentialChange struct {
	Provider string
	Key      *string
	BaseURL  string
	// Field names the change in the caller's input, for example
	// "providerKeys[2]", so that an error points at the right entry.
	Field string
}

// ValidateCredentialChanges checks every change before any is applied: a
// known provider, named once, and for a key to set a value that is no
// placeholder. A removal carries no base URL.
func ValidateCredentialChanges(changes []CredentialChange) error {
	seen := make(map[string]bool, len(changes))
	for _, c := range changes {
		if !KnownProvider(c.Provider) {
			return apperr.Invalid(c.Field+".provider", "unknown provider %q; known providers: %s",
				c.Provider, ProviderList())
		}
		if seen[c.Provider] {
			return apperr.Invalid(c.Field+".provider", "provider %q is named more than once",
				c.Provider)
		}
		seen[c.Provider] = true
		if c.Key == nil {
			if c.BaseURL != "" {
				return apperr.Invalid(c.Field+".baseUrl", "is only allowed with a key")
			}
			continue
		}
		if err := secrets.CheckPlaceholder(*c.Key); err != nil {
			return apperr.Invalid(c.Field+".key", "%s", err)
		}
	}
	return nil
}

// StageLiveKit applies u to c in memory, sealing a new API secret, and
// returns the columns to write. UpdateClientTx writes them.
func (s *Store) StageLiveKit(c *Client, u LiveKitUpdate) ([]string, error) {
	var columns []string
	if u.URL != nil {
		c.LiveKitURL = *u.URL
		columns = append(columns, "livekit_url")
	}
	if u.APIKey != nil {
		c.LiveKitAPIKey = *u.APIKey
		columns = append(columns, "livekit_api_key")
	}
	if u.AgentName != nil {
		c.LiveKitAgentName = *u.AgentName
		columns = append(columns, "livekit_agent_name")
	}
	if u.APISecret != nil {
		c.LiveKitSecretCipher, c.LiveKitSecretKeyID = nil, ""
		if *u.APISecret != "" {
			sealed, keyID, err := s.keyring.Seal(*u.APISecret, liveKitAAD(c.ID))
			if err != nil {
				return nil, err
			}
			c.LiveKitSecretCipher, c.LiveKitSecretKeyID = sealed, keyID
		}
		columns = append(columns, "livekit_secret_cipher", "livekit_secret_key_id")
	}
	return columns, nil
}

// UpdateClientTx writes the named columns of c and applies the credential
// changes in one transaction: either all of them are stored or none is.
// Callers validate the changes first with ValidateCredentialChanges.
func (s *Store) UpdateClientTx(ctx context.Context, c *Client, columns []string,
	changes []CredentialChange) error {
	creds := make([]*Credential, 0, len(changes))
	var removed []string
	now := time.Now()
	for _, ch := range changes {
		if ch.Key == nil {
			removed = append(removed, ch.Provider)
			continue
		}
		sealed, keyID, err := s.keyring.Seal(*ch.Key, credentialAAD(c.ID, ch.Provider))
		if err != nil {
			return err
		}
		creds = append(creds, &Credential{
			ClientID: c.ID, Provider: ch.Provider, Ciphertext: sealed, KeyID: keyID,
			Last4: secrets.Last4(*ch.Key), BaseURL: ch.BaseURL, UpdatedAt: now,
		})
	}

	return s.db.RunInTx(ctx, &sql.TxOptions{}, func(ctx context.Context, tx bun.Tx) error {
		if err := updateClientColumns(ctx, tx, c, columns); err != nil {
			return err
		}
		if len(creds) > 0 {
			_, err := tx.NewInsert().Model(&creds).
				On("CONFLICT (client_id, provider) DO UPDATE").
				Set("ciphertext = EXCLUDED.ciphertext, key_id = EXCLUDED.key_id").
				Set("last4 = EXCLUDED.last4, base_url = EXCLUDED.base_url").
				Set("updated_at = EXCLUDED.updated_at").
				Exec(ctx)
			if err != nil {
				return fmt.Errorf("store provider keys of client %s: %w", c.ID, err)
			}
		}
		if len(removed) > 0 {
			_, err := tx.NewDelete().Model((*Credential)(nil)).
				Where("client_id = ? AND provider IN (?)", c.ID, bun.List(removed)).Exec(ctx)
			if err != nil {
				return fmt.Errorf("remove provider keys of client %s: %w", c.ID, err)
			}
		}
		return nil
	})
}

// updateClientColumns is UpdateClientFields inside tx. With no columns it
// still checks that the client exists, so key changes never reach a deleted
// client.
func updateClientColumns(ctx context.Context, tx bun.Tx, c *Client, columns []string) error {
	c.UpdatedAt = time.Now()
	columns = append(columns, "updated_at")
	res, err := tx.NewUpdate().Model(c).Column(columns...).WherePK().Exec(ctx)
	if isUniqueViolation(err) {
		return &apperr.Error{Code: apperr.Conflict, Field: "slug",
			Message: fmt.Sprintf("slug: a client with slug %q already exists", c.Slug)}
	}
	if err != nil {
		return fmt.Errorf("update client %s: %w", c.ID, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return apperr.New(apperr.NotFound, "client %s not found", c.ID)
	}
	return nil
}
