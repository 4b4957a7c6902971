package agentworker_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"testing"
	"time"

	lkproto "github.com/livekit/protocol/livekit"
	lksdk "github.com/livekit/server-sdk-go/v2"

	"github.com/sidekick-forge/sidekick-forge/server/livekit"
	"github.com/sidekick-forge/sidekick-forge/server/livekit/agentworker"
	"github.com/sidekick-forge/sidekick-forge/server/livekit/livekittest"
)

func testContext(t *testing.T, timeout time.Duration) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	t.Cleanup(cancel)
	return ctx
}

// startWorker starts a worker and stops it when the test ends.
func startWorker(t *testing.T, opts agentworker.Options) *agentworker.Worker {
	t.Helper()
	w, err := agentworker.Start(testContext(t, 10*time.Second), opts)
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	t.Cleanup(w.Stop)
	return w
}

// dispatch creates room and an explicit dispatch of agentName into it.
func dispatch(t *testing.T, set livekit.Settings, room, agentName, metadata string) string {
	t.Helper()
	svc := livekit.NewService(nil)
	ctx := testContext(t, 10*time.Second)
	if _, err := svc.EnsureRoom(ctx, set, livekit.RoomRequest{Name: room}); err != nil {
		t.Fatalf("EnsureRoom: %v", err)
	}
	res, err := svc.EnsureAgentDispatch(ctx, set, room, agentName, metadata)
	if err != nil {
		t.Fatalf("EnsureAgentDispatch: %v", err)
	}
	return res.DispatchID
}

func TestStart_rejectsMissingAgentName(t *testing.T) {
	_, err := agentworker.Start(context.Background(), agentworker.Options{
		Settings: livekit.Settings{URL: "ws://127.0.0.1:1", APIKey: "k", APISecret: "s"},
	})
	if err == nil {
		t.Fatal("Start accepted options without an agent name")
	}
	if !strings.Contains(err.Error(), "agent name is empty") {
		t.Errorf("error = %q, want it to say the agent name is empty", err)
	}
}

func TestStart_failsWhenServerUnreachable(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	_ = l.Close()

	start := time.Now()
	_, err = agentworker.Start(testContext(t, 5*time.Second), agentworker.Options{
		Settings:  livekit.Settings{URL: "ws://" + addr, APIKey: "k", APISecret: "s"},
		AgentName: "nobody",
	})
	if err == nil {
		t.Fatal("Start succeeded without a server")
	}
	if !strings.Contains(err.Error(), "dial /agent") {
		t.Errorf("error = %q, want a dial error", err)
	}
	if elapsed := time.Since(start); elapsed > 4*time.Second {
		t.Errorf("Start took %v to fail on a closed port", elapsed)
	}
}

func TestStart_rejectsWrongSecret(t *testing.T) {
	set := livekittest.Start(t)
	set.APISecret = "wrong-secret-wrong-secret-wrong-secret"
	_, err := agentworker.Start(testContext(t, 10*time.Second), agentworker.Options{
		Settings: set, AgentName: "rejected",
	})
	if err == nil {
		t.Fatal("Start registered with a wrong API secret")
	}
	if !strings.Contains(err.Error(), "HTTP 401") {
		t.Errorf("error = %q, want HTTP 401 from the server", err)
	}
}

