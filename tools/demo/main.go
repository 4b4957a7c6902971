// Command demo runs the main job of Sidekick Forge end to end, as a new user
// would see it. A WordPress site key starts a voice session. A real LiveKit
// server dispatches the agent worker, which fetches its configuration and
// joins the room with the visitor. Then a text message gets an LLM reply.
// livekit-server, the LLM double, the platform and its databases all run on
// 127.0.0.1 and are removed when the demo ends, also after a failure or a
// Ctrl-C.
//
//	make demo                       # installs livekit-server once, then runs this
//	go run ./tools/demo --free-ports
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	var opts Options
	freePorts := flag.Bool("free-ports", false,
		"run LiveKit on free ports instead of those in the config (7880/tcp, 7882/udp)")
	flag.IntVar(&opts.LiveKitPort, "livekit-port", 0,
		"LiveKit signal port (TCP); 0 keeps the config's")
	flag.IntVar(&opts.LiveKitRTCPort, "livekit-rtc-port", 0,
		"LiveKit RTC and STUN port (UDP); 0 keeps the config's")
	flag.StringVar(&opts.LiveKitConfig, "livekit-config", "",
		"livekit-server config file (default deploy/livekit-dev.yaml)")
	flag.StringVar(&opts.Listen, "listen", "",
		"platform listen address, host:port on loopback (default a free 127.0.0.1 port)")
	flag.StringVar(&opts.PostgresURL, "postgres-url", DefaultPostgresURL,
		"maintenance database of the PostgreSQL server where the demo creates its databases")
	flag.StringVar(&opts.TriggerAPI, "trigger-api", TriggerREST,
		"how the site triggers the agent: rest (POST /api/v{1,2}/trigger-agent) or graphql")
	flag.StringVar(&opts.LogDir, "log-dir", "",
		"folder that keeps the logs of livekit-server, the platform and the worker "+
			"(default a temporary folder, removed at the end)")
	flag.Parse()

	if *freePorts {
		if err := pickFreePorts(&opts); err != nil {
			fmt.Fprintln(os.Stderr, "demo:", err)
			os.Exit(1)
		}
	}

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	// With stdout piped into a command that exits early (| head), a write
	// would kill the demo with SIGPIPE before its cleanup; ignored, the write
	// fails and the cleanup still runs.
	signal.Ignore(syscall.SIGPIPE)
	signals := make(chan os.Signal, 1)
	signal.Notify(signals, os.Interrupt, syscall.SIGTERM, syscall.SIGHUP)
	go func() {
		sig := <-signals
		// A second signal then ends the demo at once; the children die with
		// it, but its databases remain.
		signal.Stop(signals)
		fmt.Fprintf(os.Stderr, "\n%v: stopping everything the demo started "+
			"(press Ctrl-C again to quit at once)\n", sig)
		cancel()
	}()

	if _, err := Run(ctx, opts, os.Stdout); err != nil {
		os.Exit(1)
	}
}

// pickFreePorts sets the LiveKit ports that are still zero to free ones.
func pickFreePorts(opts *Options) error {
	var err error
	if opts.LiveKitPort == 0 {
		if opts.LiveKitPort, err = FreeTCPPort(); err != nil {
			return err
		}
	}
	if opts.LiveKitRTCPort == 0 {
		if opts.LiveKitRTCPort, err = FreeUDPPort(); err != nil {
			return err
		}
	}
	return nil
}
