package rest

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"

	"github.com/sidekick-forge/sidekick-forge/server/apperr"
)

// gqlStreamEvent is one event of RestTriggerAgentStream.
type gqlStreamEvent struct {
	Type           string  `json:"type"`
	Delta          *string `json:"delta"`
	ConversationID *string `json:"conversationId"`
	FullText       *string `json:"fullText"`
	ErrorCode      *string `json:"errorCode"`
	ErrorMessage   *string `json:"errorMessage"`
}

// Server-sent events of the stream route.
type (
	deltaEvent struct {
		Delta string `json:"delta"`
	}
	doneEvent struct {
		Done           bool   `json:"done"`
		ConversationID string `json:"conversation_id"`
		FullText       string `json:"full_text"`
	}
	errorEvent struct {
		Error string `json:"error"`
		Code  string `json:"code"`
	}
)

// stream runs the route's subscription and sends each event as a
// server-sent event, flushed at once. Until the first event is sent the
// status can still change, so an error before it (authentication, a missing
// agent, a provider that fails at once) is an ordinary JSON error response
// with its status. An error after it is an error event that ends the stream.
// When the client disconnects, the request context ends and with it the
// subscription and the provider call.
func (h *handler) stream(c *call, w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithCancel(r.Context())
	defer cancel()

	responses, ctx, errResp := h.dispatch(ctx, c.route.Op, c.vars, r.Header)
	if errResp != nil {
		h.writeError(w, r, h.graphQLError(c, errResp.Errors))
		return
	}
	out := &eventWriter{w: w, rc: http.NewResponseController(w)}
	for {
		resp := responses(ctx)
		if resp == nil {
			return
		}
		if len(resp.Errors) > 0 {
			h.endWithError(out, w, r, h.graphQLError(c, resp.Errors))
			return
		}
		var data struct {
			Event gqlStreamEvent `json:"triggerAgentStream"`
		}
		if err := json.Unmarshal(resp.Data, &data); err != nil {
			h.endWithError(out, w, r, h.internal(c, fmt.Errorf("decode stream event: %w", err)))
			return
		}
		done, err := h.sendEvent(c, out, w, r, data.Event)
		if err != nil {
			h.log.Info("stream client went away", "operation", c.route.Op.Name, "error", err)
			return
		}
		if done {
			return
		}
	}
}

// sendEvent writes one event and reports whether it ended the stream.
func (h *handler) sendEvent(c *call, out *eventWriter, w http.ResponseWriter, r *http.Request,
	ev gqlStreamEvent) (bool, error) {
	switch ev.Type {
	case "DELTA":
		return false, out.send(deltaEvent{Delta: deref(ev.Delta)})
	case "DONE":
		return true, out.send(doneEvent{Done: true, ConversationID: deref(ev.ConversationID),
			FullText: deref(ev.FullText)})
	case "ERROR":
		code := apperr.Code(deref(ev.ErrorCode))
		e := &apiError{Status: code.Status(), Code: string(code), Detail: deref(ev.ErrorMessage)}
		if code == apperr.InvalidInput {
			e.Status = c.route.InvalidStatus
		}
		h.endWithError(out, w, r, e)
		return true, nil
	}
	h.endWithError(out, w, r, h.internal(c, fmt.Errorf("unknown stream event type %q", ev.Type)))
	return true, nil
}

// endWithError sends e as a JSON error response when no event has been
// sent yet, and as an error event otherwise.
func (h *handler) endWithError(out *eventWriter, w http.ResponseWriter, r *http.Request,
	e *apiError) {
	if !out.started {
		h.writeError(w, r, e)
		return
	}
	_ = out.send(errorEvent{Error: e.Detail, Code: e.Code})
}

// eventWriter writes server-sent events, sending the headers with the first.
type eventWriter struct {
	w       http.ResponseWriter
	rc      *http.ResponseController
	started bool
}

func (e *eventWriter) send(v any) error {
	if !e.started {
		h := e.w.Header()
		h.Set("Content-Type", "text/event-stream")
		h.Set("Cache-Control", "no-cache")
		// Proxies such as nginx buffer responses unless this header disables it.
		h.Set("X-Accel-Buffering", "no")
		e.w.WriteHeader(http.StatusOK)
		e.started = true
	}
	payload, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("encode event: %w", err)
	}
	if _, err := fmt.Fprintf(e.w, "data: %s\n\n", payload); err != nil {
		return fmt.Errorf("write event: %w", err)
	}
	if err := e.rc.Flush(); err != nil {
		return fmt.Errorf("flush event: %w", err)
	}
	return nil
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
