package llm_test

import (
	"context"
	"errors"
	"net"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/sidekick-forge/sidekick-forge/server/apperr"
	"github.com/sidekick-forge/sidekick-forge/server/llm"
	"github.com/sidekick-forge/sidekick-forge/server/llm/llmtest"
)

// providerCases lists every supported provider with the wire protocol the double
// should see for it, and whether a streamed reply reports token usage.
var providerCases = []struct {
	provider    string
	protocol    string
	streamUsage bool
}{
	{"openai", llmtest.ProtocolOpenAI, true},
	{"groq", llmtest.ProtocolOpenAI, false},
	{"deepinfra", llmtest.ProtocolOpenAI, false},
	{"cerebras", llmtest.ProtocolOpenAI, false},
	{"openai_compatible", llmtest.ProtocolOpenAI, false},
	{"anthropic", llmtest.ProtocolAnthropic, true},
}

// history is a conversation whose last message is the user's new one.
var history = []llm.Message{
	{Role: llm.RoleUser, Content: "My name is Ada."},
	{Role: llm.RoleAssistant, Content: "Hello Ada, how can I help?"},
	{Role: llm.RoleUser, Content: "What is my name?"},
}

const systemPrompt = "You are a concise assistant."

// platformBaseURLs points every named provider at double.
func platformBaseURLs(double *llmtest.Server) map[string]string {
	return map[string]string{
		"openai":    double.OpenAIBaseURL(),
		"groq":      double.OpenAIBaseURL(),
		"deepinfra": double.OpenAIBaseURL(),
		"cerebras":  double.OpenAIBaseURL(),
		"anthropic": double.AnthropicBaseURL(),
	}
}

// newRegistry returns a registry whose providers all reach double.
func newRegistry(double *llmtest.Server, cfg llm.Config) *llm.Registry {
	cfg.BaseURLs = platformBaseURLs(double)
	return llm.NewRegistry(cfg)
}

// newRequest returns a valid request for provider. For openai_compatible the
// client's base URL is double's URL.
func newRequest(provider string, double *llmtest.Server) llm.Request {
	req := llm.Request{
		Provider: provider,
		Model:    "model-" + provider,
		APIKey:   "key-" + provider + "-0123456789",
		System:   systemPrompt,
		Messages: slices.Clone(history),
	}
	if provider == "openai_compatible" {
		req.BaseURL = double.OpenAIBaseURL()
	}
	return req
}

// requireCode fails unless err is an *apperr.Error with code, and returns it.
func requireCode(t *testing.T, err error, code apperr.Code) *apperr.Error {
	t.Helper()
	if err == nil {
		t.Fatalf("error = nil, want code %s", code)
	}
	e, ok := apperr.As(err)
	if !ok {
		t.Fatalf("error %v (%T) is not an *apperr.Error, want code %s", err, err, code)
	}
	if e.Code != code {
		t.Fatalf("code = %s (message %q), want %s", e.Code, e.Message, code)
	}
	return e
}

func onlyRequest(t *testing.T, double *llmtest.Server) llmtest.Recorded {
	t.Helper()
	requests := double.Requests()
	if len(requests) != 1 {
		t.Fatalf("double received %d requests, want 1", len(requests))
	}
	return requests[0]
}

