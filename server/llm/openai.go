package llm

import (
	"context"
	"strings"

	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/option"
)

// openAIService builds a chat completions client for one call.
//
// It uses openai.NewChatCompletionService and not openai.NewClient, because
// NewClient (openai-go v3.103.0) first applies options read from OPENAI_BASE_URL,
// OPENAI_API_KEY, OPENAI_ORG_ID, OPENAI_PROJECT_ID and OPENAI_CUSTOM_HEADERS. An
// explicit base URL and key override the first two, but the organization, project
// and custom headers would still be sent to every OpenAI-compatible host.
func openAIService(c *call) openai.ChatCompletionService {
	return openai.NewChatCompletionService(
		option.WithBaseURL(c.baseURL),
		option.WithAPIKey(c.apiKey),
		option.WithHTTPClient(c.httpClient),
		option.WithMaxRetries(c.maxRetries),
	)
}

func openAIParams(c *call) openai.ChatCompletionNewParams {
	messages := make([]openai.ChatCompletionMessageParamUnion, 0, len(c.messages)+1)
	if c.system != "" {
		messages = append(messages, openai.SystemMessage(c.system))
	}
	for _, m := range c.messages {
		if m.Role == RoleAssistant {
			messages = append(messages, openai.AssistantMessage(m.Content))
		} else {
			messages = append(messages, openai.UserMessage(m.Content))
		}
	}

	params := openai.ChatCompletionNewParams{Model: c.model, Messages: messages}
	if c.temperature != nil {
		params.Temperature = openai.Float(*c.temperature)
	}
	if c.maxTokens > 0 {
		if c.spec.maxCompletionTokens {
			params.MaxCompletionTokens = openai.Int(int64(c.maxTokens))
		} else {
			params.MaxTokens = openai.Int(int64(c.maxTokens))
		}
	}
	return params
}

func openAIComplete(ctx context.Context, c *call) (Reply, error) {
	service := openAIService(c)
	completion, err := service.New(ctx, openAIParams(c))
	if err != nil {
		return Reply{}, err
	}
	reply := Reply{
		Model:        completion.Model,
		InputTokens:  int(completion.Usage.PromptTokens),
		OutputTokens: int(completion.Usage.CompletionTokens),
	}
	if len(completion.Choices) == 0 {
		return reply, errNoChoices
	}
	reply.Text = completion.Choices[0].Message.Content
	reply.FinishReason = completion.Choices[0].FinishReason
	return reply, nil
}

func openAIStream(ctx context.Context, c *call, onDelta func(string) error) (Reply, error) {
	params := openAIParams(c)
	if c.spec.streamUsage {
		params.StreamOptions.IncludeUsage = openai.Bool(true)
	}
	service := openAIService(c)
	stream := service.NewStreaming(ctx, params)
	// Closing the body before the end of the stream drops the connection, which is
	// what stops the provider when onDelta fails.
	defer stream.Close()

	var reply Reply
	var text strings.Builder
	for stream.Next() {
		chunk := stream.Current()
		if chunk.Model != "" {
			reply.Model = chunk.Model
		}
		// The usage chunk that include_usage adds has no choices.
		if chunk.Usage.TotalTokens > 0 || chunk.Usage.PromptTokens > 0 {
			reply.InputTokens = int(chunk.Usage.PromptTokens)
			reply.OutputTokens = int(chunk.Usage.CompletionTokens)
		}
		if len(chunk.Choices) == 0 {
			continue
		}
		choice := chunk.Choices[0]
		if choice.FinishReason != "" {
			reply.FinishReason = choice.FinishReason
		}
		if delta := choice.Delta.Content; delta != "" {
			text.WriteString(delta)
			if err := onDelta(delta); err != nil {
				reply.Text = text.String()
				return reply, &deltaError{err: err}
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
