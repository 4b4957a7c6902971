package livekit

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/http"

	"github.com/livekit/protocol/auth"
	"github.com/livekit/protocol/livekit"
	"github.com/livekit/protocol/utils/protojson"
	"github.com/livekit/protocol/webhook"

	"github.com/sidekick-forge/sidekick-forge/server/apperr"
)

// MaxWebhookBody is the largest webhook body ReceiveWebhook reads. LiveKit
// events are a few kilobytes, so a larger body is rejected unread.
const MaxWebhookBody = 1 << 20

// ErrWebhookUnauthorized is in the chain of every ReceiveWebhook error for a
// request whose signature, API key or body hash does not verify.
var ErrWebhookUnauthorized = errors.New("LiveKit webhook is not authentic")

// KeyProvider returns the API secret for an API key; it is the interface
// that the LiveKit webhook verifier takes.
type KeyProvider = auth.KeyProvider

// ReceiveWebhook reads r's body and verifies it with LiveKit's webhook
// receiver: the Authorization header must be a JWT signed with a key known to
// keys, and its sha256 claim must match the body. It returns the decoded
// event, or an UNAUTHENTICATED error wrapping ErrWebhookUnauthorized for a
// forged or tampered request, or INVALID_INPUT for an oversized or malformed
// body. It closes r.Body.
func ReceiveWebhook(r *http.Request, keys KeyProvider) (*livekit.WebhookEvent, error) {
	if keys == nil {
		return nil, apperr.New(apperr.Internal, "LiveKit webhook key provider is nil")
	}

	body, err := io.ReadAll(io.LimitReader(r.Body, MaxWebhookBody+1))
	_ = r.Body.Close()
	if err != nil {
		return nil, apperr.Wrap(apperr.InvalidInput, err, "read LiveKit webhook body")
	}
	if len(body) > MaxWebhookBody {
		return nil, apperr.New(apperr.InvalidInput,
			"LiveKit webhook body exceeds %d bytes", MaxWebhookBody)
	}

	// webhook.Receive reads the body itself, so it gets a copy.
	verify := r.Clone(r.Context())
	verify.Body = io.NopCloser(bytes.NewReader(body))
	data, err := webhook.Receive(verify, keys)
	if err != nil {
		return nil, &apperr.Error{
			Code:    apperr.Unauthenticated,
			Message: "LiveKit webhook rejected: invalid signature or body hash",
			Err:     fmt.Errorf("%w: %w", ErrWebhookUnauthorized, err),
		}
	}

	var event livekit.WebhookEvent
	opts := protojson.UnmarshalOptions{DiscardUnknown: true, AllowPartial: true}
	if err := opts.Unmarshal(data, &event); err != nil {
		return nil, apperr.Wrap(apperr.InvalidInput, err, "decode LiveKit webhook event")
	}
	return &event, nil
}
