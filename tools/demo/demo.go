package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	protologger "github.com/livekit/protocol/logger"
	lksdk "github.com/livekit/server-sdk-go/v2"

	"github.com/sidekick-forge/sidekick-forge/server/livekit/agentworker"
	"github.com/sidekick-forge/sidekick-forge/server/llm/llmtest"
)

// Names the demo creates. AgentName is the platform's default agent name,
// so the platform needs no setting for it.
const (
	AgentName     = "sidekick-agent"
	AgentSlug     = "litebridge"
	SystemPrompt  = "You are LiteBridge, the assistant of the Demo Company website. Answer briefly."
	LLMModel      = "gpt-4o-mini"
	VisitorID     = "demo-visitor"
	TextMessage   = "Hello from the demo! What can you do?"
	EchoPrefix    = "echo: "
	SiteDomain    = "demo-site.localhost"
	ClientName    = "Demo Company"
	PlatformKeyID = "demo"
)

// Time limits of the demo's waits.
const (
	readyTimeout         = 20 * time.Second
	platformReadyTimeout = 60 * time.Second
	stopTimeout          = 10 * time.Second
	waitTimeout          = 20 * time.Second
	cleanupTimeout       = 30 * time.Second
	provisionTimeout     = 30 * time.Second
)

// DefaultPostgresURL is the local PostgreSQL maintenance database.
const DefaultPostgresURL = "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"

// Options configure a demo run. The zero value runs the demo as make demo
// does: LiveKit on the ports of deploy/livekit-dev.yaml, the platform on a
// free port, PostgreSQL at DefaultPostgresURL, triggers through REST.
type Options struct {
	// RepoRoot is the module root; empty searches upward from the working
	// directory for the go.mod of the module.
	RepoRoot string
	// LiveKitConfig is the livekit-server config; empty means
	// deploy/livekit-dev.yaml under RepoRoot.
	LiveKitConfig string
	// LiveKitPort and LiveKitRTCPort replace the signal (TCP) and RTC (UDP)
	// ports of the config when not zero.
	LiveKitPort    int
	LiveKitRTCPort int
	// PostgresURL is a maintenance database DSN on the server where the demo
	// creates its databases; empty means DefaultPostgresURL.
	PostgresURL string
	// Listen is the platform's address; empty picks a free 127.0.0.1 port.
	Listen string
	// TriggerAPI is TriggerREST (the default) or TriggerGraphQL.
	TriggerAPI string
	// LogDir keeps the logs of livekit-server, the platform and the worker;
	// empty writes them into the temporary folder, removed at the end.
	LogDir string
}

// Report is the record of a run, filled as far as the run got.
type Report struct {
	Steps []Step

	LiveKitURL  string
	LLMBaseURL  string
	PlatformURL string
	// DatabaseName is the platform database; TenantDatabases are the managed
	// client databases dropped with it.
	DatabaseName    string
	TenantDatabases []string
	// PIDs are the processes the demo started: livekit-server, the platform.
	PIDs []int

	WorkerID string
	ClientID string
	// PlatformKey, SiteKey and OpenAIKey are the raw secrets of the run, so
	// a caller can check that the output never shows them.
	PlatformKey string
	SiteKey     string
	OpenAIKey   string
	// Voice is the voice trigger's response, Worker what the worker received
	// for its job, Participants the room as the user saw it.
	Voice        *TriggerResponse
	Worker       *ReceivedJob
	AgentJoined  time.Time
	Participants []Participant
	// Text is the text trigger's response; LLMRequests are the requests the
	// LLM double received.
	Text        *TriggerResponse
	LLMRequests []llmtest.Recorded
}

// Step is one numbered step of the run.
type Step struct {
	Number  int
	Title   string
	Elapsed time.Duration
	Err     error
}

