package llm

import (
	"context"
	"strings"
	"time"

	"github.com/anthropics/anthropic-sdk-go/v2"
	"github.com/anthropics/anthropic-sdk-go/v2/option"
)

// anthropicClient builds a messages client for one call.
//
// WithoutEnvironmentDefaults stops anthropic.NewClient (anthropic-sdk-go v2.17.0)
// from reading ANTHROPIC_BASE_URL, ANTHROPIC_CUSTOM_HEADERS and the credential chain
// (ANTHROPIC_API_KEY, ANTHROPIC_AUTH_TOKEN, profiles on disk). The SDK also records
// OpenTelemetry spans through the global tracer provider, and the environment
// variable ANTHROPIC_OPEN_TELEMETRY_TRACES_CONTENT_MODE=content would put the
// conversation into them, so the content mode is fixed to metadata only.
//
// The request timeout set here is the call's own timeout. Without one, the SDK
// refuses a non-streaming call whose max_tokens suggests more than 10 minutes of
// generation; the context deadline bounds the call either way.
func anthropicClient(c *call, timeout time.Duration) anthropic.Client {
	return anthropic.NewClient(
		option.WithoutEnvironmentDefaults(),
		option.WithBaseURL(c.baseURL),
		option.WithAPIKey(c.apiKey),
		option.WithHTTPClient(c.httpClient),
		option.WithMaxRetries(c.maxRetries),
		option.WithRequestTimeout(timeout),
		option.WithOpenTelemetryTracesContentMode(option.OpenTelemetryContentModeMetadataOnly),
	)
}

// anthropicParams builds the request body. Temperature is not sent, because
// anthropic-sdk-go v2 has no field for it and the API version it sends
// (anthropic-version 2026-10-21) rejects temperature, top_p and top_k with HTTP 400.
func anthropicParams(c *call) anthropic.MessageNewParams {
	messages := make([]anthropic.MessageParam, 0, len(c.messages))
	for _, m := range c.messages {
		block := anthropic.NewTextBlock(m.Content)
		if m.Role == RoleAssistant {
			messages = append(messages, anthropic.NewAssistantMessage(block))
		} else {
			messages = append(messages, anthropic.NewUserMessage(block))
		}
	}

	params := anthropic.MessageNewParams{
		Model:     c.model,
		MaxTokens: int64(c.maxTokens),
		Messages:  messages,
	}
	if c.system != "" {
		params.System = []anthropic.TextBlockParam{{Text: c.system}}
	}
	return params
}

func anthropicComplete(ctx context.Context, c *call) (Reply, error) {
	client := anthropicClient(c, callTimeout(ctx))
	message, err := client.Messages.New(ctx, anthropicParams(c))
	if err != nil {
		return Reply{}, err
	}

	var text strings.Builder
	for _, block := range message.Content {
		if block.Type == "text" {
			text.WriteString(block.Text)
		}
	}
	return Reply{
		Text:         text.String(),
		Model:        message.Model,
		FinishReason: string(message.StopReason),
		InputTokens:  int(message.Usage.InputTokens),
		OutputTokens: int(message.Usage.OutputTokens),
	}, nil
}

func anthropicStream(ctx context.Context, c *call, onDelta func(string) error) (Reply, error) {
	client := anthropicClient(c, callTimeout(ctx))
	stream := client.Messages.NewStreaming(ctx, anthropicParams(c))
	// Closing the body before the end of the stream drops the connection, which is
	// what stops the provider when onDelta fails.
	defer stream.Close()

	var reply Reply
	var text strings.Builder
	for stream.Next() {
		event := stream.Current()
		switch event.Type {
		case "message_start":
			reply.Model = event.Message.Model
			reply.InputTokens = int(event.Message.Usage.InputTokens)
			reply.OutputTokens = int(event.Message.Usage.OutputTokens)
		case "content_block_delta":
			// Other delta types (thinking, signatures, tool input) are not reply text.
			if event.Delta.Type != "text_delta" || event.Delta.Text == "" {
				continue
			}
			text.WriteString(event.Delta.Text)
			if err := onDelta(event.Delta.Text); err != nil {
				reply.Text = text.String()
				return reply, &deltaError{err: err}
			}
		case "message_delta":
			reply.FinishReason = string(event.Delta.StopReason)
			// The counts in message_delta are cumulative for the whole message.
			reply.OutputTokens = int(event.Usage.OutputTokens)
			if event.Usage.InputTokens > 0 {
				reply.InputTokens = int(event.Usage.InputTokens)
			}
		}
	}
	reply.Text = text.String()
	if err := stream.Err(); err != nil {
		return reply, err
	}
	if reply.FinishReason == "" {
		return reply, errStreamIncomplete
	}
	return reply, nil
}

// callTimeout returns the time left before ctx's deadline, or DefaultTimeout when it
// has none. run always sets a deadline, so the fallback only guards direct callers.
func callTimeout(ctx context.Context) time.Duration {
	deadline, ok := ctx.Deadline()
	if !ok {
		return DefaultTimeout
	}
	return max(time.Until(deadline), time.Millisecond)
}
