package livekit_test

import (
	"context"
	"fmt"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	lkproto "github.com/livekit/protocol/livekit"

	"github.com/sidekick-forge/sidekick-forge/server/apperr"
	"github.com/sidekick-forge/sidekick-forge/server/livekit"
	"github.com/sidekick-forge/sidekick-forge/server/livekit/livekittest"
)

func TestEnsureRoom_createsThenReuses(t *testing.T) {
	t.Parallel()
	set := livekittest.Start(t)
	svc := newService(t)
	req := livekit.RoomRequest{
		Name:            "voice-room",
		Metadata:        `{"agent":"support"}`,
		EmptyTimeout:    90 * time.Second,
		MaxParticipants: 3,
	}

	first, err := svc.EnsureRoom(testContext(t), set, req)
	if err != nil {
		t.Fatalf("first EnsureRoom: %v", err)
	}
	if !first.Created {
		t.Errorf("first Created = false, want true")
	}
	if first.Name != "voice-room" {
		t.Errorf("first Name = %q, want voice-room", first.Name)
	}
	if !strings.HasPrefix(first.SID, "RM_") {
		t.Errorf("first SID = %q, want an RM_ id", first.SID)
	}

	second, err := svc.EnsureRoom(testContext(t), set, req)
	if err != nil {
		t.Fatalf("second EnsureRoom: %v", err)
	}
	if second.Created {
		t.Errorf("second Created = true, want false")
	}
	if second.SID != first.SID {
		t.Errorf("second SID = %q, want %q", second.SID, first.SID)
	}
	if second.Participants != 0 {
		t.Errorf("second Participants = %d, want 0", second.Participants)
	}

	res, err := roomClient(set).ListRooms(testContext(t),
		&lkproto.ListRoomsRequest{Names: []string{"voice-room"}})
	if err != nil {
		t.Fatalf("ListRooms: %v", err)
	}
	if len(res.Rooms) != 1 {
		t.Fatalf("ListRooms returned %d rooms, want 1", len(res.Rooms))
	}
	room := res.Rooms[0]
	if room.EmptyTimeout != 90 {
		t.Errorf("EmptyTimeout = %d s, want 90", room.EmptyTimeout)
	}
	if room.MaxParticipants != 3 {
		t.Errorf("MaxParticipants = %d, want 3", room.MaxParticipants)
	}
	if room.Metadata != req.Metadata {
		t.Errorf("Metadata = %q, want %q", room.Metadata, req.Metadata)
	}
}

func TestEnsureRoom_countsParticipantsOfExistingRoom(t *testing.T) {
	t.Parallel()
	set := livekittest.Start(t)
	svc := newService(t)
	ensureRoom(t, svc, set, "occupied-room")
	for _, identity := range []string{"user-1", "user-2"} {
		token, err := livekit.UserToken(set, livekit.TokenParams{
			Room: "occupied-room", Identity: identity,
		})
		if err != nil {
			t.Fatalf("UserToken(%s): %v", identity, err)
		}
		livekittest.JoinAsUser(t, set.ServerURL(), token)
	}

	info, err := svc.EnsureRoom(testContext(t), set, livekit.RoomRequest{Name: "occupied-room"})
	if err != nil {
		t.Fatalf("EnsureRoom: %v", err)
	}
	if info.Created {
		t.Errorf("Created = true, want false")
	}
	if info.Participants != 2 {
		t.Errorf("Participants = %d, want 2", info.Participants)
	}
}

func TestEnsureRoom_enforcesParticipantLimit(t *testing.T) {
	t.Parallel()
	set := livekittest.Start(t)
	svc := newService(t)

	// The same second join succeeds under a limit of 2, so a failure under a
	// limit of 1 comes from the limit.
	tests := []struct {
		limit      uint32
		secondJoin bool
	}{
		{limit: 1, secondJoin: false},
		{limit: 2, secondJoin: true},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("limit %d", tt.limit), func(t *testing.T) {
			room := fmt.Sprintf("limited-room-%d", tt.limit)
			_, err := svc.EnsureRoom(testContext(t), set, livekit.RoomRequest{
				Name: room, MaxParticipants: tt.limit,
			})
			if err != nil {
				t.Fatalf("EnsureRoom: %v", err)
			}

			first, err := livekit.UserToken(set, livekit.TokenParams{Room: room, Identity: "user-1"})
			if err != nil {
				t.Fatalf("UserToken(user-1): %v", err)
			}
			livekittest.JoinAsUser(t, set.ServerURL(), first)

			second, err := livekit.UserToken(set, livekit.TokenParams{Room: room, Identity: "user-2"})
			if err != nil {
				t.Fatalf("UserToken(user-2): %v", err)
			}
			err = joinRoom(set, second)
			if joined := err == nil; joined != tt.secondJoin {
				t.Errorf("second participant joined = %v, want %v (error: %v)",
					joined, tt.secondJoin, err)
			}
		})
	}
}