// Run runs the demo, printing each step to out, and stops everything it
// started before it returns, also when a step fails or ctx is cancelled.
// The report is never nil.
func Run(ctx context.Context, opts Options, out io.Writer) (*Report, error) {
	d := &demo{opts: opts, out: out, report: &Report{}, started: time.Now()}
	if err := d.opts.fill(); err != nil {
		return d.report, err
	}

	fmt.Fprintln(out, "Sidekick Forge demo: a WordPress site starts a voice session and sends a")
	fmt.Fprintln(out, "text message. Everything runs on 127.0.0.1 and is removed at the end.")
	fmt.Fprintln(out)

	err := d.run(ctx)
	// After an interrupt, the logs only show the shutdown.
	if err != nil && ctx.Err() == nil {
		d.printLogTails()
	}
	cleanupErr := d.cleanup()
	total := time.Since(d.started).Round(100 * time.Millisecond)

	fmt.Fprintln(out)
	switch {
	case err != nil:
		fmt.Fprintf(out, "Demo FAILED after %v: %v\n", total, err)
	case cleanupErr != nil:
		fmt.Fprintf(out, "Demo finished in %v, but cleanup failed: %v\n", total, cleanupErr)
	default:
		fmt.Fprintf(out, "Demo finished in %v. Every process stopped, every database dropped.\n",
			total)
	}
	return d.report, errors.Join(err, cleanupErr)
}

// fill sets the defaults of empty options.
func (o *Options) fill() error {
	if o.RepoRoot == "" {
		root, err := findRepoRoot()
		if err != nil {
			return err
		}
		o.RepoRoot = root
	}
	if o.LiveKitConfig == "" {
		o.LiveKitConfig = filepath.Join(o.RepoRoot, "deploy", "livekit-dev.yaml")
	}
	if o.PostgresURL == "" {
		o.PostgresURL = DefaultPostgresURL
	}
	if o.TriggerAPI == "" {
		o.TriggerAPI = TriggerREST
	}
	if o.TriggerAPI != TriggerREST && o.TriggerAPI != TriggerGraphQL {
		return fmt.Errorf("trigger API %q is not %s or %s", o.TriggerAPI, TriggerREST,
			TriggerGraphQL)
	}
	if o.Listen == "" {
		port, err := FreeTCPPort()
		if err != nil {
			return err
		}
		o.Listen = fmt.Sprintf("127.0.0.1:%d", port)
	}
	if err := requireLoopback("platform listen address", o.Listen); err != nil {
		return err
	}
	return checkPostgresURL(o.PostgresURL)
}

// findRepoRoot returns the nearest folder at or above the working directory
// whose go.mod declares the Sidekick Forge module.
func findRepoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", fmt.Errorf("find repository root: %w", err)
	}
	for {
		data, err := os.ReadFile(filepath.Join(dir, "go.mod"))
		if err == nil && strings.Contains(string(data),
			"module github.com/sidekick-forge/sidekick-forge\n") {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("find repository root: no go.mod of " +
				"github.com/sidekick-forge/sidekick-forge at or above the working directory; " +
				"run the demo from the repository")
		}
		dir = parent
	}
}

// demo is the state of one run.
type demo struct {
	opts    Options
	out     io.Writer
	report  *Report
	started time.Time

	tmpDir, logDir string
	sdkLogPath     string
	sdkLog         protologger.Logger
	cleanups       []cleanup
	processes      []*process

	liveKit     *liveKitConfig
	llm         *llmtest.Handler
	bin         string
	env         []string
	api         *apiClient
	platformKey string
	worker      *agentworker.Worker
	refWorker   *referenceWorker
	clientID    string
	siteKey     string
	room        *lksdk.Room
	triggerAt   time.Time
}

// cleanup is one thing to undo at the end; it returns a line for the output.
type cleanup struct {
	name string
	run  func(ctx context.Context) (string, error)
}

// onCleanup registers fn to run at the end, in reverse order of
// registration, so a process stops before what it depends on.
func (d *demo) onCleanup(name string, fn func(ctx context.Context) (string, error)) {
	d.cleanups = append(d.cleanups, cleanup{name: name, run: fn})
}

