package agents

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/sidekick-forge/sidekick-forge/server/apperr"
)

// invalidField returns the field of an INVALID_INPUT error, failing the
// test for any other error.
func invalidField(t *testing.T, err error) string {
	t.Helper()
	e, ok := apperr.As(err)
	if !ok || e.Code != apperr.InvalidInput {
		t.Fatalf("error = %v, want INVALID_INPUT", err)
	}
	return e.Field
}

func TestValidateSlug(t *testing.T) {
	cases := []struct {
		slug    string
		message string // empty: valid
	}{
		{"clarence-coherence", ""},
		{"a1", ""},
		{"clarence_coherence", `did you mean "clarence-coherence"?`},
		{"Clarence Coherence", `did you mean "clarence-coherence"?`},
		{"  spaced--out  ", `did you mean "spaced-out"?`},
		{"", "is required"},
		{strings.Repeat("a", MaxSlugLength+1), "maximum is 64"},
		{"___", "^[a-z0-9-]+$"},
	}
	for _, tc := range cases {
		t.Run(tc.slug, func(t *testing.T) {
			err := ValidateSlug("slug", tc.slug)
			if tc.message == "" {
				if err != nil {
					t.Errorf("ValidateSlug(%q) = %v", tc.slug, err)
				}
				return
			}
			if field := invalidField(t, err); field != "slug" {
				t.Errorf("field = %q, want slug", field)
			}
			if !strings.Contains(err.Error(), tc.message) {
				t.Errorf("ValidateSlug(%q) = %q, want it to contain %q", tc.slug, err, tc.message)
			}
		})
	}
}

func TestSuggestSlug(t *testing.T) {
	cases := map[string]string{
		"clarence_coherence": "clarence-coherence",
		"Acme Corp.":         "acme-corp",
		"--x--":              "x",
		"___":                "",
		"Ünïcode Tëst":       "n-code-t-st",
	}
	for in, want := range cases {
		if got := SuggestSlug(in); got != want {
			t.Errorf("SuggestSlug(%q) = %q, want %q", in, got, want)
		}
	}
}

// jsonSettings decodes voice settings the way gqlgen decodes request
// variables: with json.Decoder.UseNumber.
func jsonSettings(t *testing.T, raw string) map[string]any {
	t.Helper()
	dec := json.NewDecoder(strings.NewReader(raw))
	dec.UseNumber()
	var out map[string]any
	if err := dec.Decode(&out); err != nil {
		t.Fatal(err)
	}
	return out
}

func TestValidateVoiceSettings(t *testing.T) {
	cases := []struct {
		name     string
		settings string
		field    string // empty: valid
	}{
		{"empty", `{}`, ""},
		{"known keys", `{"provider":"cartesia","voice_id":"v1","llm_provider":"openai",
			"llm_model":"gpt-4o-mini","temperature":0.7}`, ""},
		{"integer temperature", `{"temperature":1}`, ""},
		{"null values are absent", `{"temperature":null,"llm_model":null}`, ""},
		{"unknown keys are kept", `{"worker_flag":{"nested":[1,2]}}`, ""},
		{"temperature as string", `{"temperature":"0.7"}`, "voice_settings.temperature"},
		{"temperature above 2", `{"temperature":2.5}`, "voice_settings.temperature"},
		{"negative temperature", `{"temperature":-0.1}`, "voice_settings.temperature"},
		{"llm_model as number", `{"llm_model":4}`, "voice_settings.llm_model"},
		{"voice_id as bool", `{"voice_id":true}`, "voice_settings.voice_id"},
		{"oversized model", `{"llm_model":"` + strings.Repeat("m", MaxModelLength+1) + `"}`,
			"voice_settings.llm_model"},
		{"oversized document", `{"blob":"` + strings.Repeat("x", maxVoiceSettingsBytes) + `"}`,
			"voice_settings"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := ValidateVoiceSettings("voice_settings", jsonSettings(t, tc.settings))
			if tc.field == "" {
				if err != nil {
					t.Errorf("ValidateVoiceSettings(%s) = %v", tc.settings, err)
				}
				return
			}
			if field := invalidField(t, err); field != tc.field {
				t.Errorf("field = %q, want %q (error %v)", field, tc.field, err)
			}
		})
	}

	t.Run("Go number types", func(t *testing.T) {
		for _, v := range []any{float64(1.5), float32(0.5), 1, int32(1), int64(2)} {
			if err := ValidateVoiceSettings("voice_settings", map[string]any{"temperature": v}); err != nil {
				t.Errorf("temperature %T(%v): %v", v, v, err)
			}
		}
	})
}

func TestAgentValidate_namesTheField(t *testing.T) {
	cases := []struct {
		name  string
		edit  func(a *Agent)
		field string
	}{
		{"blank name", func(a *Agent) { a.Name = "  " }, "name"},
		{"long name", func(a *Agent) { a.Name = strings.Repeat("n", MaxNameLength+1) }, "name"},
		{"long description", func(a *Agent) {
			a.Description = strings.Repeat("d", MaxDescriptionLength+1)
		}, "description"},
		{"long system prompt", func(a *Agent) {
			a.SystemPrompt = strings.Repeat("p", MaxSystemPromptLength+1)
		}, "system_prompt"},
		{"long model", func(a *Agent) { a.Model = strings.Repeat("m", MaxModelLength+1) }, "model"},
		{"relative webhook", func(a *Agent) { a.Webhooks.VoiceContextWebhookURL = "/ctx" },
			"webhooks.voice_context_webhook_url"},
		{"retention too long", func(a *Agent) { a.ContextRetentionMinutes = MaxRetentionMinutes + 1 },
			"context_retention_minutes"},
		{"too many messages", func(a *Agent) { a.MaxContextMessages = MaxContextMessages + 1 },
			"max_context_messages"},
		{"bad voice settings", func(a *Agent) {
			a.VoiceSettings = map[string]any{"temperature": "hot"}
		}, "voice_settings.temperature"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			a := New("valid-slug", "Valid")
			tc.edit(a)
			if field := invalidField(t, a.Validate()); field != tc.field {
				t.Errorf("field = %q, want %q", field, tc.field)
			}
		})
	}

	t.Run("limits are inclusive", func(t *testing.T) {
		a := New("valid-slug", strings.Repeat("n", MaxNameLength))
		a.SystemPrompt = strings.Repeat("p", MaxSystemPromptLength)
		a.ContextRetentionMinutes, a.MaxContextMessages = MaxRetentionMinutes, MaxContextMessages
		if err := a.Validate(); err != nil {
			t.Errorf("agent at every limit: %v", err)
		}
	})
}
