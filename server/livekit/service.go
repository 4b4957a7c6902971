package livekit

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"time"

	"github.com/livekit/protocol/livekit"
	lksdk "github.com/livekit/server-sdk-go/v2"
	"github.com/twitchtv/twirp"

	"github.com/sidekick-forge/sidekick-forge/server/apperr"
)

const (
	// callTimeout bounds one LiveKit API call when the caller's context has a
	// later deadline or none.
	callTimeout = 10 * time.Second
	// pingTimeout bounds the health check, which must return fast.
	pingTimeout = 3 * time.Second

	// Defaults for how long a dispatch counts as pending without an agent in
	// the room. livekit-server v1.13.5 waits up to 10 s for a worker to accept
	// a job (AssignJobTimeout), and an agent joins within about 0.5 s of its
	// assignment on a local server.
	defaultLaunchWindow = 15 * time.Second
	defaultJoinWindow   = 15 * time.Second
)

// Service calls the LiveKit server APIs with each client's own settings. It
// caches one RoomServiceClient and one AgentDispatchClient per (URL, API
// key) and is safe for concurrent use.
type Service struct {
	log *slog.Logger

	mu      sync.Mutex
	clients map[clientKey]*apiClients

	roomLocks keyedMutex

	// launchWindow is how long a dispatch without jobs counts as pending.
	launchWindow time.Duration
	// joinWindow is how long an assigned job counts as pending before its
	// agent participant appears in the room.
	joinWindow time.Duration
}

type clientKey struct{ url, apiKey string }

type apiClients struct {
	secret   string
	rooms    *lksdk.RoomServiceClient
	dispatch *lksdk.AgentDispatchClient
}

// NewService returns a Service that logs to log (slog.Default when nil).
func NewService(log *slog.Logger) *Service {
	if log == nil {
		log = slog.Default()
	}
	return &Service{
		log:          log,
		clients:      make(map[clientKey]*apiClients),
		launchWindow: defaultLaunchWindow,
		joinWindow:   defaultJoinWindow,
	}
}

// apiClientsFor returns the cached clients for set, replacing them when the
// secret changed under the same key (a rotated secret).
func (s *Service) apiClientsFor(set Settings) (*apiClients, error) {
	if err := set.Check(); err != nil {
		return nil, err
	}

	key := clientKey{url: set.ServerURL(), apiKey: set.APIKey}
	s.mu.Lock()
	defer s.mu.Unlock()

	if c, ok := s.clients[key]; ok && c.secret == set.APISecret {
		return c, nil
	}
	c := &apiClients{
		secret:   set.APISecret,
		rooms:    lksdk.NewRoomServiceClient(key.url, set.APIKey, set.APISecret),
		dispatch: lksdk.NewAgentDispatchServiceClient(key.url, set.APIKey, set.APISecret),
	}
	s.clients[key] = c
	return c, nil
}

// RoomRequest describes the room to create when it does not exist yet.
type RoomRequest struct {
	Name     string
	Metadata string
	// EmptyTimeout is how long LiveKit keeps the room open without
	// participants, sent in whole seconds and rounded up. Zero keeps the
	// server default, which is 300 s in livekit-server v1.13.5.
	EmptyTimeout time.Duration
	// MaxParticipants limits the room size. Zero means no limit.
	MaxParticipants uint32
}

// RoomInfo describes the room that EnsureRoom created or found.
type RoomInfo struct {
	Name    string
	SID     string
	Created bool
	// Participants counts the connected participants of an existing room,
	// agents included. It is zero for a room that was just created.
	Participants int
}

// EnsureRoom creates the room, or returns the existing room of that name with
// Created false and its participant count. The limits of an existing room
// are left as they are. Concurrent calls for one room in this process are
// serialized, so only one of them reports Created.
func (s *Service) EnsureRoom(ctx context.Context, set Settings, req RoomRequest) (RoomInfo, error) {
	if req.Name == "" {
		return RoomInfo{}, apperr.Invalid("room", "must not be empty")
	}
	clients, err := s.apiClientsFor(set)
	if err != nil {
		return RoomInfo{}, err
	}

	unlock, err := s.roomLocks.lock(ctx, lockKey("room", set, req.Name))
	if err != nil {
		return RoomInfo{}, upstreamError("EnsureRoom", err)
	}
	defer unlock()

	existing, err := s.findRoom(ctx, clients, req.Name)
	if err != nil {
		return RoomInfo{}, err
	}
	if existing != nil {
		// Room.NumParticipants from ListRooms lags behind joins and leaves,
		// so the participants are counted from ListParticipants.
		count, err := countParticipants(ctx, clients, req.Name)
		if err != nil {
			return RoomInfo{}, err
		}
		return RoomInfo{Name: existing.Name, SID: existing.Sid, Participants: count}, nil
	}

	callCtx, cancel := context.WithTimeout(ctx, callTimeout)
	defer cancel()
	room, err := clients.rooms.CreateRoom(callCtx, &livekit.CreateRoomRequest{
		Name:            req.Name,
		Metadata:        req.Metadata,
		EmptyTimeout:    seconds(req.EmptyTimeout),
		MaxParticipants: req.MaxParticipants,
	})
	if err != nil {
		return RoomInfo{}, upstreamError("CreateRoom", err)
	}

	s.log.InfoContext(ctx, "livekit room created",
		"room", room.Name,
		"room_sid", room.Sid,
		"empty_timeout_s", room.EmptyTimeout,
		"max_participants", room.MaxParticipants,
		"metadata_bytes", len(req.Metadata),
	)
	return RoomInfo{Name: room.Name, SID: room.Sid, Created: true}, nil
}