// step runs fn as the next numbered step and prints its outcome: one line
// with fn's summary and the elapsed time, then fn's details, indented.
func (d *demo) step(ctx context.Context, title string,
	fn func(ctx context.Context, s *stepOutput) error) error {
	n := len(d.report.Steps) + 1
	s := &stepOutput{}
	start := time.Now()
	err := fn(ctx, s)
	elapsed := time.Since(start)
	d.report.Steps = append(d.report.Steps, Step{Number: n, Title: title, Elapsed: elapsed,
		Err: err})

	if err != nil {
		fmt.Fprintf(d.out, "%2d. %s: FAILED after %v\n", n, title, round(elapsed))
		for _, line := range strings.Split(err.Error(), "\n") {
			fmt.Fprintf(d.out, "      %s\n", line)
		}
		return fmt.Errorf("step %d (%s): %w", n, title, err)
	}
	fmt.Fprintf(d.out, "%2d. %s: %s (%v)\n", n, title, s.summary, round(elapsed))
	for _, line := range s.details {
		fmt.Fprintf(d.out, "      %s\n", line)
	}
	return nil
}

// stepOutput collects what a step prints.
type stepOutput struct {
	summary string
	details []string
}

func (s *stepOutput) sum(format string, args ...any) {
	s.summary = fmt.Sprintf(format, args...)
}

func (s *stepOutput) detail(format string, args ...any) {
	s.details = append(s.details, fmt.Sprintf(format, args...))
}

func round(d time.Duration) time.Duration {
	if d < time.Second {
		return d.Round(time.Millisecond)
	}
	return d.Round(10 * time.Millisecond)
}

// cleanup undoes every registered cleanup, newest first, as one more step.
// Each gets its own time limit, because the run's context may be cancelled.
func (d *demo) cleanup() error {
	n := len(d.report.Steps) + 1
	start := time.Now()
	var lines []string
	var errs []error
	for i := len(d.cleanups) - 1; i >= 0; i-- {
		c := d.cleanups[i]
		ctx, cancel := context.WithTimeout(context.Background(), cleanupTimeout)
		line, err := c.run(ctx)
		cancel()
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", c.name, err))
			lines = append(lines, fmt.Sprintf("%s: FAILED: %v", c.name, err))
			continue
		}
		if line != "" {
			lines = append(lines, line)
		}
	}
	d.cleanups = nil
	elapsed := time.Since(start)
	err := errors.Join(errs...)
	d.report.Steps = append(d.report.Steps, Step{Number: n, Title: "Clean up", Elapsed: elapsed,
		Err: err})

	status := "everything the demo started is stopped and removed"
	if err != nil {
		status = "FAILED for some parts"
	}
	fmt.Fprintf(d.out, "%2d. Clean up: %s (%v)\n", n, status, round(elapsed))
	for _, line := range lines {
		fmt.Fprintf(d.out, "      %s\n", line)
	}
	return err
}

// printLogTails prints the end of each process log after a failure, before
// cleanup removes the temporary folder.
func (d *demo) printLogTails() {
	for _, p := range d.processes {
		fmt.Fprintf(d.out, "\n--- last lines of %s (%s) ---\n%s\n", p.name, p.logPath,
			logTail(p.logPath, 15))
	}
	if d.logDir != "" {
		worker := filepath.Join(d.logDir, "worker.log")
		if _, err := os.Stat(worker); err == nil {
			fmt.Fprintf(d.out, "\n--- last lines of the agent worker (%s) ---\n%s\n", worker,
				logTail(worker, 15))
		}
	}
	if d.opts.LogDir == "" {
		fmt.Fprintln(d.out, "\nRun with --log-dir DIR to keep the full logs.")
	}
	fmt.Fprintln(d.out)
}

func randomHex(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(fmt.Sprintf("read random bytes: %v", err))
	}
	return hex.EncodeToString(b)
}