func TestRegistry_providersSendHistory(t *testing.T) {
	wantMessages := []llmtest.Message{
		{Role: "user", Content: "My name is Ada."},
		{Role: "assistant", Content: "Hello Ada, how can I help?"},
		{Role: "user", Content: "What is my name?"},
	}
	for _, tc := range providerCases {
		for _, stream := range []bool{false, true} {
			name := tc.provider + "/complete"
			if stream {
				name = tc.provider + "/stream"
			}
			t.Run(name, func(t *testing.T) {
				t.Parallel()
				double := llmtest.NewServer(t)
				registry := newRegistry(double, llm.Config{})
				req := newRequest(tc.provider, double)

				var reply llm.Reply
				var err error
				if stream {
					reply, err = registry.Stream(context.Background(), req,
						func(string) error { return nil })
				} else {
					reply, err = registry.Complete(context.Background(), req)
				}
				if err != nil {
					t.Fatalf("call: %v", err)
				}

				if want := "echo: What is my name?"; reply.Text != want {
					t.Errorf("reply text = %q, want %q", reply.Text, want)
				}
				if reply.Provider != tc.provider {
					t.Errorf("reply provider = %q, want %q", reply.Provider, tc.provider)
				}
				if reply.Model != req.Model {
					t.Errorf("reply model = %q, want %q", reply.Model, req.Model)
				}
				if reply.FinishReason == "" {
					t.Error("reply finish reason is empty")
				}
				if (!stream || tc.streamUsage) && reply.OutputTokens == 0 {
					t.Error("reply output tokens = 0")
				}

				got := onlyRequest(t, double)
				if got.Provider != tc.protocol {
					t.Errorf("protocol = %q, want %q", got.Provider, tc.protocol)
				}
				if got.Model != req.Model {
					t.Errorf("sent model = %q, want %q", got.Model, req.Model)
				}
				if got.APIKey != req.APIKey {
					t.Errorf("sent API key = %q, want %q", got.APIKey, req.APIKey)
				}
				if got.System != systemPrompt {
					t.Errorf("sent system = %q, want %q", got.System, systemPrompt)
				}
				if !slices.Equal(got.Messages, wantMessages) {
					t.Errorf("sent messages = %+v, want %+v", got.Messages, wantMessages)
				}
				if got.Stream != stream {
					t.Errorf("sent stream = %v, want %v", got.Stream, stream)
				}
			})
		}
	}
}

func TestRegistry_streamDeltasMakeReply(t *testing.T) {
	for _, tc := range providerCases {
		t.Run(tc.provider, func(t *testing.T) {
			t.Parallel()
			double := llmtest.NewServer(t)
			double.SetReply(func(llmtest.Recorded) string {
				return "one two three four five"
			})
			registry := newRegistry(double, llm.Config{})

			var deltas []string
			reply, err := registry.Stream(context.Background(), newRequest(tc.provider, double),
				func(d string) error {
					deltas = append(deltas, d)
					return nil
				})
			if err != nil {
				t.Fatalf("stream: %v", err)
			}

			if len(deltas) < 3 {
				t.Errorf("got %d deltas %q, want at least 3", len(deltas), deltas)
			}
			if joined := strings.Join(deltas, ""); joined != reply.Text {
				t.Errorf("joined deltas = %q, reply text = %q", joined, reply.Text)
			}
			if reply.Text != "one two three four five" {
				t.Errorf("reply text = %q", reply.Text)
			}
		})
	}
}

func TestRegistry_providerHTTPError(t *testing.T) {
	for _, provider := range []string{"openai", "groq", "anthropic"} {
		for _, stream := range []bool{false, true} {
			t.Run(provider+map[bool]string{false: "/complete", true: "/stream"}[stream],
				func(t *testing.T) {
					t.Parallel()
					double := llmtest.NewServer(t)
					double.Fail(llmtest.Failure{Status: 500, Message: "The engine is overloaded."})
					registry := newRegistry(double, llm.Config{})

					_, err := call(registry, newRequest(provider, double), stream)

					e := requireCode(t, err, apperr.UpstreamFailed)
					wantPrefix := provider + ": provider returned HTTP 500"
					if !strings.HasPrefix(e.Message, wantPrefix) {
						t.Errorf("message = %q, want prefix %q", e.Message, wantPrefix)
					}
					if !strings.Contains(e.Message, "The engine is overloaded.") {
						t.Errorf("message = %q, want the provider's message", e.Message)
					}
				})
		}
	}
}

