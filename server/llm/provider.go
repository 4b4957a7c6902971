package llm

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/sidekick-forge/sidekick-forge/server/apperr"
)

// wireProtocol is the HTTP API a provider speaks.
type wireProtocol int

const (
	wireOpenAI    wireProtocol = iota // chat completions, via openai-go
	wireAnthropic                     // messages, via anthropic-sdk-go
)

// providerSpec describes how to reach one provider.
type providerSpec struct {
	wire wireProtocol
	// defaultBaseURL is used when neither the platform nor the request sets one.
	// Empty means the provider has no default.
	defaultBaseURL string
	// maxCompletionTokens sends the limit as max_completion_tokens, which OpenAI
	// prefers and its reasoning models require, instead of the older max_tokens
	// that OpenAI-compatible hosts accept.
	maxCompletionTokens bool
	// streamUsage requests a final usage chunk with stream_options.include_usage.
	// NOTE: only OpenAI's documentation was checked for this option, so the other
	// hosts are not sent it. A usage object that they send anyway is still read.
	streamUsage bool
}

var providerSpecs = map[string]providerSpec{
	"openai": {
		wire:                wireOpenAI,
		defaultBaseURL:      "https://api.openai.com/v1",
		maxCompletionTokens: true,
		streamUsage:         true,
	},
	"groq":              {wire: wireOpenAI, defaultBaseURL: "https://api.groq.com/openai/v1"},
	"deepinfra":         {wire: wireOpenAI, defaultBaseURL: "https://api.deepinfra.com/v1/openai"},
	"cerebras":          {wire: wireOpenAI, defaultBaseURL: "https://api.cerebras.ai/v1"},
	"openai_compatible": {wire: wireOpenAI},
	"anthropic":         {wire: wireAnthropic, defaultBaseURL: "https://api.anthropic.com"},
}

// call is a validated request, ready for an SDK.
type call struct {
	provider    string
	spec        providerSpec
	model       string
	apiKey      string
	baseURL     string
	system      string
	messages    []Message // non-empty, ending with a user message
	temperature *float64
	maxTokens   int
	httpClient  *http.Client
	maxRetries  int
}

// prepare checks req and resolves its base URL. The errors name the setting to fix.
func (r *Registry) prepare(req Request) (*call, error) {
	if req.Provider == "" {
		return nil, &apperr.Error{
			Code:    apperr.NotConfigured,
			Field:   "voice_settings.llm_provider",
			Message: "agent voice_settings.llm_provider is not set; use one of: " + providerList(),
		}
	}
	spec, ok := providerSpecs[req.Provider]
	if !ok {
		return nil, &apperr.Error{
			Code:  apperr.InvalidInput,
			Field: "voice_settings.llm_provider",
			Message: "agent voice_settings.llm_provider " + quoteShort(req.Provider) +
				" is not supported; use one of: " + providerList(),
		}
	}
	if strings.TrimSpace(req.Model) == "" {
		return nil, &apperr.Error{
			Code:    apperr.NotConfigured,
			Field:   "voice_settings.llm_model",
			Message: "agent voice_settings.llm_model is not set",
		}
	}
	if req.APIKey == "" {
		return nil, &apperr.Error{
			Code:  apperr.NotConfigured,
			Field: "settings.api_keys." + req.Provider + "_api_key",
			Message: "client has no " + req.Provider + " API key configured; set " +
				req.Provider + "_api_key in the client's settings",
		}
	}
	baseURL, err := r.resolveBaseURL(req, spec)
	if err != nil {
		return nil, err
	}
	messages, err := conversation(req.Messages)
	if err != nil {
		return nil, err
	}

	maxTokens := max(req.MaxTokens, 0)
	if spec.wire == wireAnthropic && maxTokens == 0 {
		maxTokens = DefaultAnthropicMaxTokens
	}
	return &call{
		provider:    req.Provider,
		spec:        spec,
		model:       strings.TrimSpace(req.Model),
		apiKey:      req.APIKey,
		baseURL:     baseURL,
		system:      req.System,
		messages:    messages,
		temperature: req.Temperature,
		maxTokens:   maxTokens,
		httpClient:  r.httpClient,
		maxRetries:  r.maxRetries,
	}, nil
}

// resolveBaseURL picks the base URL for req. For openai_compatible the client's
// URL wins over the platform's, because each client runs its own server. For the
// named providers the platform override wins, so a deployment that routes a
// provider through a proxy or a local double cannot be bypassed by a client setting.
//
// NOTE: any http(s) host is accepted, so a client's base URL can reach hosts on the
// server's own network. Restricting hosts is left to the layer that stores the URL.
func (r *Registry) resolveBaseURL(req Request, spec providerSpec) (string, error) {
	platform := r.baseURLs[req.Provider]
	var candidates []string
	if req.Provider == "openai_compatible" {
		candidates = []string{req.BaseURL, platform}
	} else {
		candidates = []string{platform, req.BaseURL, spec.defaultBaseURL}
	}

	var chosen string
	for _, c := range candidates {
		if c = strings.TrimSpace(c); c != "" {
			chosen = c
			break
		}
	}
	if chosen == "" {
		return "", &apperr.Error{
			Code:  apperr.NotConfigured,
			Field: "base_url",
			Message: req.Provider + ": no base URL configured; set the client's " +
				req.Provider + " base URL, for example http://127.0.0.1:8000/v1",
		}
	}

	u, err := url.Parse(chosen)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		// The URL is not echoed, because a malformed one may carry a password.
		return "", &apperr.Error{
			Code:    apperr.InvalidInput,
			Field:   "base_url",
			Message: req.Provider + ": base URL is not an absolute http or https URL",
		}
	}
	return chosen, nil
}

// conversation checks the messages and drops empty history entries. The last
// message must be the user's and must have text.
func conversation(in []Message) ([]Message, error) {
	if len(in) == 0 {
		return nil, apperr.Invalid("message", "is empty")
	}
	last := in[len(in)-1]
	if last.Role != RoleUser {
		return nil, apperr.Invalid("messages", "the last message must have role %q, not %q",
			RoleUser, last.Role)
	}
	if strings.TrimSpace(last.Content) == "" {
		return nil, apperr.Invalid("message", "is empty")
	}

	out := make([]Message, 0, len(in))
	for i, m := range in {
		if m.Role != RoleUser && m.Role != RoleAssistant {
			return nil, apperr.Invalid("messages", "message %d has role %s; use user or assistant",
				i, quoteShort(string(m.Role)))
		}
		if strings.TrimSpace(m.Content) == "" {
			continue
		}
		out = append(out, m)
	}
	return out, nil
}

func providerList() string {
	return strings.Join(Providers(), ", ")
}

// quoteShort quotes s for a message, cut to 40 runes so a caller cannot flood it.
func quoteShort(s string) string {
	runes := []rune(s)
	if len(runes) > 40 {
		s = string(runes[:40]) + "..."
	}
	return strconv.Quote(s)
}
