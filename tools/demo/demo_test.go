package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/sidekick-forge/sidekick-forge/server/pgtest"
)

// demoOptions returns options that run the demo on free ports against the
// test PostgreSQL server, keeping the logs in the test's folder.
func demoOptions(t *testing.T) Options {
	t.Helper()
	if _, err := liveKitBinary(); err != nil {
		t.Fatalf("the demo needs livekit-server: %v", err)
	}
	signalPort, err := FreeTCPPort()
	if err != nil {
		t.Fatal(err)
	}
	rtcPort, err := FreeUDPPort()
	if err != nil {
		t.Fatal(err)
	}
	return Options{LiveKitPort: signalPort, LiveKitRTCPort: rtcPort,
		PostgresURL: pgtest.ServerURL(), LogDir: t.TempDir()}
}

func TestDemo_endToEnd(t *testing.T) {
	opts := demoOptions(t)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()

	var out bytes.Buffer
	report, err := Run(ctx, opts, &out)
	if err != nil {
		t.Fatalf("Run: %v\noutput:\n%s", err, out.String())
	}
	t.Logf("demo output:\n%s", out.String())

	voice := report.Voice
	if voice == nil || voice.Data.LiveKitConfig == nil || voice.Data.RoomInfo == nil ||
		voice.Data.DispatchInfo == nil {
		t.Fatalf("voice response incomplete: %+v", voice)
	}
	job := report.Worker
	if job == nil {
		t.Fatal("the worker received no job")
	}
	text := report.Text
	if text == nil {
		t.Fatal("no text response")
	}

	checks := []struct {
		name      string
		got, want any
	}{
		{"voice mode", voice.Data.Mode, "voice"},
		{"voice status", voice.Data.Status, "voice_agent_triggered"},
		{"room status", voice.Data.RoomInfo.Status, "created"},
		{"server_url is the demo's LiveKit", voice.Data.LiveKitConfig.ServerURL, report.LiveKitURL},
		{"livekit_config.configured", voice.Data.LiveKitConfig.Configured, true},
		{"dispatch status", voice.Data.DispatchInfo.Status, "dispatched"},
		{"auto-detected client", voice.AgentInfo.ClientID, report.ClientID},
		{"worker job dispatch", job.Job.DispatchID, voice.Data.DispatchInfo.DispatchID},
		{"worker job room", job.Job.RoomName, voice.Data.RoomName},
		{"metadata agent slug", job.Metadata.AgentSlug, AgentSlug},
		{"config room", job.Config.RoomName, voice.Data.RoomName},
		{"config conversation", job.Config.ConversationID, voice.Data.ConversationID},
		{"config system prompt", job.Config.Agent.SystemPrompt, SystemPrompt},
		{"config openai key", job.Config.ProviderKeys["openai"], report.OpenAIKey},
		{"config llm model", job.Config.Agent.VoiceSettings["llm_model"], LLMModel},
		{"text mode", text.Data.Mode, "text"},
		{"text status", text.Data.Status, "text_message_processed"},
		{"text reply", text.Data.Response, EchoPrefix + TextMessage},
		{"agent_response", text.Data.AgentResponse, EchoPrefix + TextMessage},
		{"ai_response", text.Data.AIResponse, EchoPrefix + TextMessage},
		{"text llm provider", text.Data.LLMProvider, "openai"},
		{"text llm model", text.Data.LLMModel, LLMModel},
		{"tenant databases", len(report.TenantDatabases), 1},
		{"processes started", len(report.PIDs), 2},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s = %v, want %v", c.name, c.got, c.want)
		}
	}
	if voice.Data.DispatchInfo.DispatchID == "" {
		t.Error("dispatch_info.dispatch_id is empty")
	}
	if report.AgentJoined.IsZero() {
		t.Error("the agent never joined the room")
	}

	checkParticipants(t, report.Participants, "user_"+VisitorID, job.Job.Identity)
	checkLLMRequest(t, report)
	checkOutput(t, out.String(), report)
	checkCleanedUp(t, opts, report)
}

// checkParticipants checks that the user saw itself and the agent, and no
// one else.
func checkParticipants(t *testing.T, people []Participant, user, agent string) {
	t.Helper()
	if len(people) != 2 {
		t.Errorf("participants = %+v, want the user and the agent", people)
	}
	kinds := map[string]string{}
	for _, p := range people {
		kinds[p.Identity] = p.Kind
		if p.Local && p.Identity != user {
			t.Errorf("local participant = %s, want %s", p.Identity, user)
		}
	}
	if kinds[user] != "standard" {
		t.Errorf("user %s kind = %q, want standard", user, kinds[user])
	}
	if kinds[agent] != "agent" {
		t.Errorf("agent %s kind = %q, want agent", agent, kinds[agent])
	}
}

