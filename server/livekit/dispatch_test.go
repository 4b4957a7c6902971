package livekit_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	lkproto "github.com/livekit/protocol/livekit"

	"github.com/sidekick-forge/sidekick-forge/server/apperr"
	"github.com/sidekick-forge/sidekick-forge/server/livekit"
	"github.com/sidekick-forge/sidekick-forge/server/livekit/livekittest"
)

// settleTime is how long tests wait to be sure that no second agent arrives.
// An agent joins within about 0.5 s of a dispatch on a local server.
const settleTime = 2 * time.Second

func TestEnsureAgentDispatch_reachesWorker(t *testing.T) {
	t.Parallel()
	set := livekittest.Start(t)
	worker := livekittest.StartWorker(t, set, set.AgentName, nil)
	svc := newService(t)
	ensureRoom(t, svc, set, "dispatch-room")

	const metadata = `{"conversation_id":"c-1"}`
	dispatchedAt := time.Now()
	res, err := svc.EnsureAgentDispatch(testContext(t), set, "dispatch-room", "", metadata)
	if err != nil {
		t.Fatalf("EnsureAgentDispatch: %v", err)
	}
	if res.Status != livekit.DispatchStatusDispatched {
		t.Fatalf("status = %q (reason %q), want dispatched", res.Status, res.Reason)
	}
	if !strings.HasPrefix(res.DispatchID, "AD_") {
		t.Errorf("dispatch id = %q, want an AD_ id", res.DispatchID)
	}

	jobs := worker.WaitJoined(t, 1, 10*time.Second)
	t.Logf("job assigned %v and agent joined %v after CreateDispatch",
		jobs[0].AssignedAt.Sub(dispatchedAt).Round(time.Millisecond),
		jobs[0].JoinedAt.Sub(dispatchedAt).Round(time.Millisecond))
	if len(jobs) != 1 {
		t.Fatalf("worker got %d jobs, want 1", len(jobs))
	}
	job := jobs[0]
	if job.Metadata != metadata {
		t.Errorf("job metadata = %q, want %q", job.Metadata, metadata)
	}
	if job.RoomName != "dispatch-room" {
		t.Errorf("job room = %q, want dispatch-room", job.RoomName)
	}
	if job.DispatchID != res.DispatchID {
		t.Errorf("job dispatch id = %q, want %q", job.DispatchID, res.DispatchID)
	}

	waitAgents(t, set, "dispatch-room", 1)
	agents := agentParticipants(t, set, "dispatch-room")
	if agents[0].Identity != job.Identity {
		t.Errorf("agent identity = %q, want %q", agents[0].Identity, job.Identity)
	}
	if got := agents[0].Attributes["lk.agent_name"]; got != set.AgentName {
		t.Errorf("agent lk.agent_name = %q, want %q", got, set.AgentName)
	}
}

func TestEnsureAgentDispatch_skipsWhenAgentPresent(t *testing.T) {
	t.Parallel()
	set := livekittest.Start(t)
	worker := livekittest.StartWorker(t, set, set.AgentName, nil)
	svc := newService(t)
	ensureRoom(t, svc, set, "busy-room")

	first, err := svc.EnsureAgentDispatch(testContext(t), set, "busy-room", set.AgentName, "{}")
	if err != nil {
		t.Fatalf("first EnsureAgentDispatch: %v", err)
	}
	if first.Status != livekit.DispatchStatusDispatched {
		t.Fatalf("first status = %q (reason %q), want dispatched", first.Status, first.Reason)
	}
	worker.WaitJoined(t, 1, 10*time.Second)
	waitAgents(t, set, "busy-room", 1)

	second, err := svc.EnsureAgentDispatch(testContext(t), set, "busy-room", set.AgentName, "{}")
	if err != nil {
		t.Fatalf("second EnsureAgentDispatch: %v", err)
	}
	if second.Status != livekit.DispatchStatusSkipped {
		t.Fatalf("second status = %q, want skipped", second.Status)
	}
	if want := "agent sidekick-agent already in room"; second.Reason != want {
		t.Errorf("second reason = %q, want %q", second.Reason, want)
	}

	time.Sleep(settleTime)
	if n := len(agentParticipants(t, set, "busy-room")); n != 1 {
		t.Errorf("agent participants = %d, want 1", n)
	}
	if n := len(worker.Jobs()); n != 1 {
		t.Errorf("worker jobs = %d, want 1", n)
	}
}

