package llmtest

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"
)

// openAIRequest is the part of a chat completions request body that the double reads.
type openAIRequest struct {
	Model    string `json:"model"`
	Messages []struct {
		Role    string          `json:"role"`
		Content json.RawMessage `json:"content"`
	} `json:"messages"`
	Stream        bool `json:"stream"`
	StreamOptions *struct {
		IncludeUsage bool `json:"include_usage"`
	} `json:"stream_options"`
	MaxTokens           *int     `json:"max_tokens"`
	MaxCompletionTokens *int     `json:"max_completion_tokens"`
	Temperature         *float64 `json:"temperature"`
}

type openAIUsage struct {
	PromptTokens            int `json:"prompt_tokens"`
	CompletionTokens        int `json:"completion_tokens"`
	TotalTokens             int `json:"total_tokens"`
	PromptTokensDetails     any `json:"prompt_tokens_details"`
	CompletionTokensDetails any `json:"completion_tokens_details"`
}

type openAIChoice struct {
	Index        int             `json:"index"`
	Message      any             `json:"message,omitempty"`
	Delta        any             `json:"delta,omitempty"`
	Logprobs     json.RawMessage `json:"logprobs"`
	FinishReason *string         `json:"finish_reason"`
}

// openAIObject is a chat.completion or a chat.completion.chunk.
type openAIObject struct {
	ID                string          `json:"id"`
	Object            string          `json:"object"`
	Created           int64           `json:"created"`
	Model             string          `json:"model"`
	SystemFingerprint string          `json:"system_fingerprint"`
	ServiceTier       string          `json:"service_tier"`
	Choices           []openAIChoice  `json:"choices"`
	Usage             json.RawMessage `json:"usage,omitempty"`
}

var jsonNull = json.RawMessage("null")

// serveOpenAI handles POST /v1/chat/completions.
func (ex *exchange) serveOpenAI() {
	var body openAIRequest
	rec := Recorded{Provider: ProtocolOpenAI, Path: ex.r.URL.Path}
	rec.APIKey = bearerToken(ex.r)
	if rec.APIKey != "" {
		rec.AuthHeader = "Authorization"
	}
	parseErr := decodeBody(ex.w, ex.r, &body)
	if parseErr == nil {
		fillOpenAIRecord(&rec, body)
	}
	b := ex.record(rec)

	switch {
	case rec.APIKey == "":
		ex.openAIError(http.StatusUnauthorized, "You didn't provide an API key. Provide it "+
			"in the Authorization header as a Bearer token.", "")
		return
	case b.apiKey != "" && rec.APIKey != b.apiKey:
		ex.openAIError(http.StatusUnauthorized, "Incorrect API key provided: "+
			maskKey(rec.APIKey)+".", "invalid_api_key")
		return
	case parseErr != nil:
		ex.openAIError(http.StatusBadRequest, "We could not parse the JSON body of your "+
			"request: "+parseErr.Error(), "")
		return
	case rec.Model == "":
		ex.openAIError(http.StatusBadRequest, "you must provide a model parameter", "")
		return
	case len(body.Messages) == 0:
		ex.openAIError(http.StatusBadRequest, "[] is too short - 'messages'", "")
		return
	case b.failure != nil:
		ex.openAIError(b.failure.Status, b.failure.Message, "")
		return
	case b.hangAfter == 0 || (b.hangAfter > 0 && !rec.Stream):
		ex.hang()
		return
	}

	text := b.reply(rec)
	usage := openAIUsage{
		PromptTokens:            countTokens(rec.System) + countMessageTokens(rec.Messages),
		CompletionTokens:        countTokens(text),
		PromptTokensDetails:     map[string]int{"cached_tokens": 0, "audio_tokens": 0},
		CompletionTokensDetails: map[string]int{"reasoning_tokens": 0, "audio_tokens": 0},
	}
	usage.TotalTokens = usage.PromptTokens + usage.CompletionTokens
	object := openAIObject{
		ID:                "chatcmpl-double" + b.id,
		Created:           time.Now().Unix(),
		Model:             rec.Model,
		SystemFingerprint: "fp_llmdouble",
		ServiceTier:       "default",
	}

	if !rec.Stream {
		ex.openAICompletion(b, object, text, usage)
		return
	}
	ex.openAIStream(b, object, text, usage, rec.IncludeUsage)
}

func fillOpenAIRecord(rec *Recorded, body openAIRequest) {
	rec.Model = body.Model
	rec.Stream = body.Stream
	rec.Temperature = body.Temperature
	rec.IncludeUsage = body.StreamOptions != nil && body.StreamOptions.IncludeUsage
	switch {
	case body.MaxCompletionTokens != nil:
		rec.MaxTokens = *body.MaxCompletionTokens
	case body.MaxTokens != nil:
		rec.MaxTokens = *body.MaxTokens
	}
	var system []string
	for _, m := range body.Messages {
		text := contentText(m.Content)
		if m.Role == "system" || m.Role == "developer" {
			system = append(system, text)
			continue
		}
		rec.Messages = append(rec.Messages, Message{Role: m.Role, Content: text})
	}
	rec.System = strings.Join(system, "\n")
}

