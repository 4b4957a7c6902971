package livekittest

import (
	"sync"
	"testing"

	protologger "github.com/livekit/protocol/logger"
	lksdk "github.com/livekit/server-sdk-go/v2"
)

// JoinAsUser connects to the room that token grants, as a real participant
// over WebRTC, and disconnects when the test ends.
func JoinAsUser(t testing.TB, url, token string) *lksdk.Room {
	t.Helper()
	room, err := lksdk.ConnectToRoomWithToken(url, token, &lksdk.RoomCallback{},
		lksdk.WithLogger(sdkLogger()))
	if err != nil {
		t.Fatalf("join LiveKit room as user: %v", err)
	}
	t.Cleanup(room.Disconnect)
	return room
}

// sdkLogger returns a warn-level logger for the rooms this package joins,
// because the SDK's default logger writes every pion state change at info
// level. Pion takes its logger from the SDK's package logger when a room is
// created, so the first call also installs it with lksdk.SetLogger for the
// whole test binary.
var sdkLogger = sync.OnceValue(func() protologger.Logger {
	l, err := protologger.NewZapLogger(&protologger.Config{Level: "warn"})
	if err != nil {
		return protologger.GetLogger()
	}
	lksdk.SetLogger(l)
	return l
})
