// Package llm calls the chat model an agent is configured with, through the providers'
// official SDKs: openai-go for OpenAI and every OpenAI-compatible host (Groq, DeepInfra,
// Cerebras, self-hosted servers) and anthropic-sdk-go for Anthropic.
//
// Every call takes its base URL, API key and HTTP client from the Registry and the
// Request only. The SDKs' environment variables (OPENAI_BASE_URL, OPENAI_API_KEY,
// ANTHROPIC_BASE_URL, ANTHROPIC_API_KEY and the rest) are never read, because one
// process serves many clients, each with its own keys.
package llm

import (
	"context"
	"net/http"
	"slices"
	"time"
)

// Role is the author of a chat message.
type Role string

const (
	RoleUser      Role = "user"
	RoleAssistant Role = "assistant"
)

// Message is one turn of a conversation.
type Message struct {
	Role    Role
	Content string
}

// Request is one chat call on behalf of a client's agent.
type Request struct {
	// Provider is one of Providers().
	Provider string
	Model    string
	// APIKey is the client's key for Provider. It is sent to the provider only.
	APIKey string
	// BaseURL is the client's base URL. openai_compatible requires it unless the
	// platform configures one. For the other providers it is used only when set and
	// the platform has no override.
	BaseURL string
	System  string
	// Messages run oldest first, and the last is the user's new message. Earlier
	// messages with empty content are skipped, because Anthropic rejects empty text.
	Messages []Message
	// Temperature is sent to the OpenAI-compatible providers only. Anthropic's API
	// version 2026-10-21, which anthropic-sdk-go v2 sends, rejects it.
	Temperature *float64
	// MaxTokens caps the reply. 0 leaves the limit to the provider, except for
	// Anthropic, which requires one and gets DefaultAnthropicMaxTokens.
	MaxTokens int
}

// Reply is the model's response to a Request.
type Reply struct {
	Text     string
	Provider string
	// Model is the model name the provider reported, or Request.Model when it
	// reported none.
	Model string
	// FinishReason is the provider's own value, for example "stop" or "length" from
	// OpenAI-compatible hosts and "end_turn" or "max_tokens" from Anthropic.
	FinishReason string
	InputTokens  int
	OutputTokens int
}

// Config configures a Registry. The zero value is usable.
type Config struct {
	// BaseURLs maps a provider name to a platform-wide base URL that replaces the
	// provider's default, for example "openai" -> "http://127.0.0.1:9999/v1". An
	// OpenAI-compatible URL includes the /v1 path. Anthropic's is the host root
	// ("http://127.0.0.1:9999"), because its SDK appends /v1/messages.
	BaseURLs map[string]string
	// Timeout bounds a whole call, streaming included. 0 selects DefaultTimeout.
	Timeout time.Duration
	// MaxRetries is how many times the SDK retries a failed attempt. The default 0
	// fails fast, because a user is waiting for the reply.
	MaxRetries int
	// HTTPClient sends every request. nil selects a client with its own transport.
	HTTPClient *http.Client
}

const (
	// DefaultTimeout bounds a call when Config.Timeout is 0.
	DefaultTimeout = 60 * time.Second
	// DefaultAnthropicMaxTokens is sent to Anthropic when Request.MaxTokens is 0,
	// because its messages API requires max_tokens.
	DefaultAnthropicMaxTokens = 1024
)

// Registry calls the supported providers. It is safe for concurrent use.
type Registry struct {
	baseURLs   map[string]string
	timeout    time.Duration
	maxRetries int
	httpClient *http.Client
}

// NewRegistry returns a Registry configured by cfg.
func NewRegistry(cfg Config) *Registry {
	r := &Registry{
		baseURLs:   make(map[string]string, len(cfg.BaseURLs)),
		timeout:    cfg.Timeout,
		maxRetries: max(cfg.MaxRetries, 0), // both SDKs panic on a negative count
		httpClient: cfg.HTTPClient,
	}
	for name, u := range cfg.BaseURLs {
		r.baseURLs[name] = u
	}
	if r.timeout <= 0 {
		r.timeout = DefaultTimeout
	}
	if r.httpClient == nil {
		transport := http.DefaultTransport.(*http.Transport).Clone()
		r.httpClient = &http.Client{Transport: transport}
	}
	return r
}

// Providers returns the supported provider names, sorted.
func Providers() []string {
	names := make([]string, 0, len(providerSpecs))
	for name := range providerSpecs {
		names = append(names, name)
	}
	slices.Sort(names)
	return names
}

// Supported reports whether provider is one of Providers().
func (r *Registry) Supported(provider string) bool {
	_, ok := providerSpecs[provider]
	return ok
}

// Complete sends req and waits for the whole reply.
//
// Errors are *apperr.Error values: INVALID_INPUT or NOT_CONFIGURED for a request that
// cannot be sent, UPSTREAM_FAILED when the provider fails and UPSTREAM_TIMEOUT when
// Config.Timeout passes. When ctx itself ends, the error wraps ctx.Err() instead.
func (r *Registry) Complete(ctx context.Context, req Request) (Reply, error) {
	return r.run(ctx, req, nil)
}

// Stream sends req and calls onDelta with each piece of text as it arrives, then
// returns the whole text in Reply. An error from onDelta, or the end of ctx, stops
// the provider call, and the returned error wraps it. After any error, Reply holds
// the text received so far. Other errors are those of Complete.
func (r *Registry) Stream(ctx context.Context, req Request,
	onDelta func(delta string) error) (Reply, error) {
	if onDelta == nil {
		onDelta = func(string) error { return nil }
	}
	return r.run(ctx, req, onDelta)
}

// run validates req, bounds the call by the timeout and sends it with the SDK of
// the provider's wire protocol. A nil onDelta makes a non-streaming call.
func (r *Registry) run(ctx context.Context, req Request,
	onDelta func(string) error) (Reply, error) {
	c, err := r.prepare(req)
	if err != nil {
		return Reply{}, err
	}

	callCtx, cancel := context.WithTimeout(ctx, r.timeout)
	defer cancel()

	var reply Reply
	switch {
	case c.spec.wire == wireAnthropic && onDelta == nil:
		reply, err = anthropicComplete(callCtx, c)
	case c.spec.wire == wireAnthropic:
		reply, err = anthropicStream(callCtx, c, onDelta)
	case onDelta == nil:
		reply, err = openAIComplete(callCtx, c)
	default:
		reply, err = openAIStream(callCtx, c, onDelta)
	}

	reply.Provider = c.provider
	if reply.Model == "" {
		reply.Model = c.model
	}
	if err != nil {
		return reply, classifyError(ctx, callCtx, c, r.timeout, err)
	}
	return reply, nil
}
