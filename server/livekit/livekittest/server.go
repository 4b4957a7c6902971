// Package livekittest runs a real livekit-server and a real agent worker for
// tests. Each server listens on 127.0.0.1 only, on ports chosen at start, so
// several test packages can run servers at the same time.
package livekittest

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/sidekick-forge/sidekick-forge/server/livekit"
)

// DefaultAgentName is the agent name set in the Settings that Start returns.
const DefaultAgentName = "sidekick-agent"

const (
	startAttempts = 3
	readyTimeout  = 20 * time.Second
	stopTimeout   = 10 * time.Second
)

// Options configure the server that StartWithOptions runs.
type Options struct {
	// WebhookURLs receive LiveKit webhooks, signed with the returned API key.
	WebhookURLs []string
}

// Start runs livekit-server for the test and returns its settings, with
// AgentName set to DefaultAgentName. The server stops when the test ends.
func Start(t testing.TB) livekit.Settings {
	t.Helper()
	return StartWithOptions(t, Options{})
}

// StartWithWebhook is Start with a webhook sent to url for every event.
func StartWithWebhook(t testing.TB, url string) livekit.Settings {
	t.Helper()
	return StartWithOptions(t, Options{WebhookURLs: []string{url}})
}

// StartWithOptions runs livekit-server with a config built from opts. A
// missing binary fails the test: these tests exist to run against a real
// server.
func StartWithOptions(t testing.TB, opts Options) livekit.Settings {
	t.Helper()

	bin, err := BinaryPath()
	if err != nil {
		t.Fatalf("livekit-server not found (%v): run scripts/install-livekit.sh", err)
	}

	apiKey := "APItest" + randomHex(6)
	apiSecret := randomHex(24)
	dir := t.TempDir()

	var lastErr error
	for attempt := 1; attempt <= startAttempts; attempt++ {
		// Another process can take a free port between the probe and the
		// server's bind, so a server that exits early is retried on new ports.
		srv, err := startServer(t, bin, dir, attempt, serverConfig{
			apiKey:      apiKey,
			apiSecret:   apiSecret,
			webhookURLs: opts.WebhookURLs,
		})
		if err == nil {
			return livekit.Settings{
				URL:       "ws://" + srv.addr,
				APIKey:    apiKey,
				APISecret: apiSecret,
				AgentName: DefaultAgentName,
			}
		}
		lastErr = err
	}
	t.Fatalf("start livekit-server: %v", lastErr)
	return livekit.Settings{}
}

var (
	binaryOnce sync.Once
	binaryPath string
	binaryErr  error
)

// BinaryPath returns the livekit-server binary in $(go env GOPATH)/bin, where
// scripts/install-livekit.sh puts it, or else the one on PATH.
func BinaryPath() (string, error) {
	binaryOnce.Do(func() {
		if gopath, err := exec.Command("go", "env", "GOPATH").Output(); err == nil {
			for _, dir := range filepath.SplitList(strings.TrimSpace(string(gopath))) {
				candidate := filepath.Join(dir, "bin", "livekit-server")
				if info, err := os.Stat(candidate); err == nil && !info.IsDir() {
					binaryPath = candidate
					return
				}
			}
		}
		binaryPath, binaryErr = exec.LookPath("livekit-server")
	})
	return binaryPath, binaryErr
}

type serverConfig struct {
	apiKey, apiSecret string
	webhookURLs       []string
	signalPort        int
	rtcPort           int
}

// yaml renders the config. Every listener stays on 127.0.0.1: without the
// rtc settings, --dev also listens on ICE/TCP and on UDP on every interface.
// The STUN server points at the server's own RTC port, because without one
// livekit-server hands clients public STUN servers (Google, Twilio) and the
// client SDKs would contact them.
func (c serverConfig) yaml() string {
	var b strings.Builder
	fmt.Fprintf(&b, "port: %d\n", c.signalPort)
	b.WriteString("bind_addresses: [\"127.0.0.1\"]\n")
	b.WriteString("rtc:\n")
	b.WriteString("  tcp_port: 0\n")
	fmt.Fprintf(&b, "  udp_port: %d\n", c.rtcPort)
	b.WriteString("  node_ip: 127.0.0.1\n")
	b.WriteString("  use_external_ip: false\n")
	b.WriteString("  enable_loopback_candidate: true\n")
	fmt.Fprintf(&b, "  stun_servers: [\"127.0.0.1:%d\"]\n", c.rtcPort)
	b.WriteString("  interfaces:\n    includes: [\"lo\"]\n")
	b.WriteString("  ips:\n    includes: [\"127.0.0.1/32\"]\n")
	fmt.Fprintf(&b, "keys:\n  %s: %s\n", c.apiKey, c.apiSecret)
	b.WriteString("logging:\n  level: info\n")
	if len(c.webhookURLs) > 0 {
		fmt.Fprintf(&b, "webhook:\n  api_key: %s\n  urls:\n", c.apiKey)
		for _, u := range c.webhookURLs {
			fmt.Fprintf(&b, "    - %s\n", strconv.Quote(u))
		}
	}
	return b.String()
}

