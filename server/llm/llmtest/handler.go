// Package llmtest provides a local double of the OpenAI chat completions API and the
// Anthropic messages API. It speaks their wire protocols (JSON and server-sent events),
// so tests and demos can drive the real provider SDKs against 127.0.0.1 instead of a
// paid service.
package llmtest

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"
	"unicode"
)

// Wire protocols that the double serves, as stored in Recorded.Provider.
const (
	ProtocolOpenAI    = "openai"
	ProtocolAnthropic = "anthropic"
)

// maxBodyBytes bounds a request body, so a runaway load test cannot exhaust memory.
const maxBodyBytes = 8 << 20

// Message is one chat message as the double received it. Content joins the text parts
// of a multi-part message.
type Message struct {
	Role    string
	Content string
}

// Recorded is one request that the double received, whether it succeeded or was rejected.
type Recorded struct {
	// Provider is the wire protocol: ProtocolOpenAI or ProtocolAnthropic.
	Provider string
	Path     string
	Model    string
	// APIKey is the key taken from X-Api-Key or from "Authorization: Bearer".
	APIKey string
	// AuthHeader names the header that carried APIKey, or is empty when none did.
	AuthHeader       string
	AnthropicVersion string
	// System joins the system prompts, in order: OpenAI "system" and "developer"
	// messages, or the Anthropic "system" field and any system-role messages.
	System string
	// Messages are the user and assistant messages in the order sent.
	Messages    []Message
	Stream      bool
	MaxTokens   int
	Temperature *float64
	// IncludeUsage is OpenAI's stream_options.include_usage.
	IncludeUsage bool
	Header       http.Header
	// Status is the HTTP status of the response, or 0 while the response is in progress.
	Status int
}

// LastUserMessage returns the content of the last user message, or "" when there is none.
func (r Recorded) LastUserMessage() string {
	for i := len(r.Messages) - 1; i >= 0; i-- {
		if r.Messages[i].Role == "user" {
			return r.Messages[i].Content
		}
	}
	return ""
}

// EchoReply returns a reply function that replies with prefix followed by the last
// user message.
func EchoReply(prefix string) func(Recorded) string {
	return func(r Recorded) string { return prefix + r.LastUserMessage() }
}

// Options configure a Handler. The zero value echoes "echo: <last user message>",
// streams one word per delta without delay and accepts any non-empty API key.
type Options struct {
	// Reply computes the reply text. nil selects EchoReply("echo: ").
	Reply func(Recorded) string
	// ChunkRunes is the maximum number of runes in one streamed delta. 0 sends one
	// word, with the spaces after it, per delta.
	ChunkRunes int
	// Delay is the wait before each streamed delta and before a JSON reply.
	Delay time.Duration
	// APIKey, when set, is the only key accepted. Empty accepts any non-empty key.
	APIKey string
	// Logger receives one line per request. nil logs nothing.
	Logger *slog.Logger
}

// Failure makes the double answer with a provider-shaped error instead of a reply.
type Failure struct {
	// Status is the HTTP status, for example 500 or 429. 0 turns failures off.
	Status int
	// Message is the provider's error message. Empty selects a generic one.
	Message string
	// Count is how many of the next requests fail. 0 fails every request.
	Count int
}

// Handler serves the double. It is safe for concurrent use, and its setters change
// the behaviour of requests that start after the call.
type Handler struct {
	mu         sync.Mutex
	opts       Options
	failure    Failure
	hangAfter  int // deltas sent before hanging, or -1 for no hanging
	truncateAt int // deltas sent before ending a stream early, or -1 for no truncation
	requests   []Recorded
	cancelled  int
	sequence   int
}

// NewHandler returns a double configured by opts.
func NewHandler(opts Options) *Handler {
	if opts.Reply == nil {
		opts.Reply = EchoReply("echo: ")
	}
	return &Handler{opts: opts, hangAfter: -1, truncateAt: -1}
}

// SetReply replaces the reply function. nil restores the echo reply.
func (h *Handler) SetReply(reply func(Recorded) string) {
	if reply == nil {
		reply = EchoReply("echo: ")
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	h.opts.Reply = reply
}

// SetChunkRunes sets the maximum runes per streamed delta. 0 sends one word per delta.
func (h *Handler) SetChunkRunes(n int) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.opts.ChunkRunes = max(n, 0)
}

