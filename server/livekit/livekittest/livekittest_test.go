package livekittest_test

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	lkproto "github.com/livekit/protocol/livekit"
	lksdk "github.com/livekit/server-sdk-go/v2"

	"github.com/sidekick-forge/sidekick-forge/server/livekit"
	"github.com/sidekick-forge/sidekick-forge/server/livekit/livekittest"
)

func TestStart_runsIndependentServers(t *testing.T) {
	var mu sync.Mutex
	urls := map[string]bool{}
	for i := range 3 {
		t.Run(fmt.Sprintf("server %d", i), func(t *testing.T) {
			t.Parallel()
			set := livekittest.Start(t)
			if err := livekit.NewService(nil).Ping(context.Background(), set); err != nil {
				t.Fatalf("Ping: %v", err)
			}
			if set.AgentName != livekittest.DefaultAgentName {
				t.Errorf("AgentName = %q, want %q", set.AgentName, livekittest.DefaultAgentName)
			}
			mu.Lock()
			defer mu.Unlock()
			if urls[set.URL] {
				t.Errorf("URL %s is shared with another server", set.URL)
			}
			urls[set.URL] = true
		})
	}
}

func TestStart_listensOnLoopbackOnly(t *testing.T) {
	set := livekittest.Start(t)
	port := strings.TrimPrefix(set.URL, "ws://127.0.0.1:")

	addrs := listeningAddrs(t, port)
	if len(addrs) == 0 {
		t.Fatalf("no TCP listener on port %s in /proc/net/tcp*", port)
	}
	for _, addr := range addrs {
		if addr != "0100007F" {
			t.Errorf("signal port %s listens on %s, want only 127.0.0.1 (0100007F)", port, addr)
		}
	}
}

func TestStartWorker_failedJobDoesNotJoin(t *testing.T) {
	set := livekittest.Start(t)
	errRefused := errors.New("refused by test")
	worker := livekittest.StartWorker(t, set, "failing-agent",
		func(ctx context.Context, job livekittest.Job) error { return errRefused })
	svc := livekit.NewService(nil)
	ctx := context.Background()
	if _, err := svc.EnsureRoom(ctx, set, livekit.RoomRequest{Name: "r"}); err != nil {
		t.Fatalf("EnsureRoom: %v", err)
	}
	if _, err := svc.EnsureAgentDispatch(ctx, set, "r", "failing-agent", "m"); err != nil {
		t.Fatalf("EnsureAgentDispatch: %v", err)
	}

	deadline := time.Now().Add(10 * time.Second)
	for len(worker.Jobs()) == 0 || worker.Jobs()[0].Err == nil {
		if time.Now().After(deadline) {
			t.Fatalf("no failed job after 10s: %+v", worker.Jobs())
		}
		time.Sleep(10 * time.Millisecond)
	}
	job := worker.Jobs()[0]
	if !errors.Is(job.Err, errRefused) {
		t.Errorf("job error = %v, want %v", job.Err, errRefused)
	}
	if !job.JoinedAt.IsZero() {
		t.Errorf("JoinedAt = %v, want zero for a failed job", job.JoinedAt)
	}
	if job.Metadata != "m" {
		t.Errorf("job metadata = %q, want m", job.Metadata)
	}

	res, err := lksdk.NewRoomServiceClient(set.ServerURL(), set.APIKey, set.APISecret).
		ListParticipants(context.Background(), &lkproto.ListParticipantsRequest{Room: "r"})
	if err != nil {
		t.Fatalf("ListParticipants: %v", err)
	}
	if n := len(res.Participants); n != 0 {
		t.Errorf("room has %d participants, want 0 after a failed job", n)
	}
}

// listeningAddrs returns the hex local addresses of the TCP sockets in
// LISTEN state on port, from /proc/net/tcp and /proc/net/tcp6.
func listeningAddrs(t *testing.T, port string) []string {
	t.Helper()
	var portHex string
	var n int
	if _, err := fmt.Sscanf(port, "%d", &n); err != nil {
		t.Fatalf("parse port %q: %v", port, err)
	}
	portHex = fmt.Sprintf("%04X", n)

	var addrs []string
	for _, path := range []string{"/proc/net/tcp", "/proc/net/tcp6"} {
		f, err := os.Open(path)
		if err != nil {
			t.Fatalf("open %s: %v", path, err)
		}
		scanner := bufio.NewScanner(f)
		for scanner.Scan() {
			fields := strings.Fields(scanner.Text())
			if len(fields) < 4 || fields[3] != "0A" {
				continue
			}
			host, p, ok := strings.Cut(fields[1], ":")
			if ok && p == portHex {
				addrs = append(addrs, host)
			}
		}
		_ = f.Close()
	}
	return addrs
}
