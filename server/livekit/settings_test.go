package livekit_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/sidekick-forge/sidekick-forge/server/apperr"
	"github.com/sidekick-forge/sidekick-forge/server/livekit"
)

func TestSettings_Missing(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		set  livekit.Settings
		want []string
	}{
		{
			name: "complete",
			set:  livekit.Settings{URL: "wss://lk.example.test", APIKey: "k", APISecret: "s"},
			want: nil,
		},
		{
			name: "empty",
			set:  livekit.Settings{},
			want: []string{"url", "api_key", "api_secret"},
		},
		{
			name: "blank secret",
			set:  livekit.Settings{URL: "wss://lk.example.test", APIKey: "k", APISecret: "  "},
			want: []string{"api_secret"},
		},
		{
			name: "agent name alone",
			set:  livekit.Settings{AgentName: "sidekick-agent"},
			want: []string{"url", "api_key", "api_secret"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.set.Missing(); !slices.Equal(got, tt.want) {
				t.Errorf("Missing() = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestSettings_ServerURL(t *testing.T) {
	t.Parallel()
	tests := []struct{ url, want string }{
		{url: "https://lk.example.test", want: "wss://lk.example.test"},
		{url: "http://127.0.0.1:7880/", want: "ws://127.0.0.1:7880"},
		{url: "HTTPS://lk.example.test", want: "wss://lk.example.test"},
		{url: "wss://lk.example.test", want: "wss://lk.example.test"},
		{url: " ws://127.0.0.1:7880 ", want: "ws://127.0.0.1:7880"},
		{url: "lk.example.test", want: "lk.example.test"},
	}
	for _, tt := range tests {
		t.Run(tt.url, func(t *testing.T) {
			got := livekit.Settings{URL: tt.url}.ServerURL()
			if got != tt.want {
				t.Errorf("ServerURL() = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestSettings_Check(t *testing.T) {
	t.Parallel()
	t.Run("valid", func(t *testing.T) {
		set := livekit.Settings{URL: "https://lk.example.test", APIKey: "k", APISecret: "s"}
		if err := set.Check(); err != nil {
			t.Errorf("Check() = %v, want nil", err)
		}
	})
	for _, url := range []string{"lk.example.test", "ftp://lk.example.test", "wss://"} {
		t.Run("invalid url "+url, func(t *testing.T) {
			err := livekit.Settings{URL: url, APIKey: "k", APISecret: "s"}.Check()
			e := wantCode(t, err, apperr.NotConfigured)
			if e.Field != "url" {
				t.Errorf("field = %q, want url", e.Field)
			}
		})
	}
}

// Every entry point reports the missing settings by name before it calls
// LiveKit.
func TestService_reportsMissingSettings(t *testing.T) {
	t.Parallel()
	svc := newService(t)
	set := livekit.Settings{URL: "wss://lk.example.test", AgentName: "sidekick-agent"}
	ctx := context.Background()

	calls := map[string]func() error{
		"EnsureRoom": func() error {
			_, err := svc.EnsureRoom(ctx, set, livekit.RoomRequest{Name: "r"})
			return err
		},
		"EnsureAgentDispatch": func() error {
			_, err := svc.EnsureAgentDispatch(ctx, set, "r", "", "")
			return err
		},
		"Ping": func() error { return svc.Ping(ctx, set) },
		"UserToken": func() error {
			_, err := livekit.UserToken(set, livekit.TokenParams{Room: "r", Identity: "u"})
			return err
		},
	}
	for name, call := range calls {
		t.Run(name, func(t *testing.T) {
			e := wantCode(t, call(), apperr.NotConfigured)
			if want := "LiveKit settings missing: api_key, api_secret"; e.Message != want {
				t.Errorf("message = %q, want %q", e.Message, want)
			}
			missing, _ := e.Details["missing"].([]string)
			if !slices.Equal(missing, []string{"api_key", "api_secret"}) {
				t.Errorf("details missing = %v, want [api_key api_secret]", e.Details["missing"])
			}
			if strings.Contains(e.Error(), "lk.example.test") {
				t.Errorf("error %q names the URL, want only setting names", e.Error())
			}
		})
	}
}