// SetDelay sets the wait before each streamed delta and before a JSON reply.
func (h *Handler) SetDelay(d time.Duration) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.opts.Delay = max(d, 0)
}

// SetAPIKey sets the only accepted API key. Empty accepts any non-empty key.
func (h *Handler) SetAPIKey(key string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.opts.APIKey = key
}

// Fail makes later requests fail as f describes. Fail(Failure{}) turns failures off.
func (h *Handler) Fail(f Failure) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.failure = f
}

// Hang makes later requests wait until their client goes away. A streaming request
// first receives afterDeltas deltas. With afterDeltas 0, and for every JSON request,
// the double sends no response headers at all.
func (h *Handler) Hang(afterDeltas int) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.hangAfter = max(afterDeltas, 0)
}

// StopHanging turns Hang off for requests that start later.
func (h *Handler) StopHanging() {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.hangAfter = -1
}

// TruncateStreams makes later streams end cleanly after afterDeltas deltas, without
// a finish reason, a final event or [DONE], as a dropped upstream connection would.
// A negative value turns truncation off.
func (h *Handler) TruncateStreams(afterDeltas int) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.truncateAt = max(afterDeltas, -1)
}

// Requests returns a copy of every request received so far, oldest first.
func (h *Handler) Requests() []Recorded {
	h.mu.Lock()
	defer h.mu.Unlock()
	out := make([]Recorded, len(h.requests))
	for i, r := range h.requests {
		r.Messages = append([]Message(nil), r.Messages...)
		r.Header = r.Header.Clone()
		out[i] = r
	}
	return out
}

// Cancelled returns how many requests ended because their client went away before
// the double finished answering.
func (h *Handler) Cancelled() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.cancelled
}

// WaitCancelled waits up to timeout for Cancelled to reach n and reports whether it
// did. The server notices a closed connection asynchronously, so tests poll.
func (h *Handler) WaitCancelled(n int, timeout time.Duration) bool {
	deadline := time.Now().Add(timeout)
	for {
		if h.Cancelled() >= n {
			return true
		}
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// behaviour is the configuration one request runs with, copied at its start.
type behaviour struct {
	reply      func(Recorded) string
	chunkRunes int
	delay      time.Duration
	apiKey     string
	failure    *Failure
	hangAfter  int
	truncateAt int
	id         string
}

// ServeHTTP routes POST /v1/chat/completions and POST /v1/messages.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	var protocol string
	switch r.URL.Path {
	case "/v1/chat/completions":
		protocol = ProtocolOpenAI
	case "/v1/messages":
		protocol = ProtocolAnthropic
	default:
		http.NotFound(w, r)
		return
	}
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}

	ex := &exchange{handler: h, w: w, r: r, protocol: protocol, index: -1}
	if protocol == ProtocolOpenAI {
		ex.serveOpenAI()
	} else {
		ex.serveAnthropic()
	}
	h.finish(ex, time.Since(start))
}

// exchange is the state of one request while the double responds to it.
type exchange struct {
	handler  *Handler
	w        http.ResponseWriter
	r        *http.Request
	protocol string
	index    int // position in handler.requests, or -1 before record
	status   int
	done     bool // the double finished its response
}

// record stores rec and returns the behaviour for this request. It consumes one
// failure when a limited number of failures is pending.
func (ex *exchange) record(rec Recorded) behaviour {
	h := ex.handler
	h.mu.Lock()
	defer h.mu.Unlock()

	rec.Header = ex.r.Header.Clone()
	h.requests = append(h.requests, rec)
	ex.index = len(h.requests) - 1
	h.sequence++

	b := behaviour{
		reply:      h.opts.Reply,
		chunkRunes: h.opts.ChunkRunes,
		delay:      h.opts.Delay,
		apiKey:     h.opts.APIKey,
		hangAfter:  h.hangAfter,
		truncateAt: h.truncateAt,
		id:         fmt.Sprintf("%06d", h.sequence),
	}
	if h.failure.Status != 0 {
		f := h.failure
		b.failure = &f
		if h.failure.Count > 0 {
			h.failure.Count--
			if h.failure.Count == 0 {
				h.failure = Failure{}
			}
		}
	}
	return b
}

