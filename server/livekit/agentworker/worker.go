// Package agentworker is a minimal LiveKit agent worker. It speaks LiveKit's
// agent worker protocol (livekit/protocol, the messages the official agents
// SDKs exchange over the server's /agent websocket), accepts every job it is
// offered and joins the job's room as an agent participant with
// server-sdk-go. It carries no media pipeline: tests and the demo use it to
// check dispatch, worker configuration and room membership against a real
// livekit-server.
//
// NOTE: server-sdk-go v2.19.0 offers no interface filter for its WebRTC
// stack, so a joined room opens UDP sockets on every interface (and mDNS on
// port 5353), even when the server offers only loopback candidates.
package agentworker

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/gorilla/websocket"
	"github.com/livekit/protocol/auth"
	lkproto "github.com/livekit/protocol/livekit"
	protologger "github.com/livekit/protocol/logger"
	lksdk "github.com/livekit/server-sdk-go/v2"
	"google.golang.org/protobuf/proto"

	"github.com/sidekick-forge/sidekick-forge/server/livekit"
)

const (
	// defaultRegisterTimeout bounds the registration when the context given
	// to Start has no deadline.
	defaultRegisterTimeout = 10 * time.Second
	writeTimeout           = 5 * time.Second
	workerVersion          = "sidekick-forge-agentworker"
)

// Options configure a worker.
type Options struct {
	// Settings locate the LiveKit server and hold the API key pair that
	// signs the worker's registration token.
	Settings livekit.Settings
	// AgentName is the name the worker registers under. Registering with a
	// name turns automatic dispatch off: the worker only gets jobs of
	// explicit dispatches for that name. Empty means Settings.AgentName.
	AgentName string
	// OnJob runs for each assigned job before the agent joins the room, and
	// may be nil. When it returns an error, the job is reported as failed and
	// the agent does not join. Its context ends when Stop is called.
	OnJob func(ctx context.Context, job Job) error
	// Log receives connection errors and registration; nil discards them.
	Log *slog.Logger
	// SDKLogger is the server-sdk-go logger of the rooms the worker joins;
	// nil means SDKLogger(). Pion's WebRTC logs go to the SDK's package
	// logger (lksdk.SetLogger) instead, whatever this is.
	SDKLogger protologger.Logger
}

// Job is one job that the worker was assigned.
type Job struct {
	ID         string
	DispatchID string
	RoomName   string
	// Metadata is the metadata of the dispatch that created the job.
	Metadata string
	// URL and Token are what the agent joins the room with.
	URL   string
	Token string
	// Identity is the agent participant's identity in the room.
	Identity   string
	AssignedAt time.Time
	// JoinedAt is when the agent connected to the room; zero until then.
	JoinedAt time.Time
	// Err is the failure of OnJob or of the room join, if any.
	Err error
}

// Worker is a registered agent worker. It accepts every job, calls OnJob,
// then joins the job's room and stays there until the server terminates the
// job or Stop is called.
type Worker struct {
	set       livekit.Settings
	agentName string
	onJob     func(ctx context.Context, job Job) error
	log       *slog.Logger
	sdkLog    protologger.Logger

	id   string
	conn *websocket.Conn
	// writeMu serializes writes, because gorilla/websocket allows one writer.
	writeMu sync.Mutex

	ctx      context.Context
	cancel   context.CancelFunc
	wg       sync.WaitGroup
	pong     chan struct{}
	stopOnce sync.Once

	mu      sync.Mutex
	jobs    []Job
	rooms   map[string]*lksdk.Room
	changed chan struct{}
}

