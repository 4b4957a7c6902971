// Package livekit wraps the LiveKit server APIs that Sidekick Forge needs:
// rooms, explicit agent dispatch, user access tokens and webhook verification.
// Every call takes the client's Settings, so one process serves many tenants,
// each with its own LiveKit project.
package livekit

import (
	"net/url"
	"strings"

	"github.com/sidekick-forge/sidekick-forge/server/apperr"
)

// Settings are one client's LiveKit settings (or the platform default).
type Settings struct {
	// URL is the LiveKit server address, in http(s):// or ws(s):// form.
	URL       string
	APIKey    string
	APISecret string
	// AgentName is the worker's registered agent name, used for explicit
	// dispatch when a call passes no agent name of its own.
	AgentName string
}

// ServerURL returns URL in the ws:// or wss:// form that browsers and the
// client SDKs connect to. A URL with another scheme is returned trimmed but
// otherwise unchanged, and Check reports it.
func (s Settings) ServerURL() string {
	u := strings.TrimRight(strings.TrimSpace(s.URL), "/")
	lower := strings.ToLower(u)
	switch {
	case strings.HasPrefix(lower, "https://"):
		return "wss://" + u[len("https://"):]
	case strings.HasPrefix(lower, "http://"):
		return "ws://" + u[len("http://"):]
	case strings.HasPrefix(lower, "wss://"):
		return "wss://" + u[len("wss://"):]
	case strings.HasPrefix(lower, "ws://"):
		return "ws://" + u[len("ws://"):]
	}
	return u
}

// Missing returns the names of the settings that are empty, in the spelling
// of the settings API: "url", "api_key", "api_secret". AgentName is not
// listed, because callers may pass the agent name per call.
func (s Settings) Missing() []string {
	var missing []string
	if strings.TrimSpace(s.URL) == "" {
		missing = append(missing, "url")
	}
	if strings.TrimSpace(s.APIKey) == "" {
		missing = append(missing, "api_key")
	}
	if strings.TrimSpace(s.APISecret) == "" {
		missing = append(missing, "api_secret")
	}
	return missing
}

// Check returns a NOT_CONFIGURED error when a setting is missing or the URL is
// not a ws(s):// or http(s):// URL with a host. Details["missing"] lists the
// missing settings by name.
func (s Settings) Check() error {
	if missing := s.Missing(); len(missing) > 0 {
		err := apperr.New(apperr.NotConfigured,
			"LiveKit settings missing: %s", strings.Join(missing, ", "))
		err.Details = map[string]any{"missing": missing}
		return err
	}

	u, err := url.Parse(s.ServerURL())
	if err != nil || (u.Scheme != "ws" && u.Scheme != "wss") || u.Host == "" {
		return &apperr.Error{
			Code:    apperr.NotConfigured,
			Field:   "url",
			Message: "LiveKit url must be a ws://, wss://, http:// or https:// URL with a host",
			Err:     err,
		}
	}
	return nil
}
