package auth_test

import (
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/gorilla/websocket"

	"github.com/sidekick-forge/sidekick-forge/server/auth"
)

// wsMessage is one graphql-transport-ws message.
type wsMessage struct {
	ID      string          `json:"id,omitempty"`
	Type    string          `json:"type"`
	Payload json.RawMessage `json:"payload,omitempty"`
}

// wsConn is a graphql-transport-ws client of /graphql.
type wsConn struct {
	conn *websocket.Conn
	// transcript records every message from the server and the close, for
	// failure output and the secret scan.
	transcript strings.Builder
}

// dialGraphQL opens a websocket to /graphql with header on the upgrade.
func (f *fixture) dialGraphQL(header http.Header) (*wsConn, error) {
	dialer := websocket.Dialer{Subprotocols: []string{"graphql-transport-ws"},
		HandshakeTimeout: 5 * time.Second}
	url := "ws" + strings.TrimPrefix(f.env.URL, "http") + "/graphql"
	conn, resp, err := dialer.Dial(url, header)
	if err != nil {
		return nil, err
	}
	resp.Body.Close()
	return &wsConn{conn: conn}, nil
}

func (c *wsConn) send(m wsMessage) error { return c.conn.WriteJSON(m) }

// read returns the next message other than ping, or the close code when
// the server closed the connection.
func (c *wsConn) read() (wsMessage, int, error) {
	for {
		var m wsMessage
		if err := c.conn.SetReadDeadline(time.Now().Add(10 * time.Second)); err != nil {
			return m, 0, err
		}
		_, data, err := c.conn.ReadMessage()
		var closeErr *websocket.CloseError
		if errors.As(err, &closeErr) {
			c.transcript.WriteString("close " + closeErr.Error() + "\n")
			return m, closeErr.Code, nil
		}
		if err != nil {
			return m, 0, err
		}
		c.transcript.Write(data)
		c.transcript.WriteByte('\n')
		if err := json.Unmarshal(data, &m); err != nil {
			return m, 0, err
		}
		if m.Type == "ping" {
			_ = c.send(wsMessage{Type: "pong"})
			continue
		}
		return m, 0, nil
	}
}

// initPayload is the connection_init payload of p: its key or embed token,
// or the session's CSRF token (the cookie goes on the upgrade).
func initPayload(p *principal) map[string]any {
	switch {
	case p.key != "":
		return map[string]any{"Authorization": "Bearer " + p.key}
	case p.embed != "":
		return map[string]any{"embedToken": p.embed}
	case p.session != nil:
		return map[string]any{"csrfToken": p.session.CSRF}
	}
	return map[string]any{}
}

// subscribe runs c.query as a subscription with p's credentials and
// collects the messages until complete, an error or a close.
func (f *fixture) subscribe(p *principal, c call) result {
	f.t.Helper()
	header := http.Header{}
	if p.session != nil {
		header.Set("Cookie", auth.SessionCookie+"="+p.session.Cookie)
	}
	conn, err := f.dialGraphQL(header)
	if err != nil {
		f.t.Fatalf("dial /graphql: %v", err)
	}
	defer conn.conn.Close()
	return conn.run(initPayload(p), c.query, c.vars)
}

func (c *wsConn) run(payload map[string]any, query string, vars map[string]any) result {
	var r result
	finish := func() result {
		r.body = c.transcript.String()
		return r
	}
	raw, _ := json.Marshal(payload)
	if err := c.send(wsMessage{Type: "connection_init", Payload: raw}); err != nil {
		return finish()
	}
	m, code, err := c.read()
	if err != nil || code != 0 {
		r.closeCode = code
		return finish()
	}
	if m.Type != "connection_ack" {
		return finish()
	}
	raw, _ = json.Marshal(map[string]any{"query": query, "variables": vars})
	if err := c.send(wsMessage{ID: "1", Type: "subscribe", Payload: raw}); err != nil {
		return finish()
	}
	for {
		m, code, err := c.read()
		switch {
		case err != nil:
			return finish()
		case code != 0:
			r.closeCode = code
			return finish()
		case m.Type == "complete":
			return finish()
		case m.Type == "error":
			var list []struct{ Extensions map[string]any }
			_ = json.Unmarshal(m.Payload, &list)
			if len(list) > 0 {
				r.code, _ = list[0].Extensions["code"].(string)
			}
			return finish()
		case m.Type == "next":
			var next struct {
				Data   map[string]struct{ Type string }
				Errors []struct{ Extensions map[string]any }
			}
			_ = json.Unmarshal(m.Payload, &next)
			if len(next.Errors) > 0 && r.code == "" {
				r.code, _ = next.Errors[0].Extensions["code"].(string)
			}
			for _, ev := range next.Data {
				if ev.Type == "DONE" {
					r.done = true
				}
			}
		}
	}
}