// call runs Complete or Stream.
func call(registry *llm.Registry, req llm.Request, stream bool) (llm.Reply, error) {
	if stream {
		return registry.Stream(context.Background(), req, func(string) error { return nil })
	}
	return registry.Complete(context.Background(), req)
}

func TestRegistry_errorHidesAPIKey(t *testing.T) {
	for _, provider := range []string{"openai", "anthropic"} {
		t.Run(provider, func(t *testing.T) {
			t.Parallel()
			double := llmtest.NewServer(t)
			req := newRequest(provider, double)
			long := strings.Repeat("detail ", 100)
			double.Fail(llmtest.Failure{Status: 401, Message: "Key " + req.APIKey + " is revoked. " + long})
			registry := newRegistry(double, llm.Config{})

			_, err := registry.Complete(context.Background(), req)

			e := requireCode(t, err, apperr.UpstreamFailed)
			if strings.Contains(e.Message, req.APIKey) {
				t.Errorf("message %q contains the API key", e.Message)
			}
			if strings.Contains(err.Error(), req.APIKey) {
				t.Errorf("error text %q contains the API key", err.Error())
			}
			if n := len([]rune(e.Message)); n > 300 {
				t.Errorf("message has %d runes, want the provider text cut short", n)
			}
		})
	}
}

func TestRegistry_timeout(t *testing.T) {
	for _, provider := range []string{"openai", "anthropic"} {
		for _, tc := range []struct {
			name        string
			stream      bool
			afterDeltas int
		}{
			{"before headers", false, 0},
			{"stream before headers", true, 0},
			{"mid stream", true, 2},
		} {
			t.Run(provider+"/"+tc.name, func(t *testing.T) {
				t.Parallel()
				double := llmtest.NewServer(t)
				double.Hang(tc.afterDeltas)
				registry := newRegistry(double, llm.Config{Timeout: 200 * time.Millisecond})

				start := time.Now()
				reply, err := call(registry, newRequest(provider, double), tc.stream)
				elapsed := time.Since(start)

				e := requireCode(t, err, apperr.UpstreamTimeout)
				if want := provider + ": no reply within 200ms"; e.Message != want {
					t.Errorf("message = %q, want %q", e.Message, want)
				}
				if elapsed > 2*time.Second {
					t.Errorf("call took %v, want about 200ms", elapsed)
				}
				if tc.afterDeltas > 0 && reply.Text != "echo: What " {
					t.Errorf("partial text = %q, want the %d deltas sent", reply.Text, tc.afterDeltas)
				}
				if !double.WaitCancelled(1, 2*time.Second) {
					t.Errorf("double saw %d cancelled requests, want 1", double.Cancelled())
				}
			})
		}
	}
}

func TestRegistry_cancelMidStream(t *testing.T) {
	for _, provider := range []string{"openai", "anthropic"} {
		t.Run(provider, func(t *testing.T) {
			t.Parallel()
			double := llmtest.NewServer(t)
			double.Hang(1)
			registry := newRegistry(double, llm.Config{})
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()

			var deltas []string
			reply, err := registry.Stream(ctx, newRequest(provider, double), func(d string) error {
				deltas = append(deltas, d)
				cancel()
				return nil
			})

			if !errors.Is(err, context.Canceled) {
				t.Fatalf("error = %v, want context.Canceled", err)
			}
			if _, ok := apperr.As(err); ok {
				t.Errorf("error %v is an *apperr.Error, want the caller's cancellation", err)
			}
			if len(deltas) != 1 {
				t.Errorf("got %d deltas, want 1", len(deltas))
			}
			if reply.Text != "echo: " {
				t.Errorf("partial text = %q, want %q", reply.Text, "echo: ")
			}
			if !double.WaitCancelled(1, 2*time.Second) {
				t.Errorf("double saw %d cancelled requests, want 1", double.Cancelled())
			}
		})
	}
}