// findRoom returns the room named name, or nil when it does not exist.
func (s *Service) findRoom(
	ctx context.Context, clients *apiClients, name string,
) (*livekit.Room, error) {
	callCtx, cancel := context.WithTimeout(ctx, callTimeout)
	defer cancel()

	res, err := clients.rooms.ListRooms(callCtx, &livekit.ListRoomsRequest{Names: []string{name}})
	if err != nil {
		return nil, upstreamError("ListRooms", err)
	}
	for _, room := range res.Rooms {
		if room.Name == name {
			return room, nil
		}
	}
	return nil, nil
}

func countParticipants(ctx context.Context, clients *apiClients, room string) (int, error) {
	callCtx, cancel := context.WithTimeout(ctx, callTimeout)
	defer cancel()

	res, err := clients.rooms.ListParticipants(callCtx, &livekit.ListParticipantsRequest{Room: room})
	if err != nil {
		return 0, upstreamError("ListParticipants", err)
	}
	count := 0
	for _, p := range res.Participants {
		if p.State != livekit.ParticipantInfo_DISCONNECTED {
			count++
		}
	}
	return count, nil
}

// pingRoomName is a room name that ListRooms looks up in Ping. The room need
// not exist, because an empty list still proves that the server accepted the
// key.
const pingRoomName = "sidekick-health-check"

// Ping checks that the LiveKit server responds and accepts the API key, with
// a ListRooms call bounded by a 3 s timeout.
func (s *Service) Ping(ctx context.Context, set Settings) error {
	clients, err := s.apiClientsFor(set)
	if err != nil {
		return err
	}

	callCtx, cancel := context.WithTimeout(ctx, pingTimeout)
	defer cancel()
	_, err = clients.rooms.ListRooms(callCtx, &livekit.ListRoomsRequest{
		Names: []string{pingRoomName},
	})
	if err != nil {
		return upstreamError("ListRooms", err)
	}
	return nil
}

func seconds(d time.Duration) uint32 {
	if d <= 0 {
		return 0
	}
	return uint32((d + time.Second - 1) / time.Second)
}

func lockKey(kind string, set Settings, room string) string {
	return kind + "\x00" + set.ServerURL() + "\x00" + set.APIKey + "\x00" + room
}

// keyedMutex is a set of mutexes created on demand per key and dropped when
// no caller holds or waits for them. Waiting honours the context.
type keyedMutex struct {
	mu    sync.Mutex
	locks map[string]*keyedLock
}

type keyedLock struct {
	sem  chan struct{}
	refs int
}

func (k *keyedMutex) lock(ctx context.Context, key string) (unlock func(), err error) {
	k.mu.Lock()
	if k.locks == nil {
		k.locks = make(map[string]*keyedLock)
	}
	l, ok := k.locks[key]
	if !ok {
		l = &keyedLock{sem: make(chan struct{}, 1)}
		k.locks[key] = l
	}
	l.refs++
	k.mu.Unlock()

	release := func() {
		k.mu.Lock()
		l.refs--
		if l.refs == 0 {
			delete(k.locks, key)
		}
		k.mu.Unlock()
	}

	select {
	case l.sem <- struct{}{}:
		return func() {
			<-l.sem
			release()
		}, nil
	case <-ctx.Done():
		release()
		return nil, ctx.Err()
	}
}

// upstreamError turns an error from a LiveKit API call into an
// UPSTREAM_TIMEOUT or UPSTREAM_FAILED error whose message names the
// operation. The message carries the Twirp error code when there is one, never
// the URL or a credential; the cause stays in Err for logs.
func upstreamError(op string, err error) error {
	if isTimeout(err) {
		return apperr.Wrap(apperr.UpstreamTimeout, err, "LiveKit "+op+" timed out")
	}
	msg := "LiveKit " + op + " failed"
	if code := twirpCode(err); code != "" {
		msg += " (" + code + ")"
	}
	return apperr.Wrap(apperr.UpstreamFailed, err, msg)
}

func isTimeout(err error) bool {
	if errors.Is(err, context.DeadlineExceeded) {
		return true
	}
	if twirpCode(err) == string(twirp.DeadlineExceeded) {
		return true
	}
	var netErr interface{ Timeout() bool }
	return errors.As(err, &netErr) && netErr.Timeout()
}

// twirpCode returns the Twirp error code that the LiveKit server sent, or ""
// when err did not come from the server. The Twirp client reports transport
// failures as code "internal" with a "cause" meta value, which is not a server
// answer and so is left out.
func twirpCode(err error) string {
	var te twirp.Error
	if !errors.As(err, &te) || te.Meta("cause") != "" {
		return ""
	}
	return string(te.Code())
}