func TestEnsureRoom_concurrentCallsCreateOnce(t *testing.T) {
	t.Parallel()
	set := livekittest.Start(t)
	svc := newService(t)

	const callers = 6
	infos := make([]livekit.RoomInfo, callers)
	errs := make([]error, callers)
	var wg sync.WaitGroup
	for i := range callers {
		wg.Go(func() {
			infos[i], errs[i] = svc.EnsureRoom(context.Background(), set,
				livekit.RoomRequest{Name: "shared-room"})
		})
	}
	wg.Wait()

	created := 0
	for i := range callers {
		if errs[i] != nil {
			t.Fatalf("call %d: %v", i, errs[i])
		}
		if infos[i].Created {
			created++
		}
		if infos[i].SID != infos[0].SID {
			t.Errorf("call %d: SID %q, want %q", i, infos[i].SID, infos[0].SID)
		}
	}
	if created != 1 {
		t.Errorf("%d calls reported Created, want 1", created)
	}
}

func TestEnsureRoom_emptyName(t *testing.T) {
	t.Parallel()
	set := livekit.Settings{URL: "ws://127.0.0.1:1", APIKey: "key", APISecret: "secret"}
	_, err := newService(t).EnsureRoom(testContext(t), set, livekit.RoomRequest{})
	e := wantCode(t, err, apperr.InvalidInput)
	if e.Field != "room" {
		t.Errorf("field = %q, want room", e.Field)
	}
}

func TestPing(t *testing.T) {
	t.Parallel()
	set := livekittest.Start(t)
	svc := newService(t)

	t.Run("live server", func(t *testing.T) {
		if err := svc.Ping(testContext(t), set); err != nil {
			t.Errorf("Ping: %v", err)
		}
	})

	t.Run("wrong secret", func(t *testing.T) {
		wrong := set
		wrong.APISecret = "not-the-secret-not-the-secret-not-the-secret"
		err := svc.Ping(testContext(t), wrong)
		e := wantCode(t, err, apperr.UpstreamFailed)
		if want := "LiveKit ListRooms failed (unauthenticated)"; e.Message != want {
			t.Errorf("message = %q, want %q", e.Message, want)
		}
		if strings.Contains(err.Error(), wrong.APISecret) {
			t.Errorf("error %q contains the API secret", err)
		}
	})

	t.Run("closed port", func(t *testing.T) {
		closed := set
		closed.URL = "ws://" + closedAddr(t)
		err := svc.Ping(testContext(t), closed)
		e := wantCode(t, err, apperr.UpstreamFailed)
		if e.Message != "LiveKit ListRooms failed" {
			t.Errorf("message = %q, want %q", e.Message, "LiveKit ListRooms failed")
		}
	})

	t.Run("server that never answers", func(t *testing.T) {
		silent := set
		silent.URL = "http://" + silentAddr(t)
		start := time.Now()
		err := svc.Ping(context.Background(), silent)
		elapsed := time.Since(start)
		e := wantCode(t, err, apperr.UpstreamTimeout)
		if e.Message != "LiveKit ListRooms timed out" {
			t.Errorf("message = %q, want %q", e.Message, "LiveKit ListRooms timed out")
		}
		if elapsed > 5*time.Second {
			t.Errorf("Ping took %v, want its 3 s timeout", elapsed)
		}
	})

	t.Run("caller deadline", func(t *testing.T) {
		silent := set
		silent.URL = "http://" + silentAddr(t)
		ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
		defer cancel()
		err := svc.Ping(ctx, silent)
		wantCode(t, err, apperr.UpstreamTimeout)
	})
}

// joinRoom connects with token and leaves at once, returning the join error.
func joinRoom(set livekit.Settings, token string) error {
	room, err := lksdkConnect(set.ServerURL(), token)
	if err != nil {
		return err
	}
	room.Disconnect()
	return nil
}

// closedAddr returns a loopback address on which nothing listens.
func closedAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("listen: %v", err)
	}
	addr := l.Addr().String()
	_ = l.Close()
	return addr
}

// silentAddr returns a loopback address that accepts connections and never
// sends a response.
func silentAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("listen: %v", err)
	}
	var conns []net.Conn
	var mu sync.Mutex
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
		}
	}()
	t.Cleanup(func() {
		_ = l.Close()
		mu.Lock()
		defer mu.Unlock()
		for _, c := range conns {
			_ = c.Close()
		}
	})
	return l.Addr().String()
}