func TestRegistry_deltaErrorStopsStream(t *testing.T) {
	errStop := errors.New("browser went away")
	for _, provider := range []string{"openai", "anthropic"} {
		t.Run(provider, func(t *testing.T) {
			t.Parallel()
			double := llmtest.NewServer(t)
			double.SetReply(func(llmtest.Recorded) string {
				return strings.Repeat("word ", 50)
			})
			double.SetDelay(20 * time.Millisecond)
			registry := newRegistry(double, llm.Config{})

			calls := 0
			start := time.Now()
			reply, err := registry.Stream(context.Background(), newRequest(provider, double),
				func(string) error {
					calls++
					if calls == 2 {
						return errStop
					}
					return nil
				})

			if !errors.Is(err, errStop) {
				t.Fatalf("error = %v, want the onDelta error", err)
			}
			if calls != 2 {
				t.Errorf("onDelta ran %d times, want 2", calls)
			}
			if reply.Text != "word word " {
				t.Errorf("partial text = %q, want %q", reply.Text, "word word ")
			}
			// 50 deltas at 20ms each would take a second.
			if elapsed := time.Since(start); elapsed > 500*time.Millisecond {
				t.Errorf("stream took %v after onDelta failed", elapsed)
			}
			if !double.WaitCancelled(1, 2*time.Second) {
				t.Errorf("double saw %d cancelled requests, want 1", double.Cancelled())
			}
		})
	}
}

func TestRegistry_truncatedStream(t *testing.T) {
	for _, provider := range []string{"openai", "anthropic"} {
		t.Run(provider, func(t *testing.T) {
			t.Parallel()
			double := llmtest.NewServer(t)
			double.TruncateStreams(2)
			registry := newRegistry(double, llm.Config{})

			reply, err := call(registry, newRequest(provider, double), true)

			e := requireCode(t, err, apperr.UpstreamFailed)
			if want := provider + ": stream ended before the reply was complete"; e.Message != want {
				t.Errorf("message = %q, want %q", e.Message, want)
			}
			if reply.Text != "echo: What " {
				t.Errorf("partial text = %q, want %q", reply.Text, "echo: What ")
			}
		})
	}
}

func TestRegistry_rejectsInvalidRequest(t *testing.T) {
	double := llmtest.NewServer(t)
	registry := newRegistry(double, llm.Config{})
	valid := newRequest("openai", double)

	cases := []struct {
		name        string
		edit        func(*llm.Request)
		code        apperr.Code
		wantMessage string
	}{
		{
			name:        "no provider",
			edit:        func(r *llm.Request) { r.Provider = "" },
			code:        apperr.NotConfigured,
			wantMessage: "agent voice_settings.llm_provider is not set",
		},
		{
			name: "unknown provider",
			edit: func(r *llm.Request) { r.Provider = "mistral" },
			code: apperr.InvalidInput,
			wantMessage: `agent voice_settings.llm_provider "mistral" is not supported; ` +
				"use one of: anthropic, cerebras",
		},
		{
			name:        "no model",
			edit:        func(r *llm.Request) { r.Model = " " },
			code:        apperr.NotConfigured,
			wantMessage: "agent voice_settings.llm_model is not set",
		},
		{
			name:        "no key",
			edit:        func(r *llm.Request) { r.APIKey = "" },
			code:        apperr.NotConfigured,
			wantMessage: "client has no openai API key configured",
		},
		{
			name: "openai_compatible without base URL",
			edit: func(r *llm.Request) {
				r.Provider = "openai_compatible"
				r.BaseURL = ""
			},
			code: apperr.NotConfigured,
			wantMessage: "openai_compatible: no base URL configured; " +
				"set the client's openai_compatible base URL",
		},
		{
			name: "relative base URL",
			edit: func(r *llm.Request) {
				r.Provider = "openai_compatible"
				r.BaseURL = "localhost:8000/v1"
			},
			code:        apperr.InvalidInput,
			wantMessage: "openai_compatible: base URL is not an absolute http or https URL",
		},
		{
			name:        "no messages",
			edit:        func(r *llm.Request) { r.Messages = nil },
			code:        apperr.InvalidInput,
			wantMessage: "message: is empty",
		},
		{
			name: "empty new message",
			edit: func(r *llm.Request) {
				r.Messages = []llm.Message{{Role: llm.RoleUser, Content: "  "}}
			},
			code:        apperr.InvalidInput,
			wantMessage: "message: is empty",
		},
		{
			name: "last message from assistant",
			edit: func(r *llm.Request) {
				r.Messages = []llm.Message{{Role: llm.RoleAssistant, Content: "hi"}}
			},
			code:        apperr.InvalidInput,
			wantMessage: `messages: the last message must have role "user"`,
		},
		{
			name: "unknown role",
			edit: func(r *llm.Request) {
				r.Messages = []llm.Message{{Role: "tool", Content: "x"}, history[2]}
			},
			code:        apperr.InvalidInput,
			wantMessage: `messages: message 0 has role "tool"; use user or assistant`,
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			req := valid
			tc.edit(&req)

			_, err := registry.Complete(context.Background(), req)

			e := requireCode(t, err, tc.code)
			if !strings.HasPrefix(e.Message, tc.wantMessage) {
				t.Errorf("message = %q, want prefix %q", e.Message, tc.wantMessage)
			}
		})
	}
	if n := len(double.Requests()); n != 0 {
		t.Errorf("double received %d requests for invalid input, want 0", n)
	}
}