func TestWorker_joinsDispatchedRoom(t *testing.T) {
	set := livekittest.Start(t)
	w := startWorker(t, agentworker.Options{Settings: set})
	if w.AgentName() != set.AgentName {
		t.Errorf("AgentName = %q, want Settings.AgentName %q", w.AgentName(), set.AgentName)
	}
	if !strings.HasPrefix(w.ID(), "AW_") {
		t.Errorf("ID = %q, want a server-assigned AW_ id", w.ID())
	}

	dispatchID := dispatch(t, set, "join-room", set.AgentName, `{"k":"v"}`)
	jobs, err := w.WaitJoined(testContext(t, 10*time.Second), 1)
	if err != nil {
		t.Fatal(err)
	}
	if len(jobs) != 1 {
		t.Fatalf("jobs = %d, want 1", len(jobs))
	}
	job := jobs[0]
	checks := []struct{ name, got, want string }{
		{"room", job.RoomName, "join-room"},
		{"dispatch", job.DispatchID, dispatchID},
		{"metadata", job.Metadata, `{"k":"v"}`},
		{"identity", job.Identity, "agent-" + job.ID},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("job %s = %q, want %q", c.name, c.got, c.want)
		}
	}
	if job.JoinedAt.Before(job.AssignedAt) {
		t.Errorf("JoinedAt %v is before AssignedAt %v", job.JoinedAt, job.AssignedAt)
	}

	res, err := lksdk.NewRoomServiceClient(set.ServerURL(), set.APIKey, set.APISecret).
		ListParticipants(testContext(t, 10*time.Second),
			&lkproto.ListParticipantsRequest{Room: "join-room"})
	if err != nil {
		t.Fatalf("ListParticipants: %v", err)
	}
	if len(res.Participants) != 1 {
		t.Fatalf("participants = %d, want the agent only", len(res.Participants))
	}
	p := res.Participants[0]
	if p.Identity != job.Identity || p.Kind != lkproto.ParticipantInfo_AGENT {
		t.Errorf("participant = %s (%s), want %s (AGENT)", p.Identity, p.Kind, job.Identity)
	}
}

func TestWaitJoined_returnsFailedJob(t *testing.T) {
	set := livekittest.Start(t)
	errRejected := errors.New("rejected by test")
	w := startWorker(t, agentworker.Options{Settings: set, AgentName: "rejecting-agent",
		OnJob: func(context.Context, agentworker.Job) error { return errRejected }})
	dispatch(t, set, "rejected-room", "rejecting-agent", "")

	jobs, err := w.WaitJoined(testContext(t, 10*time.Second), 1)
	if !errors.Is(err, errRejected) {
		t.Fatalf("WaitJoined error = %v, want one wrapping %v", err, errRejected)
	}
	if len(jobs) != 1 || !jobs[0].JoinedAt.IsZero() {
		t.Errorf("jobs = %+v, want one job that never joined", jobs)
	}
}

func TestWaitJoined_endsWithContext(t *testing.T) {
	set := livekittest.Start(t)
	w := startWorker(t, agentworker.Options{Settings: set, AgentName: "idle-agent"})

	_, err := w.WaitJoined(testContext(t, 200*time.Millisecond), 1)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("WaitJoined error = %v, want context.DeadlineExceeded", err)
	}
	if !strings.Contains(err.Error(), "0 of 1 jobs joined (0 assigned)") {
		t.Errorf("error = %q, want it to count joined and assigned jobs", err)
	}
}

func TestStop_cancelsOnJobAndLeavesRooms(t *testing.T) {
	set := livekittest.Start(t)
	entered := make(chan struct{})
	var ended error
	w, err := agentworker.Start(testContext(t, 10*time.Second), agentworker.Options{
		Settings: set, AgentName: "blocking-agent",
		OnJob: func(ctx context.Context, job agentworker.Job) error {
			if job.RoomName == "blocked-room" {
				close(entered)
				<-ctx.Done()
				ended = ctx.Err()
			}
			return nil
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	dispatch(t, set, "joined-room", "blocking-agent", "")
	if _, err := w.WaitJoined(testContext(t, 10*time.Second), 1); err != nil {
		t.Fatal(err)
	}
	dispatch(t, set, "blocked-room", "blocking-agent", "")
	select {
	case <-entered:
	case <-time.After(10 * time.Second):
		t.Fatal("the second job did not start within 10s")
	}

	w.Stop()
	// Stop waits for OnJob, so ended is set once Stop returns.
	if !errors.Is(ended, context.Canceled) {
		t.Errorf("OnJob context error after Stop = %v, want context.Canceled", ended)
	}
	w.Stop()

	deadline := time.Now().Add(10 * time.Second)
	client := lksdk.NewRoomServiceClient(set.ServerURL(), set.APIKey, set.APISecret)
	for {
		res, err := client.ListParticipants(testContext(t, 5*time.Second),
			&lkproto.ListParticipantsRequest{Room: "joined-room"})
		if err != nil {
			t.Fatalf("ListParticipants: %v", err)
		}
		if len(res.Participants) == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the agent is still in joined-room 10s after Stop: %s",
				fmt.Sprint(res.Participants))
		}
		time.Sleep(50 * time.Millisecond)
	}
}
