// Command llm-double serves the local LLM double of server/llm/llmtest over HTTP, for
// demos and load tests that should not call a paid provider. It speaks the OpenAI
// chat completions API under /v1 and the Anthropic messages API, streaming included.
//
//	go run ./tools/llm-double --listen 127.0.0.1:18090 --delay 30ms
//
// Point a provider at it with SIDEKICK_<PROVIDER>_BASE_URL set to the printed URL.
// It accepts any non-empty API key.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/sidekick-forge/sidekick-forge/server/llm/llmtest"
)

func main() {
	listen := flag.String("listen", "127.0.0.1:18090", "address to listen on, host:port")
	replyPrefix := flag.String("reply-prefix", "echo: ",
		"text put before the echoed last user message in every reply")
	delay := flag.Duration("delay", 0,
		"wait before each streamed delta and before a JSON reply, for example 30ms")
	logRequests := flag.Bool("log-requests", true, "log one line per request to stderr")
	flag.Parse()

	logger := slog.New(slog.NewTextHandler(os.Stderr, nil))
	if err := run(*listen, *replyPrefix, *delay, *logRequests, logger); err != nil {
		logger.Error("llm double failed", "error", err)
		os.Exit(1)
	}
}

func run(listen, replyPrefix string, delay time.Duration, logRequests bool,
	logger *slog.Logger) error {
	if delay < 0 {
		return fmt.Errorf("--delay %s is negative", delay)
	}
	opts := llmtest.Options{Reply: llmtest.EchoReply(replyPrefix), Delay: delay}
	if logRequests {
		opts.Logger = logger
	}

	listener, err := net.Listen("tcp", listen)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", listen, err)
	}
	addr := listener.Addr().(*net.TCPAddr)
	if !addr.IP.IsLoopback() {
		logger.Warn("llm double listens beyond loopback", "address", addr.String())
	}

	root := "http://" + addr.String()
	fmt.Printf("llm-double listening on %s\n", addr)
	fmt.Printf("  OpenAI base URL:    %s/v1\n", root)
	fmt.Printf("  Anthropic base URL: %s\n", root)

	server := &http.Server{
		Handler:           llmtest.NewHandler(opts),
		ReadHeaderTimeout: 10 * time.Second,
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	served := make(chan error, 1)
	go func() { served <- server.Serve(listener) }()
	logger.Info("llm double started", "address", addr.String(), "delay", delay)

	select {
	case err := <-served:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}

	logger.Info("llm double stopping")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := server.Shutdown(shutdownCtx); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("shut down: %w", err)
	}
	logger.Info("llm double stopped")
	return nil
}
