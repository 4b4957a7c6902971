package graph

import (
	"errors"
	"io"
	"net/http"
	"time"

	"github.com/99designs/gqlgen/graphql/handler/transport"
	"github.com/gorilla/websocket"
)

// gorillaImplementation adapts gorilla/websocket to gqlgen's websocket
// transport, so the project uses one websocket library. Every origin may
// upgrade: the origin is checked in connection_init, once the caller is
// known, so that a rejection reaches the browser as a close code.
func gorillaImplementation() transport.WebsocketImplementation {
	return gorillaAccepter{upgrader: websocket.Upgrader{
		CheckOrigin:     func(*http.Request) bool { return true },
		ReadBufferSize:  4096,
		WriteBufferSize: 4096,
	}}
}

type gorillaAccepter struct{ upgrader websocket.Upgrader }

func (g gorillaAccepter) Accept(w http.ResponseWriter, r *http.Request,
	opts transport.WebsocketAcceptOptions) (transport.WebsocketConn, error) {
	up := g.upgrader
	up.Subprotocols = opts.Subprotocols
	conn, err := up.Upgrade(w, r, opts.ResponseHeader)
	if err != nil {
		return nil, err
	}
	return &gorillaConn{conn: conn}, nil
}

type gorillaConn struct{ conn *websocket.Conn }

func (c *gorillaConn) Close() error { return c.conn.Close() }

func (c *gorillaConn) NextReader() (int, io.Reader, error) {
	kind, r, err := c.conn.NextReader()
	if websocket.IsCloseError(err, websocket.CloseNormalClosure, websocket.CloseNoStatusReceived) {
		return kind, nil, transport.ErrWebsocketClosed
	}
	var closeErr *websocket.CloseError
	if errors.As(err, &closeErr) {
		return kind, nil, transport.ErrWebsocketClosed
	}
	return kind, r, err
}

func (c *gorillaConn) WriteJSON(v any) error { return c.conn.WriteJSON(v) }

func (c *gorillaConn) WriteClose(code int, message string) error {
	msg := websocket.FormatCloseMessage(code, message)
	return c.conn.WriteControl(websocket.CloseMessage, msg, time.Now().Add(time.Second))
}

func (c *gorillaConn) Subprotocol() string { return c.conn.Subprotocol() }

func (c *gorillaConn) SetReadLimit(limit int64) { c.conn.SetReadLimit(limit) }

func (c *gorillaConn) SetReadDeadline(t time.Time) error { return c.conn.SetReadDeadline(t) }
