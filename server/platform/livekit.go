package platform

import (
	"context"

	"github.com/google/uuid"
)

// LiveKitSettings are a client's own LiveKit settings, decrypted. Empty
// fields fall back to the platform default.
type LiveKitSettings struct {
	URL, APIKey, APISecret, AgentName string
}

// LiveKitUpdate changes a client's LiveKit settings. A nil field is left as
// it is; an empty string clears it.
type LiveKitUpdate struct {
	URL, APIKey, APISecret, AgentName *string
}

// SetLiveKit applies u to client c and stores it.
func (s *Store) SetLiveKit(ctx context.Context, c *Client, u LiveKitUpdate) error {
	columns, err := s.StageLiveKit(c, u)
	if err != nil || len(columns) == 0 {
		return err
	}
	return s.UpdateClientFields(ctx, c, columns...)
}

// LiveKit decrypts the LiveKit settings of c.
func (s *Store) LiveKit(c *Client) (LiveKitSettings, error) {
	out := LiveKitSettings{URL: c.LiveKitURL, APIKey: c.LiveKitAPIKey, AgentName: c.LiveKitAgentName}
	if len(c.LiveKitSecretCipher) > 0 {
		secret, err := s.keyring.Open(c.LiveKitSecretCipher, c.LiveKitSecretKeyID, liveKitAAD(c.ID))
		if err != nil {
			return LiveKitSettings{}, err
		}
		out.APISecret = secret
	}
	return out, nil
}

// LiveKitSecretsByAPIKey returns every client's LiveKit API secret keyed by
// API key, for verifying webhooks signed by any client's LiveKit project.
func (s *Store) LiveKitSecretsByAPIKey(ctx context.Context) (map[string]string, error) {
	var clients []*Client
	err := s.db.NewSelect().Model(&clients).
		Column("id", "livekit_api_key", "livekit_secret_cipher", "livekit_secret_key_id").
		Where("livekit_api_key <> '' AND livekit_secret_cipher IS NOT NULL").Scan(ctx)
	if err != nil {
		return nil, err
	}
	out := make(map[string]string, len(clients))
	for _, c := range clients {
		settings, err := s.LiveKit(c)
		if err != nil {
			return nil, err
		}
		out[c.LiveKitAPIKey] = settings.APISecret
	}
	return out, nil
}

func liveKitAAD(id uuid.UUID) string { return "client/" + id.String() + "/livekit_secret" }
