package llmtest

import (
	"bufio"
	"encoding/json"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"
)

// post sends body to the double at path with the given headers and returns the
// response status and body.
func post(t *testing.T, s *Server, path, body string, headers map[string]string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, s.URL()+path, strings.NewReader(body))
	if err != nil {
		t.Fatalf("new request: %v", err)
	}
	req.Header.Set("Content-Type", "application/json")
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("post %s: %v", path, err)
	}
	defer res.Body.Close()
	data, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatalf("read body: %v", err)
	}
	return res.StatusCode, string(data)
}

// sseEvent is one server-sent event: its name (empty for data-only events) and data.
type sseEvent struct {
	name string
	data string
}

func parseSSE(t *testing.T, body string) []sseEvent {
	t.Helper()
	var events []sseEvent
	var current sseEvent
	scanner := bufio.NewScanner(strings.NewReader(body))
	for scanner.Scan() {
		line := scanner.Text()
		switch {
		case line == "":
			if current.data != "" {
				events = append(events, current)
			}
			current = sseEvent{}
		case strings.HasPrefix(line, "event: "):
			current.name = strings.TrimPrefix(line, "event: ")
		case strings.HasPrefix(line, "data: "):
			current.data = strings.TrimPrefix(line, "data: ")
		default:
			t.Fatalf("unexpected SSE line %q", line)
		}
	}
	return events
}

var openAIAuth = map[string]string{"Authorization": "Bearer sk-test-0123456789"}

var anthropicHeaders = map[string]string{
	"X-Api-Key":         "ak-test-0123456789",
	"Anthropic-Version": "2026-10-21",
}

func TestHandler_openAIStreamWireFormat(t *testing.T) {
	s := NewServer(t)
	body := `{"model":"gpt-test","stream":true,"stream_options":{"include_usage":true},
		"messages":[{"role":"system","content":"be brief"},{"role":"user","content":"hi there"}]}`

	status, raw := post(t, s, "/v1/chat/completions", body, openAIAuth)
	if status != http.StatusOK {
		t.Fatalf("status = %d, body %s", status, raw)
	}
	events := parseSSE(t, raw)
	if len(events) < 4 {
		t.Fatalf("got %d events, want at least 4", len(events))
	}
	if last := events[len(events)-1]; last.data != "[DONE]" {
		t.Errorf("last event = %q, want [DONE]", last.data)
	}

	type chunk struct {
		Object  string `json:"object"`
		Model   string `json:"model"`
		Choices []struct {
			Delta        map[string]any `json:"delta"`
			FinishReason *string        `json:"finish_reason"`
		} `json:"choices"`
		Usage json.RawMessage `json:"usage"`
	}
	var chunks []chunk
	for _, e := range events[:len(events)-1] {
		if e.name != "" {
			t.Errorf("event name = %q, want data-only events", e.name)
		}
		var c chunk
		if err := json.Unmarshal([]byte(e.data), &c); err != nil {
			t.Fatalf("decode chunk %s: %v", e.data, err)
		}
		if c.Object != "chat.completion.chunk" || c.Model != "gpt-test" {
			t.Errorf("chunk object %q model %q", c.Object, c.Model)
		}
		chunks = append(chunks, c)
	}

	if role := chunks[0].Choices[0].Delta["role"]; role != "assistant" {
		t.Errorf("first delta role = %v, want assistant", role)
	}
	var text strings.Builder
	var finish string
	for _, c := range chunks[:len(chunks)-1] {
		if string(c.Usage) != "null" {
			t.Errorf("usage before the last chunk = %s, want null", c.Usage)
		}
		if content, ok := c.Choices[0].Delta["content"].(string); ok {
			text.WriteString(content)
		}
		if f := c.Choices[0].FinishReason; f != nil {
			finish = *f
		}
	}
	if text.String() != "echo: hi there" {
		t.Errorf("streamed text = %q, want %q", text.String(), "echo: hi there")
	}
	if finish != "stop" {
		t.Errorf("finish reason = %q, want stop", finish)
	}
	usage := chunks[len(chunks)-1]
	if len(usage.Choices) != 0 {
		t.Errorf("usage chunk has %d choices, want 0", len(usage.Choices))
	}
	if !strings.Contains(string(usage.Usage), `"total_tokens":`) {
		t.Errorf("usage chunk usage = %s", usage.Usage)
	}
}

