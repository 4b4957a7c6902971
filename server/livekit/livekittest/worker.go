package livekittest

import (
	"context"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/sidekick-forge/sidekick-forge/server/livekit"
	"github.com/sidekick-forge/sidekick-forge/server/livekit/agentworker"
)

// Job is one job that the worker was assigned.
type Job = agentworker.Job

// Worker is an agentworker.Worker bound to a test: it fails the test instead
// of returning errors and stops when the test ends.
type Worker struct {
	w *agentworker.Worker
}

// StartWorker registers a worker for agentName (JT_ROOM jobs, explicit
// dispatch only) and returns once the server has added it to its dispatch
// table. onJob may be nil. When onJob returns an error, the job is reported
// as failed and the agent does not join. When the test ends, the worker
// cancels onJob's context, leaves its rooms, disconnects and waits for onJob
// to return.
func StartWorker(
	t testing.TB, set livekit.Settings, agentName string,
	onJob func(ctx context.Context, job Job) error,
) *Worker {
	t.Helper()

	w, err := agentworker.Start(context.Background(), agentworker.Options{
		Settings:  set,
		AgentName: agentName,
		OnJob:     onJob,
		Log:       slog.New(slog.NewTextHandler(testLogWriter{t}, nil)),
		SDKLogger: sdkLogger(),
	})
	if err != nil {
		t.Fatalf("%v", err)
	}
	t.Cleanup(w.Stop)
	return &Worker{w: w}
}

// ID returns the worker ID that the server assigned at registration.
func (w *Worker) ID() string { return w.w.ID() }

// Jobs returns the jobs assigned so far, in assignment order.
func (w *Worker) Jobs() []Job { return w.w.Jobs() }

// WaitJoined waits until the agent has joined the rooms of at least n jobs
// and returns all jobs. It fails the test after timeout, or as soon as a job
// fails.
func (w *Worker) WaitJoined(t testing.TB, n int, timeout time.Duration) []Job {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	jobs, err := w.w.WaitJoined(ctx, n)
	if err != nil {
		t.Fatalf("%v", err)
	}
	return jobs
}

// testLogWriter sends the worker's log lines to t.Log. The worker logs only
// until Stop returns, which the test's cleanup waits for, so no line arrives
// after the test has ended.
type testLogWriter struct{ t testing.TB }

func (w testLogWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimRight(string(p), "\n"))
	return len(p), nil
}
