package trigger_test

import (
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/sidekick-forge/sidekick-forge/server/llm/llmtest"
)

const streamSubscription = `subscription($in: TriggerAgentInput!) {
  triggerAgentStream(input: $in) {
    type delta conversationId fullText errorCode errorMessage
  }
}`

// wsMessage is one graphql-transport-ws protocol message.
type wsMessage struct {
	ID      string          `json:"id,omitempty"`
	Type    string          `json:"type"`
	Payload json.RawMessage `json:"payload,omitempty"`
}

// streamEvent is one triggerAgentStream event.
type streamEvent struct {
	Type, Delta, ConversationID, FullText, ErrorCode, ErrorMessage string
}

// subscription is a graphql-transport-ws connection to /graphql.
type subscription struct {
	t    *testing.T
	conn *websocket.Conn
}

// dialSubscription opens a websocket to the platform and sends
// connection_init with payload. It returns the connection and the first
// server message, or the error that ended the connection instead.
func (p *platform) dialSubscription(t *testing.T, payload map[string]any) (*subscription,
	wsMessage, error) {
	t.Helper()
	url := "ws" + strings.TrimPrefix(p.env.URL, "http") + "/graphql"
	dialer := websocket.Dialer{Subprotocols: []string{"graphql-transport-ws"},
		HandshakeTimeout: 5 * time.Second}
	conn, res, err := dialer.Dial(url, http.Header{})
	if err != nil {
		t.Fatalf("dial %s: %v", url, err)
	}
	_ = res.Body.Close()
	t.Cleanup(func() { _ = conn.Close() })
	if conn.Subprotocol() != "graphql-transport-ws" {
		t.Fatalf("server chose subprotocol %q", conn.Subprotocol())
	}
	s := &subscription{t: t, conn: conn}
	init, _ := json.Marshal(payload)
	s.send(wsMessage{Type: "connection_init", Payload: init})
	first, err := s.readMessage()
	return s, first, err
}

// subscribe opens a connection authenticated with key, waits for the
// connection_ack and subscribes to triggerAgentStream with in.
func (p *platform) subscribe(t *testing.T, key string, in map[string]any) *subscription {
	t.Helper()
	s, first, err := p.dialSubscription(t, map[string]any{"Authorization": "Bearer " + key})
	if err != nil {
		t.Fatalf("connection_init: %v", err)
	}
	if first.Type != "connection_ack" {
		t.Fatalf("connection_init answered with %s %s", first.Type, first.Payload)
	}
	payload, _ := json.Marshal(map[string]any{"query": streamSubscription,
		"variables": map[string]any{"in": in}})
	s.send(wsMessage{ID: "1", Type: "subscribe", Payload: payload})
	return s
}

func (s *subscription) send(m wsMessage) {
	s.t.Helper()
	_ = s.conn.SetWriteDeadline(time.Now().Add(5 * time.Second))
	if err := s.conn.WriteJSON(m); err != nil {
		s.t.Fatalf("send %s: %v", m.Type, err)
	}
}

// readMessage returns the next message other than ping and pong.
func (s *subscription) readMessage() (wsMessage, error) {
	for {
		_ = s.conn.SetReadDeadline(time.Now().Add(10 * time.Second))
		var m wsMessage
		if err := s.conn.ReadJSON(&m); err != nil {
			return m, err
		}
		if m.Type != "ping" && m.Type != "pong" {
			return m, nil
		}
	}
}

// read is readMessage that fails the test on a read error.
func (s *subscription) read() wsMessage {
	s.t.Helper()
	m, err := s.readMessage()
	if err != nil {
		s.t.Fatalf("read subscription message: %v", err)
	}
	return m
}

// next reads one triggerAgentStream event. ok is false for any other
// message, which is returned in raw.
func (s *subscription) next() (ev streamEvent, raw wsMessage, ok bool) {
	s.t.Helper()
	raw = s.read()
	if raw.Type != "next" {
		return ev, raw, false
	}
	var body struct {
		Data struct {
			TriggerAgentStream *struct {
				Type                                                     string
				Delta, ConversationID, FullText, ErrorCode, ErrorMessage *string
			}
		}
		Errors []json.RawMessage
	}
	if err := json.Unmarshal(raw.Payload, &body); err != nil {
		s.t.Fatalf("decode next payload %s: %v", raw.Payload, err)
	}
	e := body.Data.TriggerAgentStream
	if e == nil {
		return ev, raw, false
	}
	deref := func(p *string) string {
		if p == nil {
			return ""
		}
		return *p
	}
	return streamEvent{Type: e.Type, Delta: deref(e.Delta), ConversationID: deref(e.ConversationID),
		FullText: deref(e.FullText), ErrorCode: deref(e.ErrorCode),
		ErrorMessage: deref(e.ErrorMessage)}, raw, true
}

