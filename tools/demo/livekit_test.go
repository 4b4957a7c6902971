package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

const loopbackConfig = `port: 7880
bind_addresses: ["127.0.0.1"]
rtc:
  tcp_port: 0
  udp_port: 7882
  node_ip: 127.0.0.1
  use_external_ip: false
  enable_loopback_candidate: true
  stun_servers: ["127.0.0.1:7882"]
  interfaces:
    includes: ["lo"]
  ips:
    includes: ["127.0.0.1/32"]
keys:
  devkey: secret-secret-secret-secret-secret-32
`

func writeConfig(t *testing.T, body string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "livekit.yaml")
	if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestPrepareLiveKitConfig_keepsFileWithoutOverrides(t *testing.T) {
	src := writeConfig(t, loopbackConfig)
	conf, err := prepareLiveKitConfig(src, t.TempDir(), 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	if conf.path != src {
		t.Errorf("path = %s, want the source %s", conf.path, src)
	}
	if conf.signalPort != 7880 || conf.rtcPort != 7882 {
		t.Errorf("ports = %d/%d, want 7880/7882", conf.signalPort, conf.rtcPort)
	}
	if conf.apiKey != "devkey" || conf.apiSecret != "secret-secret-secret-secret-secret-32" {
		t.Errorf("keys = %s/%s, want the config's pair", conf.apiKey, conf.apiSecret)
	}
	if conf.url() != "ws://127.0.0.1:7880" {
		t.Errorf("url = %s, want ws://127.0.0.1:7880", conf.url())
	}
}

func TestPrepareLiveKitConfig_rewritesPorts(t *testing.T) {
	conf, err := prepareLiveKitConfig(writeConfig(t, loopbackConfig), t.TempDir(), 41000, 42000)
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(conf.path)
	if err != nil {
		t.Fatal(err)
	}
	var got struct {
		Port          int      `yaml:"port"`
		BindAddresses []string `yaml:"bind_addresses"`
		RTC           struct {
			TCPPort                 int      `yaml:"tcp_port"`
			UDPPort                 int      `yaml:"udp_port"`
			NodeIP                  string   `yaml:"node_ip"`
			UseExternalIP           bool     `yaml:"use_external_ip"`
			EnableLoopbackCandidate bool     `yaml:"enable_loopback_candidate"`
			STUNServers             []string `yaml:"stun_servers"`
			Interfaces              struct {
				Includes []string `yaml:"includes"`
			} `yaml:"interfaces"`
			IPs struct {
				Includes []string `yaml:"includes"`
			} `yaml:"ips"`
		} `yaml:"rtc"`
		Keys map[string]string `yaml:"keys"`
	}
	if err := yaml.Unmarshal(data, &got); err != nil {
		t.Fatalf("parse written config: %v\n%s", err, data)
	}

	checks := []struct {
		name      string
		got, want any
	}{
		{"port", got.Port, 41000},
		{"rtc.udp_port", got.RTC.UDPPort, 42000},
		{"stun_servers", strings.Join(got.RTC.STUNServers, ","), "127.0.0.1:42000"},
		{"bind_addresses", strings.Join(got.BindAddresses, ","), "127.0.0.1"},
		{"rtc.tcp_port", got.RTC.TCPPort, 0},
		{"rtc.node_ip", got.RTC.NodeIP, "127.0.0.1"},
		{"rtc.use_external_ip", got.RTC.UseExternalIP, false},
		{"rtc.enable_loopback_candidate", got.RTC.EnableLoopbackCandidate, true},
		{"rtc.interfaces.includes", strings.Join(got.RTC.Interfaces.Includes, ","), "lo"},
		{"rtc.ips.includes", strings.Join(got.RTC.IPs.Includes, ","), "127.0.0.1/32"},
		{"keys", got.Keys["devkey"], "secret-secret-secret-secret-secret-32"},
		{"conf.signalPort", conf.signalPort, 41000},
		{"conf.rtcPort", conf.rtcPort, 42000},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s = %v, want %v", c.name, c.got, c.want)
		}
	}
}

func TestPrepareLiveKitConfig_rejectsNonLoopback(t *testing.T) {
	cases := []struct {
		name, from, to, wantErr string
	}{
		{"bind on every interface", `bind_addresses: ["127.0.0.1"]`, `bind_addresses: ["0.0.0.0"]`,
			"not a loopback address"},
		{"no bind addresses", `bind_addresses: ["127.0.0.1"]`, ``, "bind_addresses is missing"},
		{"public STUN server", `stun_servers: ["127.0.0.1:7882"]`,
			`stun_servers: ["stun.l.google.com:19302"]`, "not a loopback address"},
		{"no STUN servers", `  stun_servers: ["127.0.0.1:7882"]`, ``, "stun_servers is missing"},
		{"port range", `udp_port: 7882`, `udp_port: 50000-60000`, "not a single port number"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			body := strings.Replace(loopbackConfig, c.from, c.to, 1)
			if body == loopbackConfig {
				t.Fatalf("case does not change the config: %q not found", c.from)
			}
			_, err := prepareLiveKitConfig(writeConfig(t, body), t.TempDir(), 0, 0)
			if err == nil {
				t.Fatal("prepareLiveKitConfig accepted the config")
			}
			if !strings.Contains(err.Error(), c.wantErr) {
				t.Errorf("error = %q, want it to contain %q", err, c.wantErr)
			}
		})
	}
}

func TestPrepareLiveKitConfig_acceptsRepositoryConfig(t *testing.T) {
	root, err := findRepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	conf, err := prepareLiveKitConfig(filepath.Join(root, "deploy", "livekit-dev.yaml"),
		t.TempDir(), 0, 0)
	if err != nil {
		t.Fatalf("deploy/livekit-dev.yaml: %v", err)
	}
	if conf.apiKey != "devkey" {
		t.Errorf("API key = %q, want devkey", conf.apiKey)
	}
}