func TestHandler_anthropicStreamWireFormat(t *testing.T) {
	s := NewServer(t)
	body := `{"model":"claude-test","max_tokens":64,"stream":true,"system":"be brief",
		"messages":[{"role":"user","content":[{"type":"text","text":"hi there"}]}]}`

	status, raw := post(t, s, "/v1/messages", body, anthropicHeaders)
	if status != http.StatusOK {
		t.Fatalf("status = %d, body %s", status, raw)
	}
	events := parseSSE(t, raw)

	var names []string
	var text strings.Builder
	for _, e := range events {
		names = append(names, e.name)
		var data struct {
			Type  string `json:"type"`
			Delta struct {
				Type       string `json:"type"`
				Text       string `json:"text"`
				StopReason string `json:"stop_reason"`
			} `json:"delta"`
		}
		if err := json.Unmarshal([]byte(e.data), &data); err != nil {
			t.Fatalf("decode %s event %s: %v", e.name, e.data, err)
		}
		if data.Type != e.name {
			t.Errorf("event %q carries type %q", e.name, data.Type)
		}
		if e.name == "content_block_delta" {
			if data.Delta.Type != "text_delta" {
				t.Errorf("delta type = %q, want text_delta", data.Delta.Type)
			}
			text.WriteString(data.Delta.Text)
		}
		if e.name == "message_delta" && data.Delta.StopReason != "end_turn" {
			t.Errorf("stop reason = %q, want end_turn", data.Delta.StopReason)
		}
	}
	want := []string{"message_start", "content_block_start", "ping", "content_block_delta",
		"content_block_delta", "content_block_delta", "content_block_stop", "message_delta",
		"message_stop"}
	if !slices.Equal(names, want) {
		t.Errorf("events = %v, want %v", names, want)
	}
	if text.String() != "echo: hi there" {
		t.Errorf("streamed text = %q", text.String())
	}
}

func TestHandler_rejectsBadRequests(t *testing.T) {
	const openAIBody = `{"model":"m","messages":[{"role":"user","content":"x"}]}`
	const anthropicBody = `{"model":"m","max_tokens":8,"messages":[{"role":"user","content":"x"}]}`
	cases := []struct {
		name      string
		path      string
		body      string
		headers   map[string]string
		apiKey    string
		status    int
		errorType string
	}{
		{"openai without key", "/v1/chat/completions", openAIBody, nil, "",
			401, "invalid_request_error"},
		{"openai wrong key", "/v1/chat/completions", openAIBody, openAIAuth, "sk-other",
			401, "invalid_request_error"},
		{"openai without model", "/v1/chat/completions", `{"messages":[]}`, openAIAuth, "",
			400, "invalid_request_error"},
		{"anthropic without key", "/v1/messages", anthropicBody,
			map[string]string{"Anthropic-Version": "2026-10-21"}, "", 401, "authentication_error"},
		{"anthropic without version", "/v1/messages", anthropicBody,
			map[string]string{"X-Api-Key": "ak-test-0123456789"}, "", 400, "invalid_request_error"},
		{"anthropic without max_tokens", "/v1/messages",
			`{"model":"m","messages":[{"role":"user","content":"x"}]}`, anthropicHeaders, "",
			400, "invalid_request_error"},
		{"anthropic temperature on 2026-10-21", "/v1/messages",
			`{"model":"m","max_tokens":8,"temperature":1,"messages":[{"role":"user","content":"x"}]}`,
			anthropicHeaders, "", 400, "invalid_request_error"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := NewServer(t)
			s.SetAPIKey(tc.apiKey)

			status, raw := post(t, s, tc.path, tc.body, tc.headers)

			if status != tc.status {
				t.Errorf("status = %d, want %d (body %s)", status, tc.status, raw)
			}
			var body struct {
				Error struct {
					Type    string `json:"type"`
					Message string `json:"message"`
				} `json:"error"`
			}
			if err := json.Unmarshal([]byte(raw), &body); err != nil {
				t.Fatalf("decode error body %s: %v", raw, err)
			}
			if body.Error.Type != tc.errorType {
				t.Errorf("error type = %q, want %q", body.Error.Type, tc.errorType)
			}
			if body.Error.Message == "" {
				t.Error("error message is empty")
			}
			if got := s.Requests(); len(got) != 1 || got[0].Status != tc.status {
				t.Errorf("recorded %+v, want one request with status %d", got, tc.status)
			}
		})
	}
}