// checkLLMRequest checks that the platform called the LLM double with the
// client's key, the agent's prompt and the visitor's message.
func checkLLMRequest(t *testing.T, report *Report) {
	t.Helper()
	if len(report.LLMRequests) != 1 {
		t.Fatalf("LLM double got %d requests, want 1", len(report.LLMRequests))
	}
	r := report.LLMRequests[0]
	if r.APIKey != report.OpenAIKey {
		t.Errorf("LLM request key = %q, want the client's key", r.APIKey)
	}
	if r.System != SystemPrompt {
		t.Errorf("LLM request system prompt = %q, want %q", r.System, SystemPrompt)
	}
	if got := r.LastUserMessage(); got != TextMessage {
		t.Errorf("LLM request user message = %q, want %q", got, TextMessage)
	}
	if r.Model != LLMModel {
		t.Errorf("LLM request model = %q, want %q", r.Model, LLMModel)
	}
}

// checkOutput checks that every step printed its line and that no secret
// appears in the output.
func checkOutput(t *testing.T, out string, report *Report) {
	t.Helper()
	for _, s := range report.Steps {
		line := fmt.Sprintf("%2d. %s: ", s.Number, s.Title)
		if !strings.Contains(out, line) {
			t.Errorf("output has no line %q", line)
		}
		if s.Err != nil {
			t.Errorf("step %d (%s) failed: %v", s.Number, s.Title, s.Err)
		}
	}
	if n := len(report.Steps); n != 16 {
		t.Errorf("steps = %d, want 16", n)
	}
	secrets := map[string]string{"platform key": report.PlatformKey,
		"site key": report.SiteKey, "openai key": report.OpenAIKey,
		"user token":   report.Voice.Data.LiveKitConfig.UserToken,
		"worker token": report.Worker.Metadata.WorkerToken}
	for name, secret := range secrets {
		if secret == "" {
			t.Errorf("%s is empty in the report", name)
			continue
		}
		if strings.Contains(out, secret) {
			t.Errorf("output contains the raw %s", name)
		}
	}
}

// checkCleanedUp checks that the processes are gone, the databases dropped
// and the ports free again.
func checkCleanedUp(t *testing.T, opts Options, report *Report) {
	t.Helper()
	for _, pid := range report.PIDs {
		if err := syscall.Kill(pid, 0); !errors.Is(err, syscall.ESRCH) {
			t.Errorf("process %d still exists after Run (kill 0: %v)", pid, err)
		}
	}

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if report.DatabaseName == "" {
		t.Error("the report names no platform database")
	}
	for _, name := range append([]string{report.DatabaseName}, report.TenantDatabases...) {
		exists, err := databaseExists(ctx, opts.PostgresURL, name)
		if err != nil {
			t.Fatalf("look up database %s: %v", name, err)
		}
		if exists {
			t.Errorf("database %s still exists after Run", name)
		}
	}

	for _, addr := range []string{fmt.Sprintf("127.0.0.1:%d", opts.LiveKitPort),
		strings.TrimPrefix(report.PlatformURL, "http://")} {
		l, err := net.Listen("tcp", addr)
		if err != nil {
			t.Errorf("port %s is still taken after Run: %v", addr, err)
			continue
		}
		_ = l.Close()
	}
}

// cancelWriter cancels a context once the output contains marker, the way
// Ctrl-C interrupts the demo at that point.
type cancelWriter struct {
	mu     sync.Mutex
	buf    bytes.Buffer
	marker string
	cancel context.CancelFunc
}

func (w *cancelWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	n, err := w.buf.Write(p)
	if strings.Contains(w.buf.String(), w.marker) {
		w.cancel()
	}
	return n, err
}

func TestDemo_interruptedRunCleansUp(t *testing.T) {
	opts := demoOptions(t)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	out := &cancelWriter{marker: " 7. Create client: ", cancel: cancel}

	report, err := Run(ctx, opts, out)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("Run error = %v, want context.Canceled\noutput:\n%s", err, out.buf.String())
	}
	if !strings.Contains(out.buf.String(), "Demo FAILED") {
		t.Errorf("output does not report the failure:\n%s", out.buf.String())
	}
	if n := len(report.Steps); n != 8 {
		t.Errorf("steps = %d, want 7 and the clean-up", n)
	}
	checkCleanedUp(t, opts, report)
}

func TestLiveKitBinary_missingNamesInstallScript(t *testing.T) {
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(filepath.Dir(goBin), "livekit-server")); err == nil {
		t.Fatalf("livekit-server is next to %s; this test needs a PATH without it", goBin)
	}
	t.Setenv("GOPATH", t.TempDir())
	t.Setenv("PATH", filepath.Dir(goBin))

	_, err = liveKitBinary()
	if err == nil {
		t.Fatal("liveKitBinary found a binary in an empty GOPATH")
	}
	if !strings.Contains(err.Error(), "scripts/install-livekit.sh") {
		t.Errorf("error %q does not name scripts/install-livekit.sh", err)
	}
}
