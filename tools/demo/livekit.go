package main

import (
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// liveKitConfig is the livekit-server config file the demo runs with and
// what the demo needs from it.
type liveKitConfig struct {
	// path is the source file, or a copy of it with other ports.
	path       string
	signalPort int
	rtcPort    int
	apiKey     string
	apiSecret  string
}

// url returns the signal URL of the server.
func (c *liveKitConfig) url() string {
	return "ws://" + net.JoinHostPort("127.0.0.1", strconv.Itoa(c.signalPort))
}

// prepareLiveKitConfig reads the config at src and checks that the server
// stays on loopback. When signalPort or rtcPort is not zero, it writes a copy
// into dir with those ports. The copy changes the signal port, the RTC UDP
// port and every STUN server that pointed at the old RTC port, so clients
// still get only the server's own loopback STUN address. Every other setting
// is kept as written.
func prepareLiveKitConfig(src, dir string, signalPort, rtcPort int) (*liveKitConfig, error) {
	data, err := os.ReadFile(src)
	if err != nil {
		return nil, fmt.Errorf("read LiveKit config: %w", err)
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("parse LiveKit config %s: %w", src, err)
	}
	if len(doc.Content) != 1 || doc.Content[0].Kind != yaml.MappingNode {
		return nil, fmt.Errorf("parse LiveKit config %s: the top level is not a mapping", src)
	}
	root := doc.Content[0]

	conf := &liveKitConfig{path: src}
	if err := readLiveKitConfig(root, conf); err != nil {
		return nil, fmt.Errorf("LiveKit config %s: %w", src, err)
	}
	if signalPort == 0 && rtcPort == 0 {
		return conf, nil
	}

	if signalPort != 0 {
		mapValue(root, "port").Value = strconv.Itoa(signalPort)
		conf.signalPort = signalPort
	}
	if rtcPort != 0 {
		rtc := mapValue(root, "rtc")
		mapValue(rtc, "udp_port").Value = strconv.Itoa(rtcPort)
		for _, server := range mapValue(rtc, "stun_servers").Content {
			host, port, err := net.SplitHostPort(server.Value)
			if err == nil && port == strconv.Itoa(conf.rtcPort) {
				server.Value = net.JoinHostPort(host, strconv.Itoa(rtcPort))
			}
		}
		conf.rtcPort = rtcPort
	}

	out, err := yaml.Marshal(&doc)
	if err != nil {
		return nil, fmt.Errorf("write LiveKit config: %w", err)
	}
	conf.path = filepath.Join(dir, "livekit.yaml")
	if err := os.WriteFile(conf.path, out, 0o600); err != nil {
		return nil, fmt.Errorf("write LiveKit config: %w", err)
	}
	return conf, nil
}

// readLiveKitConfig fills conf from the parsed config and rejects a config
// that would listen beyond loopback or hand out other STUN servers.
func readLiveKitConfig(root *yaml.Node, conf *liveKitConfig) error {
	var err error
	if conf.signalPort, err = intValue(mapValue(root, "port"), "port"); err != nil {
		return err
	}
	binds := mapValue(root, "bind_addresses")
	if binds == nil || len(binds.Content) == 0 {
		return errors.New("bind_addresses is missing: without it the server listens on " +
			"every interface; set bind_addresses: [\"127.0.0.1\"]")
	}
	for _, b := range binds.Content {
		if ip := net.ParseIP(b.Value); ip == nil || !ip.IsLoopback() {
			return fmt.Errorf("bind_addresses contains %q, which is not a loopback address", b.Value)
		}
	}

	rtc := mapValue(root, "rtc")
	if rtc == nil {
		return errors.New("the rtc section is missing")
	}
	if conf.rtcPort, err = intValue(mapValue(rtc, "udp_port"), "rtc.udp_port"); err != nil {
		return err
	}
	stun := mapValue(rtc, "stun_servers")
	if stun == nil || len(stun.Content) == 0 {
		return errors.New("rtc.stun_servers is missing: without it the server hands clients " +
			"public STUN servers")
	}
	for _, s := range stun.Content {
		if err := requireLoopback("rtc.stun_servers entry", s.Value); err != nil {
			return err
		}
	}

	keys := mapValue(root, "keys")
	if keys == nil || len(keys.Content) != 2 {
		return errors.New("keys must hold exactly one API key and secret")
	}
	conf.apiKey, conf.apiSecret = keys.Content[0].Value, keys.Content[1].Value
	return nil
}

// checkPortsFree returns an error when the TCP signal port or the UDP RTC
// port is already bound on 127.0.0.1.
func checkPortsFree(signalPort, rtcPort int) error {
	signal := net.JoinHostPort("127.0.0.1", strconv.Itoa(signalPort))
	l, err := net.Listen("tcp", signal)
	if err != nil {
		return fmt.Errorf("LiveKit signal port %s is in use (another livekit-server?): "+
			"stop it or run the demo with --free-ports: %w", signal, err)
	}
	_ = l.Close()
	rtc := net.JoinHostPort("127.0.0.1", strconv.Itoa(rtcPort))
	c, err := net.ListenPacket("udp", rtc)
	if err != nil {
		return fmt.Errorf("LiveKit RTC port %s/udp is in use: stop its owner or run the demo "+
			"with --free-ports: %w", rtc, err)
	}
	return c.Close()
}

// mapValue returns the value node of key in mapping node m, or nil.
func mapValue(m *yaml.Node, key string) *yaml.Node {
	if m == nil || m.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return m.Content[i+1]
		}
	}
	return nil
}

func intValue(n *yaml.Node, name string) (int, error) {
	if n == nil {
		return 0, fmt.Errorf("%s is missing", name)
	}
	v, err := strconv.Atoi(n.Value)
	if err != nil {
		return 0, fmt.Errorf("%s is %q, not a single port number", name, n.Value)
	}
	return v, nil
}

// liveKitBinary returns livekit-server from $(go env GOPATH)/bin, where
// scripts/install-livekit.sh puts it, or else from PATH.
func liveKitBinary() (string, error) {
	if gopath, err := exec.Command("go", "env", "GOPATH").Output(); err == nil {
		for _, dir := range filepath.SplitList(strings.TrimSpace(string(gopath))) {
			candidate := filepath.Join(dir, "bin", "livekit-server")
			if info, err := os.Stat(candidate); err == nil && !info.IsDir() {
				return candidate, nil
			}
		}
	}
	path, err := exec.LookPath("livekit-server")
	if err != nil {
		return "", errors.New("livekit-server is not in $(go env GOPATH)/bin or on PATH: " +
			"run scripts/install-livekit.sh (or make livekit) to build it once")
	}
	return path, nil
}

// startLiveKit runs livekit-server in development mode with conf and waits
// until its HTTP handler returns 200.
func startLiveKit(bin string, conf *liveKitConfig, logPath string) (*process, error) {
	// A server already on the port would pass the readiness check in place of
	// the one started here, so a taken port is an error up front.
	if err := checkPortsFree(conf.signalPort, conf.rtcPort); err != nil {
		return nil, err
	}
	cmd := exec.Command(bin, "--dev", "--config", conf.path)
	p, err := startProcess("livekit-server", logPath, cmd)
	if err != nil {
		return nil, err
	}
	addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(conf.signalPort))
	if err := p.waitHTTP("http://"+addr+"/", readyTimeout); err != nil {
		_ = p.stop(stopTimeout)
		return nil, err
	}
	return p, nil
}