// openAICompletion sends a chat.completion JSON object.
func (ex *exchange) openAICompletion(b behaviour, object openAIObject, text string,
	usage openAIUsage) {
	if !ex.wait(b.delay) {
		return
	}
	stop := "stop"
	object.Object = "chat.completion"
	object.Choices = []openAIChoice{{
		Message: map[string]any{
			"role": "assistant", "content": text, "refusal": nil, "annotations": []any{},
		},
		Logprobs:     jsonNull,
		FinishReason: &stop,
	}}
	object.Usage, _ = json.Marshal(usage)
	ex.w.Header().Set("X-Request-Id", "req_double"+b.id)
	ex.writeJSON(http.StatusOK, object)
}

// openAIStream sends chat.completion.chunk events the way OpenAI does: a first chunk
// with the role, one chunk per delta, a chunk with the finish reason and, when the
// client requested it, a usage chunk with no choices. Then it sends [DONE].
func (ex *exchange) openAIStream(b behaviour, object openAIObject, text string,
	usage openAIUsage, includeUsage bool) {
	object.Object = "chat.completion.chunk"
	if includeUsage {
		object.Usage = jsonNull
	}
	chunk := func(delta map[string]any, finish *string) []byte {
		c := object
		c.Choices = []openAIChoice{{Delta: delta, Logprobs: jsonNull, FinishReason: finish}}
		data, _ := json.Marshal(c)
		return data
	}

	ex.w.Header().Set("X-Request-Id", "req_double"+b.id)
	ex.startStream()
	first := map[string]any{"role": "assistant", "content": "", "refusal": nil}
	if !ex.sendEvent("", chunk(first, nil)) {
		return
	}
	deltas := splitDeltas(text, b.chunkRunes)
	for i := 0; i <= len(deltas); i++ {
		if i == b.hangAfter {
			ex.hang()
			return
		}
		if i == b.truncateAt {
			ex.done = true
			return
		}
		if i == len(deltas) {
			break
		}
		if !ex.wait(b.delay) || !ex.sendEvent("", chunk(map[string]any{"content": deltas[i]}, nil)) {
			return
		}
	}

	stop := "stop"
	if !ex.sendEvent("", chunk(map[string]any{}, &stop)) {
		return
	}
	if includeUsage {
		last := object
		last.Choices = []openAIChoice{}
		last.Usage, _ = json.Marshal(usage)
		data, _ := json.Marshal(last)
		if !ex.sendEvent("", data) {
			return
		}
	}
	if ex.sendEvent("", []byte("[DONE]")) {
		ex.done = true
	}
}

// openAIError sends an error body shaped like OpenAI's.
func (ex *exchange) openAIError(status int, message, code string) {
	errType := "invalid_request_error"
	switch {
	case status == http.StatusTooManyRequests:
		errType = "requests"
		code = "rate_limit_exceeded"
	case status >= 500:
		errType = "server_error"
	}
	if message == "" {
		message = fmt.Sprintf("The server had an error while processing your request (HTTP %d).",
			status)
	}
	var codeValue any
	if code != "" {
		codeValue = code
	}
	ex.writeJSON(status, map[string]any{"error": map[string]any{
		"message": message, "type": errType, "param": nil, "code": codeValue,
	}})
}

// decodeBody reads a JSON request body of at most maxBodyBytes into v.
func decodeBody(w http.ResponseWriter, r *http.Request, v any) error {
	data, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBodyBytes))
	if err != nil {
		return fmt.Errorf("read body: %w", err)
	}
	if err := json.Unmarshal(data, v); err != nil {
		return fmt.Errorf("decode body: %w", err)
	}
	return nil
}

// contentText returns the text of a message content: a plain string, or the text of
// every part of type "text" in a content array, joined without separators.
func contentText(raw json.RawMessage) string {
	var s string
	if err := json.Unmarshal(raw, &s); err == nil {
		return s
	}
	var parts []struct {
		Type string `json:"type"`
		Text string `json:"text"`
	}
	if err := json.Unmarshal(raw, &parts); err != nil {
		return ""
	}
	var b strings.Builder
	for _, p := range parts {
		if p.Type == "text" {
			b.WriteString(p.Text)
		}
	}
	return b.String()
}

func countMessageTokens(messages []Message) int {
	n := 0
	for _, m := range messages {
		n += countTokens(m.Content)
	}
	return n
}
