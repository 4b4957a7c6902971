package graph_test

import (
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/gorilla/websocket"

	"github.com/sidekick-forge/sidekick-forge/server/app"
	"github.com/sidekick-forge/sidekick-forge/server/apptest"
	"github.com/sidekick-forge/sidekick-forge/server/llm/llmtest"
)

// wsMessage is one graphql-transport-ws message.
type wsMessage struct {
	ID      string          `json:"id,omitempty"`
	Type    string          `json:"type"`
	Payload json.RawMessage `json:"payload,omitempty"`
}

// wsClient speaks graphql-transport-ws to /graphql.
type wsClient struct {
	t    *testing.T
	conn *websocket.Conn
}

func dialGraphQL(t *testing.T, env *apptest.Env, header http.Header) *wsClient {
	t.Helper()
	dialer := websocket.Dialer{
		Subprotocols:     []string{"graphql-transport-ws"},
		HandshakeTimeout: 5 * time.Second,
	}
	url := "ws" + strings.TrimPrefix(env.URL, "http") + "/graphql"
	conn, resp, err := dialer.Dial(url, header)
	if err != nil {
		t.Fatalf("dial %s: %v", url, err)
	}
	resp.Body.Close()
	if conn.Subprotocol() != "graphql-transport-ws" {
		t.Fatalf("subprotocol = %q, want graphql-transport-ws", conn.Subprotocol())
	}
	t.Cleanup(func() { conn.Close() })
	return &wsClient{t: t, conn: conn}
}

func (c *wsClient) send(m wsMessage) {
	c.t.Helper()
	if err := c.conn.WriteJSON(m); err != nil {
		c.t.Fatalf("send %s: %v", m.Type, err)
	}
}

// read returns the next message, or the error that ended the connection.
func (c *wsClient) read() (wsMessage, error) {
	var m wsMessage
	if err := c.conn.SetReadDeadline(time.Now().Add(10 * time.Second)); err != nil {
		return m, err
	}
	_, data, err := c.conn.ReadMessage()
	if err != nil {
		return m, err
	}
	if err := json.Unmarshal(data, &m); err != nil {
		c.t.Fatalf("decode websocket message %s: %v", data, err)
	}
	return m, nil
}

// init sends connection_init with payload and returns the reply, skipping
// keep-alive pings.
func (c *wsClient) init(payload map[string]any) (wsMessage, error) {
	c.t.Helper()
	raw, _ := json.Marshal(payload)
	c.send(wsMessage{Type: "connection_init", Payload: raw})
	for {
		m, err := c.read()
		if err != nil || m.Type != "ping" {
			return m, err
		}
	}
}

const streamSubscription = `subscription($in: TriggerAgentInput!) {
	triggerAgentStream(input: $in) { type delta fullText errorCode } }`

// subscribe starts the stream subscription and collects its messages until
// complete or the connection ends.
func (c *wsClient) subscribe(input map[string]any) []wsMessage {
	c.t.Helper()
	payload, _ := json.Marshal(map[string]any{"query": streamSubscription,
		"variables": map[string]any{"in": input}})
	c.send(wsMessage{ID: "1", Type: "subscribe", Payload: payload})
	var out []wsMessage
	for {
		m, err := c.read()
		if err != nil {
			c.t.Fatalf("subscription ended without complete: %v (messages so far %v)", err, out)
		}
		switch m.Type {
		case "ping":
			c.send(wsMessage{Type: "pong"})
			continue
		case "complete":
			return out
		}
		out = append(out, m)
		if m.Type == "error" {
			return out
		}
	}
}

// subscriptionErrorCodes returns extensions.code of every error in msgs, from
// "error" payloads (a list) and "next" payloads ({"errors": [...]}).
func subscriptionErrorCodes(t *testing.T, msgs []wsMessage) []string {
	t.Helper()
	type gqlErr struct {
		Message    string         `json:"message"`
		Extensions map[string]any `json:"extensions"`
	}
	var codes []string
	for _, m := range msgs {
		var list []gqlErr
		switch m.Type {
		case "error":
			if err := json.Unmarshal(m.Payload, &list); err != nil {
				t.Fatalf("decode error payload %s: %v", m.Payload, err)
			}
		case "next":
			var body struct{ Errors []gqlErr }
			if err := json.Unmarshal(m.Payload, &body); err != nil {
				t.Fatalf("decode next payload %s: %v", m.Payload, err)
			}
			list = body.Errors
		}
		for _, e := range list {
			code, _ := e.Extensions["code"].(string)
			codes = append(codes, code)
		}
	}
	return codes
}