// finish stores the answer's status, counts a cancelled request and logs one line.
func (h *Handler) finish(ex *exchange, elapsed time.Duration) {
	cancelled := !ex.done && ex.r.Context().Err() != nil
	h.mu.Lock()
	var rec Recorded
	if ex.index >= 0 && ex.index < len(h.requests) {
		h.requests[ex.index].Status = ex.status
		rec = h.requests[ex.index]
	}
	if cancelled {
		h.cancelled++
	}
	logger := h.opts.Logger
	h.mu.Unlock()

	if logger == nil {
		return
	}
	// The API key is never logged, only whether one was sent.
	logger.Info("llm double request",
		"protocol", ex.protocol,
		"model", rec.Model,
		"stream", rec.Stream,
		"status", ex.status,
		"api_key_sent", rec.APIKey != "",
		"cancelled", cancelled,
		"duration_ms", elapsed.Milliseconds())
}

// writeJSON sends v with status and marks the answer complete.
func (ex *exchange) writeJSON(status int, v any) {
	body, err := json.Marshal(v)
	if err != nil {
		status = http.StatusInternalServerError
		body = []byte(`{"error":{"message":"llm double: encode reply failed"}}`)
	}
	ex.w.Header().Set("Content-Type", "application/json")
	ex.w.WriteHeader(status)
	ex.status = status
	if _, err := ex.w.Write(body); err == nil {
		ex.done = true
	}
}

// startStream sends the headers of a server-sent event stream.
func (ex *exchange) startStream() {
	h := ex.w.Header()
	h.Set("Content-Type", "text/event-stream; charset=utf-8")
	h.Set("Cache-Control", "no-cache")
	h.Set("Connection", "keep-alive")
	ex.w.WriteHeader(http.StatusOK)
	ex.status = http.StatusOK
	_ = http.NewResponseController(ex.w).Flush()
}

// sendEvent writes one server-sent event and flushes it. An empty name writes a
// data-only event, as OpenAI does. It returns false once the client has gone away.
func (ex *exchange) sendEvent(name string, data []byte) bool {
	var b strings.Builder
	if name != "" {
		b.WriteString("event: " + name + "\n")
	}
	b.WriteString("data: ")
	b.Write(data)
	b.WriteString("\n\n")
	if _, err := ex.w.Write([]byte(b.String())); err != nil {
		return false
	}
	if err := http.NewResponseController(ex.w).Flush(); err != nil {
		return false
	}
	return ex.r.Context().Err() == nil
}

// wait sleeps for d and returns false when the client goes away first.
func (ex *exchange) wait(d time.Duration) bool {
	if d <= 0 {
		return ex.r.Context().Err() == nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ex.r.Context().Done():
		return false
	case <-t.C:
		return true
	}
}

// hang blocks until the client goes away.
func (ex *exchange) hang() {
	<-ex.r.Context().Done()
}

// splitDeltas cuts text into the deltas a stream sends: at most chunkRunes runes
// each, or one word plus its trailing spaces each when chunkRunes is 0.
func splitDeltas(text string, chunkRunes int) []string {
	if text == "" {
		return nil
	}
	var out []string
	if chunkRunes > 0 {
		runes := []rune(text)
		for len(runes) > 0 {
			n := min(chunkRunes, len(runes))
			out = append(out, string(runes[:n]))
			runes = runes[n:]
		}
		return out
	}
	start := 0
	inSpace := false
	for i, c := range text {
		space := unicode.IsSpace(c)
		if inSpace && !space {
			out = append(out, text[start:i])
			start = i
		}
		inSpace = space
	}
	return append(out, text[start:])
}

// countTokens approximates a token count as the number of whitespace-separated words.
// NOTE: this is not a real tokenizer. The counts are only meant to be stable and
// non-zero.
func countTokens(texts ...string) int {
	n := 0
	for _, t := range texts {
		n += len(strings.Fields(t))
	}
	return n
}

// bearerToken returns the token of an "Authorization: Bearer" header, or "".
func bearerToken(r *http.Request) string {
	value := r.Header.Get("Authorization")
	scheme, token, ok := strings.Cut(value, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return ""
	}
	return strings.TrimSpace(token)
}

// maskKey shows at most the last 4 characters of key, as providers do in messages.
func maskKey(key string) string {
	if len(key) <= 4 {
		return "****"
	}
	return "****" + key[len(key)-4:]
}