func TestEnsureAgentDispatch_skipsPendingDispatch(t *testing.T) {
	t.Parallel()
	set := livekittest.Start(t)
	release := make(chan struct{})
	// The agent does not join until release is closed, so the first dispatch
	// stays pending with an assigned job and no agent participant.
	worker := livekittest.StartWorker(t, set, set.AgentName,
		func(ctx context.Context, job livekittest.Job) error {
			select {
			case <-release:
			case <-ctx.Done():
			}
			return nil
		})
	svc := newService(t)
	ensureRoom(t, svc, set, "pending-room")

	first, err := svc.EnsureAgentDispatch(testContext(t), set, "pending-room", "", "{}")
	if err != nil {
		t.Fatalf("first EnsureAgentDispatch: %v", err)
	}
	waitAssigned(t, worker, 1)

	second, err := svc.EnsureAgentDispatch(testContext(t), set, "pending-room", "", "{}")
	if err != nil {
		t.Fatalf("second EnsureAgentDispatch: %v", err)
	}
	if second.Status != livekit.DispatchStatusSkipped {
		t.Fatalf("second status = %q, want skipped", second.Status)
	}
	if second.DispatchID != first.DispatchID {
		t.Errorf("second dispatch id = %q, want the pending %q", second.DispatchID, first.DispatchID)
	}
	if want := "dispatch " + first.DispatchID + " already pending"; second.Reason != want {
		t.Errorf("second reason = %q, want %q", second.Reason, want)
	}

	close(release)
	worker.WaitJoined(t, 1, 10*time.Second)
	time.Sleep(settleTime)
	if n := len(agentParticipants(t, set, "pending-room")); n != 1 {
		t.Errorf("agent participants = %d, want 1", n)
	}
}

func TestEnsureAgentDispatch_concurrentCallsDispatchOnce(t *testing.T) {
	t.Parallel()
	set := livekittest.Start(t)
	worker := livekittest.StartWorker(t, set, set.AgentName, nil)
	svc := newService(t)
	ensureRoom(t, svc, set, "race-room")

	const callers = 8
	results := make([]livekit.DispatchResult, callers)
	errs := make([]error, callers)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range callers {
		wg.Go(func() {
			<-start
			results[i], errs[i] = svc.EnsureAgentDispatch(
				context.Background(), set, "race-room", "", "{}")
		})
	}
	close(start)
	wg.Wait()

	dispatched := 0
	for i := range callers {
		if errs[i] != nil {
			t.Fatalf("call %d: %v", i, errs[i])
		}
		switch results[i].Status {
		case livekit.DispatchStatusDispatched:
			dispatched++
		case livekit.DispatchStatusSkipped:
			if results[i].Reason == "" {
				t.Errorf("call %d skipped without a reason", i)
			}
		default:
			t.Errorf("call %d: status %q", i, results[i].Status)
		}
	}
	if dispatched != 1 {
		t.Errorf("dispatched %d times, want 1", dispatched)
	}

	worker.WaitJoined(t, 1, 10*time.Second)
	time.Sleep(settleTime)
	if n := len(agentParticipants(t, set, "race-room")); n != 1 {
		t.Errorf("agent participants = %d, want 1", n)
	}
	if n := len(worker.Jobs()); n != 1 {
		t.Errorf("worker jobs = %d, want 1", n)
	}
}