type server struct {
	addr string
}

func startServer(t testing.TB, bin, dir string, attempt int, conf serverConfig) (*server, error) {
	t.Helper()

	var err error
	if conf.signalPort, err = freeTCPPort(); err != nil {
		return nil, err
	}
	if conf.rtcPort, err = freeUDPPort(); err != nil {
		return nil, err
	}

	configPath := filepath.Join(dir, fmt.Sprintf("livekit-%d.yaml", attempt))
	if err := os.WriteFile(configPath, []byte(conf.yaml()), 0o600); err != nil {
		return nil, fmt.Errorf("write config: %w", err)
	}
	logPath := filepath.Join(dir, fmt.Sprintf("livekit-%d.log", attempt))
	logFile, err := os.Create(logPath)
	if err != nil {
		return nil, fmt.Errorf("create log: %w", err)
	}

	cmd := exec.Command(bin, "--dev", "--config", configPath)
	cmd.Stdout = logFile
	cmd.Stderr = logFile
	cmd.SysProcAttr = sysProcAttr()
	started := time.Now()
	if err := cmd.Start(); err != nil {
		_ = logFile.Close()
		return nil, fmt.Errorf("run %s: %w", bin, err)
	}
	exited := make(chan struct{})
	go func() {
		_ = cmd.Wait()
		_ = logFile.Close()
		close(exited)
	}()

	addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(conf.signalPort))
	if err := waitReady(addr, exited); err != nil {
		stopProcess(cmd, exited)
		return nil, fmt.Errorf("%w; log tail:\n%s", err, logTail(logPath))
	}
	t.Logf("livekit-server on %s ready after %v", addr, time.Since(started).Round(time.Millisecond))

	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("livekit-server log tail:\n%s", logTail(logPath))
		}
		stopProcess(cmd, exited)
	})
	return &server{addr: addr}, nil
}

// waitReady polls the server's health endpoint, which returns 200 once the
// signal and API handlers serve.
func waitReady(addr string, exited <-chan struct{}) error {
	client := &http.Client{Timeout: time.Second}
	deadline := time.Now().Add(readyTimeout)
	for time.Now().Before(deadline) {
		select {
		case <-exited:
			return errors.New("livekit-server exited before it was ready")
		default:
		}
		res, err := client.Get("http://" + addr + "/")
		if err == nil {
			_ = res.Body.Close()
			if res.StatusCode == http.StatusOK {
				return nil
			}
		}
		time.Sleep(25 * time.Millisecond)
	}
	return fmt.Errorf("livekit-server on %s not ready after %v", addr, readyTimeout)
}

// stopProcess shuts the server down and kills it after stopTimeout. On the
// first SIGTERM livekit-server waits, in 5 s steps, for every participant to
// leave. A second signal forces the shutdown, and a test server has nothing
// to drain.
func stopProcess(cmd *exec.Cmd, exited <-chan struct{}) {
	_ = cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-exited:
		return
	case <-time.After(100 * time.Millisecond):
	}
	_ = cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-exited:
		return
	case <-time.After(stopTimeout):
	}
	_ = cmd.Process.Kill()
	<-exited
}

func freeTCPPort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("find free TCP port: %w", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

func freeUDPPort() (int, error) {
	c, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("find free UDP port: %w", err)
	}
	defer c.Close()
	return c.LocalAddr().(*net.UDPAddr).Port, nil
}

func logTail(path string) string {
	data, err := os.ReadFile(path)
	if err != nil {
		return "(no log: " + err.Error() + ")"
	}
	lines := bytes.Split(bytes.TrimRight(data, "\n"), []byte("\n"))
	if len(lines) > 40 {
		lines = lines[len(lines)-40:]
	}
	return string(bytes.Join(lines, []byte("\n")))
}

func randomHex(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(fmt.Sprintf("read random bytes: %v", err))
	}
	return hex.EncodeToString(b)
}
