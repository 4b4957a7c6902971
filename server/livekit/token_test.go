package livekit_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/livekit/protocol/auth"
	lkproto "github.com/livekit/protocol/livekit"

	"github.com/sidekick-forge/sidekick-forge/server/apperr"
	"github.com/sidekick-forge/sidekick-forge/server/livekit"
	"github.com/sidekick-forge/sidekick-forge/server/livekit/livekittest"
)

var tokenSettings = livekit.Settings{
	URL:       "wss://livekit.example.test",
	APIKey:    "APIkey",
	APISecret: "secret-secret-secret-secret-secret-32",
}

func TestUserToken_grantsOnlyTheRoom(t *testing.T) {
	t.Parallel()
	token, err := livekit.UserToken(tokenSettings, livekit.TokenParams{
		Room: "room-a", Identity: "user-1", Name: "Ada", Metadata: `{"k":"v"}`,
	})
	if err != nil {
		t.Fatalf("UserToken: %v", err)
	}
	grants := decodeToken(t, token, tokenSettings.APISecret)

	if grants.Identity != "user-1" {
		t.Errorf("identity = %q, want user-1", grants.Identity)
	}
	if grants.Name != "Ada" {
		t.Errorf("name = %q, want Ada", grants.Name)
	}
	if grants.Metadata != `{"k":"v"}` {
		t.Errorf("metadata = %q, want {\"k\":\"v\"}", grants.Metadata)
	}
	video := grants.Video
	if video == nil {
		t.Fatal("video grant is missing")
	}
	if !video.RoomJoin {
		t.Error("roomJoin = false, want true")
	}
	if video.Room != "room-a" {
		t.Errorf("room = %q, want room-a", video.Room)
	}
	for name, grant := range map[string]*bool{
		"canPublish":     video.CanPublish,
		"canSubscribe":   video.CanSubscribe,
		"canPublishData": video.CanPublishData,
	} {
		if grant == nil {
			t.Errorf("%s is unset, want an explicit true", name)
		} else if !*grant {
			t.Errorf("%s = false, want true", name)
		}
	}
	for name, granted := range map[string]bool{
		"roomAdmin":    video.RoomAdmin,
		"roomCreate":   video.RoomCreate,
		"roomList":     video.RoomList,
		"roomRecord":   video.RoomRecord,
		"ingressAdmin": video.IngressAdmin,
		"agent":        video.Agent,
		"hidden":       video.Hidden,
		"recorder":     video.Recorder,
	} {
		if granted {
			t.Errorf("%s = true, want false", name)
		}
	}
	if video.DestinationRoom != "" {
		t.Errorf("destinationRoom = %q, want empty", video.DestinationRoom)
	}
	if grants.SIP != nil {
		t.Errorf("SIP grant = %+v, want none", grants.SIP)
	}
	if grants.Agent != nil {
		t.Errorf("agent grant = %+v, want none", grants.Agent)
	}
	if grants.RoomConfig != nil {
		t.Errorf("room config = %+v, want none", grants.RoomConfig)
	}
}

func TestUserToken_ttl(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		ttl  time.Duration
		want time.Duration
	}{
		{name: "explicit", ttl: 2 * time.Minute, want: 2 * time.Minute},
		{name: "default", ttl: 0, want: livekit.DefaultTokenTTL},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			issued := time.Now()
			token, err := livekit.UserToken(tokenSettings, livekit.TokenParams{
				Room: "room-a", Identity: "user-1", TTL: tt.ttl,
			})
			if err != nil {
				t.Fatalf("UserToken: %v", err)
			}
			claims := registeredClaims(t, token, tokenSettings.APISecret)
			if claims.ExpiresAt == nil {
				t.Fatal("token has no exp claim")
			}
			lifetime := claims.ExpiresAt.Sub(issued)
			if diff := lifetime - tt.want; diff < -2*time.Second || diff > 2*time.Second {
				t.Errorf("token lifetime = %v, want %v", lifetime.Round(time.Second), tt.want)
			}
		})
	}
}

