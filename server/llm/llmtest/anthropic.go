package llmtest

import (
	"encoding/json"
	"net/http"
	"strings"
)

// samplingRemovedVersion is the first anthropic-version that rejects temperature,
// top_p and top_k with HTTP 400 ("Extra inputs are not permitted"), per Anthropic's
// migration guide for API version 2026-10-21.
const samplingRemovedVersion = "2026-10-21"

// anthropicRequest is the part of a messages request body that the double reads.
type anthropicRequest struct {
	Model     string          `json:"model"`
	MaxTokens *int            `json:"max_tokens"`
	System    json.RawMessage `json:"system"`
	Messages  []struct {
		Role    string          `json:"role"`
		Content json.RawMessage `json:"content"`
	} `json:"messages"`
	Stream      bool     `json:"stream"`
	Temperature *float64 `json:"temperature"`
	TopP        *float64 `json:"top_p"`
	TopK        *int     `json:"top_k"`
}

// serveAnthropic handles POST /v1/messages.
func (ex *exchange) serveAnthropic() {
	var body anthropicRequest
	rec := Recorded{
		Provider:         ProtocolAnthropic,
		Path:             ex.r.URL.Path,
		AnthropicVersion: ex.r.Header.Get("Anthropic-Version"),
	}
	// The API reads X-Api-Key first and accepts "Authorization: Bearer" too, which is
	// what anthropic-sdk-go v2 sends.
	if key := ex.r.Header.Get("X-Api-Key"); key != "" {
		rec.APIKey, rec.AuthHeader = key, "X-Api-Key"
	} else if key := bearerToken(ex.r); key != "" {
		rec.APIKey, rec.AuthHeader = key, "Authorization"
	}
	parseErr := decodeBody(ex.w, ex.r, &body)
	if parseErr == nil {
		fillAnthropicRecord(&rec, body)
	}
	b := ex.record(rec)
	ex.w.Header().Set("Request-Id", "req_double"+b.id)

	if status, message, rejected := checkAnthropicRequest(rec, body, b, parseErr); rejected {
		ex.anthropicError(b, status, message)
		return
	}
	switch {
	case b.failure != nil:
		ex.anthropicError(b, b.failure.Status, b.failure.Message)
		return
	case b.hangAfter == 0 || (b.hangAfter > 0 && !rec.Stream):
		ex.hang()
		return
	}

	text := b.reply(rec)
	inputTokens := countTokens(rec.System) + countMessageTokens(rec.Messages)
	outputTokens := countTokens(text)
	message := map[string]any{
		"id":            "msg_double" + b.id,
		"type":          "message",
		"role":          "assistant",
		"model":         rec.Model,
		"content":       []any{},
		"stop_reason":   nil,
		"stop_sequence": nil,
		"usage": map[string]any{
			"input_tokens":                inputTokens,
			"output_tokens":               1,
			"cache_creation_input_tokens": 0,
			"cache_read_input_tokens":     0,
		},
	}

	if !rec.Stream {
		if !ex.wait(b.delay) {
			return
		}
		message["content"] = []any{map[string]any{"type": "text", "text": text}}
		message["stop_reason"] = "end_turn"
		message["usage"].(map[string]any)["output_tokens"] = outputTokens
		ex.writeJSON(http.StatusOK, message)
		return
	}
	ex.anthropicStream(b, message, text, inputTokens, outputTokens)
}

