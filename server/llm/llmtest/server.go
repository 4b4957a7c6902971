package llmtest

import (
	"net/http/httptest"
	"testing"
)

// Server is a Handler listening on 127.0.0.1 for the length of one test.
type Server struct {
	*Handler
	httpServer *httptest.Server
}

// NewServer starts a double with default Options on 127.0.0.1 and stops it when the
// test ends. Configure it through the embedded Handler's setters.
func NewServer(t testing.TB) *Server {
	t.Helper()
	handler := NewHandler(Options{})
	httpServer := httptest.NewServer(handler)
	t.Cleanup(func() {
		// Close waits for active requests, and a hanging request only ends when its
		// connection does, so drop the connections first.
		httpServer.CloseClientConnections()
		httpServer.Close()
	})
	return &Server{Handler: handler, httpServer: httpServer}
}

// URL returns the server's root, for example http://127.0.0.1:41234.
func (s *Server) URL() string { return s.httpServer.URL }

// OpenAIBaseURL returns the base URL that an OpenAI client takes (the root plus /v1).
func (s *Server) OpenAIBaseURL() string { return s.httpServer.URL + "/v1" }

// AnthropicBaseURL returns the base URL that an Anthropic client takes (the root,
// because the SDK adds /v1/messages itself).
func (s *Server) AnthropicBaseURL() string { return s.httpServer.URL }