// A dispatch that found no worker is never retried by livekit-server, so once
// its launch window has passed a new dispatch must go out.
func TestEnsureAgentDispatch_replacesUnservedDispatch(t *testing.T) {
	t.Parallel()
	set := livekittest.Start(t)
	svc := newService(t)
	svc.SetPendingWindows(2*time.Second, 2*time.Second)
	ensureRoom(t, svc, set, "late-worker-room")

	first, err := svc.EnsureAgentDispatch(testContext(t), set, "late-worker-room", "", "{}")
	if err != nil {
		t.Fatalf("first EnsureAgentDispatch: %v", err)
	}
	if first.Status != livekit.DispatchStatusDispatched {
		t.Fatalf("first status = %q, want dispatched", first.Status)
	}

	early, err := svc.EnsureAgentDispatch(testContext(t), set, "late-worker-room", "", "{}")
	if err != nil {
		t.Fatalf("early EnsureAgentDispatch: %v", err)
	}
	if early.Status != livekit.DispatchStatusSkipped {
		t.Errorf("early status = %q, want skipped inside the launch window", early.Status)
	}

	worker := livekittest.StartWorker(t, set, set.AgentName, nil)
	time.Sleep(2500 * time.Millisecond)
	if n := len(worker.Jobs()); n != 0 {
		t.Fatalf("worker got %d jobs from the old dispatch, want 0", n)
	}

	late, err := svc.EnsureAgentDispatch(testContext(t), set, "late-worker-room", "", "{}")
	if err != nil {
		t.Fatalf("late EnsureAgentDispatch: %v", err)
	}
	if late.Status != livekit.DispatchStatusDispatched {
		t.Fatalf("late status = %q (reason %q), want dispatched", late.Status, late.Reason)
	}
	jobs := worker.WaitJoined(t, 1, 10*time.Second)
	if jobs[0].DispatchID != late.DispatchID {
		t.Errorf("job dispatch id = %q, want %q", jobs[0].DispatchID, late.DispatchID)
	}
	waitAgents(t, set, "late-worker-room", 1)
}

func TestEnsureAgentDispatch_invalidInput(t *testing.T) {
	t.Parallel()
	set := livekit.Settings{URL: "ws://127.0.0.1:1", APIKey: "key", APISecret: "secret"}
	svc := newService(t)

	t.Run("empty room", func(t *testing.T) {
		_, err := svc.EnsureAgentDispatch(testContext(t), set, "", "agent", "")
		e := wantCode(t, err, apperr.InvalidInput)
		if e.Field != "room" {
			t.Errorf("field = %q, want room", e.Field)
		}
	})
	t.Run("no agent name", func(t *testing.T) {
		_, err := svc.EnsureAgentDispatch(testContext(t), set, "room", "", "")
		e := wantCode(t, err, apperr.NotConfigured)
		if e.Field != "agent_name" {
			t.Errorf("field = %q, want agent_name", e.Field)
		}
	})
}

// waitAssigned waits until the worker has been assigned n jobs.
func waitAssigned(t *testing.T, worker *livekittest.Worker, n int) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for len(worker.Jobs()) < n {
		if time.Now().After(deadline) {
			t.Fatalf("worker has %d jobs after 10s, want %d", len(worker.Jobs()), n)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestEnsureAgentDispatch_redispatchesAfterAgentLeft(t *testing.T) {
	t.Parallel()
	set := livekittest.Start(t)
	worker := livekittest.StartWorker(t, set, set.AgentName, nil)
	svc := newService(t)
	svc.SetPendingWindows(time.Second, time.Second)
	ensureRoom(t, svc, set, "rejoin-room")
	// A user keeps the room open while no agent is in it.
	token, err := livekit.UserToken(set, livekit.TokenParams{Room: "rejoin-room", Identity: "user-1"})
	if err != nil {
		t.Fatalf("UserToken: %v", err)
	}
	livekittest.JoinAsUser(t, set.ServerURL(), token)

	if _, err := svc.EnsureAgentDispatch(testContext(t), set, "rejoin-room", "", "{}"); err != nil {
		t.Fatalf("first EnsureAgentDispatch: %v", err)
	}
	jobs := worker.WaitJoined(t, 1, 10*time.Second)
	waitAgents(t, set, "rejoin-room", 1)

	_, err = roomClient(set).RemoveParticipant(testContext(t), &lkproto.RoomParticipantIdentity{
		Room: "rejoin-room", Identity: jobs[0].Identity,
	})
	if err != nil {
		t.Fatalf("RemoveParticipant(agent): %v", err)
	}
	waitAgents(t, set, "rejoin-room", 0)
	time.Sleep(1500 * time.Millisecond)

	again, err := svc.EnsureAgentDispatch(testContext(t), set, "rejoin-room", "", "{}")
	if err != nil {
		t.Fatalf("second EnsureAgentDispatch: %v", err)
	}
	if again.Status != livekit.DispatchStatusDispatched {
		t.Fatalf("second status = %q (reason %q), want dispatched", again.Status, again.Reason)
	}
	worker.WaitJoined(t, 2, 10*time.Second)
	waitAgents(t, set, "rejoin-room", 1)
}
