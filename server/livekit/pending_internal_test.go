package livekit

import (
	"testing"
	"time"

	"github.com/livekit/protocol/livekit"
)

// Servers that list jobs with their dispatches take the job-state path of
// dispatchPending, which livekit-server v1.13.5 never does.
func TestDispatchPending_jobStates(t *testing.T) {
	now := time.Now()
	svc := NewService(nil)
	svc.SetPendingWindows(15*time.Second, 15*time.Second)
	ago := func(d time.Duration) int64 { return now.Add(-d).UnixNano() }
	job := func(status livekit.JobStatus, startedAgo time.Duration) *livekit.Job {
		return &livekit.Job{State: &livekit.JobState{Status: status, StartedAt: ago(startedAgo)}}
	}

	tests := []struct {
		name  string
		state *livekit.AgentDispatchState
		want  bool
	}{
		{
			name:  "new dispatch without jobs",
			state: &livekit.AgentDispatchState{CreatedAt: ago(time.Second)},
			want:  true,
		},
		{
			name:  "old dispatch without jobs",
			state: &livekit.AgentDispatchState{CreatedAt: ago(time.Minute)},
			want:  false,
		},
		{
			name:  "deleted dispatch",
			state: &livekit.AgentDispatchState{CreatedAt: ago(time.Second), DeletedAt: ago(0)},
			want:  false,
		},
		{
			name: "job assigned just now",
			state: &livekit.AgentDispatchState{CreatedAt: ago(time.Second),
				Jobs: []*livekit.Job{job(livekit.JobStatus_JS_RUNNING, time.Second)}},
			want: true,
		},
		{
			name: "job assigned long ago",
			state: &livekit.AgentDispatchState{CreatedAt: ago(time.Minute),
				Jobs: []*livekit.Job{job(livekit.JobStatus_JS_RUNNING, time.Minute)}},
			want: false,
		},
		{
			name: "job failed",
			state: &livekit.AgentDispatchState{CreatedAt: ago(time.Second),
				Jobs: []*livekit.Job{job(livekit.JobStatus_JS_FAILED, time.Second)}},
			want: false,
		},
		{
			name: "job succeeded",
			state: &livekit.AgentDispatchState{CreatedAt: ago(time.Second),
				Jobs: []*livekit.Job{job(livekit.JobStatus_JS_SUCCESS, time.Second)}},
			want: false,
		},
		{
			name: "job waiting for a worker",
			state: &livekit.AgentDispatchState{CreatedAt: ago(time.Second),
				Jobs: []*livekit.Job{{State: &livekit.JobState{Status: livekit.JobStatus_JS_PENDING}}}},
			want: true,
		},
		{
			name:  "no timestamps",
			state: &livekit.AgentDispatchState{},
			want:  true,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := &livekit.AgentDispatch{Id: "AD_test", AgentName: "a", State: tt.state}
			if got := svc.dispatchPending(d, now); got != tt.want {
				t.Errorf("dispatchPending = %v, want %v", got, tt.want)
			}
		})
	}
}