func TestTriggerStream_deltasThenDone(t *testing.T) {
	p := startPlatform(t, platformSetup{})
	client := p.newClient(t, "Stream Co", "stream-bot", nil)
	p.llm.SetReply(func(llmtest.Recorded) string { return "one two three four" })

	s := p.subscribe(t, p.env.PlatformKey, textInput("stream-bot", "conv-stream", "count"))

	var deltas []string
	var done streamEvent
	for done.Type == "" {
		ev, raw, ok := s.next()
		if !ok {
			t.Fatalf("unexpected message %s %s", raw.Type, raw.Payload)
		}
		switch ev.Type {
		case "DELTA":
			if done.Type != "" {
				t.Error("delta after done")
			}
			deltas = append(deltas, ev.Delta)
		case "DONE":
			done = ev
		default:
			t.Fatalf("event %+v, want DELTA or DONE", ev)
		}
		if ev.ConversationID != "conv-stream" {
			t.Errorf("event conversationId = %q, want conv-stream", ev.ConversationID)
		}
	}
	if len(deltas) < 2 {
		t.Errorf("received %d deltas, want one per word", len(deltas))
	}
	if got := strings.Join(deltas, ""); got != "one two three four" {
		t.Errorf("deltas join to %q", got)
	}
	if done.FullText != "one two three four" {
		t.Errorf("done fullText = %q", done.FullText)
	}
	if m := s.read(); m.Type != "complete" {
		t.Errorf("after done: %s %s, want complete", m.Type, m.Payload)
	}
	if got := roles(p.messages(t, client, "conv-stream")); len(got) != 2 ||
		got[1] != "assistant:one two three four" {
		t.Errorf("stored messages = %v, want the user message and the full reply", got)
	}
	if req := lastRequest(t, p.llm); !req.Stream {
		t.Error("the provider call was not a streaming call")
	}
}

func TestTriggerStream_cancelStopsProviderCall(t *testing.T) {
	tests := []struct {
		name   string
		cancel func(s *subscription)
	}{
		{name: "complete", cancel: func(s *subscription) {
			s.send(wsMessage{ID: "1", Type: "complete"})
		}},
		{name: "close", cancel: func(s *subscription) { _ = s.conn.Close() }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := startPlatform(t, platformSetup{})
			client := p.newClient(t, "Cancel Co", "cancel-bot", nil)
			p.llm.SetReply(func(llmtest.Recorded) string {
				return strings.Repeat("word ", 200)
			})
			p.llm.SetDelay(50 * time.Millisecond)

			s := p.subscribe(t, p.env.PlatformKey, textInput("cancel-bot", "conv-cancel", "go"))
			ev, raw, ok := s.next()
			if !ok || ev.Type != "DELTA" {
				t.Fatalf("first message %s %s, want a DELTA event", raw.Type, raw.Payload)
			}
			tt.cancel(s)

			if !p.llm.WaitCancelled(1, 5*time.Second) {
				t.Fatalf("provider call not cancelled: Cancelled() = %d", p.llm.Cancelled())
			}
			// Give a late store a chance to show up before counting.
			time.Sleep(200 * time.Millisecond)
			got := p.messages(t, client, "conv-cancel")
			if len(got) != 0 && len(got) != 2 {
				t.Errorf("stored messages = %v, want none or a whole turn", roles(got))
			}
			for _, m := range got {
				if m.Role == "assistant" && m.Content != strings.Repeat("word ", 200) {
					t.Errorf("stored a partial reply of %d characters", len(m.Content))
				}
			}
		})
	}
}