func TestUserToken_invalidParams(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		params livekit.TokenParams
		field  string
	}{
		{name: "no room", params: livekit.TokenParams{Identity: "u"}, field: "room"},
		{name: "no identity", params: livekit.TokenParams{Room: "r"}, field: "identity"},
		{
			name:   "negative ttl",
			params: livekit.TokenParams{Room: "r", Identity: "u", TTL: -1},
			field:  "ttl",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := livekit.UserToken(tokenSettings, tt.params)
			e := wantCode(t, err, apperr.InvalidInput)
			if e.Field != tt.field {
				t.Errorf("field = %q, want %q", e.Field, tt.field)
			}
		})
	}
}

func TestUserToken_joinsRoomAsParticipant(t *testing.T) {
	t.Parallel()
	set := livekittest.Start(t)
	svc := newService(t)
	ensureRoom(t, svc, set, "join-room")

	token, err := livekit.UserToken(set, livekit.TokenParams{
		Room: "join-room", Identity: "user-1", Name: "Ada", TTL: time.Minute,
	})
	if err != nil {
		t.Fatalf("UserToken: %v", err)
	}
	start := time.Now()
	room := livekittest.JoinAsUser(t, set.ServerURL(), token)
	t.Logf("user joined in %v", time.Since(start).Round(time.Millisecond))
	if room.Name() != "join-room" {
		t.Errorf("joined room %q, want join-room", room.Name())
	}

	participants := listParticipants(t, set, "join-room")
	if len(participants) != 1 {
		t.Fatalf("participants = %d, want 1", len(participants))
	}
	p := participants[0]
	if p.Identity != "user-1" {
		t.Errorf("identity = %q, want user-1", p.Identity)
	}
	if p.Kind != lkproto.ParticipantInfo_STANDARD {
		t.Errorf("kind = %s, want STANDARD", p.Kind)
	}
	if !p.Permission.GetCanPublish() {
		t.Error("permission canPublish = false, want true")
	}
	if !p.Permission.GetCanSubscribe() {
		t.Error("permission canSubscribe = false, want true")
	}
	if !p.Permission.GetCanPublishData() {
		t.Error("permission canPublishData = false, want true")
	}
}

// The user token must not work as an API credential.
func TestUserToken_rejectedByRoomService(t *testing.T) {
	t.Parallel()
	set := livekittest.Start(t)
	svc := newService(t)
	ensureRoom(t, svc, set, "admin-room")
	token, err := livekit.UserToken(set, livekit.TokenParams{Room: "admin-room", Identity: "user-1"})
	if err != nil {
		t.Fatalf("UserToken: %v", err)
	}

	// The same request with a room admin token succeeds, so the rejections
	// below come from the user token's grants.
	admin, err := auth.NewAccessToken(set.APIKey, set.APISecret).
		SetVideoGrant(&auth.VideoGrant{RoomAdmin: true, Room: "admin-room"}).
		ToJWT()
	if err != nil {
		t.Fatalf("sign admin token: %v", err)
	}
	if status := callRoomService(t, set, "ListParticipants", admin); status != http.StatusOK {
		t.Fatalf("ListParticipants with an admin token: HTTP %d, want 200", status)
	}

	for _, method := range []string{"ListParticipants", "ListRooms", "CreateRoom", "DeleteRoom"} {
		t.Run(method, func(t *testing.T) {
			status := callRoomService(t, set, method, token)
			if status != http.StatusUnauthorized && status != http.StatusForbidden {
				t.Errorf("%s with a user token: HTTP %d, want 401 or 403", method, status)
			}
		})
	}
}

// callRoomService calls a RoomService method over Twirp JSON with a bearer
// token and returns the HTTP status.
func callRoomService(t *testing.T, set livekit.Settings, method, token string) int {
	t.Helper()
	url := strings.Replace(set.ServerURL(), "ws://", "http://", 1) +
		"/twirp/livekit.RoomService/" + method
	req, err := http.NewRequest(http.MethodPost, url,
		strings.NewReader(`{"room":"admin-room","name":"admin-room"}`))
	if err != nil {
		t.Fatalf("build request: %v", err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+token)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("POST %s: %v", method, err)
	}
	_ = res.Body.Close()
	return res.StatusCode
}