// Start registers a worker for JT_ROOM jobs and returns once the server has
// added it to its dispatch table, so a dispatch created after Start returns
// reaches it. ctx bounds the registration only (10 s when it has no
// deadline); the worker then runs until Stop.
func Start(ctx context.Context, opts Options) (*Worker, error) {
	agentName := opts.AgentName
	if agentName == "" {
		agentName = opts.Settings.AgentName
	}
	if agentName == "" {
		return nil, errors.New("start agent worker: agent name is empty: " +
			"set Options.AgentName or Settings.AgentName")
	}
	log := opts.Log
	if log == nil {
		log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, defaultRegisterTimeout)
		defer cancel()
	}

	sdkLog := opts.SDKLogger
	if sdkLog == nil {
		sdkLog = SDKLogger()
	}

	runCtx, cancel := context.WithCancel(context.Background())
	w := &Worker{
		set:       opts.Settings,
		agentName: agentName,
		onJob:     opts.OnJob,
		log:       log.With("agent_name", agentName),
		sdkLog:    sdkLog,
		ctx:       runCtx,
		cancel:    cancel,
		pong:      make(chan struct{}, 1),
		rooms:     make(map[string]*lksdk.Room),
		changed:   make(chan struct{}),
	}

	started := time.Now()
	if err := w.connect(ctx); err != nil {
		cancel()
		return nil, fmt.Errorf("start agent worker %s: %w", agentName, err)
	}

	w.wg.Add(1)
	go w.readLoop()

	if err := w.waitRegistered(ctx); err != nil {
		w.Stop()
		return nil, fmt.Errorf("start agent worker %s: %w", agentName, err)
	}
	w.log.Info("agent worker registered", "worker_id", w.id,
		"elapsed", time.Since(started).Round(time.Millisecond))
	return w, nil
}

// waitRegistered waits until the server has added the worker to its
// dispatch table. The server sends the registration response before it adds
// the worker, and handles the next message only after that, so the pong to
// a ping sent now arrives after the worker was added.
func (w *Worker) waitRegistered(ctx context.Context) error {
	err := w.send(&lkproto.WorkerMessage{Message: &lkproto.WorkerMessage_Ping{
		Ping: &lkproto.WorkerPing{Timestamp: time.Now().UnixMilli()},
	}})
	if err != nil {
		return fmt.Errorf("send ping: %w", err)
	}
	select {
	case <-w.pong:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("no pong after registering: %w", ctx.Err())
	}
}

// ID returns the worker ID that the server assigned at registration.
func (w *Worker) ID() string { return w.id }

// AgentName returns the name the worker registered under.
func (w *Worker) AgentName() string { return w.agentName }

// Jobs returns the jobs assigned so far, in assignment order.
func (w *Worker) Jobs() []Job {
	w.mu.Lock()
	defer w.mu.Unlock()
	return append([]Job(nil), w.jobs...)
}

// WaitJoined waits until the agent has joined the rooms of at least n jobs
// and returns all jobs. It returns an error as soon as a job fails, or when
// ctx ends first.
func (w *Worker) WaitJoined(ctx context.Context, n int) ([]Job, error) {
	for {
		w.mu.Lock()
		jobs := append([]Job(nil), w.jobs...)
		changed := w.changed
		w.mu.Unlock()

		joined := 0
		for _, job := range jobs {
			if job.Err != nil {
				return jobs, fmt.Errorf("agent worker %s: job %s failed: %w",
					w.agentName, job.ID, job.Err)
			}
			if !job.JoinedAt.IsZero() {
				joined++
			}
		}
		if joined >= n {
			return jobs, nil
		}

		select {
		case <-changed:
		case <-ctx.Done():
			return jobs, fmt.Errorf("agent worker %s: %d of %d jobs joined (%d assigned): %w",
				w.agentName, joined, n, len(jobs), ctx.Err())
		}
	}
}

// Stop leaves every room, reports the jobs as ended, closes the connection
// and waits for the worker's goroutines, including running OnJob calls, whose
// context it cancels. Calling Stop again does nothing.
func (w *Worker) Stop() {
	w.stopOnce.Do(w.stop)
}

func (w *Worker) stop() {
	w.mu.Lock()
	w.cancel()
	rooms := w.rooms
	w.rooms = map[string]*lksdk.Room{}
	w.mu.Unlock()

	for jobID, room := range rooms {
		room.Disconnect()
		w.sendStatus(jobID, lkproto.JobStatus_JS_SUCCESS, "")
	}

	w.writeMu.Lock()
	_ = w.conn.WriteControl(websocket.CloseMessage,
		websocket.FormatCloseMessage(websocket.CloseNormalClosure, "worker stopped"),
		time.Now().Add(time.Second))
	w.writeMu.Unlock()
	_ = w.conn.Close()
	w.wg.Wait()
	w.log.Info("agent worker stopped", "worker_id", w.id)
}