func TestRegistry_platformBaseURLOverride(t *testing.T) {
	t.Run("groq override wins over the client's URL", func(t *testing.T) {
		double := llmtest.NewServer(t)
		registry := llm.NewRegistry(llm.Config{
			BaseURLs: map[string]string{"groq": double.OpenAIBaseURL()},
		})
		req := newRequest("groq", double)
		req.BaseURL = closedURL(t) + "/v1"

		reply, err := registry.Complete(context.Background(), req)
		if err != nil {
			t.Fatalf("complete: %v", err)
		}

		if reply.Text != "echo: What is my name?" {
			t.Errorf("reply text = %q", reply.Text)
		}
		if got := onlyRequest(t, double); got.Path != "/v1/chat/completions" {
			t.Errorf("path = %q, want /v1/chat/completions", got.Path)
		}
	})
	t.Run("openai_compatible client URL wins over the platform's", func(t *testing.T) {
		platformDouble := llmtest.NewServer(t)
		clientDouble := llmtest.NewServer(t)
		registry := llm.NewRegistry(llm.Config{
			BaseURLs: map[string]string{"openai_compatible": platformDouble.OpenAIBaseURL()},
		})

		_, err := registry.Complete(context.Background(), newRequest("openai_compatible", clientDouble))
		if err != nil {
			t.Fatalf("complete: %v", err)
		}

		if n := len(clientDouble.Requests()); n != 1 {
			t.Errorf("client's server received %d requests, want 1", n)
		}
		if n := len(platformDouble.Requests()); n != 0 {
			t.Errorf("platform's server received %d requests, want 0", n)
		}
	})
	t.Run("openai_compatible falls back to the platform URL", func(t *testing.T) {
		double := llmtest.NewServer(t)
		registry := llm.NewRegistry(llm.Config{
			BaseURLs: map[string]string{"openai_compatible": double.OpenAIBaseURL()},
		})
		req := newRequest("openai_compatible", double)
		req.BaseURL = ""

		if _, err := registry.Complete(context.Background(), req); err != nil {
			t.Fatalf("complete: %v", err)
		}
		if n := len(double.Requests()); n != 1 {
			t.Errorf("platform's server received %d requests, want 1", n)
		}
	})
}

