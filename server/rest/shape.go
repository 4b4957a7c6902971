package rest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/sidekick-forge/sidekick-forge/server/apperr"
	"github.com/sidekick-forge/sidekick-forge/server/secrets"
)

// rootField returns the value of one root field of an operation's data.
func rootField(data json.RawMessage, name string) (json.RawMessage, error) {
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(data, &fields); err != nil {
		return nil, fmt.Errorf("decode operation data: %w", err)
	}
	raw, ok := fields[name]
	if !ok {
		return nil, fmt.Errorf("operation data has no field %s", name)
	}
	return raw, nil
}

func isNull(raw json.RawMessage) bool {
	return len(raw) == 0 || bytes.Equal(bytes.TrimSpace(raw), []byte("null"))
}

// pick returns a root field as it is; the aliases of the operation already
// gave it the legacy field names. Null is NOT_FOUND, naming what.
func pick(name, what string) shaper {
	return func(c *call, data json.RawMessage) (any, error) {
		raw, err := rootField(data, name)
		if err != nil {
			return nil, err
		}
		if isNull(raw) {
			return nil, apperr.New(apperr.NotFound, "%s not found", what)
		}
		return raw, nil
	}
}

// nodes returns the nodes that a list route collected from every page.
func nodes(_ *call, data json.RawMessage) (any, error) { return data, nil }

// deletedJSON is the response to a delete: the legacy {"success", "message"}.
type deletedJSON struct {
	Success bool   `json:"success"`
	Message string `json:"message"`
}

// deleted shapes the response to a delete of what, named by the variable
// varName.
func deleted(what, varName, verb string) shaper {
	return func(c *call, _ json.RawMessage) (any, error) {
		return deletedJSON{Success: true,
			Message: fmt.Sprintf("%s %v %s", what, c.vars[varName], verb)}, nil
	}
}

func shapeDeletedClient(c *call, data json.RawMessage) (any, error) {
	raw, err := rootField(data, "deleteClient")
	if err != nil {
		return nil, err
	}
	var res struct {
		ID              string `json:"id"`
		DatabaseDropped bool   `json:"database_dropped"`
	}
	if err := json.Unmarshal(raw, &res); err != nil {
		return nil, fmt.Errorf("decode deleteClient: %w", err)
	}
	return struct {
		deletedJSON
		ID              string `json:"id"`
		DatabaseDropped bool   `json:"database_dropped"`
	}{deletedJSON{true, "Client " + res.ID + " deleted"}, res.ID, res.DatabaseDropped}, nil
}

// gqlClient is the RestClient fragment.
type gqlClient struct {
	ID                 string  `json:"id"`
	Name               string  `json:"name"`
	Slug               string  `json:"slug"`
	ProvisioningStatus string  `json:"provisioningStatus"`
	ProvisioningError  *string `json:"provisioningError"`
	SchemaVersion      int     `json:"schemaVersion"`
	ProviderKeys       []struct {
		Provider   string  `json:"provider"`
		Configured bool    `json:"configured"`
		Last4      *string `json:"last4"`
	} `json:"providerKeys"`
	Livekit struct {
		URL        *string `json:"url"`
		APIKey     *string `json:"apiKey"`
		Configured bool    `json:"configured"`
	} `json:"livekit"`
	CreatedAt string `json:"createdAt"`
	UpdatedAt string `json:"updatedAt"`
}

type clientJSON struct {
	ID                 string         `json:"id"`
	Name               string         `json:"name"`
	Slug               string         `json:"slug"`
	ProvisioningStatus string         `json:"provisioning_status"`
	ProvisioningError  *string        `json:"provisioning_error"`
	SchemaVersion      int            `json:"schema_version"`
	Settings           clientSettings `json:"settings"`
	CreatedAt          string         `json:"created_at"`
	UpdatedAt          string         `json:"updated_at"`
}

type clientSettings struct {
	// APIKeys maps "<provider>_api_key" to the key's mask, or null when the
	// client has no key for that provider.
	APIKeys       map[string]*string `json:"api_keys"`
	LiveKitConfig liveKitJSON        `json:"livekit_config"`
}

type liveKitJSON struct {
	URL        *string `json:"url"`
	APIKey     *string `json:"api_key"`
	Configured bool    `json:"configured"`
}