// connect opens the websocket and registers the worker.
func (w *Worker) connect(ctx context.Context) error {
	token, err := auth.NewAccessToken(w.set.APIKey, w.set.APISecret).
		SetIdentity("worker-" + w.agentName).
		SetVideoGrant(&auth.VideoGrant{Agent: true}).
		SetValidFor(time.Hour).
		ToJWT()
	if err != nil {
		return fmt.Errorf("sign worker token: %w", err)
	}

	header := http.Header{}
	header.Set("Authorization", "Bearer "+token)
	conn, res, err := websocket.DefaultDialer.DialContext(ctx,
		w.set.ServerURL()+"/agent?protocol=1", header)
	if err != nil {
		if res != nil {
			err = fmt.Errorf("%w (HTTP %s)", err, res.Status)
		}
		return fmt.Errorf("dial /agent: %w", err)
	}
	w.conn = conn

	if err := w.send(&lkproto.WorkerMessage{Message: &lkproto.WorkerMessage_Register{
		Register: &lkproto.RegisterWorkerRequest{
			Type:      lkproto.JobType_JT_ROOM,
			AgentName: w.agentName,
			Version:   workerVersion,
		},
	}}); err != nil {
		_ = conn.Close()
		return fmt.Errorf("send register: %w", err)
	}

	if deadline, ok := ctx.Deadline(); ok {
		_ = conn.SetReadDeadline(deadline)
	}
	for {
		msg, err := w.read()
		if err != nil {
			_ = conn.Close()
			return fmt.Errorf("read register response: %w", err)
		}
		if reg := msg.GetRegister(); reg != nil {
			w.id = reg.WorkerId
			break
		}
	}
	return conn.SetReadDeadline(time.Time{})
}

func (w *Worker) read() (*lkproto.ServerMessage, error) {
	for {
		kind, payload, err := w.conn.ReadMessage()
		if err != nil {
			return nil, err
		}
		if kind != websocket.BinaryMessage {
			continue
		}
		msg := &lkproto.ServerMessage{}
		if err := proto.Unmarshal(payload, msg); err != nil {
			return nil, fmt.Errorf("decode server message: %w", err)
		}
		return msg, nil
	}
}

// send writes msg as binary protobuf, which the server then also uses for
// its replies.
func (w *Worker) send(msg *lkproto.WorkerMessage) error {
	payload, err := proto.Marshal(msg)
	if err != nil {
		return err
	}
	w.writeMu.Lock()
	defer w.writeMu.Unlock()
	_ = w.conn.SetWriteDeadline(time.Now().Add(writeTimeout))
	return w.conn.WriteMessage(websocket.BinaryMessage, payload)
}

func (w *Worker) readLoop() {
	defer w.wg.Done()
	for {
		msg, err := w.read()
		if err != nil {
			if w.ctx.Err() == nil {
				w.log.Warn("agent worker connection closed", "worker_id", w.id, "error", err)
			}
			return
		}

		switch m := msg.Message.(type) {
		case *lkproto.ServerMessage_Availability:
			w.accept(m.Availability.GetJob())
		case *lkproto.ServerMessage_Assignment:
			w.wg.Add(1)
			go w.runJob(m.Assignment)
		case *lkproto.ServerMessage_Termination:
			w.leave(m.Termination.GetJobId(), lkproto.JobStatus_JS_SUCCESS, "")
		case *lkproto.ServerMessage_Pong:
			select {
			case w.pong <- struct{}{}:
			default:
			}
		}
	}
}

func agentIdentity(jobID string) string { return "agent-" + jobID }

// accept accepts an availability request and names the participant
// identity that the server signs the agent's token for.
func (w *Worker) accept(job *lkproto.Job) {
	err := w.send(&lkproto.WorkerMessage{Message: &lkproto.WorkerMessage_Availability{
		Availability: &lkproto.AvailabilityResponse{
			JobId:               job.GetId(),
			Available:           true,
			ParticipantIdentity: agentIdentity(job.GetId()),
			ParticipantName:     w.agentName,
		},
	}})
	if err != nil && w.ctx.Err() == nil {
		w.log.Warn("accept job failed", "job_id", job.GetId(), "error", err)
	}
}

