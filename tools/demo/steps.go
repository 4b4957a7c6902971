package main

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/go-logr/logr"
	protologger "github.com/livekit/protocol/logger"
	lksdk "github.com/livekit/server-sdk-go/v2"

	"github.com/sidekick-forge/sidekick-forge/server/livekit"
	"github.com/sidekick-forge/sidekick-forge/server/livekit/agentworker"
	"github.com/sidekick-forge/sidekick-forge/server/llm/llmtest"
	"github.com/sidekick-forge/sidekick-forge/server/secrets"
)

// run runs the steps in order and stops at the first failure.
func (d *demo) run(ctx context.Context) error {
	tmp, err := os.MkdirTemp("", "sidekick-demo-")
	if err != nil {
		return fmt.Errorf("create temporary folder: %w", err)
	}
	d.tmpDir = tmp
	d.onCleanup("remove temporary folder", func(context.Context) (string, error) {
		return "removed " + tmp, os.RemoveAll(tmp)
	})
	d.logDir = d.opts.LogDir
	if d.logDir == "" {
		d.logDir = filepath.Join(tmp, "logs")
	}
	if err := os.MkdirAll(d.logDir, 0o700); err != nil {
		return fmt.Errorf("create log folder: %w", err)
	}
	if err := d.openSDKLog(); err != nil {
		return err
	}

	steps := []struct {
		title string
		fn    func(context.Context, *stepOutput) error
	}{
		{"Start LiveKit server", d.startLiveKit},
		{"Start LLM double", d.startLLMDouble},
		{"Build platform", d.buildPlatform},
		{"Start platform", d.startPlatform},
		{"Create platform key", d.createPlatformKey},
		{"Start agent worker", d.startWorker},
		{"Create client", d.createClient},
		{"Create agent", d.createAgent},
		{"Set the client's OpenAI key", d.setOpenAIKey},
		{"Create WordPress site key", d.createSite},
		{"Trigger voice session", d.triggerVoice},
		{"Worker receives job and config", d.receiveJob},
		{"Agent joins the room", d.agentJoins},
		{"User joins the room", d.userJoins},
		{"Send text message", d.sendText},
	}
	for _, s := range steps {
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("demo stopped before %q: %w", s.title, err)
		}
		if err := d.step(ctx, s.title, s.fn); err != nil {
			return err
		}
	}
	return nil
}

func (d *demo) startLiveKit(_ context.Context, s *stepOutput) error {
	bin, err := liveKitBinary()
	if err != nil {
		return err
	}
	conf, err := prepareLiveKitConfig(d.opts.LiveKitConfig, d.tmpDir, d.opts.LiveKitPort,
		d.opts.LiveKitRTCPort)
	if err != nil {
		return err
	}
	p, err := startLiveKit(bin, conf, filepath.Join(d.logDir, "livekit-server.log"))
	if err != nil {
		return err
	}
	d.addProcess(p)
	d.liveKit = conf
	d.report.LiveKitURL = conf.url()

	s.sum("%s is ready", conf.url())
	s.detail("%s --dev --config %s (pid %d)", bin, d.displayPath(conf.path), p.pid())
	if conf.path != d.opts.LiveKitConfig {
		s.detail("config: a copy of %s with other ports", d.displayPath(d.opts.LiveKitConfig))
	}
	s.detail("signal %d/tcp, RTC %d/udp, STUN 127.0.0.1:%d, API key %s",
		conf.signalPort, conf.rtcPort, conf.rtcPort, conf.apiKey)
	return nil
}

// openSDKLog sends the logs of server-sdk-go and of pion, its WebRTC stack,
// to a file, for both the worker's and the user's rooms. Pion takes its
// logger from the SDK's package logger, hence lksdk.SetLogger. Pion reports
// normal ICE steps as warnings, which would bury the demo's output.
func (d *demo) openSDKLog() error {
	path := filepath.Join(d.logDir, "livekit-sdk.log")
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return fmt.Errorf("create LiveKit SDK log: %w", err)
	}
	d.onCleanup("close LiveKit SDK log", func(context.Context) (string, error) {
		return "", f.Close()
	})
	d.sdkLogPath = path
	d.sdkLog = protologger.LogRLogger(logr.FromSlogHandler(slog.NewTextHandler(f, nil)))
	lksdk.SetLogger(d.sdkLog)
	return nil
}

// addProcess records p and registers its stop.
func (d *demo) addProcess(p *process) {
	d.processes = append(d.processes, p)
	d.report.PIDs = append(d.report.PIDs, p.pid())
	d.onCleanup("stop "+p.name, func(context.Context) (string, error) {
		if err := p.stop(stopTimeout); err != nil {
			return "", err
		}
		return fmt.Sprintf("stopped %s (pid %d)", p.name, p.pid()), nil
	})
}

func (d *demo) startLLMDouble(_ context.Context, s *stepOutput) error {
	d.report.OpenAIKey = "sk-demo-" + randomHex(16)
	// Only the client's key is accepted, so a reply shows that the platform
	// called the provider with that key.
	d.llm = llmtest.NewHandler(llmtest.Options{Reply: llmtest.EchoReply(EchoPrefix),
		APIKey: d.report.OpenAIKey})

	listener, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return fmt.Errorf("listen for the LLM double: %w", err)
	}
	server := &http.Server{Handler: d.llm, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = server.Serve(listener) }()
	d.onCleanup("stop LLM double", func(context.Context) (string, error) {
		return "stopped the LLM double", server.Close()
	})

	d.report.LLMBaseURL = "http://" + listener.Addr().String() + "/v1"
	s.sum("OpenAI chat completions API at %s", d.report.LLMBaseURL)
	s.detail("replies %q followed by the last user message; accepts only the demo's key",
		EchoPrefix)
	return nil
}