// checkAnthropicRequest applies the checks the real API makes before it generates.
func checkAnthropicRequest(rec Recorded, body anthropicRequest, b behaviour,
	parseErr error) (status int, message string, rejected bool) {
	switch {
	case rec.APIKey == "":
		return http.StatusUnauthorized, "x-api-key header is required", true
	case b.apiKey != "" && rec.APIKey != b.apiKey:
		return http.StatusUnauthorized, "invalid x-api-key", true
	case rec.AnthropicVersion == "":
		return http.StatusBadRequest, "anthropic-version: header is required", true
	case parseErr != nil:
		return http.StatusBadRequest, "There was an issue with your request body: " +
			parseErr.Error(), true
	case rec.Model == "":
		return http.StatusBadRequest, "model: Field required", true
	case body.MaxTokens == nil:
		return http.StatusBadRequest, "max_tokens: Field required", true
	case len(body.Messages) == 0:
		return http.StatusBadRequest, "messages: at least one message is required", true
	}
	if rec.AnthropicVersion >= samplingRemovedVersion {
		sampling := []struct {
			name string
			set  bool
		}{
			{"temperature", body.Temperature != nil},
			{"top_p", body.TopP != nil},
			{"top_k", body.TopK != nil},
		}
		for _, p := range sampling {
			if p.set {
				return http.StatusBadRequest, p.name + ": Extra inputs are not permitted", true
			}
		}
	}
	return 0, "", false
}

func fillAnthropicRecord(rec *Recorded, body anthropicRequest) {
	rec.Model = body.Model
	rec.Stream = body.Stream
	rec.Temperature = body.Temperature
	if body.MaxTokens != nil {
		rec.MaxTokens = *body.MaxTokens
	}
	var system []string
	if len(body.System) > 0 {
		system = append(system, contentText(body.System))
	}
	for _, m := range body.Messages {
		text := contentText(m.Content)
		if m.Role == "system" {
			system = append(system, text)
			continue
		}
		rec.Messages = append(rec.Messages, Message{Role: m.Role, Content: text})
	}
	rec.System = strings.Join(system, "\n")
}

// anthropicStream sends the named events of a streamed message: message_start,
// content_block_start, a ping, one content_block_delta (text_delta) per delta,
// content_block_stop, message_delta with the stop reason and usage, and message_stop.
func (ex *exchange) anthropicStream(b behaviour, message map[string]any, text string,
	inputTokens, outputTokens int) {
	event := func(name string, v map[string]any) bool {
		v["type"] = name
		data, _ := json.Marshal(v)
		return ex.sendEvent(name, data)
	}

	ex.startStream()
	if !event("message_start", map[string]any{"message": message}) {
		return
	}
	block := map[string]any{"type": "text", "text": ""}
	if !event("content_block_start", map[string]any{"index": 0, "content_block": block}) {
		return
	}
	if !event("ping", map[string]any{}) {
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
		delta := map[string]any{"type": "text_delta", "text": deltas[i]}
		if !ex.wait(b.delay) ||
			!event("content_block_delta", map[string]any{"index": 0, "delta": delta}) {
			return
		}
	}

	if !event("content_block_stop", map[string]any{"index": 0}) {
		return
	}
	stop := map[string]any{"stop_reason": "end_turn", "stop_sequence": nil}
	usage := map[string]any{"input_tokens": inputTokens, "output_tokens": outputTokens}
	if !event("message_delta", map[string]any{"delta": stop, "usage": usage}) {
		return
	}
	if event("message_stop", map[string]any{}) {
		ex.done = true
	}
}

// anthropicError sends an error body shaped like Anthropic's.
func (ex *exchange) anthropicError(b behaviour, status int, message string) {
	errType := "api_error"
	switch status {
	case http.StatusBadRequest:
		errType = "invalid_request_error"
	case http.StatusUnauthorized:
		errType = "authentication_error"
	case http.StatusForbidden:
		errType = "permission_error"
	case http.StatusNotFound:
		errType = "not_found_error"
	case http.StatusRequestEntityTooLarge:
		errType = "request_too_large"
	case http.StatusTooManyRequests:
		errType = "rate_limit_error"
	case http.StatusGatewayTimeout:
		errType = "timeout_error"
	case 529:
		errType = "overloaded_error"
	}
	if message == "" {
		message = "Internal server error"
	}
	ex.writeJSON(status, map[string]any{
		"type":       "error",
		"error":      map[string]any{"type": errType, "message": message},
		"request_id": "req_double" + b.id,
	})
}