func TestTriggerStream_providerFailureEndsWithError(t *testing.T) {
	p := startPlatform(t, platformSetup{})
	client := p.newClient(t, "Err Co", "err-bot", nil)
	p.llm.Fail(llmtest.Failure{Status: 500})

	s := p.subscribe(t, p.env.PlatformKey, textInput("err-bot", "conv-err", "hello"))

	ev, raw, ok := s.next()
	if !ok {
		t.Fatalf("first message %s %s, want an ERROR event", raw.Type, raw.Payload)
	}
	if ev.Type != "ERROR" || ev.ErrorCode != "UPSTREAM_FAILED" {
		t.Errorf("event = %+v, want ERROR with UPSTREAM_FAILED", ev)
	}
	if ev.ErrorMessage == "" {
		t.Error("error event has no message")
	}
	if n := p.countRows(t, client, "messages", ""); n != 0 {
		t.Errorf("%d messages stored after a failed stream, want 0", n)
	}
}

func TestTriggerStream_rejectsUnauthorizedCallers(t *testing.T) {
	p := startPlatform(t, platformSetup{})
	clientA := p.newClient(t, "Stream A", "a-bot", nil)
	clientB := p.newClient(t, "Stream B", "b-bot", nil)
	siteB := p.env.CreateSite(t, clientB, "b.example", nil)

	for name, payload := range map[string]map[string]any{
		"no key":      {},
		"invalid key": {"Authorization": "Bearer sk_nope"},
	} {
		t.Run(name, func(t *testing.T) {
			_, first, err := p.dialSubscription(t, payload)
			if err == nil {
				t.Fatalf("connection_init answered %s %s, want the connection closed",
					first.Type, first.Payload)
			}
			// NOTE: gqlgen closes a rejected connection_init with 1000 unless the
			// init function sets a code; graphql-transport-ws recommends 4403 Forbidden.
			var closeErr *websocket.CloseError
			if !errors.As(err, &closeErr) {
				t.Errorf("connection ended with %v, want a websocket close", err)
			}
		})
	}
	t.Run("other client's site key", func(t *testing.T) {
		s := p.subscribe(t, siteB, textInput("a-bot", "", "hello"))
		m := s.read()
		if m.Type != "error" && m.Type != "next" {
			t.Fatalf("got %s %s, want an error", m.Type, m.Payload)
		}
		if !strings.Contains(string(m.Payload), "NOT_FOUND") {
			t.Errorf("cross-tenant subscription answered %s %s, want NOT_FOUND", m.Type, m.Payload)
		}
		clientID, _ := json.Marshal(clientA)
		in := textInput("a-bot", "", "hello")
		in["clientId"] = strings.Trim(string(clientID), `"`)
		s2 := p.subscribe(t, siteB, in)
		m = s2.read()
		if !strings.Contains(string(m.Payload), "NOT_FOUND") {
			t.Errorf("subscription naming client A answered %s %s, want NOT_FOUND", m.Type,
				m.Payload)
		}
	})
	if n := len(p.llm.Requests()); n != 0 {
		t.Errorf("the provider received %d requests from rejected callers", n)
	}
	if n := p.countRows(t, clientA, "messages", ""); n != 0 {
		t.Errorf("client A has %d messages after rejected subscriptions", n)
	}
}

func TestTriggerStream_invalidInputIsError(t *testing.T) {
	p := startPlatform(t, platformSetup{})
	p.newClient(t, "Bad Stream Co", "bad-stream-bot", nil)

	tests := []struct {
		name  string
		in    map[string]any
		field string
	}{
		{name: "no message", in: map[string]any{"agentSlug": "bad-stream-bot", "mode": "TEXT",
			"userId": "xena"}, field: "message"},
		{name: "voice mode", in: voiceInput("bad-stream-bot", "room", "xena"), field: "mode"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := p.subscribe(t, p.env.PlatformKey, tt.in)
			m := s.read()
			if m.Type != "error" && m.Type != "next" {
				t.Fatalf("got %s %s, want an error", m.Type, m.Payload)
			}
			var errs []struct{ Extensions map[string]any }
			if m.Type == "next" {
				var body struct {
					Errors []struct{ Extensions map[string]any }
				}
				_ = json.Unmarshal(m.Payload, &body)
				errs = body.Errors
			} else {
				_ = json.Unmarshal(m.Payload, &errs)
			}
			if len(errs) == 0 {
				t.Fatalf("no GraphQL error in %s %s", m.Type, m.Payload)
			}
			if errs[0].Extensions["code"] != "INVALID_INPUT" || errs[0].Extensions["field"] != tt.field {
				t.Errorf("error extensions = %v, want INVALID_INPUT on %s", errs[0].Extensions, tt.field)
			}
		})
	}
	if n := len(p.llm.Requests()); n != 0 {
		t.Errorf("the provider received %d requests for invalid subscriptions", n)
	}
}