func (d *demo) buildPlatform(ctx context.Context, s *stepOutput) error {
	bin, err := buildPlatform(ctx, d.opts.RepoRoot, d.tmpDir)
	if err != nil {
		return err
	}
	d.bin = bin
	s.sum("go build -o %s ./server", bin)
	return nil
}

func (d *demo) startPlatform(ctx context.Context, s *stepOutput) error {
	name := newDatabaseName()
	if err := createDatabase(ctx, d.opts.PostgresURL, name); err != nil {
		return err
	}
	d.report.DatabaseName = name
	// Registered before the platform's stop, so it runs after it.
	d.onCleanup("drop databases", func(ctx context.Context) (string, error) {
		tenants, err := dropDatabases(ctx, d.opts.PostgresURL, name)
		d.report.TenantDatabases = tenants
		if err != nil {
			return "", err
		}
		return "dropped databases " + strings.Join(append([]string{name}, tenants...), ", "), nil
	})

	dsn, err := databaseURL(d.opts.PostgresURL, name)
	if err != nil {
		return err
	}
	dataDir := filepath.Join(d.tmpDir, "data")
	settings := map[string]string{
		"SIDEKICK_DATABASE_URL":       dsn,
		"SIDEKICK_LISTEN":             d.opts.Listen,
		"SIDEKICK_LIVEKIT_URL":        d.liveKit.url(),
		"SIDEKICK_LIVEKIT_API_KEY":    d.liveKit.apiKey,
		"SIDEKICK_LIVEKIT_API_SECRET": d.liveKit.apiSecret,
		"SIDEKICK_OPENAI_BASE_URL":    d.report.LLMBaseURL,
		"SIDEKICK_DATA_DIR":           dataDir,
	}
	d.env = platformEnv(settings)

	baseURL := "http://" + d.opts.Listen
	p, err := startPlatform(d.bin, d.env, baseURL, filepath.Join(d.logDir, "sidekick-forge.log"))
	if err != nil {
		return err
	}
	d.addProcess(p)
	d.report.PlatformURL = baseURL
	d.api = newAPIClient(baseURL)

	s.sum("%s is healthy", baseURL)
	s.detail("sidekick-forge serve (pid %d) with the local defaults and:", p.pid())
	s.detail("  SIDEKICK_DATABASE_URL=%s (new, dropped at the end)", redactURL(dsn))
	s.detail("  SIDEKICK_LISTEN=%s  SIDEKICK_DATA_DIR=%s", d.opts.Listen, dataDir)
	s.detail("  SIDEKICK_LIVEKIT_URL=%s  SIDEKICK_LIVEKIT_API_KEY=%s  SIDEKICK_LIVEKIT_API_SECRET=%s",
		d.liveKit.url(), d.liveKit.apiKey, secrets.Mask(d.liveKit.apiSecret))
	s.detail("  SIDEKICK_OPENAI_BASE_URL=%s", d.report.LLMBaseURL)
	return nil
}

func (d *demo) createPlatformKey(ctx context.Context, s *stepOutput) error {
	key, err := createPlatformKey(ctx, d.bin, d.env, PlatformKeyID)
	if err != nil {
		return err
	}
	d.platformKey = key
	d.report.PlatformKey = key
	s.sum("%s (sidekick-forge keys create --name %s)", keyPrefix(key), PlatformKeyID)
	return nil
}

func (d *demo) startWorker(ctx context.Context, s *stepOutput) error {
	logFile, err := os.OpenFile(filepath.Join(d.logDir, "worker.log"),
		os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return fmt.Errorf("create worker log: %w", err)
	}
	d.refWorker = newReferenceWorker()
	w, err := agentworker.Start(ctx, agentworker.Options{
		Settings: livekit.Settings{URL: d.liveKit.url(), APIKey: d.liveKit.apiKey,
			APISecret: d.liveKit.apiSecret},
		AgentName: AgentName,
		OnJob:     d.refWorker.onJob,
		Log:       slog.New(slog.NewTextHandler(logFile, nil)),
		SDKLogger: d.sdkLog,
	})
	if err != nil {
		_ = logFile.Close()
		return err
	}
	d.worker = w
	d.report.WorkerID = w.ID()
	d.onCleanup("stop agent worker", func(context.Context) (string, error) {
		w.Stop()
		return "stopped the agent worker " + w.ID(), logFile.Close()
	})

	s.sum("registered as %q, worker id %s", AgentName, w.ID())
	s.detail("it fetches each job's configuration from config_url, then joins the room")
	return nil
}

// displayPath returns path relative to the repository root when it is
// inside it.
func (d *demo) displayPath(path string) string {
	if rel, err := filepath.Rel(d.opts.RepoRoot, path); err == nil && !strings.HasPrefix(rel, "..") {
		return rel
	}
	return path
}

func redactURL(dsn string) string {
	if u, err := url.Parse(dsn); err == nil {
		return u.Redacted()
	}
	return "(unparsable URL)"
}