func TestSubscription_withoutKeyIsRejected(t *testing.T) {
	t.Parallel()
	env := apptest.Start(t, apptest.Options{})

	cases := map[string]map[string]any{
		"empty payload":   {},
		"invalid key":     {"Authorization": "Bearer sfp_" + strings.Repeat("x", 43)},
		"invalid api key": {"apiKey": "sfs_nope"},
	}
	for name, payload := range cases {
		t.Run(name, func(t *testing.T) {
			c := dialGraphQL(t, env, nil)
			m, err := c.init(payload)
			for err == nil && m.Type != "connection_ack" {
				m, err = c.read()
			}
			if err == nil {
				t.Fatalf("connection_init %v was acknowledged", payload)
			}
			var closeErr *websocket.CloseError
			if !errors.As(err, &closeErr) {
				t.Errorf("connection ended with %v, want a websocket close", err)
			}
		})
	}

	t.Run("subscribe without init", func(t *testing.T) {
		c := dialGraphQL(t, env, nil)
		payload, _ := json.Marshal(map[string]any{"query": streamSubscription})
		c.send(wsMessage{ID: "1", Type: "subscribe", Payload: payload})
		for {
			m, err := c.read()
			if err != nil {
				return
			}
			if m.Type == "next" {
				t.Fatalf("subscription ran without connection_init: %s", m.Payload)
			}
		}
	})
}

func TestSubscription_siteKeyOfOtherClientIsNotFound(t *testing.T) {
	t.Parallel()
	double := llmtest.NewServer(t)
	env := apptest.Start(t, apptest.Options{Configure: func(cfg *app.Config) {
		cfg.LLMBaseURLs["openai"] = double.OpenAIBaseURL()
	}})
	acme := env.CreateClient(t, "Acme Stream")
	globex := env.CreateClient(t, "Globex Stream")
	voice := map[string]any{"voiceSettings": map[string]any{
		"llm_provider": "openai", "llm_model": "gpt-4o-mini"}}
	env.CreateAgent(t, acme, "streamer", voice)
	env.CreateAgent(t, globex, "streamer", voice)
	env.CreateAgent(t, globex, "globex-only", voice)
	env.SetProviderKey(t, acme, "openai", openAIKey)
	env.SetProviderKey(t, globex, "openai", openAIKey2)
	site := env.CreateSite(t, acme, "acme-stream.example", nil)

	connect := func(t *testing.T) *wsClient {
		c := dialGraphQL(t, env, nil)
		m, err := c.init(map[string]any{"Authorization": "Bearer " + site})
		if err != nil || m.Type != "connection_ack" {
			t.Fatalf("connection_init with a site key: %v %v", m, err)
		}
		return c
	}
	input := func(slug string, clientID *uuid.UUID) map[string]any {
		in := map[string]any{"agentSlug": slug, "mode": "TEXT", "userId": "visitor",
			"message": "hello there"}
		if clientID != nil {
			in["clientId"] = clientID.String()
		}
		return in
	}

	t.Run("own client streams", func(t *testing.T) {
		msgs := connect(t).subscribe(input("streamer", &acme))
		if codes := subscriptionErrorCodes(t, msgs); len(codes) != 0 {
			t.Fatalf("own agent failed with %v: %v", codes, msgs)
		}
		last := msgs[len(msgs)-1]
		if !strings.Contains(string(last.Payload), `"DONE"`) ||
			!strings.Contains(string(last.Payload), "hello there") {
			t.Errorf("last event = %s, want DONE with the echoed reply", last.Payload)
		}
	})

	random := uuid.New()
	cases := map[string]map[string]any{
		"shared slug with other client id": input("streamer", &globex),
		"unique slug with other client id": input("globex-only", &globex),
		"other client's slug detected":     input("globex-only", nil),
		"random client id":                 input("streamer", &random),
	}
	for name, in := range cases {
		t.Run(name, func(t *testing.T) {
			before := len(double.Requests())
			msgs := connect(t).subscribe(in)
			codes := subscriptionErrorCodes(t, msgs)
			if len(codes) != 1 || codes[0] != "NOT_FOUND" {
				t.Errorf("error codes = %v, want [NOT_FOUND] (messages %v)", codes, msgs)
			}
			for _, m := range msgs {
				if strings.Contains(string(m.Payload), "Globex") {
					t.Errorf("denial names the other client: %s", m.Payload)
				}
			}
			if n := len(double.Requests()) - before; n != 0 {
				t.Errorf("a denied subscription made %d LLM requests", n)
			}
		})
	}
	if n := tenantCount(t, env, globex, "messages"); n != 0 {
		t.Errorf("Globex's tenant database holds %d messages after denied streams", n)
	}
}