func TestHandler_anthropicAcceptsTemperatureOnOldVersion(t *testing.T) {
	s := NewServer(t)
	headers := map[string]string{"Authorization": "Bearer ak-1", "Anthropic-Version": "2023-06-01"}
	body := `{"model":"m","max_tokens":8,"temperature":0.5,"messages":[{"role":"user","content":"x"}]}`

	status, raw := post(t, s, "/v1/messages", body, headers)

	if status != http.StatusOK {
		t.Fatalf("status = %d, body %s", status, raw)
	}
	got := s.Requests()[0]
	if got.AuthHeader != "Authorization" || got.APIKey != "ak-1" {
		t.Errorf("auth header %q key %q, want the bearer token", got.AuthHeader, got.APIKey)
	}
	if got.Temperature == nil || *got.Temperature != 0.5 {
		t.Errorf("temperature = %v, want 0.5", got.Temperature)
	}
}

func TestHandler_failureCount(t *testing.T) {
	s := NewServer(t)
	s.Fail(Failure{Status: 429, Message: "slow down", Count: 2})
	const body = `{"model":"m","messages":[{"role":"user","content":"x"}]}`

	var statuses []int
	for range 3 {
		status, _ := post(t, s, "/v1/chat/completions", body, openAIAuth)
		statuses = append(statuses, status)
	}

	if want := []int{429, 429, 200}; !slices.Equal(statuses, want) {
		t.Errorf("statuses = %v, want %v", statuses, want)
	}
}

func TestHandler_recordsConversation(t *testing.T) {
	s := NewServer(t)
	body := `{"model":"m","messages":[
		{"role":"developer","content":[{"type":"text","text":"rule one"}]},
		{"role":"user","content":"first"},
		{"role":"assistant","content":"reply"},
		{"role":"user","content":[{"type":"text","text":"sec"},{"type":"text","text":"ond"}]}]}`

	status, raw := post(t, s, "/v1/chat/completions", body, openAIAuth)
	if status != http.StatusOK {
		t.Fatalf("status = %d, body %s", status, raw)
	}

	got := s.Requests()[0]
	if got.System != "rule one" {
		t.Errorf("system = %q, want %q", got.System, "rule one")
	}
	want := []Message{{"user", "first"}, {"assistant", "reply"}, {"user", "second"}}
	if !slices.Equal(got.Messages, want) {
		t.Errorf("messages = %+v, want %+v", got.Messages, want)
	}
	if got.APIKey != "sk-test-0123456789" {
		t.Errorf("api key = %q", got.APIKey)
	}
	if !strings.Contains(raw, `"content":"echo: second"`) {
		t.Errorf("reply body %s lacks the echo", raw)
	}
}

func TestHandler_unknownPath(t *testing.T) {
	s := NewServer(t)
	status, _ := post(t, s, "/v1/embeddings", `{}`, openAIAuth)
	if status != http.StatusNotFound {
		t.Errorf("status = %d, want 404", status)
	}
}

func TestSplitDeltas(t *testing.T) {
	cases := []struct {
		text       string
		chunkRunes int
		want       []string
	}{
		{"", 0, nil},
		{"one", 0, []string{"one"}},
		{"echo: hi  there ", 0, []string{"echo: ", "hi  ", "there "}},
		{"héllo", 2, []string{"hé", "ll", "o"}},
	}
	for _, tc := range cases {
		if got := splitDeltas(tc.text, tc.chunkRunes); !slices.Equal(got, tc.want) {
			t.Errorf("splitDeltas(%q, %d) = %q, want %q", tc.text, tc.chunkRunes, got, tc.want)
		}
	}
}
