package livekit_test

import (
	"context"
	"log/slog"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/livekit/protocol/auth"
	lkproto "github.com/livekit/protocol/livekit"
	lksdk "github.com/livekit/server-sdk-go/v2"

	"github.com/sidekick-forge/sidekick-forge/server/apperr"
	"github.com/sidekick-forge/sidekick-forge/server/livekit"
)

func newService(t *testing.T) *livekit.Service {
	t.Helper()
	return livekit.NewService(slog.New(slog.NewTextHandler(t.Output(), nil)))
}

func testContext(t *testing.T) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func roomClient(set livekit.Settings) *lksdk.RoomServiceClient {
	return lksdk.NewRoomServiceClient(set.ServerURL(), set.APIKey, set.APISecret)
}

func listParticipants(t *testing.T, set livekit.Settings, room string) []*lkproto.ParticipantInfo {
	t.Helper()
	res, err := roomClient(set).ListParticipants(testContext(t),
		&lkproto.ListParticipantsRequest{Room: room})
	if err != nil {
		t.Fatalf("ListParticipants(%s): %v", room, err)
	}
	return res.Participants
}

func agentParticipants(t *testing.T, set livekit.Settings, room string) []*lkproto.ParticipantInfo {
	t.Helper()
	var agents []*lkproto.ParticipantInfo
	for _, p := range listParticipants(t, set, room) {
		if p.Kind == lkproto.ParticipantInfo_AGENT {
			agents = append(agents, p)
		}
	}
	return agents
}

// waitAgents polls until the room has n agent participants and returns how
// long that took.
func waitAgents(t *testing.T, set livekit.Settings, room string, n int) time.Duration {
	t.Helper()
	start := time.Now()
	for time.Since(start) < 10*time.Second {
		if len(agentParticipants(t, set, room)) == n {
			return time.Since(start)
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("room %s: want %d agent participants, have %d after 10s",
		room, n, len(agentParticipants(t, set, room)))
	return 0
}

func ensureRoom(t *testing.T, svc *livekit.Service, set livekit.Settings, name string) {
	t.Helper()
	if _, err := svc.EnsureRoom(testContext(t), set, livekit.RoomRequest{Name: name}); err != nil {
		t.Fatalf("EnsureRoom(%s): %v", name, err)
	}
}

func decodeToken(t *testing.T, token, secret string) *auth.ClaimGrants {
	t.Helper()
	v, err := auth.ParseAPIToken(token)
	if err != nil {
		t.Fatalf("parse token: %v", err)
	}
	_, grants, err := v.Verify(secret)
	if err != nil {
		t.Fatalf("verify token: %v", err)
	}
	return grants
}

func wantCode(t *testing.T, err error, code apperr.Code) *apperr.Error {
	t.Helper()
	if err == nil {
		t.Fatalf("error = nil, want code %s", code)
	}
	e, ok := apperr.As(err)
	if !ok {
		t.Fatalf("error %v (%T) is not an *apperr.Error", err, err)
	}
	if e.Code != code {
		t.Fatalf("error code = %s, want %s (error: %v)", e.Code, code, err)
	}
	return e
}

func lksdkConnect(url, token string) (*lksdk.Room, error) {
	return lksdk.ConnectToRoomWithToken(url, token, &lksdk.RoomCallback{},
		lksdk.WithConnectTimeout(5*time.Second))
}

func registeredClaims(t *testing.T, token, secret string) *jwt.RegisteredClaims {
	t.Helper()
	v, err := auth.ParseAPIToken(token)
	if err != nil {
		t.Fatalf("parse token: %v", err)
	}
	claims, _, err := v.Verify(secret)
	if err != nil {
		t.Fatalf("verify token: %v", err)
	}
	return claims
}