func TestRegistry_ignoresSDKEnvironment(t *testing.T) {
	bogus := closedURL(t)
	t.Setenv("OPENAI_BASE_URL", bogus+"/v1")
	t.Setenv("OPENAI_API_KEY", "env-openai-key")
	t.Setenv("OPENAI_ORG_ID", "org-from-env")
	t.Setenv("OPENAI_PROJECT_ID", "proj-from-env")
	t.Setenv("OPENAI_CUSTOM_HEADERS", "X-From-Env: openai")
	t.Setenv("ANTHROPIC_BASE_URL", bogus)
	t.Setenv("ANTHROPIC_API_KEY", "env-anthropic-key")
	t.Setenv("ANTHROPIC_AUTH_TOKEN", "env-anthropic-token")
	t.Setenv("ANTHROPIC_CUSTOM_HEADERS", "X-From-Env: anthropic")

	for _, tc := range providerCases {
		for _, stream := range []bool{false, true} {
			t.Run(tc.provider+map[bool]string{false: "/complete", true: "/stream"}[stream],
				func(t *testing.T) {
					double := llmtest.NewServer(t)
					registry := newRegistry(double, llm.Config{})
					req := newRequest(tc.provider, double)

					if _, err := call(registry, req, stream); err != nil {
						t.Fatalf("call: %v", err)
					}

					got := onlyRequest(t, double)
					if got.APIKey != req.APIKey {
						t.Errorf("sent API key = %q, want the request's %q", got.APIKey, req.APIKey)
					}
					for _, header := range []string{
						"OpenAI-Organization", "OpenAI-Project", "X-From-Env",
					} {
						if v := got.Header.Get(header); v != "" {
							t.Errorf("header %s = %q came from the environment", header, v)
						}
					}
				})
		}
	}
}

func TestRegistry_anthropicRequestShape(t *testing.T) {
	double := llmtest.NewServer(t)
	registry := newRegistry(double, llm.Config{})
	req := newRequest("anthropic", double)
	temperature := 0.2
	req.Temperature = &temperature

	if _, err := registry.Complete(context.Background(), req); err != nil {
		t.Fatalf("complete: %v", err)
	}

	got := onlyRequest(t, double)
	if got.MaxTokens != llm.DefaultAnthropicMaxTokens {
		t.Errorf("max_tokens = %d, want %d", got.MaxTokens, llm.DefaultAnthropicMaxTokens)
	}
	if got.Temperature != nil {
		t.Errorf("temperature = %v, want none (API version 2026-10-21 rejects it)", *got.Temperature)
	}
	if got.AnthropicVersion == "" {
		t.Error("anthropic-version header is missing")
	}
	if got.AuthHeader == "" {
		t.Error("no auth header carried the key")
	}
}

// anthropic-sdk-go refuses, before sending, a non-streaming call whose max_tokens
// suggests more than 10 minutes of generation, unless a request timeout is set.
func TestRegistry_anthropicLargeMaxTokens(t *testing.T) {
	double := llmtest.NewServer(t)
	registry := newRegistry(double, llm.Config{})
	req := newRequest("anthropic", double)
	req.MaxTokens = 64000

	if _, err := registry.Complete(context.Background(), req); err != nil {
		t.Fatalf("complete: %v", err)
	}
	if got := onlyRequest(t, double); got.MaxTokens != 64000 {
		t.Errorf("max_tokens = %d, want 64000", got.MaxTokens)
	}
}