func (g *gqlClient) legacy() clientJSON {
	out := clientJSON{
		ID: g.ID, Name: g.Name, Slug: g.Slug,
		ProvisioningStatus: strings.ToLower(g.ProvisioningStatus),
		ProvisioningError:  g.ProvisioningError, SchemaVersion: g.SchemaVersion,
		CreatedAt: g.CreatedAt, UpdatedAt: g.UpdatedAt,
		Settings: clientSettings{
			APIKeys: make(map[string]*string, len(g.ProviderKeys)),
			LiveKitConfig: liveKitJSON{URL: g.Livekit.URL, APIKey: g.Livekit.APIKey,
				Configured: g.Livekit.Configured},
		},
	}
	for _, k := range g.ProviderKeys {
		var mask *string
		if k.Configured {
			m := maskOf(k.Last4)
			mask = &m
		}
		out.Settings.APIKeys[k.Provider+apiKeySuffix] = mask
	}
	return out
}

// maskOf is the mask of a configured key from its stored last four
// characters, which are absent for keys too short to show any.
func maskOf(last4 *string) string {
	if last4 == nil {
		return secrets.MaskLast4("")
	}
	return secrets.MaskLast4(*last4)
}

func decodeClient(data json.RawMessage, name string) (*gqlClient, error) {
	raw, err := rootField(data, name)
	if err != nil {
		return nil, err
	}
	if isNull(raw) {
		return nil, nil
	}
	g := new(gqlClient)
	if err := json.Unmarshal(raw, g); err != nil {
		return nil, fmt.Errorf("decode %s: %w", name, err)
	}
	return g, nil
}

// client shapes the client in root field name.
func client(name string) shaper {
	return func(c *call, data json.RawMessage) (any, error) {
		g, err := decodeClient(data, name)
		if err != nil {
			return nil, err
		}
		if g == nil {
			return nil, apperr.New(apperr.NotFound, "client %v not found", c.vars["id"])
		}
		return g.legacy(), nil
	}
}

func clientList(_ *call, data json.RawMessage) (any, error) {
	var list []*gqlClient
	if err := json.Unmarshal(data, &list); err != nil {
		return nil, fmt.Errorf("decode clients: %w", err)
	}
	out := make([]clientJSON, 0, len(list))
	for _, g := range list {
		out = append(out, g.legacy())
	}
	return out, nil
}

// notConfigured is the api-keys route's value for a provider without a key.
const notConfigured = "Not configured"

func clientAPIKeys(c *call, data json.RawMessage) (any, error) {
	g, err := decodeClient(data, "client")
	if err != nil {
		return nil, err
	}
	if g == nil {
		return nil, apperr.New(apperr.NotFound, "client %v not found", c.vars["id"])
	}
	keys := make(map[string]string, len(g.ProviderKeys))
	for _, k := range g.ProviderKeys {
		keys[k.Provider+apiKeySuffix] = notConfigured
		if k.Configured {
			keys[k.Provider+apiKeySuffix] = maskOf(k.Last4)
		}
	}
	return struct {
		ClientID string            `json:"client_id"`
		APIKeys  map[string]string `json:"api_keys"`
	}{g.ID, keys}, nil
}

// siteJSON is a WordPress site. APIKey is set only in the response to its
// creation.
type siteJSON struct {
	ID             string   `json:"id"`
	ClientID       string   `json:"client_id"`
	Name           string   `json:"name"`
	Domain         string   `json:"domain"`
	AllowedOrigins []string `json:"allowed_origins"`
	KeyPrefix      string   `json:"key_prefix"`
	CreatedAt      string   `json:"created_at"`
	LastUsedAt     *string  `json:"last_used_at"`
	Revoked        bool     `json:"revoked"`
	APIKey         string   `json:"api_key,omitempty"`
}

func createdSite(_ *call, data json.RawMessage) (any, error) {
	raw, err := rootField(data, "createWordPressSite")
	if err != nil {
		return nil, err
	}
	var res struct {
		Site   siteJSON `json:"site"`
		APIKey string   `json:"api_key"`
	}
	if err := json.Unmarshal(raw, &res); err != nil {
		return nil, fmt.Errorf("decode createWordPressSite: %w", err)
	}
	res.Site.APIKey = res.APIKey
	return res.Site, nil
}
