package livekit_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/livekit/protocol/auth"

	"github.com/sidekick-forge/sidekick-forge/server/apperr"
	"github.com/sidekick-forge/sidekick-forge/server/livekit"
	"github.com/sidekick-forge/sidekick-forge/server/livekit/livekittest"
)

// capturedWebhook is one webhook request as livekit-server sent it.
type capturedWebhook struct {
	header http.Header
	body   []byte
}

func (c capturedWebhook) request(body []byte) *http.Request {
	r := httptest.NewRequest(http.MethodPost, "/webhooks/livekit", bytes.NewReader(body))
	r.Header = c.header.Clone()
	return r
}

// receiveRoomStarted starts a server that sends webhooks to an httptest
// server, creates a room, and returns the room_started webhook for it.
func receiveRoomStarted(t *testing.T) (livekit.Settings, capturedWebhook) {
	t.Helper()
	hooks := make(chan capturedWebhook, 32)
	receiver := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		select {
		case hooks <- capturedWebhook{header: r.Header.Clone(), body: body}:
		default:
		}
	}))
	t.Cleanup(receiver.Close)

	set := livekittest.StartWithWebhook(t, receiver.URL)
	ensureRoom(t, newService(t), set, "webhook-room")

	timeout := time.After(10 * time.Second)
	for {
		select {
		case hook := <-hooks:
			if bytes.Contains(hook.body, []byte(`"room_started"`)) &&
				bytes.Contains(hook.body, []byte(`"webhook-room"`)) {
				return set, hook
			}
		case <-timeout:
			t.Fatal("no room_started webhook for webhook-room within 10s")
		}
	}
}

func TestReceiveWebhook_verifiesRealEvent(t *testing.T) {
	t.Parallel()
	set, hook := receiveRoomStarted(t)
	keys := auth.NewSimpleKeyProvider(set.APIKey, set.APISecret)

	event, err := livekit.ReceiveWebhook(hook.request(hook.body), keys)
	if err != nil {
		t.Fatalf("ReceiveWebhook: %v", err)
	}
	if event.Event != "room_started" {
		t.Errorf("event = %q, want room_started", event.Event)
	}
	if event.GetRoom().GetName() != "webhook-room" {
		t.Errorf("room = %q, want webhook-room", event.GetRoom().GetName())
	}
	if event.Id == "" {
		t.Error("event id is empty, want the id used for deduplication")
	}
}

func TestReceiveWebhook_rejectsForgeries(t *testing.T) {
	t.Parallel()
	set, hook := receiveRoomStarted(t)
	keys := auth.NewSimpleKeyProvider(set.APIKey, set.APISecret)
	tampered := bytes.Replace(hook.body, []byte("webhook-room"), []byte("another-room"), 1)

	tests := []struct {
		name    string
		request func() *http.Request
	}{
		{
			name:    "tampered body",
			request: func() *http.Request { return hook.request(tampered) },
		},
		{
			name: "signed with the wrong secret",
			request: func() *http.Request {
				r := hook.request(tampered)
				r.Header.Set("Authorization", signBody(t, set.APIKey,
					"wrong-secret-wrong-secret-wrong-secret", tampered))
				return r
			},
		},
		{
			name: "unknown api key",
			request: func() *http.Request {
				r := hook.request(tampered)
				r.Header.Set("Authorization", signBody(t, "APIunknown", set.APISecret, tampered))
				return r
			},
		},
		{
			name: "no authorization header",
			request: func() *http.Request {
				r := hook.request(hook.body)
				r.Header.Del("Authorization")
				return r
			},
		},
		{
			name: "garbage authorization header",
			request: func() *http.Request {
				r := hook.request(hook.body)
				r.Header.Set("Authorization", "not-a-jwt")
				return r
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			event, err := livekit.ReceiveWebhook(tt.request(), keys)
			if event != nil {
				t.Errorf("event = %v, want nil", event)
			}
			if !errors.Is(err, livekit.ErrWebhookUnauthorized) {
				t.Fatalf("error = %v, want ErrWebhookUnauthorized", err)
			}
			wantCode(t, err, apperr.Unauthenticated)
		})
	}
}

// A correctly signed body that is not JSON passes verification and then
// fails to decode.
func TestReceiveWebhook_malformedBody(t *testing.T) {
	t.Parallel()
	keys := auth.NewSimpleKeyProvider("APIkey", "secret-secret-secret-secret-secret-32")
	body := []byte("not json")
	r := httptest.NewRequest(http.MethodPost, "/", bytes.NewReader(body))
	r.Header.Set("Authorization", signBody(t, "APIkey", "secret-secret-secret-secret-secret-32", body))

	_, err := livekit.ReceiveWebhook(r, keys)
	wantCode(t, err, apperr.InvalidInput)
	if errors.Is(err, livekit.ErrWebhookUnauthorized) {
		t.Errorf("error %v wraps ErrWebhookUnauthorized, want a decode error", err)
	}
}

func TestReceiveWebhook_oversizedBody(t *testing.T) {
	t.Parallel()
	keys := auth.NewSimpleKeyProvider("APIkey", "secret-secret-secret-secret-secret-32")
	body := strings.Repeat("x", livekit.MaxWebhookBody+1)
	r := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(body))

	_, err := livekit.ReceiveWebhook(r, keys)
	wantCode(t, err, apperr.InvalidInput)
}

// signBody returns an Authorization header value the way livekit-server
// signs webhooks: a JWT whose sha256 claim is the body hash.
func signBody(t *testing.T, apiKey, secret string, body []byte) string {
	t.Helper()
	sum := sha256.Sum256(body)
	token, err := auth.NewAccessToken(apiKey, secret).
		SetValidFor(5 * time.Minute).
		SetSha256(base64.StdEncoding.EncodeToString(sum[:])).
		ToJWT()
	if err != nil {
		t.Fatalf("sign webhook: %v", err)
	}
	return token
}