func TestRegistry_openAIRequestShape(t *testing.T) {
	temperature := 0.3
	for _, tc := range []struct {
		provider     string
		includeUsage bool
	}{
		{"openai", true},
		{"groq", false},
	} {
		t.Run(tc.provider, func(t *testing.T) {
			double := llmtest.NewServer(t)
			registry := newRegistry(double, llm.Config{})
			req := newRequest(tc.provider, double)
			req.Temperature = &temperature
			req.MaxTokens = 256

			reply, err := call(registry, req, true)
			if err != nil {
				t.Fatalf("stream: %v", err)
			}

			got := onlyRequest(t, double)
			if got.Temperature == nil || *got.Temperature != temperature {
				t.Errorf("temperature = %v, want %v", got.Temperature, temperature)
			}
			if got.MaxTokens != 256 {
				t.Errorf("max tokens = %d, want 256", got.MaxTokens)
			}
			if got.AuthHeader != "Authorization" {
				t.Errorf("auth header = %q, want Authorization", got.AuthHeader)
			}
			if got.IncludeUsage != tc.includeUsage {
				t.Errorf("include_usage = %v, want %v", got.IncludeUsage, tc.includeUsage)
			}
			if tc.includeUsage && reply.InputTokens == 0 {
				t.Error("reply input tokens = 0 although usage was requested")
			}
		})
	}
}

func TestRegistry_retries(t *testing.T) {
	for _, tc := range []struct {
		name         string
		maxRetries   int
		wantErr      bool
		wantRequests int
	}{
		{"default fails fast", 0, true, 1},
		{"one retry recovers", 1, false, 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			double := llmtest.NewServer(t)
			double.Fail(llmtest.Failure{Status: 503, Count: 1})
			registry := newRegistry(double, llm.Config{MaxRetries: tc.maxRetries})

			_, err := registry.Complete(context.Background(), newRequest("openai", double))

			if (err != nil) != tc.wantErr {
				t.Errorf("error = %v, want error %v", err, tc.wantErr)
			}
			if n := len(double.Requests()); n != tc.wantRequests {
				t.Errorf("double received %d requests, want %d", n, tc.wantRequests)
			}
		})
	}
}

func TestRegistry_unreachableProvider(t *testing.T) {
	for _, provider := range []string{"openai", "anthropic"} {
		t.Run(provider, func(t *testing.T) {
			registry := llm.NewRegistry(llm.Config{
				BaseURLs: map[string]string{provider: closedURL(t) + "/v1"},
			})
			req := newRequest(provider, nil)

			_, err := registry.Complete(context.Background(), req)

			e := requireCode(t, err, apperr.UpstreamFailed)
			if want := provider + ": request to provider failed"; e.Message != want {
				t.Errorf("message = %q, want %q", e.Message, want)
			}
		})
	}
}

func TestProviders_sortedAndSupported(t *testing.T) {
	want := []string{"anthropic", "cerebras", "deepinfra", "groq", "openai", "openai_compatible"}
	if got := llm.Providers(); !slices.Equal(got, want) {
		t.Errorf("Providers() = %v, want %v", got, want)
	}
	registry := llm.NewRegistry(llm.Config{})
	for _, name := range want {
		if !registry.Supported(name) {
			t.Errorf("Supported(%q) = false", name)
		}
	}
	if registry.Supported("mistral") {
		t.Error(`Supported("mistral") = true`)
	}
}

// closedURL returns the URL of a 127.0.0.1 port that was just free, so a request to
// it is refused.
func closedURL(t *testing.T) string {
	t.Helper()
	listener, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("listen: %v", err)
	}
	addr := listener.Addr().String()
	if err := listener.Close(); err != nil {
		t.Fatalf("close listener: %v", err)
	}
	return "http://" + addr
}

// BenchmarkRegistry measures one call through the SDK to the local double, which
// includes building the SDK client, encoding, HTTP over loopback and decoding.
func BenchmarkRegistry(b *testing.B) {
	for _, provider := range []string{"openai", "anthropic"} {
		for _, stream := range []bool{false, true} {
			b.Run(provider+map[bool]string{false: "/complete", true: "/stream"}[stream],
				func(b *testing.B) {
					double := llmtest.NewServer(b)
					registry := newRegistry(double, llm.Config{})
					req := newRequest(provider, double)
					b.ReportAllocs()
					for b.Loop() {
						if _, err := call(registry, req, stream); err != nil {
							b.Fatal(err)
						}
					}
				})
		}
	}
}
