package llm

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/anthropics/anthropic-sdk-go/v2"
	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/packages/ssestream"

	"github.com/sidekick-forge/sidekick-forge/server/apperr"
)

// maxProviderMessageRunes bounds the provider's own error text shown to the caller.
const maxProviderMessageRunes = 200

// maxCauseRunes bounds the SDK error text kept as the logged cause. anthropic-sdk-go
// puts the whole response body into its error string.
const maxCauseRunes = 1000

// minRedactedKey is the shortest API key that shortText removes from a text.
const minRedactedKey = 8

// errStreamIncomplete reports a stream that ended without a finish reason, which is
// what a dropped upstream connection looks like to both SDKs: they end the stream
// without an error.
var errStreamIncomplete = errors.New("stream ended without a finish reason")

// errNoChoices reports an OpenAI-compatible reply without choices.
var errNoChoices = errors.New("reply has no choices")

// deltaError carries an error returned by the caller's onDelta, so that it is
// returned as the caller's own error and not as a provider failure.
type deltaError struct{ err error }

func (e *deltaError) Error() string { return e.err.Error() }
func (e *deltaError) Unwrap() error { return e.err }

// redactedError is an SDK error whose text has the API key removed and is cut to a
// bounded length. errors.As still reaches the SDK error.
type redactedError struct {
	text  string
	cause error
}

func (e *redactedError) Error() string { return e.text }
func (e *redactedError) Unwrap() error { return e.cause }

// classifyError turns an SDK error into the error Complete and Stream return.
// parent is the caller's context and callCtx the one bounded by the timeout.
func classifyError(parent, callCtx context.Context, c *call, timeout time.Duration,
	err error) error {
	var de *deltaError
	if errors.As(err, &de) {
		return fmt.Errorf("%s: stream delta: %w", c.provider, de.err)
	}
	if parent.Err() != nil {
		return fmt.Errorf("%s: %w", c.provider, parent.Err())
	}

	cause := redact(err, c.apiKey)
	if callCtx.Err() != nil || errors.Is(err, context.DeadlineExceeded) {
		return &apperr.Error{
			Code:    apperr.UpstreamTimeout,
			Message: fmt.Sprintf("%s: no reply within %s", c.provider, timeout),
			Err:     cause,
		}
	}

	status, detail, ok := providerFailure(err)
	var message string
	switch {
	case ok && status >= 400:
		message = fmt.Sprintf("%s: provider returned HTTP %d", c.provider, status)
	case ok:
		message = c.provider + ": provider reported an error during the stream"
	case errors.Is(err, errStreamIncomplete):
		message = c.provider + ": stream ended before the reply was complete"
	case errors.Is(err, errNoChoices):
		message = c.provider + ": provider returned no reply"
	default:
		message = c.provider + ": request to provider failed"
	}
	if detail = shortText(detail, c.apiKey, maxProviderMessageRunes); detail != "" {
		message += ": " + detail
	}
	return &apperr.Error{Code: apperr.UpstreamFailed, Message: message, Err: cause}
}

// providerFailure extracts the HTTP status and the provider's error message from
// an error that the provider sent. ok is false for any other error.
func providerFailure(err error) (status int, message string, ok bool) {
	var openAIErr *openai.Error
	if errors.As(err, &openAIErr) {
		return openAIErr.StatusCode, openAIErr.Message, true
	}
	var anthropicErr *anthropic.Error
	if errors.As(err, &anthropicErr) {
		return anthropicErr.StatusCode, anthropicErr.Message, true
	}
	// openai-go reports an error event inside a 200 stream as a StreamError whose
	// message embeds the whole event, so read the message from the event data.
	var streamErr *ssestream.StreamError
	if errors.As(err, &streamErr) {
		var body struct {
			Error struct {
				Message string `json:"message"`
			} `json:"error"`
		}
		_ = json.Unmarshal(streamErr.Event.Data, &body)
		return 0, body.Error.Message, true
	}
	return 0, "", false
}

// redact returns err with apiKey removed from its text and the text bounded.
func redact(err error, apiKey string) error {
	if err == nil {
		return nil
	}
	return &redactedError{text: shortText(err.Error(), apiKey, maxCauseRunes), cause: err}
}

// shortText makes s safe to show: it removes apiKey, joins the lines and cuts the
// result to limit runes.
func shortText(s, apiKey string, limit int) string {
	// A key shorter than minRedactedKey is left alone, because replacing a few
	// common characters would garble the text without protecting anything.
	if len(apiKey) >= minRedactedKey {
		s = strings.ReplaceAll(s, apiKey, "[redacted]")
	}
	s = strings.Join(strings.Fields(s), " ")
	if runes := []rune(s); len(runes) > limit {
		s = string(runes[:limit]) + "..."
	}
	return s
}