func (w *Worker) runJob(assignment *lkproto.JobAssignment) {
	defer w.wg.Done()

	pj := assignment.GetJob()
	job := Job{
		ID:         pj.GetId(),
		DispatchID: pj.GetDispatchId(),
		RoomName:   pj.GetRoom().GetName(),
		Metadata:   pj.GetMetadata(),
		URL:        assignment.GetUrl(),
		Token:      assignment.GetToken(),
		Identity:   agentIdentity(pj.GetId()),
		AssignedAt: time.Now(),
	}
	if job.URL == "" {
		job.URL = w.set.ServerURL()
	}
	w.update(job.ID, func(j *Job) { *j = job })

	if w.onJob != nil {
		if err := w.onJob(w.ctx, job); err != nil {
			w.fail(job.ID, fmt.Errorf("onJob: %w", err))
			return
		}
	}
	if w.ctx.Err() != nil {
		return
	}

	room, err := lksdk.ConnectToRoomWithToken(job.URL, job.Token, &lksdk.RoomCallback{},
		lksdk.WithAutoSubscribe(false), lksdk.WithLogger(w.sdkLog))
	if err != nil {
		w.fail(job.ID, fmt.Errorf("join room %s: %w", job.RoomName, err))
		return
	}

	w.mu.Lock()
	if w.ctx.Err() != nil {
		w.mu.Unlock()
		room.Disconnect()
		return
	}
	w.rooms[job.ID] = room
	w.mu.Unlock()
	w.update(job.ID, func(j *Job) { j.JoinedAt = time.Now() })

	w.sendStatus(job.ID, lkproto.JobStatus_JS_RUNNING, "")
}

func (w *Worker) fail(jobID string, err error) {
	w.update(jobID, func(j *Job) { j.Err = err })
	w.log.Warn("job failed", "job_id", jobID, "error", err)
	w.sendStatus(jobID, lkproto.JobStatus_JS_FAILED, err.Error())
}

// leave disconnects the agent of jobID from its room and reports the job
// ended with status.
func (w *Worker) leave(jobID string, status lkproto.JobStatus, reason string) {
	w.mu.Lock()
	room := w.rooms[jobID]
	delete(w.rooms, jobID)
	w.mu.Unlock()

	if room != nil {
		room.Disconnect()
	}
	w.sendStatus(jobID, status, reason)
}

func (w *Worker) sendStatus(jobID string, status lkproto.JobStatus, reason string) {
	err := w.send(&lkproto.WorkerMessage{Message: &lkproto.WorkerMessage_UpdateJob{
		UpdateJob: &lkproto.UpdateJobStatus{JobId: jobID, Status: status, Error: reason},
	}})
	if err != nil && w.ctx.Err() == nil {
		w.log.Warn("report job status failed", "job_id", jobID, "status", status.String(),
			"error", err)
	}
}

// update applies change to the job with jobID, adding it when it is new, and
// wakes WaitJoined.
func (w *Worker) update(jobID string, change func(*Job)) {
	w.mu.Lock()
	defer w.mu.Unlock()

	index := -1
	for i := range w.jobs {
		if w.jobs[i].ID == jobID {
			index = i
			break
		}
	}
	if index < 0 {
		w.jobs = append(w.jobs, Job{ID: jobID})
		index = len(w.jobs) - 1
	}
	change(&w.jobs[index])

	close(w.changed)
	w.changed = make(chan struct{})
}

// SDKLogger returns the warn-level logger that the worker's rooms use when
// Options.SDKLogger is nil, because the SDK's default logger writes every
// pion state change at info level. Pion takes its logger from the SDK's
// package logger when a room is created, so the first call also installs it
// with lksdk.SetLogger for the whole process.
var SDKLogger = sync.OnceValue(func() protologger.Logger {
	l, err := protologger.NewZapLogger(&protologger.Config{Level: "warn"})
	if err != nil {
		return protologger.GetLogger()
	}
	lksdk.SetLogger(l)
	return l
})
